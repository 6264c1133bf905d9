package backbone_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
)

// parityTol is the largest absolute difference allowed against the official outputs.
const parityTol = 1e-4

func maxAbsDiff(t *testing.T, want backbone.HostTensor, got []float32, gotShape []int) float64 {
	t.Helper()
	require.Equal(t, want.Shape, gotShape)
	require.Len(t, got, len(want.F32))
	m := 0.0
	for i := range got {
		m = math.Max(m, math.Abs(float64(got[i])-float64(want.F32[i])))
	}
	return m
}

// encoderInputs reads the encoder weights of the fixture's checkpoint ckptFile and the
// fixture's input clip.
func encoderInputs(t *testing.T, f *fixtures.Fixture, ckptFile string) (backbone.HostParams, backbone.HostTensor) {
	t.Helper()
	enc, err := f.Params(ckptFile, "encoder")
	require.NoError(t, err)
	clip, err := f.Float32("input.npy")
	require.NoError(t, err)
	return enc, clip
}

func TestPosEmbedParity(t *testing.T) {
	fixtures.Run(t, fixtures.Names, func(t *testing.T, f *fixtures.Fixture) {
		c := f.Config
		gt, gh, gw := c.Grid()
		for _, tc := range []struct {
			file string
			dim  int
		}{{"pos_embed.npy", c.EmbedDim}, {"pred_pos_embed.npy", c.PredEmbedDim}} {
			want, err := f.Float32(tc.file)
			require.NoError(t, err)
			got, err := backbone.SinCos3D(tc.dim, gt, gh, gw, c.UniformPower)
			require.NoError(t, err)
			require.LessOrEqual(t, maxAbsDiff(t, want, got, []int{gt * gh * gw, tc.dim}), 1e-6, tc.file)
		}
	})
}

func TestEncoderPredictorParity(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		c := f.Config
		enc, err := f.Params("checkpoint.pth", "encoder")
		require.NoError(t, err)
		pred, err := f.Params("checkpoint.pth", "predictor")
		require.NoError(t, err)
		clip, err := f.Float32("input.npy")
		require.NoError(t, err)

		er, err := backbone.NewEncoderRunner(backend, c, enc, true)
		require.NoError(t, err)
		out, blocks, err := er.Run(clip, nil)
		require.NoError(t, err)
		check := func(file string, got backbone.HostTensor) {
			want, err := f.Float32(file)
			require.NoError(t, err)
			d := maxAbsDiff(t, want, got.F32, got.Shape)
			t.Logf("%s: max |Δ| = %.2g", file, d)
			require.LessOrEqual(t, d, parityTol, file)
		}
		check("enc_full.npy", out)
		check("enc_full_blocks.npy", *blocks)

		pr, err := backbone.NewPredictorRunner(backend, c, pred, true)
		require.NoError(t, err)
		for i := 0; i < f.NumMasks(); i++ {
			ctx, tgt, err := f.Masks(i)
			require.NoError(t, err)
			z, zb, err := er.Run(clip, &ctx)
			require.NoError(t, err)
			check(fmt.Sprintf("enc_ctx_%d.npy", i), z)
			check(fmt.Sprintf("enc_ctx_blocks_%d.npy", i), *zb)
			p, pb, err := pr.Run(z, ctx, tgt, i, c.NumFrames, c.CropSize, c.CropSize)
			require.NoError(t, err)
			check(fmt.Sprintf("pred_%d.npy", i), p)
			check(fmt.Sprintf("pred_blocks_%d.npy", i), *pb)
		}
	})
}

// TestPatchEmbedAndTargetNormParity checks the tubelet embedding (before the table is added)
// and the affine-free target LayerNorm (eps 1e-5) against the official outputs.
func TestPatchEmbedAndTargetNormParity(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		enc, clip := encoderInputs(t, f, "checkpoint.pth")
		full, err := f.Float32("enc_full.npy")
		require.NoError(t, err)
		specs := backbone.EncoderSpecs(f.Config)
		pt, err := backbone.NewParamTensors(enc, specs)
		require.NoError(t, err)
		exec, err := NewExec(backend, func(in []*Node) []*Node {
			w := backbone.Weights{}
			for i, n := range pt.Names {
				w[n] = in[i]
			}
			np := len(pt.Names)
			return []*Node{backbone.PatchEmbed(f.Config, w, in[np]), backbone.PlainLayerNorm(in[np+1], backbone.TargetNormEps)}
		})
		require.NoError(t, err)
		args := []any{}
		for _, x := range pt.Tensors {
			args = append(args, x)
		}
		args = append(args, tensors.FromFlatDataAndDimensions(clip.F32, clip.Shape...), tensors.FromFlatDataAndDimensions(full.F32, full.Shape...))
		out, err := exec.Call(args...)
		require.NoError(t, err)
		for i, file := range []string{"enc_full_patch_embed.npy", "target_ln.npy"} {
			want, err := f.Float32(file)
			require.NoError(t, err)
			got := tensors.MustCopyFlatData[float32](out[i])
			d := maxAbsDiff(t, want, got, out[i].Shape().Dimensions)
			t.Logf("%s: max |Δ| = %.2g", file, d)
			require.LessOrEqual(t, d, parityTol, file)
		}
	})
}

// TestInterpolatePosEmbed checks the trilinear resize (align_corners=False) on a table whose
// rows are linear in the token coordinates, where interpolation must follow the formula, and
// that equal grids return the table unchanged.
func TestInterpolatePosEmbed(t *testing.T) {
	// 1×2×2 grid, dim 1, value = 10·h + w.
	table := []float32{0, 1, 10, 11}
	require.Equal(t, table, backbone.InterpolatePosEmbed(table, 1, 1, 2, 2, 1, 2, 2))
	got := backbone.InterpolatePosEmbed(table, 1, 1, 2, 2, 1, 4, 4)
	// align_corners=False sample positions for 2→4: x = (j+0.5)/2-0.5 clamped to [0,1]:
	// 0, 0.25, 0.75, 1.
	pos := []float32{0, 0.25, 0.75, 1}
	for h := 0; h < 4; h++ {
		for w := 0; w < 4; w++ {
			require.InDelta(t, 10*pos[h]+pos[w], got[h*4+w], 1e-6, "h=%d w=%d", h, w)
		}
	}
	// Time axis too: 2 frames → 4, on a table linear in t.
	tt := []float32{0, 100}
	got = backbone.InterpolatePosEmbed(tt, 1, 2, 1, 1, 4, 1, 1)
	require.InDeltaSlice(t, []float32{0, 25, 75, 100}, got, 1e-4)
}
