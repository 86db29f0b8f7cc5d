package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

const sighupConfig = `
database: %s
vk:
  api_url: %s
  long_poll_wait: 1s
  communities:
    - {group_id: 10, name: "Brand support", token_env: E2E_VK}
%s
telegram:
  token_env: E2E_TG
  api_endpoint: %s
  poll_timeout: 1s
  pace: false
people:
  - {name: Ivan, role: operator, vk_id: 111, telegram_id: 1001}
  - {name: Olga, role: manager, telegram_id: 2001}
%s
`

// notices collects what a daemon tells systemd through $NOTIFY_SOCKET.
type notices struct {
	mu   sync.Mutex
	seen []string
}

func (n *notices) listen(t *testing.T, path string) {
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			k, err := conn.Read(buf)
			if err != nil {
				return
			}
			n.mu.Lock()
			n.seen = append(n.seen, string(buf[:k]))
			n.mu.Unlock()
		}
	}()
}

// count is how many notices contain s.
func (n *notices) count(s string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, m := range n.seen {
		if strings.Contains(m, s) {
			c++
		}
	}
	return c
}

// TestSIGHUPReloadsARunningProcess runs `modwatch run` as systemd would, with the tokens
// in an env file, and reloads it with SIGHUP: a community whose token was added to the
// env file after the start, and a person, come in; then a broken config is refused while
// the process goes on; SIGTERM still stops it cleanly.
func TestSIGHUPReloadsARunningProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a real process")
	}
	bin := buildBinary(t)
	vk, tg := vktest.New(), telegramtest.New(botToken)
	defer vk.Close()
	defer tg.Close()
	vk.AddGroup(group, vkToken)
	vk.AddGroup(group2, vk2Token)
	for id, name := range map[int64]string{operatorTG: "Ivan", managerTG: "Olga", newcomerTG: "Sergey"} {
		tg.AddUser(id, name)
	}
	tg.SendText(operatorTG, "/start")
	tg.SendText(managerTG, "/start")

	dir := t.TempDir()
	cfgPath, envPath, logPath := filepath.Join(dir, "modwatch.yaml"), filepath.Join(dir, "modwatch.env"), filepath.Join(dir, "daemon.log")
	write := func(community, person string) {
		doc := fmt.Sprintf(sighupConfig, filepath.Join(dir, "modwatch.db"), vk.URL(), community, tg.URL(), person)
		require.NoError(t, os.WriteFile(cfgPath, []byte(doc), 0o600))
	}
	write("", "")
	require.NoError(t, os.WriteFile(envPath, []byte("E2E_TG="+botToken+"\nE2E_VK="+vkToken+"\n"), 0o600))
	var notified notices
	sock := filepath.Join(dir, "notify.sock")
	notified.listen(t, sock)

	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	defer logFile.Close()
	cmd := exec.Command(bin, "run", "--config", cfgPath, "--env-file", envPath)
	// The tokens are in the env file only.
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		if t.Failed() {
			t.Logf("daemon log:\n%s", tailFile(t, logPath, 6000))
		}
	}()
	wait := func(what string, ok func() bool) {
		t.Helper()
		require.Eventually(t, ok, 30*time.Second, 10*time.Millisecond, what)
	}
	botSent := func(chat int64, s string) func() bool {
		return func() bool {
			for _, m := range tg.Messages(chat) {
				if m.FromBot && strings.Contains(m.Text, s) {
					return true
				}
			}
			return false
		}
	}
	wait("ready", func() bool { return notified.count("STATUS=watching 1 communities for 2 people") == 1 })
	assert.Equal(t, 1, notified.count("READY=1"))

	// A new community, its token added to the env file, and a new person.
	require.NoError(t, os.WriteFile(envPath, []byte("E2E_TG="+botToken+"\nE2E_VK="+vkToken+"\nE2E_VK2="+vk2Token+"\n"), 0o600))
	write(shop, "  - {name: Sergey, role: operator, vk_id: 113, telegram_id: 1003}")
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	wait("the reload", func() bool { return notified.count("STATUS=watching 2 communities for 3 people; config reloaded") == 1 })
	tg.SendText(newcomerTG, "/start")
	wait("Sergey's greeting", botSent(newcomerTG, "Sergey"))
	vk.Ban(group2, newcomerVK, customer, 1, "", 0)
	wait("Sergey's prompt in the new community", botSent(newcomerTG, "Brand shop"))

	// A broken config: refused, the managers told, the process goes on.
	write(shop, "  - {name: Sergey, role: boss, vk_id: 113, telegram_id: 1003}")
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	wait("the refusal", func() bool { return notified.count("STATUS=config refused") == 1 })
	wait("the managers' alert", botSent(managerTG, "people[2].role"))
	vk.Ban(group, operatorVK, customer2, 1, "", 0)
	wait("Ivan's prompt after the refusal", func() bool {
		for _, m := range tg.Messages(operatorTG) {
			if m.FromBot && isPrompt(m) && strings.Contains(m.HTML, "vk.com/id"+itoa(customer2)) {
				return true
			}
		}
		return false
	})

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		require.NoError(t, err, "SIGTERM still stops it cleanly")
	case <-time.After(30 * time.Second):
		t.Fatal("the daemon did not stop on SIGTERM")
	}
	assert.Equal(t, 1, notified.count("STOPPING=1"))
	log := tailFile(t, logPath, 1<<20)
	assert.Contains(t, log, "config reloaded")
	assert.Contains(t, log, "config refused; the one in force stays")
	for _, secret := range []string{botToken, vkToken, vk2Token} {
		assert.NotContains(t, log, secret, "a token reached the log")
	}
}
