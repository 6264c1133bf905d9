package backbone_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/testutil"
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
	backend := testutil.Backend(t)
	fixtures.Run(t, fixtures.Names, func(t *testing.T, f *fixtures.Fixture) {
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
