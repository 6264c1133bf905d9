package results

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/probe"
)

func TestReadPretrainCurves(t *testing.T) {
	c, err := ReadPretrainCurves(filepath.Join("testdata", "pretrain", "tiny-run"))
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 10, 20, 30, 40, 50, 60}, c.Loss.Steps)
	assert.Equal(t, 0.95, c.Loss.Value[0])
	// diagnostics.csv has its columns in another order.
	assert.Equal(t, []float64{0, 20, 40, 60}, c.FeatureStd.Steps)
	assert.Equal(t, []float64{0.9, 0.7, 0.62, 0.6}, c.FeatureStd.Value)
	assert.Equal(t, []float64{20.5, 35.2, 48.9, 52}, c.EffectiveRank.Value)
	assert.Equal(t, []float64{0.2, 0.15, 0.1, 0.05}, c.PositionShare.Value)
}

func TestReadPretrainCurvesFiles(t *testing.T) {
	tests := []struct {
		name, log, want string
		steps           int
	}{
		{"missing files", "", "", 0},
		{"header only", "step,loss\n", "", 0},
		{"missing loss column", "step,lr\n1,0.1\n", "", 0},
		{"blank cells skipped", "step,loss\n1,\n2,0.5\n", "", 1},
		{"no step column", "iter,loss\n1,0.1\n", `no "step" column`, 0},
		{"bad number", "step,loss\n1,0.1\n2,abc\n", `line 3 column "loss"`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.log != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "train_log.csv"), []byte(tt.log), 0o644))
			}
			c, err := ReadPretrainCurves(dir)
			if tt.want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "train_log.csv")
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			require.NoError(t, err)
			assert.Len(t, c.Loss.Steps, tt.steps)
		})
	}
}

// TestSavePretrainLogs copies a run folder's logs next to the records once, and never
// overwrites a committed copy.
func TestSavePretrainLogs(t *testing.T) {
	out := t.TempDir()
	run := filepath.Join("testdata", "pretrain", "tiny-run")
	recs := []*probe.Record{{Backbone: probe.BackboneInfo{PretrainRun: run}}, {Backbone: probe.BackboneInfo{PretrainRun: run}}, {}}
	written, err := SavePretrainLogs(out, recs)
	require.NoError(t, err)
	dst := filepath.Join(out, pretrainLogsDir, slug(run))
	require.ElementsMatch(t, []string{filepath.Join(dst, pretrainStepLog), filepath.Join(dst, pretrainDiagnosticsLog)}, written)
	require.NoError(t, os.WriteFile(filepath.Join(dst, pretrainStepLog), []byte("committed"), 0o644))
	written, err = SavePretrainLogs(out, recs)
	require.NoError(t, err)
	require.Empty(t, written)
	data, err := os.ReadFile(filepath.Join(dst, pretrainStepLog))
	require.NoError(t, err)
	require.Equal(t, "committed", string(data))
}
