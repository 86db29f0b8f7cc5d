package configs

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Source is where the daemon's config comes from: the file, and the environment its
// *_env keys name. The daemon loads it at start and again at every reload.
type Source struct {
	// Path is the YAML config file.
	Path string
	// EnvFile, when set, is a file of KEY=VALUE lines (the format of systemd's
	// EnvironmentFile) read at every Load. Its variables win over the process's: a
	// process's environment is fixed when it starts, so a token added to this file for a
	// new community reaches a reload only through it.
	EnvFile string
	// LookupEnv reads the process's environment; os.LookupEnv when nil.
	LookupEnv func(string) (string, bool)
}

// Load reads the env file, if any, then the config, as Load does.
func (s Source) Load() (*Config, Secrets, error) {
	lookup := s.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if s.EnvFile != "" {
		vars, err := ReadEnvFile(s.EnvFile)
		if err != nil {
			return nil, Secrets{}, err
		}
		process := lookup
		lookup = func(k string) (string, bool) {
			if v, ok := vars[k]; ok {
				return v, true
			}
			return process(k)
		}
	}
	return Load(s.Path, lookup)
}

// ReadEnvFile reads a file of environment variables: KEY=VALUE a line, blank lines and
// lines starting with # or ; ignored, a value optionally in single or double quotes. Its
// errors name the line but never show what is written there: the file holds tokens.
func ReadEnvFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read env file: %w", err)
	}
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' || text[0] == ';' {
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		key = strings.TrimSpace(key)
		if !ok || !validEnvName(key) {
			return nil, fmt.Errorf("env file %s, line %d: expected NAME=VALUE with a name of letters, digits and _", path, line)
		}
		value = strings.TrimSpace(value)
		if n := len(value); n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n-1] == value[0] {
			value = value[1 : n-1]
		}
		vars[key] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read env file %s: %w", path, err)
	}
	return vars, nil
}

// validEnvName reports whether s is a shell variable name.
func validEnvName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
