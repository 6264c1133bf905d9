package testutil

import (
	"fmt"
	"strings"
)

// TinyPretrainConfig is a pretraining config in the official layout of a model small enough
// to train a few steps in a test: a custom ViT of width 32 and depth 2 on 4-frame 32×32 clips
// of synthetic-motion, batches of 4, the two official mask configurations, 3 epochs of 3
// steps. Tests derive variants from it with TinyPretrainVariant.
const TinyPretrainConfig = `
app: vjepa
data:
  datasets: [synthetic-motion]
  batch_size: 4
  num_clips: 1
  num_frames: 4
  tubelet_size: 2
  sampling_rate: 4
  crop_size: 32
  patch_size: 8
mask:
  - {aspect_ratio: [0.75, 1.5], num_blocks: 8, spatial_scale: [0.15, 0.15], temporal_scale: [1.0, 1.0], max_temporal_keep: 1.0, max_keep: null}
  - {aspect_ratio: [0.75, 1.5], num_blocks: 2, spatial_scale: [0.7, 0.7], temporal_scale: [1.0, 1.0], max_temporal_keep: 1.0, max_keep: null}
meta: {seed: 7}
model:
  model_name: custom
  embed_dim: 32
  depth: 2
  num_heads: 2
  pred_depth: 1
  pred_embed_dim: 16
  uniform_power: true
loss: {loss_exp: 1.0, reg_coeff: 0.0}
optimization:
  ipe: 3
  ipe_scale: 1.25
  clip_grad: 10.0
  weight_decay: 0.04
  final_weight_decay: 0.4
  epochs: 3
  warmup: 1
  start_lr: 0.0002
  lr: 0.002
  final_lr: 1.0e-06
  ema: [0.99, 1.0]
`

// TinyPretrainVariant returns TinyPretrainConfig with the replacements oldnew (old, new
// pairs, applied as by strings.NewReplacer). It panics when an old string does not occur in
// TinyPretrainConfig, so that a variant cannot silently stop differing from it.
func TinyPretrainVariant(oldnew ...string) string {
	for i := 0; i < len(oldnew); i += 2 {
		if !strings.Contains(TinyPretrainConfig, oldnew[i]) {
			panic(fmt.Sprintf("testutil.TinyPretrainVariant: TinyPretrainConfig has no %q", oldnew[i]))
		}
	}
	return strings.NewReplacer(oldnew...).Replace(TinyPretrainConfig)
}
