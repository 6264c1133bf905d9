package pretrain_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/pretrain"
)

// runTiny trains testutil.TinyPretrainConfig in dir (see runText), logging the collapse
// diagnostics every 2 steps.
func runTiny(t *testing.T, dir string, steps int64, resume bool) *pretrain.Result {
	t.Helper()
	res, _ := runText(t, testutil.TinyPretrainConfig, dir, steps, resume, 2)
	return res
}

// runText trains the pretraining config text (which must parse without warnings) in dir on
// the Go backend for up to steps steps, resuming the run there when resume is set and
// checkpointing every 2 steps. It returns the result and the parsed config.
func runText(t *testing.T, text, dir string, steps int64, resume bool, diagnosticsEvery int64) (*pretrain.Result, *officialcfg.PretrainConfig) {
	t.Helper()
	cfg, warnings, err := officialcfg.ParsePretrain("tiny.yaml", []byte(text))
	require.NoError(t, err)
	require.Empty(t, warnings)
	backend := testutil.Backend(t)
	res, err := pretrain.Run(context.Background(), backend, cfg, pretrain.Options{Dir: dir, Resume: resume, MaxSteps: steps,
		CheckpointEvery: 2, DiagnosticsEvery: diagnosticsEvery, MaskBucket: 1, Workers: 2, Progress: io.Discard,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	return res, cfg
}

// TestResumeEqualsUninterrupted kills a run (stops it) after 4 of 7 steps, resumes it, and
// checks the final weights, moments and logs equal those of an uninterrupted run.
func TestResumeEqualsUninterrupted(t *testing.T) {
	full := t.TempDir()
	resA := runTiny(t, full, 7, false)
	require.Equal(t, int64(7), resA.Steps)

	split := t.TempDir()
	runTiny(t, split, 4, false)
	resB := runTiny(t, split, 7, true)
	require.Equal(t, int64(7), resB.Steps)

	cfg, _, err := officialcfg.ParsePretrain("tiny.yaml", []byte(testutil.TinyPretrainConfig))
	require.NoError(t, err)
	model, err := backbone.FromPretrainConfig(cfg)
	require.NoError(t, err)
	a, _, err := pretrain.LoadCheckpoint(resA.Checkpoint, model)
	require.NoError(t, err)
	b, _, err := pretrain.LoadCheckpoint(resB.Checkpoint, model)
	require.NoError(t, err)
	requireSameState(t, a, b)
	require.Equal(t, resA.FinalLoss, resB.FinalLoss)

	la, err := pretrain.ReadStepLog(filepath.Join(full, "train_log.csv"))
	require.NoError(t, err)
	lb, err := pretrain.ReadStepLog(filepath.Join(split, "train_log.csv"))
	require.NoError(t, err)
	require.Len(t, lb, 7, "the resumed log has one row per step, no duplicates")
	for i := range la {
		require.Equal(t, la[i].Loss, lb[i].Loss, "step %d", i+1)
		require.Equal(t, la[i].LR, lb[i].LR)
	}
	// The loss falls and the schedules follow the official formulas.
	require.Less(t, la[6].Loss, la[0].Loss)
	require.InDelta(t, 0.0002+(0.002-0.0002)/3, la[0].LR, 1e-12)
	require.False(t, math.IsNaN(la[6].GradNormEnc))
	cks, err := backbone.ListCheckpoints(full)
	require.NoError(t, err)
	require.NotEmpty(t, cks)

	// Both checkpoints, the resumed one too, describe their run.
	for _, path := range []string{resA.Checkpoint, resB.Checkpoint} {
		ck, err := backbone.OpenCheckpoint(path)
		require.NoError(t, err)
		info, ok, err := ck.RunInfo()
		require.NoError(t, ck.Close())
		require.NoError(t, err)
		require.True(t, ok, path)
		assert.Equal(t, model, info.Model)
		assert.Equal(t, testutil.TinyPretrainConfig, info.ConfigSource)
		assert.Equal(t, "tiny.yaml", info.ConfigName)
		assert.Equal(t, cfg.Data.Datasets, info.Data)
		assert.NotEmpty(t, info.Data)
	}
}

func TestRunRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	runTiny(t, dir, 2, false)
	cfg, _, err := officialcfg.ParsePretrain("tiny.yaml", []byte(testutil.TinyPretrainConfig))
	require.NoError(t, err)
	backend := testutil.Backend(t)
	_, err = pretrain.Run(context.Background(), backend, cfg, pretrain.Options{Dir: dir, MaxSteps: 3, Progress: io.Discard})
	require.ErrorIs(t, err, pretrain.ErrRunExists)
	require.ErrorContains(t, err, "already holds checkpoints")
	_, err = pretrain.Run(context.Background(), backend, cfg, pretrain.Options{Dir: t.TempDir(), Resume: true, Progress: io.Discard})
	require.ErrorIs(t, err, pretrain.ErrNoCheckpoint)
}
