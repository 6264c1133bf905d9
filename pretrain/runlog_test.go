package pretrain

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func stepRecord(step int64) StepRecord {
	return StepRecord{
		Step: step, Epoch: int(step / 10), Loss: 1 / float64(step), LR: 2.0003541666666668e-4 * float64(step),
		WD: 0.04, Momentum: 0.998, GradNormEnc: 1.5, GradNormPred: 0.25, StepTimeS: 0.125, DataTimeS: 0.01,
	}
}

func writeSteps(t *testing.T, l *RunLog, from, to int64) {
	t.Helper()
	for s := from; s <= to; s++ {
		require.NoError(t, l.LogStep(stepRecord(s)))
		if s%5 == 0 {
			require.NoError(t, l.LogDiagnostics(DiagnosticsRecord{Step: s, FeatureStd: 0.5, EffectiveRank: float64(s)}))
		}
	}
}

func steps[T any](recs []T, step func(T) int64) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = step(r)
	}
	return out
}

func TestRunLogRoundTripAndResume(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	l, err := OpenRunLog(dir, 0)
	require.NoError(t, err)
	writeSteps(t, l, 1, 12)

	// Rows are flushed immediately: readable before Close.
	got, err := ReadStepLog(filepath.Join(dir, StepLogName))
	require.NoError(t, err)
	require.Len(t, got, 12)
	assert.Equal(t, stepRecord(7), got[6], "exact float round trip")
	require.NoError(t, l.Close())
	require.NoError(t, l.Close(), "Close is idempotent")
	assert.Error(t, l.LogStep(stepRecord(13)))

	// Resume from the checkpoint of step 8: steps 9..12 are rewritten.
	l, err = OpenRunLog(dir, 8)
	require.NoError(t, err)
	writeSteps(t, l, 9, 15)
	require.NoError(t, l.Close())

	got, err = ReadStepLog(filepath.Join(dir, StepLogName))
	require.NoError(t, err)
	want := make([]int64, 15)
	for i := range want {
		want[i] = int64(i + 1)
	}
	assert.Equal(t, want, steps(got, func(r StepRecord) int64 { return r.Step }))
	diags, err := ReadDiagnosticsLog(filepath.Join(dir, DiagnosticsLogName))
	require.NoError(t, err)
	assert.Equal(t, []int64{5, 10, 15}, steps(diags, func(r DiagnosticsRecord) int64 { return r.Step }))
	assert.Equal(t, 10.0, diags[1].EffectiveRank)

	info, err := os.Stat(filepath.Join(dir, StepLogName))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())

	// A fresh start (resume step 0) empties the logs.
	l, err = OpenRunLog(dir, 0)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	got, err = ReadStepLog(filepath.Join(dir, StepLogName))
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestRunLogNaNLoss(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenRunLog(dir, 0)
	require.NoError(t, err)
	r := stepRecord(1)
	r.Loss = math.NaN()
	require.NoError(t, l.LogStep(r))
	require.NoError(t, l.Close())
	got, err := ReadStepLog(filepath.Join(dir, StepLogName))
	require.NoError(t, err)
	assert.True(t, math.IsNaN(got[0].Loss))
}

func TestRunLogPartialLastRow(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenRunLog(dir, 0)
	require.NoError(t, err)
	writeSteps(t, l, 1, 3)
	require.NoError(t, l.Close())
	path := filepath.Join(dir, StepLogName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString("4,0,0.2")
	require.NoError(t, err)
	require.NoError(t, f.Close())

	got, err := ReadStepLog(path)
	require.NoError(t, err)
	assert.Len(t, got, 3)

	l, err = OpenRunLog(dir, 100)
	require.NoError(t, err, "resume drops the cut row")
	writeSteps(t, l, 4, 4)
	require.NoError(t, l.Close())
	got, err = ReadStepLog(path)
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2, 3, 4}, steps(got, func(r StepRecord) int64 { return r.Step }))
}

func TestReadRunLogErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, content, msg string }{
		{"empty.csv", "", "empty file"},
		{"header.csv", "step,foo\n", "header"},
		{"columns.csv", "step,feature_std,effective_rank\n1,2\n", "line 2: 2 fields, want 3"},
		{"number.csv", "step,feature_std,effective_rank\n1,2,x\n", "line 2, column 3"},
	} {
		path := filepath.Join(dir, tc.name)
		require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o644))
		_, err := ReadDiagnosticsLog(path)
		assert.ErrorContains(t, err, tc.msg, tc.name)
		assert.ErrorContains(t, err, tc.name)
	}
	_, err := ReadStepLog(filepath.Join(dir, "missing.csv"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	// OpenRunLog refuses to clobber a file that is not a run log.
	require.NoError(t, os.WriteFile(filepath.Join(dir, StepLogName), []byte("a,b\n"), 0o644))
	_, err = OpenRunLog(dir, 0)
	assert.ErrorContains(t, err, "header")
}

func TestReadDiagnosticsLogBeforePositionShare(t *testing.T) {
	path := filepath.Join(t.TempDir(), DiagnosticsLogName)
	require.NoError(t, os.WriteFile(path, []byte("step,feature_std,effective_rank\n40,0.75,83.4\n80,0.73,76.5\n"), 0o644))
	got, err := ReadDiagnosticsLog(path)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, 76.5, got[1].EffectiveRank)
	assert.True(t, math.IsNaN(got[1].PositionShare))

	// Resuming such a run rewrites the log with the new header and keeps the old rows.
	l, err := OpenRunLog(filepath.Dir(path), 80)
	require.NoError(t, err)
	require.NoError(t, l.LogDiagnostics(DiagnosticsRecord{Step: 120, FeatureStd: 0.7, EffectiveRank: 70, PositionShare: 0.125}))
	require.NoError(t, l.Close())
	got, err = ReadDiagnosticsLog(path)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, 0.125, got[2].PositionShare)

	require.NoError(t, os.WriteFile(path, []byte("step,rank\n1,2\n"), 0o644))
	_, err = ReadDiagnosticsLog(path)
	assert.ErrorContains(t, err, "header")
}
