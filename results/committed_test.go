package results

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The committed results: records in runs/, logs in reference/ and pretrain/, pages and figures
// next to this file.
const committedDir = "."

// TestCommittedResultsReproduce is the golden test over the committed records: generating from
// a copy of the committed inputs alone (no local run folders) gives the committed README.md,
// runs.md and figures byte for byte, and every committed figure is either redrawn or kept.
func TestCommittedResultsReproduce(t *testing.T) {
	out := t.TempDir()
	for _, dir := range []string{"runs", "reference", pretrainLogsDir} {
		copyTree(t, filepath.Join(committedDir, dir), filepath.Join(out, dir))
	}
	committedFigs, err := filepath.Glob(filepath.Join(committedDir, figuresDir, "*.png"))
	require.NoError(t, err)
	for _, f := range committedFigs {
		if strings.HasPrefix(filepath.Base(f), "pretrain-") {
			copyFile(t, f, filepath.Join(out, figuresDir, filepath.Base(f)))
		}
	}
	sum, err := Generate(context.Background(), Options{RunsDir: filepath.Join(out, "runs"), OutDir: out, BaseDir: t.TempDir()})
	require.NoError(t, err)
	require.Empty(t, sum.Copied, "no local run folder was read")

	for _, page := range []string{"README.md", "runs.md"} {
		assertSameFile(t, filepath.Join(committedDir, page), filepath.Join(out, page))
	}
	produced := map[string]bool{}
	for _, f := range append(append([]string{}, sum.Figures...), sum.Kept...) {
		produced[filepath.Base(f)] = true
		assertSameFile(t, filepath.Join(committedDir, figuresDir, filepath.Base(f)), f)
	}
	for _, f := range committedFigs {
		assert.True(t, produced[filepath.Base(f)], "committed figure %s is neither drawn nor linked", f)
	}
}

// TestCommittedPageReadable keeps the results page short and its lines terminal-wide.
func TestCommittedPageReadable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(committedDir, "README.md"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	assert.LessOrEqual(t, len(lines), 150, "results/README.md lines")
	for i, l := range lines {
		if strings.HasPrefix(l, "[r") || strings.HasPrefix(l, "![") {
			continue // link definitions and figures are not read in a terminal table
		}
		assert.LessOrEqual(t, len([]rune(l)), 120, "results/README.md line %d: %s", i+1, l)
	}
	assert.Less(t, strings.Index(string(data), "## Summary"), strings.Index(string(data), "## Official trainer"))
	assert.Less(t, strings.Index(string(data), "## Official trainer"), strings.Index(string(data), "## Figures"))
}

// TestCommittedRecordsCheck runs the checker of `vjepa results --check` over the committed
// records, so `go test ./...` (the README's and CI's test command) covers it.
func TestCommittedRecordsCheck(t *testing.T) {
	problems, err := Check(Options{RunsDir: filepath.Join(committedDir, "runs"), InputDir: committedDir})
	require.NoError(t, err)
	assert.Empty(t, problems)
}

// TestCommittedComparisons applies the comparison rule to the committed records: every pair on
// the page joins comparable configurations, and the official-vs-ours rows use our target-encoder
// record that holds all of the official record's seeds.
func TestCommittedComparisons(t *testing.T) {
	runs, err := LoadRuns(filepath.Join(committedDir, "runs"))
	require.NoError(t, err)
	groups := groupRuns(runs)
	official := 0
	for _, g := range groups {
		r := g.Latest()
		if r.Backbone.Init != InitPretrained {
			continue
		}
		if rnd := randomCounterpart(g, groups); rnd != nil {
			ok, why := comparable(r, rnd.Latest())
			assert.True(t, ok, "%s vs %s: %s", r.ID, rnd.Latest().ID, why)
			assert.Equal(t, len(g.Seeds), sharedSeeds(g, rnd), "%s: random init holds all its seeds", r.ID)
		}
		if r.Backbone.Trainer != TrainerOfficial {
			continue
		}
		official++
		ours := bestCounterpart(g, groups, func(c *Group) bool { return c.Latest().Backbone.Trainer == TrainerOurs })
		require.NotNil(t, ours, r.ID)
		assert.Equal(t, targetEncoderKey, encoderKey(ours.Latest()), r.ID)
		assert.Equal(t, probeKey(r), probeKey(ours.Latest()), r.ID)
		assert.Equal(t, r.Protocol, ours.Latest().Protocol, r.ID)
		assert.Equal(t, len(g.Seeds), sharedSeeds(g, ours), r.ID)
	}
	assert.Positive(t, official, "the committed records hold official-trainer probes")
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if _, err := os.Stat(src); os.IsNotExist(err) {
		return
	}
	require.NoError(t, filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, path)
		require.NoError(t, err)
		copyFile(t, path, filepath.Join(dst, rel))
		return nil
	}))
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
	require.NoError(t, os.WriteFile(dst, data, 0o644))
}

func assertSameFile(t *testing.T, want, got string) {
	t.Helper()
	w, err := os.ReadFile(want)
	require.NoError(t, err)
	g, err := os.ReadFile(got)
	require.NoError(t, err)
	if strings.HasSuffix(want, ".md") {
		assert.Equal(t, string(w), string(g), "%s differs from a fresh generation (run vjepa results and commit)", want)
		return
	}
	assert.True(t, string(w) == string(g), "%s differs from a fresh generation (run vjepa results and commit)", want)
}
