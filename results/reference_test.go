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

// testPage builds the page state of runs.
func testPage(runs []Run) *page {
	return &page{groups: groupRuns(runs), links: newLinks("runs/")}
}

// TestReferenceSection renders the official-vs-ours table from the fixture records and checks
// one interval by hand.
func TestReferenceSection(t *testing.T) {
	runs := testdataRuns(t)
	var b strings.Builder
	require.NoError(t, testPage(runs).writeReference(&b))
	md := b.String()
	// vjepa-go − official: 0.4, 0.4, 0.4, 1.0, −0.4 → mean 0.36, std 0.498, t(0.975, 4) = 2.776,
	// half width 0.618: [−0.26, 0.98]. official 58.0, 57.2, 59.0, 56.8, 58.4: mean 57.88, std 0.89.
	assert.Contains(t, md, " 57.9 ± 0.9 (5) |")
	assert.Contains(t, md, " +0.4 [-0.3, +1.0] (5) |")
	assert.Contains(t, md, "| knn-5shot ")

	// Without official records there is no section.
	var none strings.Builder
	var ours []Run
	for _, r := range runs {
		if r.Record.Backbone.Trainer != TrainerOfficial {
			ours = append(ours, r)
		}
	}
	require.NoError(t, testPage(ours).writeReference(&none))
	assert.Empty(t, none.String())
}

// TestSummaryDeltaVsRandom checks the paired intervals against random init by hand:
// vjepa-go − random, attentive: 2.8, 1.6, 4.2, 3.0, 1.6 → mean 2.64, std 1.090, half width
// 1.353: [1.29, 3.99]; official − random: mean 2.28, std 0.955, half 1.186: [1.09, 3.47].
func TestSummaryDeltaVsRandom(t *testing.T) {
	var b strings.Builder
	require.NoError(t, testPage(testdataRuns(t)).writeSummary(&b))
	md := b.String()
	assert.Contains(t, md, " +2.6 [+1.3, +4.0] (5) |")
	assert.Contains(t, md, " +2.3 [+1.1, +3.5] (5) |")
	assert.Contains(t, md, "**Verdict.**")
}

func TestReferenceLoss(t *testing.T) {
	curves, err := ReferenceLoss(filepath.Join("testdata", "reference"))
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
	empty, err := ReferenceLoss(t.TempDir())
	require.NoError(t, err)
	assert.Empty(t, empty)
	png, err = referenceFigure(empty)
	require.NoError(t, err)
	assert.Nil(t, png)
}

func TestTop1CellLabelsSingleSeed(t *testing.T) {
	for _, g := range groupRuns(testdataRuns(t)) {
		switch g.Latest().ID {
		case "2025-04-01-motion-pre": // written before multi-seed runs
			assert.Equal(t, "81.0 (1 seed)", top1Cell(g))
		case "ref-rand-att": // 55.6, 56.0, 55.2, 54.8, 56.4: mean 55.6, std 0.632
			assert.Equal(t, "55.6 ± 0.6 (5)", top1Cell(g))
		}
	}
}

// TestContextEncoderNeverPairsWithTarget keeps a probe of the context encoder out of the
// official-vs-ours table: the official trainer probed the target encoder only, so the context
// row has no counterpart and stays in the summary.
func TestContextEncoderNeverPairsWithTarget(t *testing.T) {
	runs := testdataRuns(t)
	for _, r := range runs {
		if r.Record.ID == "ref-ours-att" {
			ctx := r
			ctx.Record.ID, ctx.Record.Backbone.EncoderKey = "ref-ours-att-ctx", contextEncoderKey
			runs = append(runs, ctx)
			break
		}
	}
	p := testPage(runs)
	var b strings.Builder
	require.NoError(t, p.writeReference(&b))
	md := b.String()
	assert.NotContains(t, md, "| context |", "a context-encoder row paired with the official target encoder")
	assert.Contains(t, md, "are in the summary only")
}
