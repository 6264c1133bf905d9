package results

import (
	"context"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGenerateGolden renders the fixed records of testdata/runs and compares both pages with
// testdata/golden/ (go test ./results -run Golden -update rewrites them).
func TestGenerateGolden(t *testing.T) {
	out := t.TempDir()
	sum, err := Generate(context.Background(), Options{RunsDir: filepath.Join("testdata", "runs"), OutDir: out,
		InputDir: "testdata", ReferenceDir: filepath.Join("testdata", "reference"), BaseDir: "."})
	require.NoError(t, err)
	require.Equal(t, 17, sum.Runs)
	require.Empty(t, sum.Warnings)

	for _, page := range []string{"README.md", "runs.md"} {
		got, err := os.ReadFile(filepath.Join(out, page))
		require.NoError(t, err)
		golden := filepath.Join("testdata", "golden", page)
		if *update {
			require.NoError(t, os.WriteFile(golden, got, 0o644))
		}
		want, err := os.ReadFile(golden)
		require.NoError(t, err, "run with -update to create the golden file")
		require.Equal(t, string(want), string(got), page)
	}

	// Every written figure exists, is a PNG and is linked from a page.
	wantFigs := []string{"accuracy.png", "pretrain-testdata-pretrain-tiny-run.png",
		"probe-2025-04-01-motion-pre.png", "reference-loss.png"}
	var figs []string
	for _, f := range sum.Figures {
		figs = append(figs, filepath.Base(f))
	}
	require.ElementsMatch(t, wantFigs, figs)
	pages := readTree(t, out)
	for _, f := range sum.Figures {
		fh, err := os.Open(f)
		require.NoError(t, err)
		cfg, err := png.DecodeConfig(fh)
		require.NoError(t, fh.Close())
		require.NoError(t, err, f)
		require.Greater(t, cfg.Width, 300, f)
		link := "](figures/" + filepath.Base(f) + ")"
		require.True(t, strings.Contains(pages["README.md"], link) || strings.Contains(pages["runs.md"], link), "a page links %s", f)
	}
	// The pretraining logs of the local run folder were copied next to the pages.
	require.FileExists(t, filepath.Join(out, pretrainLogsDir, "testdata-pretrain-tiny-run", pretrainStepLog))
}

// TestGenerateIdempotent checks that a second generation without new runs changes no byte,
// that figures of removed records disappear and that no other file is deleted.
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

// TestGenerateKeepsCommittedPretrainFigure: a pretraining figure whose run folder is not here
// and whose logs were never committed is linked as it is, never deleted.
func TestGenerateKeepsCommittedPretrainFigure(t *testing.T) {
	out := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(out, "figures"), 0o755))
	committed := filepath.Join(out, "figures", "pretrain-testdata-pretrain-tiny-run.png")
	require.NoError(t, os.WriteFile(committed, []byte("committed"), 0o644))
	sum, err := Generate(context.Background(), Options{RunsDir: filepath.Join("testdata", "runs"), OutDir: out,
		ReferenceDir: filepath.Join("testdata", "reference"), BaseDir: t.TempDir()})
	require.NoError(t, err)
	data, err := os.ReadFile(committed)
	require.NoError(t, err)
	require.Equal(t, "committed", string(data))
	require.Equal(t, []string{committed}, sum.Kept)
	md, err := os.ReadFile(filepath.Join(out, "README.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "](figures/pretrain-testdata-pretrain-tiny-run.png)")
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
