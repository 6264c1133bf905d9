package results

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testdataRuns loads the run records of testdata/runs.
func testdataRuns(t *testing.T) []Run {
	t.Helper()
	runs, err := LoadRuns(filepath.Join("testdata", "runs"))
	require.NoError(t, err)
	return runs
}

// TestReferenceSection renders the official-vs-ours table from the fixture records and checks
// one interval by hand.
func TestReferenceSection(t *testing.T) {
	runs := testdataRuns(t)
	var b strings.Builder
	require.NoError(t, writeReference(&b, runs, Paper{}, Figures{Reference: "figures/reference-loss.png"}))
	md := b.String()
	assert.Contains(t, md, "](figures/reference-loss.png)")
	// vjepa-go − random, attentive: differences 2.8, 1.6, 4.2, 3.0, 1.6 → mean 2.64, std
	// √(4.752/4) = 1.090; t(0.975, 4) = 2.776 → half width 2.776·1.090/√5 = 1.353: [1.29, 3.99].
	// official − random: 2.4, 1.2, 3.8, 2.0, 2.0 → mean 2.28, std 0.955, half 1.186: [1.09, 3.47].
	// vjepa-go − official: 0.4, 0.4, 0.4, 1.0, −0.4 → mean 0.36, std 0.498, half 0.618: [−0.26, 0.98].
	assert.Contains(t, md, "| +0.4 [-0.3, +1.0] (5 seeds) | +2.3 [+1.1, +3.5] (5 seeds) | +2.6 [+1.3, +4.0] (5 seeds) |")
	// official 58.0, 57.2, 59.0, 56.8, 58.4: mean 57.88, std 0.89.
	assert.Contains(t, md, "57.9 ± 0.9 (5 seeds)")
	assert.Contains(t, md, "| knn-5shot |")

	// Without official records there is no section.
	var none strings.Builder
	var ours []Run
	for _, r := range runs {
		if r.Record.Backbone.Trainer != TrainerOfficial {
			ours = append(ours, r)
		}
	}
	require.NoError(t, writeReference(&none, ours, Paper{}, Figures{}))
	assert.Empty(t, none.String())
}

func TestReferenceLoss(t *testing.T) {
	runs := testdataRuns(t)
	curves, err := ReferenceLoss(runs, filepath.Join("testdata", "reference"), "")
	require.NoError(t, err)
	require.Len(t, curves, 2)
	off := curves[TrainerOfficial]
	require.Len(t, off.Steps, 28)
	// step 1: 0.25 + 0.55·e^(−1/6) = 0.25 + 0.55·0.846482 = 0.715565
	assert.InDelta(t, 0.715565, off.Value[0], 1e-6)
	assert.Equal(t, 28.0, off.Steps[27])
	png, err := referenceFigure(curves)
	require.NoError(t, err)
	assert.NotEmpty(t, png)

	// No logs anywhere: no curves, no figure.
	empty, err := ReferenceLoss(runs, t.TempDir(), "")
	require.NoError(t, err)
	assert.Empty(t, empty)
	png, err = referenceFigure(empty)
	require.NoError(t, err)
	assert.Nil(t, png)
}

func TestTop1CellLabelsSingleSeed(t *testing.T) {
	runs := testdataRuns(t)
	for _, r := range runs {
		switch r.Record.ID {
		case "2025-04-01-motion-pre": // written before multi-seed runs
			assert.Equal(t, "81.0 (single seed)", top1Cell(&r.Record))
		case "ref-rand-att": // 55.6, 56.0, 55.2, 54.8, 56.4: mean 55.6, std 0.632
			assert.Equal(t, "55.6 ± 0.6 (5 seeds)", top1Cell(&r.Record))
		}
	}
}

// TestInitComparisonVerdict counts the comparisons whose interval excludes 0: the fixture's
// vjepa-go − random on synthetic-motion, attentive +2.6 [+1.3, +4.0] and knn-5shot
// +7.7 [+6.4, +9.0], are both above 0; the single-seed rows have no interval.
func TestInitComparisonVerdict(t *testing.T) {
	runs := testdataRuns(t)
	var b strings.Builder
	require.NoError(t, writeInitComparison(&b, runs, Paper{}, Figures{}))
	assert.Contains(t, b.String(), "Verdict over the 2 comparisons with an interval: pretraining helps (interval above 0) in 2, hurts (below 0) in 0, and has no measurable effect in 0.")
}

// TestInitComparisonContextEncoder gives a probe of the context encoder its own row.
func TestInitComparisonContextEncoder(t *testing.T) {
	runs := testdataRuns(t)
	for _, r := range runs {
		if r.Record.ID == "ref-ours-att" {
			ctx := r
			ctx.Record.ID, ctx.Record.Backbone.EncoderKey = "ref-ours-att-ctx", "encoder"
			runs = append(runs, ctx)
			break
		}
	}
	var b strings.Builder
	require.NoError(t, writeInitComparison(&b, runs, Paper{}, Figures{}))
	md := b.String()
	assert.Contains(t, md, "| attentive (context encoder) |")
	assert.Contains(t, md, "`ref-ours-att-ctx`, `ref-rand-att`")
	assert.Contains(t, md, "`ref-ours-att`, `ref-rand-att`", "the target encoder keeps its row")
}
