package backbone_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// TestMixedPrecisionEncoderParity runs the encoder with bfloat16 blocks on the fixtures:
// the outputs (after the final LayerNorm, of order 1) stay within 0.05 of the official
// float32 ones, and differ from ours in float32 by more than float32 rounding (the blocks
// really ran in bfloat16).
func TestMixedPrecisionEncoderParity(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		enc, clip := encoderInputs(t, f, "checkpoint.pth")
		want, err := f.Float32("enc_full.npy")
		require.NoError(t, err)
		c := f.Config
		c.Exec.ComputeDType = dtypes.BFloat16
		r, err := backbone.NewEncoderRunner(backend, c, enc, false)
		require.NoError(t, err)
		got, _, err := r.Run(clip, nil)
		require.NoError(t, err)
		d := maxAbsDiff(t, want, got.F32, got.Shape)
		t.Logf("bfloat16 encoder: max |Δ| = %.2g against the official float32 output", d)
		assert.LessOrEqual(t, d, 0.05)
		assert.Greater(t, d, 10*parityTol, "the blocks ran in bfloat16")
	})
}

// TestCheckpointedEncoderForward: a forward-only graph with checkpointed blocks (barriers
// and no backward pass) gives the plain encoder's output.
func TestCheckpointedEncoderForward(t *testing.T) {
	backend := testutil.Backend(t)
	f := fixtures.MustLoad(t, fixtures.Names[0])
	enc, clip := encoderInputs(t, f, "checkpoint.pth")
	var outs [][]float32
	for _, exec := range []backbone.Execution{{}, {GradCheckpointing: true}} {
		c := f.Config
		c.Exec = exec
		r, err := backbone.NewEncoderRunner(backend, c, enc, false)
		require.NoError(t, err)
		out, _, err := r.Run(clip, nil)
		require.NoError(t, err)
		outs = append(outs, out.F32)
	}
	assert.Equal(t, outs[0], outs[1])
}

// encoderGradientGraph builds the gradient of a tiny encoder's mean output with respect to
// its weights, with the blocks computed as exec says.
func encoderGradientGraph(t *testing.T, exec backbone.Execution) *Graph {
	t.Helper()
	backend := testutil.Backend(t)
	c, err := backbone.Preset("vit_tiny")
	require.NoError(t, err)
	c.Depth, c.NumFrames, c.CropSize, c.PatchSize = 2, 4, 32, 16
	c.Exec = exec
	params, err := backbone.InitEncoder(c, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	g := NewGraph(backend, "encoder_gradient")
	w := backbone.Weights{}
	var weights []*Node
	for _, s := range backbone.EncoderSpecs(c) {
		w[s.Name] = Const(g, params[s.Name])
		w[s.Name] = Reshape(w[s.Name], s.Shape...)
		weights = append(weights, w[s.Name])
	}
	clip := Zeros(g, shapes.Make(dtypes.Float32, 1, 3, c.NumFrames, c.CropSize, c.CropSize))
	pos := Zeros(g, shapes.Make(dtypes.Float32, c.NumTokens(), c.EmbedDim))
	out, _ := backbone.Encode(c, w, clip, pos, nil, false)
	Gradient(ReduceAllMean(out), weights...)
	return g
}

func TestExecutionGraphs(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		exec                  backbone.Execution
		wantBarriers, wantB16 bool
	}{
		{"plain", backbone.Execution{}, false, false},
		{"checkpointed", backbone.Execution{GradCheckpointing: true}, true, false},
		{"bfloat16", backbone.Execution{ComputeDType: dtypes.BFloat16}, false, true},
		{"float32 is plain", backbone.Execution{ComputeDType: dtypes.Float32}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := encoderGradientGraph(t, tc.exec)
			var barriers, bf16 bool
			for _, n := range g.Nodes() {
				switch n.Type() {
				case NodeTypeOptimizationBarrier, NodeTypeSchedulingBarrier:
					barriers = true
				}
				if n.DType() == dtypes.BFloat16 {
					bf16 = true
				}
			}
			assert.Equal(t, tc.wantBarriers, barriers, "checkpoint barriers")
			assert.Equal(t, tc.wantB16, bf16, "bfloat16 nodes")
		})
	}
}

func TestParseComputeDType(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want dtypes.DType
	}{
		{"bfloat16", dtypes.BFloat16}, {"BFloat16", dtypes.BFloat16}, {"float16", dtypes.Float16},
		{"float32", dtypes.InvalidDType}, {"", dtypes.InvalidDType}, {"fp8", dtypes.InvalidDType},
	} {
		assert.Equal(t, tc.want, backbone.ParseComputeDType(tc.in), tc.in)
	}
	assert.Equal(t, "float32", backbone.Execution{}.String())
	assert.Equal(t, "bfloat16, gradient checkpointing", backbone.Execution{ComputeDType: dtypes.BFloat16, GradCheckpointing: true}.String())
}

// TestHalfPrecisionV2Parity runs the V-JEPA 2 (rotary) encoder with its blocks' products in
// bfloat16 and float16 on the fixture, the rotation and softmax in float32 as under the
// official autocast: the normed tokens stay within 1e-3 (float16) and 5e-3 (bfloat16)
// of the official float32 ones, relative to their largest magnitude, and differ from ours in
// float32 by more than float32 rounding (the blocks really ran in 16 bits).
func TestHalfPrecisionV2Parity(t *testing.T) {
	fixtures.RunWithBackend(t, fixtures.V2Names, func(t *testing.T, backend compute.Backend, f *fixtures.Fixture) {
		enc, clip := encoderInputs(t, f, "checkpoint.pt")
		want, err := f.Float32("enc_full.npy")
		require.NoError(t, err)
		for _, tc := range []struct {
			dtype  dtypes.DType
			maxRel float64
		}{{dtypes.Float16, 1e-3}, {dtypes.BFloat16, 5e-3}} {
			c := f.Config
			c.Exec.ComputeDType = tc.dtype
			r, err := backbone.NewEncoderRunner(backend, c, enc, false)
			require.NoError(t, err)
			got, _, err := r.Run(clip, nil)
			require.NoError(t, err)
			_, rel := diffStats(t, want, got)
			t.Logf("%s encoder: max|Δ|/max|want| %.2e against the official float32 output", tc.dtype, rel)
			assert.LessOrEqual(t, rel, tc.maxRel, tc.dtype.String())
			assert.Greater(t, rel, 10*v2Tol, "the blocks ran in %s", tc.dtype)
		}
	})
}

func TestResolvePrecision(t *testing.T) {
	for _, tc := range []struct {
		flag, config string
		fast         bool
		want         dtypes.DType
		wantErr      bool
	}{
		{"auto", "bfloat16", true, dtypes.BFloat16, false},
		{"auto", "float16", true, dtypes.Float16, false},
		{"auto", "bfloat16", false, dtypes.InvalidDType, false},
		{"auto", "", true, dtypes.InvalidDType, false},
		{"float32", "bfloat16", true, dtypes.InvalidDType, false},
		{"bfloat16", "", false, dtypes.BFloat16, false},
		{"float16", "", false, dtypes.Float16, false},
		{"fp8", "", false, dtypes.InvalidDType, true},
	} {
		got, err := backbone.ResolvePrecision(tc.flag, tc.config, tc.fast)
		if tc.wantErr {
			assert.ErrorContains(t, err, "valid: auto, float32, bfloat16, float16")
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%s/%s/%v", tc.flag, tc.config, tc.fast)
	}
}
