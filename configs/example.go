package configs

import (
	"bytes"
	_ "embed"
)

//go:embed modwatch.example.yaml
var example []byte

// Example returns the example config: every key, commented, showing its default or naming
// it in the comment (the package's tests hold it to that). It is a valid config once the
// token variables it names are set.
func Example() []byte { return bytes.Clone(example) }
