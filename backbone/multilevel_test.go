package backbone_test

import (
	"math"
	"testing"

	"github.com/gomlx/compute"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
)

// normRows applies the affine LayerNorm (eps 1e-6, float64) over the last axis of the
// [B,N,D] block output starting at offset off of blocks.
func normRows(blocks []float32, off, b, n, d int, weight, bias []float32) []float32 {
	out := make([]float32, b*n*d)
	for r := 0; r < b*n; r++ {
		row := blocks[off+r*d : off+(r+1)*d]
		mean, sq := 0.0, 0.0
		for _, v := range row {
			mean += float64(v)
		}
		mean /= float64(d)
		for _, v := range row {
			sq += (float64(v) - mean) * (float64(v) - mean)
		}
		inv := 1 / math.Sqrt(sq/float64(d)+backbone.LayerNormEps)
		for j, v := range row {
			out[r*d+j] = float32((float64(v)-mean)*inv*float64(weight[j]) + float64(bias[j]))
		}
	}
	return out
}

// TestMultilevelEncoderParity checks the multilevel output (Config.OutLayers) against the
// official per-block outputs of the fixtures: the listed blocks' outputs through the final
// norm, concatenated along the tokens in block order, whatever the list's order.
func TestMultilevelEncoderParity(t *testing.T) {
	names := append(append([]string(nil), fixtures.Names...), fixtures.V2Names...)
	fixtures.RunWithBackend(t, names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		ckpt := "checkpoint.pth"
		if f.Config.UseRoPE {
			ckpt = "checkpoint.pt"
		}
		enc, clip := encoderInputs(t, f, ckpt)
		blocks, err := f.Float32("enc_full_blocks.npy")
		require.NoError(t, err)
		c := f.Config
		c.OutLayers = []int{0, c.Depth - 1}
		require.NoError(t, c.Validate())
		r, err := backbone.NewEncoderRunner(backend, c, enc, false)
		require.NoError(t, err)
		got, _, err := r.Run(clip, nil)
		require.NoError(t, err)

		b, n, d := blocks.Shape[1], blocks.Shape[2], blocks.Shape[3]
		want := backbone.HostTensor{Shape: []int{b, len(c.OutLayers) * n, d}}
		parts := make([][]float32, len(c.OutLayers))
		for i, l := range c.OutLayers {
			parts[i] = normRows(blocks.F32, l*b*n*d, b, n, d, enc["norm.weight"], enc["norm.bias"])
		}
		for s := 0; s < b; s++ { // per sample: level 0's tokens, then level 1's
			for _, p := range parts {
				want.F32 = append(want.F32, p[s*n*d:(s+1)*n*d]...)
			}
		}
		abs, rel := diffStats(t, want, got)
		t.Logf("multilevel %v: max|Δ| %.2e  rel %.2e", c.OutLayers, abs, rel)
		assert.LessOrEqual(t, rel, v2Tol)
	})
}

func TestOutLayersValidate(t *testing.T) {
	c, err := backbone.Preset("vit_tiny")
	require.NoError(t, err)
	for _, tc := range []struct {
		layers []int
		ok     bool
	}{{nil, true}, {[]int{0, 11}, true}, {[]int{12}, false}, {[]int{-1}, false}, {[]int{3, 3}, false}, {[]int{5, 2}, false}} {
		c.OutLayers = tc.layers
		if tc.ok {
			assert.NoError(t, c.Validate(), "%v", tc.layers)
		} else {
			assert.ErrorContains(t, c.Validate(), "out_layers", "%v", tc.layers)
		}
	}
}
