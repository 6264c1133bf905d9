package layering

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/vjepa-go/vjepa/"

// layerOf is the layer of a package directory relative to the repository root.
func layerOf(dir string) int {
	top, _, _ := strings.Cut(dir, "/")
	switch top {
	case "internal":
		return 0
	case "backbone", "datasets":
		return 1
	case "pretrain", "probe":
		return 2
	case "results", "benchmarks":
		return 3
	case "cmd":
		return 4
	}
	return -1
}

// imports lists the project packages that the non-test Go files of each directory import.
func imports(t *testing.T, root string) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			if dep, ok := strings.CutPrefix(p, module); ok {
				if out[rel] == nil {
					out[rel] = map[string]bool{}
				}
				out[rel][dep] = true
			}
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

func TestImportsPointDown(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	pkgs := imports(t, root)
	require.NotEmpty(t, pkgs)
	for pkg, deps := range pkgs {
		lp := layerOf(pkg)
		require.NotEqual(t, -1, lp, "package %s is outside the known layers: add it to layerOf", pkg)
		for dep := range deps {
			ld := layerOf(dep)
			if lp == 0 {
				require.Equal(t, 0, ld, "internal package %s imports %s", pkg, dep)
				continue
			}
			sameTree := strings.HasPrefix(dep+"/", strings.SplitN(pkg, "/", 2)[0]+"/")
			require.True(t, ld < lp || sameTree, "%s (layer %d) imports %s (layer %d): imports must point down", pkg, lp, dep, ld)
		}
	}
}
