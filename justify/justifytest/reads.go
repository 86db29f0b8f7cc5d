package justifytest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// FieldRead is a selector on a method's receiver found in the source: Path is what
// follows the receiver ("People", or "deps", "People" for b.deps.People).
type FieldRead struct {
	Pos  string // file:line:column
	Recv string // the receiver's name in that method
	Path []string
}

// FieldReads lists, in the non-test Go files of the test's package directory but those
// named in skip, every selector on the receiver of a method of *typeName, one or two
// fields deep. Tests use it to keep code from reading fields that hold start-up values
// where a live snapshot must be read instead.
func FieldReads(t testing.TB, typeName string, skip ...string) []FieldRead {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatalf("list the package's files: %v", err)
	}
	fset := token.NewFileSet()
	var out []FieldRead
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") || contains(skip, path) {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || len(fn.Recv.List[0].Names) == 0 || fn.Body == nil {
				continue
			}
			if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); !ok || fmt.Sprint(star.X) != typeName {
				continue
			}
			recv := fn.Recv.List[0].Names[0].Name
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				switch x := sel.X.(type) {
				case *ast.Ident:
					if x.Name == recv {
						out = append(out, FieldRead{Pos: fset.Position(sel.Pos()).String(), Recv: recv, Path: []string{sel.Sel.Name}})
					}
				case *ast.SelectorExpr:
					if id, ok := x.X.(*ast.Ident); ok && id.Name == recv {
						out = append(out, FieldRead{Pos: fset.Position(sel.Pos()).String(), Recv: recv, Path: []string{x.Sel.Name, sel.Sel.Name}})
					}
				}
				return true
			})
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
