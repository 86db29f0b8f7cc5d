package configs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadEnvFile(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    map[string]string
		wantErr string
	}{
		{name: "systemd's format", body: "# tokens\n\nTG=123:abc\n; old style comment\nVK = \"v k\"\nUSER='u=1'\nEMPTY=\n",
			want: map[string]string{"TG": "123:abc", "VK": "v k", "USER": "u=1", "EMPTY": ""}},
		{name: "a later line wins", body: "TG=old\nTG=new\n", want: map[string]string{"TG": "new"}},
		{name: "no equals sign", body: "TG=1\nsecret-token-value\n", wantErr: "line 2: expected NAME=VALUE"},
		{name: "bad name", body: "1TG=x\n", wantErr: "line 1"},
		{name: "export is not systemd's", body: "export TG=x\n", wantErr: "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "modwatch.env")
			require.NoError(t, os.WriteFile(path, []byte(tt.body), 0o600))
			got, err := ReadEnvFile(path)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "secret-token-value", "the file's content stays out of errors")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSourceLoadReadsTheEnvFileEachTime(t *testing.T) {
	dir := t.TempDir()
	cfgPath, envPath := filepath.Join(dir, "modwatch.yaml"), filepath.Join(dir, "modwatch.env")
	require.NoError(t, os.WriteFile(cfgPath, []byte(minimal), 0o600))
	process := envOf(map[string]string{"VK": "from-process", "TG": "t"})
	src := Source{Path: cfgPath, EnvFile: envPath, LookupEnv: process}

	_, _, err := src.Load()
	require.Error(t, err, "a missing env file is an error, not an empty one")
	assert.Contains(t, err.Error(), "read env file")

	require.NoError(t, os.WriteFile(envPath, []byte("TG=from-file\n"), 0o600))
	_, s, err := src.Load()
	require.NoError(t, err)
	assert.Equal(t, "from-file", s.Telegram, "the file wins")
	assert.Equal(t, "from-process", s.Community[1], "the process fills in the rest")

	require.NoError(t, os.WriteFile(envPath, []byte("TG=from-file\nVK=rotated\n"), 0o600))
	_, s, err = src.Load()
	require.NoError(t, err)
	assert.Equal(t, "rotated", s.Community[1], "read again at every load")

	_, s, err = Source{Path: cfgPath, LookupEnv: process}.Load()
	require.NoError(t, err)
	assert.Equal(t, "t", s.Telegram, "without an env file, the process's environment")
}
