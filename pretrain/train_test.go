package pretrain_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"strings"
	"testing"

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
		require.Equal(t, model, info.Model)
		require.Equal(t, testutil.TinyPretrainConfig, info.ConfigSource)
		require.Equal(t, "tiny.yaml", info.ConfigName)
		require.Equal(t, cfg.Data.Datasets, info.Data)
		require.NotEmpty(t, info.Data)
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

// accumConfig is testutil.TinyPretrainConfig with batches of 2 clips and 2 accumulated
// batches per step.
var accumConfig = testutil.TinyPretrainVariant("batch_size: 4", "batch_size: 2",
	"optimization:\n", "optimization:\n  accum_steps: 2\n")

// runConfig trains text in dir (see runText) and returns the result with the state of its
// last checkpoint.
func runConfig(t *testing.T, text, dir string, steps int64, resume bool) (*pretrain.Result, *pretrain.State) {
	t.Helper()
	res, cfg := runText(t, text, dir, steps, resume, 0)
	model, err := backbone.FromPretrainConfig(cfg)
	require.NoError(t, err)
	st, _, err := pretrain.LoadCheckpoint(res.Checkpoint, model)
	require.NoError(t, err)
	return res, st
}

// TestRunAccumEqualsLargeBatch trains 4 steps with accum_steps 2 × batch_size 2 and with
// batch_size 4: the loader yields the same clips in the same order and the masks are drawn
// for the 4 clips together, so both runs must end with the same weights (within 1e-5). A run
// stopped after 2 accumulated steps and resumed ends where the uninterrupted one does.
func TestRunAccumEqualsLargeBatch(t *testing.T) {
	large, want := runConfig(t, testutil.TinyPretrainConfig, t.TempDir(), 4, false)
	accum, got := runConfig(t, accumConfig, t.TempDir(), 4, false)
	require.Equal(t, int64(4), accum.Steps)
	require.InDelta(t, large.FinalLoss, accum.FinalLoss, 1e-5)
	requireStatesClose(t, want, got, 1e-5)

	dir := t.TempDir()
	runConfig(t, accumConfig, dir, 2, false)
	resumed, again := runConfig(t, accumConfig, dir, 4, true)
	require.Equal(t, accum.FinalLoss, resumed.FinalLoss)
	require.Equal(t, got.Encoder, again.Encoder)
	require.Equal(t, got.Moments, again.Moments)
}

func TestRunRejectsBadAccumSteps(t *testing.T) {
	cfg, _, err := officialcfg.ParsePretrain("tiny.yaml", []byte(strings.Replace(accumConfig, "accum_steps: 2", "accum_steps: 0", 1)))
	require.NoError(t, err)
	backend := testutil.Backend(t)
	_, err = pretrain.Run(context.Background(), backend, cfg, pretrain.Options{Dir: t.TempDir(), MaxSteps: 1, Progress: io.Discard})
	require.ErrorContains(t, err, "accum_steps 0 must be at least 1")
}

// tinyV2Config is testutil.TinyPretrainConfig in the V-JEPA 2 layout
// (configs/train/vitl16/pretrain-256px-16f.yaml): two weighted data sets with dataset_fpcs,
// full_complement masks, RoPE, and 2 epochs of 2 steps with lr equal to final_lr (constant
// after warm-up) and a constant EMA.
var tinyV2Config = testutil.TinyPretrainVariant(
	"  datasets: [synthetic-motion]\n", "  datasets: [synthetic-motion, synthetic-motion]\n  datasets_weights: [0.5, 0.5]\n",
	"  num_clips: 1\n  num_frames: 4\n", "  dataset_fpcs: [4, 4]\n",
	"  sampling_rate: 4\n", "",
	"{aspect_ratio: [0.75, 1.5], ", "{aspect_ratio: [0.75, 1.5], full_complement: false, ",
	"  uniform_power: true\n", "  use_rope: true\n  use_mask_tokens: true\n  zero_init_mask_tokens: true\n",
	"loss: {loss_exp: 1.0, reg_coeff: 0.0}", "loss: {loss_exp: 1.0}",
	"  ipe: 3\n", "  ipe: 2\n",
	"  clip_grad: 10.0\n", "",
	"  final_weight_decay: 0.4\n", "  final_weight_decay: 0.04\n",
	"  epochs: 3\n", "  epochs: 2\n",
	"  start_lr: 0.0002\n", "  start_lr: 0.0001\n",
	"  lr: 0.002\n", "  lr: 0.000525\n",
	"  final_lr: 1.0e-06\n", "  final_lr: 0.000525\n",
	"  ema: [0.99, 1.0]\n", "  ema: [0.99925, 0.99925]\n",
)

// TestPretrainV2 trains a RoPE model from a V-JEPA 2 layout config (constant lr after warm-up,
// constant EMA), then runs the cooldown config from its checkpoint (is_anneal: linear lr
// decay to final_lr, fresh schedules, the AdamW state carried over).
func TestPretrainV2(t *testing.T) {
	dir := t.TempDir()
	res, _ := runText(t, tinyV2Config, dir, 4, false, 0)
	require.Equal(t, int64(4), res.Steps)
	log, err := pretrain.ReadStepLog(filepath.Join(dir, "train_log.csv"))
	require.NoError(t, err)
	require.Len(t, log, 4)
	require.InDelta(t, 1e-4+(5.25e-4-1e-4)/2, log[0].LR, 1e-12, "warm-up")
	for _, r := range log[1:] {
		require.InDelta(t, 5.25e-4, r.LR, 1e-12, "constant lr after warm-up (step %d)", r.Step)
	}
	for _, r := range log {
		require.Equal(t, 0.99925, r.Momentum)
		require.False(t, math.IsNaN(r.Loss))
	}

	cooldown := strings.Replace(tinyV2Config, "  warmup: 1\n", "  warmup: 0\n  is_anneal: true\n  anneal_ckpt: "+res.Checkpoint+"\n", 1)
	cooldown = strings.Replace(cooldown, "  final_lr: 0.000525\n", "  final_lr: 1.0e-06\n", 1)
	cdir := t.TempDir()
	cres, _ := runText(t, cooldown, cdir, 2, false, 0)
	clog, err := pretrain.ReadStepLog(filepath.Join(cdir, "train_log.csv"))
	require.NoError(t, err)
	total := 1.25 * 2 * 2
	for _, r := range clog {
		require.InDelta(t, 5.25e-4+float64(r.Step)/total*(1e-6-5.25e-4), r.LR, 1e-12, "linear decay (step %d)", r.Step)
	}
	cfg, _, err := officialcfg.ParsePretrain("v2.yaml", []byte(tinyV2Config))
	require.NoError(t, err)
	model, err := backbone.FromPretrainConfig(cfg)
	require.NoError(t, err)
	require.True(t, model.UseRoPE)
	st, pos, err := pretrain.LoadCheckpoint(cres.Checkpoint, model)
	require.NoError(t, err)
	require.Equal(t, int64(2), pos.Step, "the cooldown's schedules start at 0")
	require.Equal(t, int64(6), st.Step, "AdamW continues from the checkpoint's 4 steps")

	bad := strings.Replace(tinyV2Config, "dataset_fpcs: [4, 4]", "dataset_fpcs: [4, 8]", 1)
	badCfg, _, err := officialcfg.ParsePretrain("bad.yaml", []byte(bad))
	require.NoError(t, err)
	backend := testutil.Backend(t)
	_, err = pretrain.Run(context.Background(), backend, badCfg, pretrain.Options{Dir: t.TempDir(), Progress: io.Discard})
	require.ErrorContains(t, err, "different lengths")
}
