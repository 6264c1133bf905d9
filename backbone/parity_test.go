package backbone_test

import (
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
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

// attentionCases are the attention executions every parity test runs under: each mode
// backend has, chunked with 5 queries per chunk so the fixtures' clips split into several
// chunks with a short last one.
func attentionCases(backend compute.Backend) []backbone.Execution {
	var cases []backbone.Execution
	for _, m := range backbone.AttentionModes(backend) {
		e := backbone.Execution{Attention: m}
		if m == backbone.AttentionChunked {
			e.AttentionChunk = 5
		}
		cases = append(cases, e)
	}
	return cases
}

func TestEncoderPredictorParity(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		for _, exec := range attentionCases(backend) {
			t.Run(exec.Attention.String(), func(t *testing.T) {
				c := f.Config
				c.Exec = exec
				encoderPredictorParity(t, backend, f, c)
			})
		}
	})
}

// encoderPredictorParity checks the encoder (full clip and every context mask) and the
// predictor of V-JEPA fixture f, per block, computed as c says.
func encoderPredictorParity(t *testing.T, backend compute.Backend, f *fixtures.Fixture, c backbone.Config) {
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

// v2Tol is the largest difference allowed against the V-JEPA 2 outputs, relative to the
// largest magnitude of the reference tensor (the block outputs reach ~15, the normed outputs
// ~3); a wrong LayerNorm eps shows near 1e-4.
const v2Tol = 1e-5

// diffStats returns max |got − want| and that divided by max |want|.
func diffStats(t *testing.T, want backbone.HostTensor, got backbone.HostTensor) (abs, rel float64) {
	t.Helper()
	require.Equal(t, want.Shape, got.Shape)
	scale := 0.0
	for i := range want.F32 {
		abs = math.Max(abs, math.Abs(float64(got.F32[i])-float64(want.F32[i])))
		scale = math.Max(scale, math.Abs(float64(want.F32[i])))
	}
	return abs, abs / scale
}

// v2Checker compares tensors with the files of a V-JEPA 2 fixture and logs the parity numbers.
type v2Checker struct {
	t *testing.T
	f *fixtures.Fixture
}

func (c v2Checker) check(file string, got backbone.HostTensor) {
	c.t.Helper()
	want, err := c.f.Float32(file)
	require.NoError(c.t, err)
	abs, rel := diffStats(c.t, want, got)
	c.t.Logf("%-26s max|Δ| %.2e  rel %.2e", file, abs, rel)
	require.LessOrEqual(c.t, rel, v2Tol, file)
}

// v2Params are the encoder and predictor weights of a V-JEPA 2 fixture from one source.
type v2Params struct {
	source    string
	enc, pred backbone.HostParams
}

func v2ParamSources(t *testing.T, f *fixtures.Fixture) []v2Params {
	t.Helper()
	enc, err := f.Params("checkpoint.pt", "encoder")
	require.NoError(t, err)
	pred, err := f.Params("checkpoint.pt", "predictor")
	require.NoError(t, err)
	out := []v2Params{{source: "checkpoint.pt", enc: enc, pred: pred}}

	src, cfg, err := backbone.OpenParamSource(f.Dir)
	require.NoError(t, err)
	defer src.Close()
	require.NotNil(t, cfg, "the fixture folder has a config.json")
	require.Equal(t, f.Config.EmbedDim, cfg.EmbedDim)
	hfEnc, err := src.ReadParams("encoder", backbone.EncoderSpecs(*cfg), *cfg, false)
	require.NoError(t, err)
	hfPred, err := src.ReadParams("predictor", backbone.PredictorSpecs(*cfg), *cfg, false)
	require.NoError(t, err)
	return append(out, v2Params{source: "model.safetensors", enc: hfEnc, pred: hfPred})
}

// gatherRows returns x[b, idx[b,k], :] for x [B,N,D] and idx [B,K].
func gatherRows(x backbone.HostTensor, idx backbone.HostTensor) backbone.HostTensor {
	b, n, d, k := x.Shape[0], x.Shape[1], x.Shape[2], idx.Shape[1]
	out := make([]float32, 0, b*k*d)
	for i := 0; i < b; i++ {
		for j := 0; j < k; j++ {
			row := (i*n + int(idx.I64[i*k+j])) * d
			out = append(out, x.F32[row:row+d]...)
		}
	}
	return backbone.HostTensor{Shape: []int{b, k, d}, F32: out}
}

// sortedBlocks reorders block outputs [L,B,Kc+Kt,D] (context first) into the official
// predictor's order, ascending token position, and returns the positions in that order.
func sortedBlocks(blocks backbone.HostTensor, ctx, tgt backbone.HostTensor) (backbone.HostTensor, []int64) {
	l, b, n, d := blocks.Shape[0], blocks.Shape[1], blocks.Shape[2], blocks.Shape[3]
	kc, kt := ctx.Shape[1], tgt.Shape[1]
	out := make([]float32, len(blocks.F32))
	var order []int64
	for i := 0; i < b; i++ {
		pos := append(append([]int64(nil), ctx.I64[i*kc:(i+1)*kc]...), tgt.I64[i*kt:(i+1)*kt]...)
		perm := make([]int, n)
		for j := range perm {
			perm[j] = j
		}
		sort.Slice(perm, func(a, c int) bool { return pos[perm[a]] < pos[perm[c]] })
		for _, j := range perm {
			order = append(order, pos[j])
		}
		for li := 0; li < l; li++ {
			for dst, src := range perm {
				from := ((li*b+i)*n + src) * d
				to := ((li*b+i)*n + dst) * d
				copy(out[to:to+d], blocks.F32[from:from+d])
			}
		}
	}
	return backbone.HostTensor{Shape: blocks.Shape, F32: out}, order
}

// TestV2EncoderPredictorParity checks the RoPE encoder (full clip and both context masks, per
// block), the targets, the predictor (training path with mask token 0, per block in the
// official sorted order; HF path with mask token 1 on the full-clip features) and the loss,
// with the weights read from the official checkpoint and from the HF safetensors.
func TestV2EncoderPredictorParity(t *testing.T) {
	backend := testutil.Backend(t)
	for _, name := range fixtures.V2Names {
		f := fixtures.MustLoad(t, name)
		require.True(t, f.Config.UseRoPE)
		for _, ps := range v2ParamSources(t, f) {
			for _, exec := range attentionCases(backend) {
				t.Run(name+"/"+ps.source+"/"+exec.Attention.String(), func(t *testing.T) {
					c := f.Config
					c.Exec = exec
					v2EncoderPredictorParity(t, backend, f, c, ps)
				})
			}
		}
	}
}

// v2EncoderPredictorParity is TestV2EncoderPredictorParity for one source of weights and
// one execution.
func v2EncoderPredictorParity(t *testing.T, backend compute.Backend, f *fixtures.Fixture, c backbone.Config, ps v2Params) {
	chk := v2Checker{t, f}
	clip, err := f.Float32("input.npy")
	require.NoError(t, err)
	er, err := backbone.NewEncoderRunner(backend, c, ps.enc, true)
	require.NoError(t, err)
	full, blocks, err := er.Run(clip, nil)
	require.NoError(t, err)
	chk.check("enc_full.npy", full)
	chk.check("enc_full_blocks.npy", *blocks)

	targetLN := plainLayerNorm(t, backend, full)
	chk.check("target_ln.npy", targetLN)

	pr, err := backbone.NewPredictorRunner(backend, c, ps.pred, true)
	require.NoError(t, err)
	var loss float64
	for i := 0; i < f.NumMasks(); i++ {
		ctx, tgt, err := f.Masks(i)
		require.NoError(t, err)
		targets := gatherRows(targetLN, tgt)
		chk.check(fmt.Sprintf("targets_%d.npy", i), targets)

		z, zb, err := er.Run(clip, &ctx)
		require.NoError(t, err)
		chk.check(fmt.Sprintf("enc_ctx_%d.npy", i), z)
		chk.check(fmt.Sprintf("enc_ctx_blocks_%d.npy", i), *zb)

		// Training path: PredictorMultiSeqWrapper passes mask_index 0 for one clip length.
		p, pb, err := pr.Run(z, ctx, tgt, 0, c.NumFrames, c.CropSize, c.CropSize)
		require.NoError(t, err)
		chk.check(fmt.Sprintf("pred_%d.npy", i), p)
		sorted, order := sortedBlocks(*pb, ctx, tgt)
		wantOrder, err := f.Int64(fmt.Sprintf("pred_order_%d.npy", i))
		require.NoError(t, err)
		require.Equal(t, wantOrder.I64, order)
		chk.check(fmt.Sprintf("pred_blocks_%d.npy", i), sorted)

		// HF VJEPA2Model path: full-clip features gathered at the context, mask_index 1.
		hp, _, err := pr.Run(gatherRows(full, ctx), ctx, tgt, 1, c.NumFrames, c.CropSize, c.CropSize)
		require.NoError(t, err)
		chk.check(fmt.Sprintf("hf_model_pred_%d.npy", i), hp)

		sum := 0.0
		for j := range p.F32 {
			sum += math.Abs(float64(p.F32[j]) - float64(targets.F32[j]))
		}
		loss += sum / float64(len(p.F32)) / float64(f.NumMasks())
	}
	want, err := f.Array("loss.npy")
	require.NoError(t, err)
	wl, err := want.Float64s()
	require.NoError(t, err)
	t.Logf("%-26s |Δ| %.2e  rel %.2e", "loss.npy", math.Abs(loss-wl[0]), math.Abs(loss-wl[0])/math.Abs(wl[0]))
	require.InDelta(t, wl[0], loss, v2Tol)
}

// TestV2PatchEmbedParity checks the tubelet embedding (nothing is added to it with RoPE).
func TestV2PatchEmbedParity(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.V2Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		enc, clip := encoderInputs(t, f, "checkpoint.pt")
		w, b := enc["patch_embed.proj.weight"], enc["patch_embed.proj.bias"]
		c := f.Config
		exec, err := NewExec(backend, func(kernel, bias, x *Node) *Node {
			return backbone.PatchEmbed(c, backbone.Weights{"patch_embed.proj.weight": kernel, "patch_embed.proj.bias": bias}, x)
		})
		require.NoError(t, err)
		out, err := exec.Call(
			tensors.FromFlatDataAndDimensions(w, c.EmbedDim, 3, c.Tubelet, c.PatchSize, c.PatchSize),
			tensors.FromFlatDataAndDimensions(b, c.EmbedDim),
			tensors.FromFlatDataAndDimensions(clip.F32, clip.Shape...))
		require.NoError(t, err)
		got := backbone.HostTensor{Shape: out[0].Shape().Dimensions, F32: tensors.MustCopyFlatData[float32](out[0])}
		v2Checker{t, f}.check("enc_full_patch_embed.npy", got)
	})
}

func plainLayerNorm(t *testing.T, backend compute.Backend, x backbone.HostTensor) backbone.HostTensor {
	t.Helper()
	exec, err := NewExec(backend, func(x *Node) *Node { return backbone.PlainLayerNorm(x, backbone.TargetNormEps) })
	require.NoError(t, err)
	out, err := exec.Call(tensors.FromFlatDataAndDimensions(x.F32, x.Shape...))
	require.NoError(t, err)
	return backbone.HostTensor{Shape: out[0].Shape().Dimensions, F32: tensors.MustCopyFlatData[float32](out[0])}
}
