package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
	"github.com/modwatch/modwatch/watchers/vk/vktest"
)

var crashLong = flag.Bool("crash.long", false, "run the long crash loop: 3000 bans and 40 kills")

const crashConfig = `
database: %s
vk:
  api_url: %s
  long_poll_wait: 1s
  communities:
    - {group_id: 10, name: "Brand support", token_env: E2E_VK}
telegram:
  token_env: E2E_TG
  api_endpoint: %s
  poll_timeout: 1s
  # Prompt counts are what this test checks: one per ban, as fast as the fake allows.
  pace: false
justify:
  check_every: 200ms
  group_after: 0
people:
  - {name: Ivan, role: operator, vk_id: 111, telegram_id: 1001}
  - {name: Petr, role: operator, vk_id: 112, telegram_id: 1002}
  - {name: Olga, role: manager, telegram_id: 2001}
log:
  level: warn
`

// buildBinary builds the modwatch command once for the process-level tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "modwatch")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "build modwatch: %s", out)
	return bin
}

// TestCrashLosesNothing kills the daemon with SIGKILL at random points of a stream of bans,
// restarts it each time, and checks that every ban is recorded once and that every case
// got its prompt. Telegram offers no way to make a send idempotent, so a kill between
// Telegram accepting a prompt and modwatch recording it may repeat that one prompt: at
// most one repeat per kill is allowed, and the count is reported.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real process")
	}
	bans, kills := 300, 8
	if *crashLong {
		bans, kills = 3000, 40
	}
	bin := buildBinary(t)
	vk, tg := vktest.New(), telegramtest.New(botToken)
	defer vk.Close()
	defer tg.Close()
	vk.AddGroup(group, vkToken)
	for id, name := range map[int64]string{operatorTG: "Ivan", operator2TG: "Petr", managerTG: "Olga"} {
		tg.AddUser(id, name)
		tg.SendText(id, "/start")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "modwatch.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(crashConfig, filepath.Join(dir, "modwatch.db"), vk.URL(), tg.URL())), 0o600))
	logFile, err := os.Create(filepath.Join(dir, "daemon.log"))
	require.NoError(t, err)
	defer logFile.Close()

	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "run", "--config", cfg)
		cmd.Env = append(os.Environ(), "E2E_VK="+vkToken, "E2E_TG="+botToken)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		require.NoError(t, cmd.Start())
		return cmd
	}

	// The stream: bans keep coming while the daemon is killed and restarted.
	pushed := make(chan struct{})
	go func() {
		defer close(pushed)
		for i := 0; i < bans; i++ {
			vk.Ban(group, int64(operatorVK+i%2), int64(100000+i), 1, "", 0)
			if i%25 == 0 {
				time.Sleep(20 * time.Millisecond)
			}
		}
	}()
	for k := 0; k < kills; k++ {
		cmd := start()
		time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
	}
	<-pushed
	final := start()
	defer func() {
		_ = final.Process.Signal(syscall.SIGTERM)
		_ = final.Wait()
	}()

	userLink := regexp.MustCompile(`vk\.com/id(\d+)`)
	prompts := func() map[int64]int {
		seen := map[int64]int{}
		for _, chat := range []int64{operatorTG, operator2TG} {
			for _, m := range tg.Messages(chat) {
				if !m.FromBot || !isAnyPrompt(m) {
					continue
				}
				if mm := userLink.FindStringSubmatch(m.HTML); mm != nil {
					id, _ := strconv.ParseInt(mm[1], 10, 64)
					seen[id]++
				}
			}
		}
		return seen
	}
	db := filepath.Join(dir, "modwatch.db")
	if !assert.Eventually(t, func() bool { return len(prompts()) == bans }, 120*time.Second, 100*time.Millisecond,
		"every ban's prompt arrives") {
		t.Logf("prompts seen %d of %d; events %d, cases %d, prompts unsent %d, failed %d: %s", len(prompts()), bans,
			countRowsAt(t, db, "SELECT COUNT(*) FROM events WHERE kind = 'ban' AND history = 0"),
			countRowsAt(t, db, "SELECT COUNT(*) FROM cases"),
			countRowsAt(t, db, "SELECT COUNT(*) FROM outbox WHERE sent_at = 0"),
			countRowsAt(t, db, "SELECT COUNT(*) FROM outbox WHERE failed = 1"), tailFile(t, filepath.Join(dir, "daemon.log"), 3000))
		t.FailNow()
	}

	// A replay that reconciliation counted first is kept as history, never acted on.
	assert.Equal(t, bans, countRowsAt(t, db, "SELECT COUNT(*) FROM events WHERE kind = 'ban' AND history = 0"), "every ban acted on once")
	assert.Equal(t, bans, countRowsAt(t, db, "SELECT COUNT(*) FROM cases"), "one case per ban")
	assert.Equal(t, bans, countRowsAt(t, db, "SELECT COUNT(*) FROM outbox WHERE kind = 'prompt' AND edit_of = 0"), "one prompt per case in the outbox")
	repeats := 0
	for _, n := range prompts() {
		repeats += n - 1
	}
	assert.LessOrEqual(t, repeats, kills, "at most one repeated prompt per kill")
	t.Logf("%d bans, %d kills, %d repeated prompts", bans, kills, repeats)
}

// tailFile returns the last n bytes of a file, for a failure's message.
func tailFile(t *testing.T, path string, n int) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
