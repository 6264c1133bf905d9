package benchmarks

import (
	"github.com/vjepa-go/vjepa/backbone"
)

// EstimateStepBytes estimates the peak memory of a pretraining step with batch clips and the
// given context and target lengths per mask (kc[i], kp[i]) on the pure-Go backend: twice the
// sum of the activations kept for the backward pass (per block of the context encoder on Kc
// tokens and of the predictor on Kc+Kp tokens: N·D·(8+2·mlp) + 2·H·N² floats) and eight
// float32 copies of the trainable parameters (weights, gradients, AdamW moments, target
// encoder, updated copies). The factor 2 is calibrated on measured peaks (ViT-T 8×112 batch
// 4: 2.5 GB; ViT-S 16×224 batch 1: 10.8 GB), so treat the result as ±30 %.
//
// With gradient checkpointing (c.Exec.GradCheckpointing) a block keeps only its input, N·D
// floats, and the backward pass recomputes one block at a time, so the activations are the
// block inputs plus the largest block's activations. The same factor 2 gave 1.8 GB against a
// measured 1.4 GB (max RSS) for ViT-T 8×112 batch 4; larger cases are not calibrated.
func EstimateStepBytes(c backbone.Config, kc, kp []int, batch int) float64 {
	acts := 0.0
	if c.Exec.GradCheckpointing {
		largest := 0.0
		for i := range kc {
			acts += float64(kc[i]*c.EmbedDim*c.Depth + (kc[i]+kp[i])*c.PredEmbedDim*c.PredDepth)
			largest = max(largest, blockActs(c.EmbedDim, c.NumHeads, c.MLPRatio, kc[i]),
				blockActs(c.PredEmbedDim, c.PredHeads(), c.PredMLPRatio, kc[i]+kp[i]))
		}
		acts += largest
	} else {
		for i := range kc {
			acts += blockActs(c.EmbedDim, c.NumHeads, c.MLPRatio, kc[i]) * float64(c.Depth)
			acts += blockActs(c.PredEmbedDim, c.PredHeads(), c.PredMLPRatio, kc[i]+kp[i]) * float64(c.PredDepth)
		}
	}
	params := float64(backbone.NumParams(backbone.EncoderSpecs(c)) + backbone.NumParams(backbone.PredictorSpecs(c)))
	return 2 * (4*float64(batch)*acts + 8*4*params)
}

// blockActs is the number of floats one transformer block keeps for backward per sample.
func blockActs(d, heads int, mlpRatio float64, n int) float64 {
	nf := float64(n)
	return nf*float64(d)*(8+2*mlpRatio) + 2*float64(heads)*nf*nf
}
