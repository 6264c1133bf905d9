package backbone_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

func TestRoPEWidthAndTable(t *testing.T) {
	for _, tc := range []struct{ hd, s int }{{24, 8}, {16, 4}, {64, 20}, {80, 26}, {88, 28}, {15, 4}, {5, 0}} {
		require.Equal(t, tc.s, backbone.RoPEWidth(tc.hd), "head dim %d", tc.hd)
	}
	// Head dim 16: parts of 4 columns, 2 frequencies (1 and 10000^-1/2 = 0.01), repeated.
	table, err := backbone.RoPETable(16, 2*3*4, 3*4, 4) // grid 2×3×4
	require.NoError(t, err)
	row := table[23*24 : 24*24] // token 23: t=1, h=2, w=3
	pos := []float64{1, 2, 3}
	omega := []float64{1, 0.01}
	for part := 0; part < 3; part++ {
		for j := 0; j < 4; j++ {
			a := pos[part] * omega[j%2]
			require.InDelta(t, math.Cos(a), row[part*4+j], 1e-6)
			require.InDelta(t, math.Sin(a), row[12+part*4+j], 1e-6)
		}
	}
	_, err = backbone.RoPETable(5, 4, 4, 2)
	require.ErrorContains(t, err, "too small")
}

// TestRoPEOtherSizes builds RoPE models unlike the fixture (odd head counts, a rotated tail,
// patch 8, tubelet 1) from their config alone and checks, on clips of another length and a
// non-square size, that positions travel with the tokens: encoding the full clip through a
// shuffled index list gives the shuffled full output, and the predictor does not depend on
// the order of its context.
func TestRoPEOtherSizes(t *testing.T) {
	backend := testutil.Backend(t)
	for _, c := range []backbone.Config{
		{Name: "a", EmbedDim: 60, Depth: 2, NumHeads: 5, MLPRatio: 2, PatchSize: 8, Tubelet: 1, NumFrames: 2, CropSize: 16,
			UseRoPE: true, PredEmbedDim: 36, PredDepth: 1, PredNumHeads: 3, PredMLPRatio: 4, NumMaskTokens: 3, UseMaskTokens: true},
		{Name: "b", EmbedDim: 42, Depth: 1, NumHeads: 3, MLPRatio: 4, PatchSize: 4, Tubelet: 2, NumFrames: 4, CropSize: 8,
			UseRoPE: true, PredEmbedDim: 42, PredDepth: 2, PredMLPRatio: 3, NumMaskTokens: 1, UseMaskTokens: true},
	} {
		t.Run(c.Name, func(t *testing.T) {
			require.NoError(t, c.Validate())
			rng := rand.New(rand.NewPCG(1, 2))
			enc, err := backbone.InitEncoder(c, rng)
			require.NoError(t, err)
			_, hasTable := enc["pos_embed"]
			require.False(t, hasTable)
			for _, v := range enc {
				backbone.TruncNormal(v, 0.3, rng)
			}
			pred, err := backbone.InitPredictor(c, rng)
			require.NoError(t, err)
			for _, v := range pred {
				backbone.TruncNormal(v, 0.3, rng)
			}
			frames, h, w := 2*c.NumFrames, c.CropSize, 2*c.CropSize
			clip := backbone.HostTensor{Shape: []int{1, 3, frames, h, w}, F32: make([]float32, 3*frames*h*w)}
			for i := range clip.F32 {
				clip.F32[i] = float32(rng.NormFloat64())
			}
			n := frames / c.Tubelet * (h / c.PatchSize) * (w / c.PatchSize)

			er, err := backbone.NewEncoderRunner(backend, c, enc, false)
			require.NoError(t, err)
			full, _, err := er.Run(clip, nil)
			require.NoError(t, err)
			require.Equal(t, []int{1, n, c.EmbedDim}, full.Shape)
			perm := rng.Perm(n)
			idx := backbone.HostTensor{Shape: []int{1, n}, I64: make([]int64, n)}
			for i, p := range perm {
				idx.I64[i] = int64(p)
			}
			shuffled, _, err := er.Run(clip, &idx)
			require.NoError(t, err)
			d := c.EmbedDim
			for i, p := range perm {
				require.InDeltaSlice(t, full.F32[p*d:(p+1)*d], shuffled.F32[i*d:(i+1)*d], 1e-4, "token %d", p)
			}

			pr, err := backbone.NewPredictorRunner(backend, c, pred, false)
			require.NoError(t, err)
			k := n / 2
			ctx := backbone.HostTensor{Shape: []int{1, k}, I64: idx.I64[:k]}
			tgt := backbone.HostTensor{Shape: []int{1, n - k}, I64: idx.I64[k:]}
			z, _, err := er.Run(clip, &ctx)
			require.NoError(t, err)
			p1, _, err := pr.Run(z, ctx, tgt, c.NumMaskTokens-1, frames, h, w)
			require.NoError(t, err)
			// Reverse the context order (features and indices together).
			rc := backbone.HostTensor{Shape: ctx.Shape, I64: make([]int64, k)}
			rz := backbone.HostTensor{Shape: z.Shape, F32: make([]float32, len(z.F32))}
			for i := 0; i < k; i++ {
				rc.I64[i] = ctx.I64[k-1-i]
				copy(rz.F32[i*d:(i+1)*d], z.F32[(k-1-i)*d:(k-i)*d])
			}
			p2, _, err := pr.Run(rz, rc, tgt, c.NumMaskTokens-1, frames, h, w)
			require.NoError(t, err)
			require.InDeltaSlice(t, p1.F32, p2.F32, 1e-4)
		})
	}
}
