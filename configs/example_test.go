package configs

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// exampleKey is one key written in the example, with its value.
type exampleKey struct{ key, value *yaml.Node }

// exampleKeys lists every key the example writes by dotted path, "[]" standing for any
// item of a list, so that keys shown in only one item (like a digest) count.
func exampleKeys(n *yaml.Node, prefix string, out map[string][]exampleKey) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			exampleKeys(c, prefix, out)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			exampleKeys(c, prefix+"[]", out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			path := strings.TrimPrefix(prefix+"."+n.Content[i].Value, ".")
			out[path] = append(out[path], exampleKey{key: n.Content[i], value: n.Content[i+1]})
			exampleKeys(n.Content[i+1], path, out)
		}
	}
}

// acceptedKeys lists every key type t accepts by dotted path, as exampleKeys names them,
// following the yaml tags the loader itself follows.
func acceptedKeys(t reflect.Type, prefix string, out map[string]reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		for name, f := range yamlFields(t) {
			path := strings.TrimPrefix(prefix+"."+name, ".")
			out[path] = f.Type
			acceptedKeys(f.Type, path, out)
		}
	case reflect.Slice:
		acceptedKeys(t.Elem(), prefix+"[]", out)
	}
}

// defaultLeaves lists the non-zero defaults in v by dotted path; lists have none.
func defaultLeaves(v reflect.Value, prefix string, out map[string]reflect.Value) {
	if v.Kind() != reflect.Struct {
		if !v.IsZero() {
			out[prefix] = v
		}
		return
	}
	for name, f := range yamlFields(v.Type()) {
		if f.Type.Kind() != reflect.Slice {
			defaultLeaves(v.FieldByIndex(f.Index), strings.TrimPrefix(prefix+"."+name, "."), out)
		}
	}
}

func parsedExample(t *testing.T) map[string][]exampleKey {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(Example(), &doc))
	keys := map[string][]exampleKey{}
	exampleKeys(&doc, "", keys)
	require.NotEmpty(t, keys)
	return keys
}

// TestExampleDocumentsEveryKey checks that the example shows every key the config accepts
// (including the keys of list items) and no key it does not.
func TestExampleDocumentsEveryKey(t *testing.T) {
	written := parsedExample(t)
	accepted := map[string]reflect.Type{}
	acceptedKeys(reflect.TypeFor[Config](), "", accepted)
	require.Contains(t, accepted, "people[].digest.time_zone", "the walk reaches into list items")

	var missing, unknown []string
	for k := range accepted {
		if _, ok := written[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range written {
		if _, ok := accepted[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(missing)
	slices.Sort(unknown)
	assert.Empty(t, missing, "keys the config accepts but the example does not show")
	assert.Empty(t, unknown, "keys the example shows but the config does not accept")
}

// TestExampleShowsTheDefaults checks that each key with a default shows it in the example,
// or, where the example shows another value on purpose (a real database path, a real
// time zone), that its comment names the default.
func TestExampleShowsTheDefaults(t *testing.T) {
	written := parsedExample(t)
	defaults := map[string]reflect.Value{}
	defaultLeaves(reflect.ValueOf(Defaults()), "", defaults)
	defaultLeaves(reflect.ValueOf(DefaultDigest()), "people[].digest", defaults)
	require.Contains(t, defaults, "vk.long_poll_wait")
	require.Contains(t, defaults, "people[].digest.at")

	for path, def := range defaults {
		t.Run(path, func(t *testing.T) {
			require.NotEmpty(t, written[path], "the example does not show %s", path)
			for _, w := range written[path] {
				got := reflect.New(def.Type())
				require.NoError(t, w.value.Decode(got.Interface()))
				if reflect.DeepEqual(got.Elem().Interface(), def.Interface()) {
					continue
				}
				comment := strings.ToLower(w.key.HeadComment + " " + w.key.LineComment + " " + w.value.LineComment)
				want := "default " + strings.ToLower(formatDefault(def))
				assert.Contains(t, comment, want, "line %d shows %s, not the default %s, and its comment does not say %q",
					w.key.Line, w.value.Value, formatDefault(def), want)
			}
		})
	}
}

// formatDefault writes a default as the example would.
func formatDefault(v reflect.Value) string {
	if d, ok := v.Interface().(time.Duration); ok {
		s := d.String()
		if strings.HasSuffix(s, "m0s") {
			s = strings.TrimSuffix(s, "0s")
		}
		if strings.HasSuffix(s, "h0m") {
			s = strings.TrimSuffix(s, "0m")
		}
		return s
	}
	return fmt.Sprint(v.Interface())
}

func TestFormatDefault(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{v: 2 * time.Hour, want: "2h"},
		{v: 90 * time.Minute, want: "1h30m"},
		{v: 30 * time.Second, want: "30s"},
		{v: 10 * time.Minute, want: "10m"},
		{v: "modwatch.db", want: "modwatch.db"},
		{v: 5, want: "5"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, formatDefault(reflect.ValueOf(tt.v)))
		})
	}
}
