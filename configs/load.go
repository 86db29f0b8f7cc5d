package configs

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Load reads and validates a config file. lookupEnv reads the environment
// (os.LookupEnv in production). The error, when the file could be read, is Problems.
func Load(path string, lookupEnv func(string) (string, bool)) (*Config, Secrets, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Secrets{}, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, lookupEnv)
}

// Parse parses and validates a config document. It is strict: an unknown key is an error,
// so a typo never silently turns a setting off. Every problem is reported at once, each
// naming its key and line. When only validation fails, the parsed config is returned with
// the Problems.
func Parse(data []byte, lookupEnv func(string) (string, bool)) (*Config, Secrets, error) {
	doc, problems := readDocument(data)
	if len(problems) > 0 {
		return nil, Secrets{}, problems
	}
	c := Defaults()
	if doc.root != nil {
		// The walk in readDocument has seen every key and value, so this cannot fail on
		// anything it reports better; a failure here is a gap in that walk.
		if err := doc.root.Decode(&c); err != nil {
			return nil, Secrets{}, Problems{{Message: fmt.Sprintf("cannot be read: %v", err)}}
		}
	}
	secrets, problems := c.validate(lookupEnv)
	if len(problems) > 0 {
		for i := range problems {
			if problems[i].Line == 0 {
				problems[i].Line = doc.lineOf(problems[i].Key)
			}
		}
		return &c, Secrets{}, problems
	}
	return &c, secrets, nil
}

// document is a parsed config document and the line of every key it writes.
type document struct {
	root  *yaml.Node     // the top-level node; nil for an empty document
	lines map[string]int // dotted key ("people[1].vk_id") → line
}

// readDocument parses data and checks it against Config's shape: keys it does not have,
// keys written twice, and values of the wrong type, each with its line. It walks the
// parsed nodes instead of reading the YAML library's error texts, which name Go types and
// stop at the first mistake in a section.
func readDocument(data []byte) (*document, Problems) {
	var top yaml.Node
	if err := yaml.Unmarshal(data, &top); err != nil {
		return nil, Problems{{Message: "not valid YAML: " + err.Error()}}
	}
	d := &document{lines: map[string]int{}}
	if top.Kind != yaml.DocumentNode || len(top.Content) == 0 {
		return d, nil
	}
	d.root = top.Content[0]
	var ps Problems
	d.check(d.root, reflect.TypeFor[Config](), "", &ps)
	return d, ps
}

// lineOf returns the line of key, or of its nearest enclosing key the document writes.
func (d *document) lineOf(key string) int {
	for key != "" {
		if line, ok := d.lines[key]; ok {
			return line
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

// check compares node n, found at key, with the Go type t it is to be decoded into.
// The walk follows t, which has no cycles, so aliases cannot make it loop.
func (d *document) check(n *yaml.Node, t reflect.Type, key string, ps *Problems) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value leaves the key unset
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			*ps = append(*ps, wrongType(n, t, key))
			return
		}
		d.checkMapping(n, t, key, ps)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			*ps = append(*ps, wrongType(n, t, key))
			return
		}
		for i, item := range n.Content {
			k := fmt.Sprintf("%s[%d]", key, i)
			d.lines[k] = item.Line
			d.check(item, t.Elem(), k, ps)
		}
	default:
		// The library itself decides whether the scalar fits the type.
		if n.Kind != yaml.ScalarNode || n.Decode(reflect.New(t).Interface()) != nil {
			*ps = append(*ps, wrongType(n, t, key))
		}
	}
}

// checkMapping checks the keys of a section against the yaml tags of struct type t.
func (d *document) checkMapping(n *yaml.Node, t reflect.Type, key string, ps *Problems) {
	fields := yamlFields(t)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.ShortTag() == "!!merge" {
			// "<<: *anchor" merges another section's keys; keys written here override them.
			if v.Kind == yaml.AliasNode && v.Alias != nil {
				v = v.Alias
			}
			if v.Kind == yaml.SequenceNode {
				for _, m := range v.Content {
					d.check(m, t, key, ps)
				}
			} else {
				d.check(v, t, key, ps)
			}
			continue
		}
		f, ok := fields[k.Value]
		if !ok {
			*ps = append(*ps, Problem{Key: key, Line: k.Line, Message: fmt.Sprintf("unknown key %q", k.Value)})
			continue
		}
		child := k.Value
		if key != "" {
			child = key + "." + child
		}
		if first, twice := seen[k.Value]; twice {
			*ps = append(*ps, Problem{Key: child, Line: k.Line, Message: fmt.Sprintf("written twice, first on line %d", first)})
			continue
		}
		seen[k.Value] = k.Line
		d.lines[child] = k.Line
		d.check(v, f.Type, child, ps)
	}
}

// yamlFields maps each key of struct type t to its field, as the YAML library does
// (the config's types use no inline fields).
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

// wrongType reports a value that does not fit the key's type, saying what would.
func wrongType(n *yaml.Node, t reflect.Type, key string) Problem {
	got := fmt.Sprintf("%q", n.Value)
	switch n.Kind {
	case yaml.MappingNode:
		got = "a section of keys"
	case yaml.SequenceNode:
		got = "a list"
	}
	return Problem{Key: key, Line: n.Line, Message: fmt.Sprintf("%s is not valid here: expected %s", got, expected(t))}
}

// expected says in words what a value of type t looks like.
func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct:
		return "a section of keys"
	case reflect.Slice:
		return "a list"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if t == reflect.TypeFor[time.Duration]() {
			return "a duration like 90s, 30m or 2h"
		}
		return "a whole number"
	}
	return "a text"
}
