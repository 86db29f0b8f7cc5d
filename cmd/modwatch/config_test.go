package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

const minimal = `
vk:
  communities:
    - group_id: 1
      token_env: VK
telegram:
  token_env: TG
people:
  - {name: Ivan, role: operator, vk_id: 11, telegram_id: 101}
  - {name: Olga, role: manager, telegram_id: 201}
`

func TestConfigCheckCommand(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(path, []byte(minimal+"colour: blue\n"), 0o600))
	var out, errOut strings.Builder
	code := runCLI(t.Context(), []string{"config", "check", "--config", path}, &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), `unknown key "colour"`)

	code = runCLI(t.Context(), []string{"run", "--config", path}, &out, &errOut)
	assert.Equal(t, 1, code, "run refuses the same config")

	code = runCLI(t.Context(), []string{"config", "check"}, &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "--config FILE is required")
}
