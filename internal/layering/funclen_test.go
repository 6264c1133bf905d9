package layering

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// maxFuncLines is the style guide's limit on a function's length.
const maxFuncLines = 100

// longFuncAllowed are the functions allowed past the limit: the unpickler's opcode switch,
// one case per pickle opcode, reads best whole.
var longFuncAllowed = map[string]bool{
	"internal/torchckpt.(*unpickler).step": true,
}

type funcLen struct {
	name  string
	lines int
	pos   string
}

// funcLengths lists the non-test functions of the repository under root, longest first.
func funcLengths(t *testing.T, root string) []funcLen {
	t.Helper()
	var out []funcLen
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := fn.Name.Name
			if fn.Recv != nil && len(fn.Recv.List) == 1 {
				name = recvName(fn.Recv.List[0].Type) + "." + name
			}
			start, end := fset.Position(fn.Pos()), fset.Position(fn.End())
			out = append(out, funcLen{name: filepath.ToSlash(rel) + "." + name, lines: end.Line - start.Line + 1,
				pos: fmt.Sprintf("%s:%d", path, start.Line)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].lines > out[j].lines })
	return out
}

func recvName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return "(*" + recvName(x.X) + ")"
	case *ast.IndexExpr:
		return recvName(x.X)
	case *ast.IndexListExpr:
		return recvName(x.X)
	case *ast.Ident:
		return x.Name
	}
	return "?"
}

// TestNoLongFunctions: no non-test function exceeds maxFuncLines lines (the style guide's
// limit), except the allowed ones.
func TestNoLongFunctions(t *testing.T) {
	funcs := funcLengths(t, repoRoot(t))
	for _, f := range funcs {
		if f.lines > maxFuncLines && !longFuncAllowed[f.name] {
			t.Errorf("%s is %d lines (limit %d): %s", f.name, f.lines, maxFuncLines, f.pos)
		}
	}
	for _, f := range funcs[:min(5, len(funcs))] {
		t.Logf("%4d lines  %s", f.lines, f.name)
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}
