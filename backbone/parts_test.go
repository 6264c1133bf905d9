package backbone_test

import (
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// TestPatchEmbedAndTargetNormParity checks the tubelet embedding (before the table is added)
// and the affine-free target LayerNorm (eps 1e-5) against the official outputs.
func TestPatchEmbedAndTargetNormParity(t *testing.T) {
	backend := testutil.Backend(t)
	fixtures.Run(t, fixtures.Names, func(t *testing.T, f *fixtures.Fixture) {
		enc, clip := encoderInputs(t, f, "checkpoint.pth")
		full, err := f.Float32("enc_full.npy")
		require.NoError(t, err)
		specs := backbone.EncoderSpecs(f.Config)
		pt, err := backbone.NewParamTensors(enc, specs)
		require.NoError(t, err)
		exec, err := NewExec(backend, func(g *Graph, in []*Node) []*Node {
			w, data := pt.Bind(g, in)
			return []*Node{backbone.PatchEmbed(f.Config, w, data[0]), backbone.PlainLayerNorm(data[1], backbone.TargetNormEps)}
		})
		require.NoError(t, err)
		out, err := exec.Call(pt.Args(tensors.FromFlatDataAndDimensions(clip.F32, clip.Shape...), tensors.FromFlatDataAndDimensions(full.F32, full.Shape...))...)
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
