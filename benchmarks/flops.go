package benchmarks

import "github.com/vjepa-go/vjepa/backbone"

// EncoderForwardFLOPs counts the matrix-product FLOPs of one encoder forward pass over n
// tokens: the tubelet embedding 2·N·(3·t·p²)·D and, per block, 24·N·D² (qkv, proj and the
// 4× MLP) + 4·N²·D (scores and weighted sum).
func EncoderForwardFLOPs(c backbone.Config, n int) float64 {
	d := float64(c.EmbedDim)
	nf := float64(n)
	patch := 2 * nf * float64(3*c.Tubelet*c.PatchSize*c.PatchSize) * d
	perBlock := 24*nf*d*d + 4*nf*nf*d
	return patch + float64(c.Depth)*perBlock
}
