package results

import (
	"context"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGenerateGolden renders the fixed records of testdata/runs and compares the README with
// testdata/golden/README.md (go test ./results -run Golden -update rewrites it).
func TestGenerateGolden(t *testing.T) {
	out := t.TempDir()
	sum, err := Generate(context.Background(), Options{RunsDir: filepath.Join("testdata", "runs"), OutDir: out, ReferenceDir: filepath.Join("testdata", "reference")})
	require.NoError(t, err)
	require.Equal(t, 17, sum.Runs)
	require.Empty(t, sum.Warnings)

	got, err := os.ReadFile(filepath.Join(out, "README.md"))
	require.NoError(t, err)
	golden := filepath.Join("testdata", "golden", "README.md")
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run with -update to create the golden file")
	require.Equal(t, string(want), string(got))

	// Every linked figure exists and is a PNG.
	wantFigs := []string{"accuracy.png", "pretrain-testdata-pretrain-tiny-run.png",
		"probe-2025-04-01-motion-pre.png", "reference-loss.png"}
	var figs []string
	for _, f := range sum.Figures {
		figs = append(figs, filepath.Base(f))
	}
	require.ElementsMatch(t, wantFigs, figs)
	for _, f := range sum.Figures {
		fh, err := os.Open(f)
		require.NoError(t, err)
		cfg, err := png.DecodeConfig(fh)
		require.NoError(t, fh.Close())
		require.NoError(t, err, f)
		require.Greater(t, cfg.Width, 300, f)
		require.Contains(t, string(got), "](figures/"+filepath.Base(f)+")", "README links %s", f)
	}
	if *update {
		// Keep one rendered figure set next to the golden README for eyeballing.
		for _, f := range sum.Figures {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			require.NoError(t, os.MkdirAll(filepath.Join("testdata", "golden", "figures"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join("testdata", "golden", "figures", filepath.Base(f)), data, 0o644))
		}
	}
}

// TestGenerateIdempotent checks that a second generation without new runs changes no byte and
// that stale figures of removed runs disappear.
func TestGenerateIdempotent(t *testing.T) {
	out := t.TempDir()
	opts := Options{RunsDir: filepath.Join("testdata", "runs"), OutDir: out, ReferenceDir: filepath.Join("testdata", "reference")}
	_, err := Generate(context.Background(), opts)
	require.NoError(t, err)
	first := readTree(t, out)
	stale := filepath.Join(out, "figures", "probe-gone.png")
	require.NoError(t, os.WriteFile(stale, []byte("x"), 0o644))
	keep := filepath.Join(out, "figures", "hand-made.png")
	require.NoError(t, os.WriteFile(keep, []byte("x"), 0o644))

	_, err = Generate(context.Background(), opts)
	require.NoError(t, err)
	second := readTree(t, out)
	delete(second, "figures/hand-made.png")
	require.Equal(t, first, second)
	require.NoFileExists(t, stale)
	require.FileExists(t, keep)
}

func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	}))
	return files
}

func TestGenerateNoRuns(t *testing.T) {
	out := t.TempDir()
	sum, err := Generate(context.Background(), Options{RunsDir: filepath.Join(out, "missing"), OutDir: out})
	require.NoError(t, err)
	require.Zero(t, sum.Runs)
	md, err := os.ReadFile(filepath.Join(out, "README.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "_No runs yet._")
	require.Contains(t, string(md), "task results")
}

func TestGenerateBadRecordsWriteNothing(t *testing.T) {
	out := t.TempDir()
	_, err := Generate(context.Background(), Options{RunsDir: filepath.Join("testdata", "bad"), OutDir: out})
	var le *LoadError
	require.ErrorAs(t, err, &le)
	for _, f := range []string{"malformed.json", "no-dataset.json", "no-top1.json", "wrong-schema.json"} {
		require.Contains(t, err.Error(), f)
	}
	require.NotContains(t, err.Error(), "good.json")
	require.NoFileExists(t, filepath.Join(out, "README.md"))
}
