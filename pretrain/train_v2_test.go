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

// tinyV2Config is testutil.TinyPretrainConfig in the V-JEPA 2 layout
// (configs/train/vitl16/pretrain-256px-16f.yaml): RoPE, dataset_fpcs, full_complement, lr
// equal to final_lr (constant after warm-up) and a constant EMA.
const tinyV2Config = `
app: vjepa
data:
  datasets: [synthetic-motion, synthetic-motion]
  datasets_weights: [0.5, 0.5]
  batch_size: 4
  dataset_fpcs: [4, 4]
  tubelet_size: 2
  crop_size: 32
  patch_size: 8
mask:
  - {aspect_ratio: [0.75, 1.5], full_complement: false, num_blocks: 8, spatial_scale: [0.15, 0.15], temporal_scale: [1.0, 1.0], max_temporal_keep: 1.0, max_keep: null}
  - {aspect_ratio: [0.75, 1.5], full_complement: false, num_blocks: 2, spatial_scale: [0.7, 0.7], temporal_scale: [1.0, 1.0], max_temporal_keep: 1.0, max_keep: null}
meta: {seed: 7}
model:
  model_name: custom
  embed_dim: 32
  depth: 2
  num_heads: 2
  pred_depth: 1
  pred_embed_dim: 16
  use_rope: true
  use_mask_tokens: true
  zero_init_mask_tokens: true
loss: {loss_exp: 1.0}
optimization:
  ipe: 2
  ipe_scale: 1.25
  weight_decay: 0.04
  final_weight_decay: 0.04
  epochs: 2
  warmup: 1
  start_lr: 0.0001
  lr: 0.000525
  final_lr: 0.000525
  ema: [0.99925, 0.99925]
`

func runV2(t *testing.T, text, dir string, steps int64) *pretrain.Result {
	t.Helper()
	cfg, _, err := officialcfg.ParsePretrain("v2.yaml", []byte(text))
	require.NoError(t, err)
	backend := testutil.Backend(t)
	res, err := pretrain.Run(context.Background(), backend, cfg, pretrain.Options{Dir: dir, MaxSteps: steps,
		CheckpointEvery: 2, MaskBucket: 1, Workers: 2, Progress: io.Discard,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	return res
}

// TestPretrainV2 trains a RoPE model from a V-JEPA 2 layout config (constant lr after warm-up,
// constant EMA), then runs the cooldown config from its checkpoint (is_anneal: linear lr
// decay to final_lr, fresh schedules, the AdamW state carried over).
func TestPretrainV2(t *testing.T) {
	dir := t.TempDir()
	res := runV2(t, tinyV2Config, dir, 4)
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
	cres := runV2(t, cooldown, cdir, 2)
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
