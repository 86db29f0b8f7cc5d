package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
)

// unitSettings reads a systemd unit's Key=Value lines; a key set twice keeps every value.
func unitSettings(t *testing.T, path string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	out := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, "%s: %q", path, line)
		out[k] = append(out[k], v)
	}
	return out
}

// runsLikeTheCommand runs a command line of the unit or the image without its binary and
// checks that modwatch understands it: it gets as far as reading its files, which are not
// there in a test.
func runsLikeTheCommand(t *testing.T, args []string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runCLI(context.Background(), args, &out, &errOut)
	assert.Equal(t, 1, code, "%v", args)
	assert.Regexp(t, `read (config|env file)`, errOut.String(), "%v: the flags are understood", args)
}

func TestServiceUnitIsHardenedAndReloads(t *testing.T) {
	u := unitSettings(t, "../../configs/modwatch.service")
	want := map[string]string{
		"Type": "notify", "User": "modwatch", "StateDirectory": "modwatch", "ProtectSystem": "strict",
		"NoNewPrivileges": "yes", "Restart": "on-failure", "ExecReload": "/bin/kill -HUP $MAINPID",
		"EnvironmentFile": "/etc/modwatch/modwatch.env", "PrivateTmp": "yes", "ProtectHome": "yes",
		"PrivateDevices": "yes", "CapabilityBoundingSet": "", "UMask": "0077",
	}
	for k, v := range want {
		assert.Equal(t, []string{v}, u[k], k)
	}
	start := strings.Fields(u["ExecStart"][0])
	require.Equal(t, "/usr/local/bin/modwatch", start[0])
	assert.Equal(t, []string{"run", "--config", "/etc/modwatch/modwatch.yaml", "--env-file", "/etc/modwatch/modwatch.env"}, start[1:],
		"the env file of EnvironmentFile is read again on reloads")
	runsLikeTheCommand(t, start[1:])
}

func TestDockerfileChecksHealthWithoutCurl(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	m := regexp.MustCompile(`(?m)^HEALTHCHECK .*CMD (\[.*\])$`).FindStringSubmatch(text)
	require.NotNil(t, m, "the image has a HEALTHCHECK in exec form (no shell in distroless)")
	var check []string
	require.NoError(t, json.Unmarshal([]byte(m[1]), &check))
	assert.Equal(t, "/usr/local/bin/modwatch", check[0], "the check is modwatch itself: the image has no curl")
	assert.Equal(t, "health", check[1])
	runsLikeTheCommand(t, check[1:])

	m = regexp.MustCompile(`(?m)^CMD (\[.*\])$`).FindStringSubmatch(text)
	require.NotNil(t, m)
	var run []string
	require.NoError(t, json.Unmarshal([]byte(m[1]), &run))
	assert.Equal(t, check[len(check)-1], run[len(run)-1], "the check reads the config the daemon runs with")
	runsLikeTheCommand(t, run)
}

// TestShippedRunsStartGoroutinesSmall checks that both ways modwatch is shipped to run
// carry the runtime setting the load run measures it with (daemon.StackGODEBUG).
func TestShippedRunsStartGoroutinesSmall(t *testing.T) {
	u := unitSettings(t, "../../configs/modwatch.service")
	assert.Equal(t, []string{"GODEBUG=" + daemon.StackGODEBUG}, u["Environment"], "the systemd unit")
	data, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	env := regexp.MustCompile(`(?m)^ENV GODEBUG=(\S+)$`).FindStringSubmatch(string(data))
	require.NotNil(t, env, "the image sets GODEBUG")
	assert.Equal(t, daemon.StackGODEBUG, env[1], "the image")
}

// TestServiceUnitVerifies has systemd check the unit, where systemd-analyze is installed.
func TestServiceUnitVerifies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds modwatch")
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	bin := buildBinary(t)
	unit, err := os.ReadFile("../../configs/modwatch.service")
	require.NoError(t, err)
	// verify wants the command to exist.
	path := filepath.Join(t.TempDir(), "modwatch.service")
	require.NoError(t, os.WriteFile(path, bytes.ReplaceAll(unit, []byte("/usr/local/bin/modwatch"), []byte(bin)), 0o644))
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "systemd has nothing to say about the unit")
}
