package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/justify/telegram/telegramtest"
)

// A second daemon on a database another one runs on refuses to start, naming the lock
// file and the running daemon's PID, and leaves the first one alone; the read-only
// commands still work beside the running daemon.
func TestOneDaemonPerDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a real process")
	}
	bin := buildBinary(t)
	h := newHarness(t)
	h.startTeam()
	h.vk.Ban(group, operatorVK, customer, 1, "", 0)
	h.waitMessage(operatorTG, "the prompt", isPrompt)

	// The second daemon is another process: the PID it names is this test's, which holds
	// the lock through the in-process daemon.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", "--config", h.configPath())
	cmd.Env = append(os.Environ(), "E2E_VK="+vkToken, "E2E_VK2="+vk2Token, "E2E_VK_USER="+userToken, "E2E_TG="+botToken)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "the second daemon gave up on its own; stderr:\n%s", stderr.String())
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "the second daemon must fail: %v\n%s", err, stderr.String())
	assert.Equal(t, 1, exit.ExitCode())
	lock := daemon.LockPath(filepath.Join(h.dir, "modwatch.db"))
	assert.Contains(t, stderr.String(), "in use by another modwatch daemon")
	assert.Contains(t, stderr.String(), "pid "+strconv.Itoa(os.Getpid()))
	assert.Contains(t, stderr.String(), lock)
	assert.NotContains(t, stderr.String(), "modwatch started", "refused before anything started")

	// The first daemon goes on: a later ban is still asked about.
	h.vk.Ban(group, operatorVK, customer2, 1, "", 0)
	h.waitMessage(operatorTG, "the second prompt", func(m telegramtest.Msg) bool {
		return isPrompt(m) && strings.Contains(m.HTML, "vk.com/id"+itoa(customer2))
	})

	// Read-only commands beside it.
	for _, args := range [][]string{{"cases", "list"}, {"cases", "show", "1"}, {"report", "--since", "30d"}} {
		var out, errOut bytes.Buffer
		code := runCLI(context.Background(), append(args, "--config", h.configPath()), &out, &errOut)
		assert.Equal(t, 0, code, "%v: %s", args, errOut.String())
		if args[0] == "cases" {
			assert.Contains(t, out.String(), "Ivan", "%v shows the case", args)
		}
	}
}
