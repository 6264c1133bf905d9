package backbone_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/backend/goconfig"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

func TestParseAttentionMode(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    backbone.AttentionMode
		wantErr string
	}{
		{"auto", backbone.AttentionAuto, ""},
		{"full", backbone.AttentionFull, ""},
		{"Chunked", backbone.AttentionChunked, ""},
		{"fused", backbone.AttentionFused, ""},
		{"flash", 0, `unknown attention mode "flash" (valid: auto, full, chunked, fused)`},
	} {
		got, err := backbone.ParseAttentionMode(tc.in)
		if tc.wantErr != "" {
			assert.EqualError(t, err, tc.wantErr, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, attentionName(tc.want), got.String())
	}
}

func attentionName(m backbone.AttentionMode) string {
	return map[backbone.AttentionMode]string{backbone.AttentionAuto: "auto", backbone.AttentionFull: "full",
		backbone.AttentionChunked: "chunked", backbone.AttentionFused: "fused"}[m]
}

func TestCheckAttention(t *testing.T) {
	backend := testutil.Backend(t)
	for _, m := range backbone.AttentionModes(backend) {
		assert.NoError(t, backbone.Execution{Attention: m}.CheckAttention(backend), m.String())
	}
	assert.ErrorContains(t, backbone.Execution{AttentionChunk: -1}.CheckAttention(backend), "chunk size must be positive")
	assert.ErrorContains(t, backbone.Execution{Attention: 9}.CheckAttention(backend), "is not available on backend")
}

// longClipEncoder is a two-block RoPE ViT-Tiny with random weights and a 32-frame 64-px
// clip: 256 tokens, several chunks of the chunk sizes below.
func longClipEncoder(t *testing.T) (backbone.Config, backbone.HostParams, backbone.HostTensor) {
	t.Helper()
	c, err := backbone.Preset("vit_tiny")
	require.NoError(t, err)
	c.Depth, c.NumFrames, c.CropSize, c.UseRoPE = 2, 32, 64, true
	rng := rand.New(rand.NewPCG(3, 4))
	params, err := backbone.InitEncoder(c, rng)
	require.NoError(t, err)
	for name, v := range params { // non-zero biases and norms, so every term is exercised
		if len(v) <= c.MLPHidden() {
			backbone.TruncNormal(v, 0.5, rng)
			if name[len(name)-6:] == "weight" {
				for i := range v {
					v[i]++
				}
			}
		}
	}
	clip := backbone.HostTensor{Shape: []int{1, 3, c.NumFrames, c.CropSize, c.CropSize}}
	clip.F32 = make([]float32, 3*c.NumFrames*c.CropSize*c.CropSize)
	for i := range clip.F32 {
		clip.F32[i] = float32(rng.NormFloat64())
	}
	return c, params, clip
}

// TestChunkedEqualsFullLongClip: the encoder with chunked attention (chunk sizes that divide
// the 256 tokens and one that leaves a short last chunk) gives the full computation's output
// within 1e-6 of its largest magnitude, and so do the fused and automatic modes.
func TestChunkedEqualsFullLongClip(t *testing.T) {
	backend := testutil.Backend(t)
	c, params, clip := longClipEncoder(t)
	run := func(e backbone.Execution) backbone.HostTensor {
		cc := c
		cc.Exec = e
		r, err := backbone.NewEncoderRunner(backend, cc, params, false)
		require.NoError(t, err)
		out, _, err := r.Run(clip, nil)
		require.NoError(t, err)
		return out
	}
	want := run(backbone.Execution{Attention: backbone.AttentionFull})
	for _, e := range []backbone.Execution{
		{Attention: backbone.AttentionChunked, AttentionChunk: 64},
		{Attention: backbone.AttentionChunked, AttentionChunk: 100},
		{Attention: backbone.AttentionChunked, AttentionChunk: 1},
		{Attention: backbone.AttentionFused},
		{},
	} {
		_, rel := diffStats(t, want, run(e))
		t.Logf("%s: max|Δ|/max|want| %.2e", e, rel)
		assert.LessOrEqual(t, rel, 1e-6, e.String())
	}
}

// attentionGradients returns the attention output and its gradients with respect to q, k
// and v for a fixed random cotangent, with attention computed by attend.
func attentionGradients(t *testing.T, backend compute.Backend, attend func(q, k, v *Node) *Node, q, k, v *tensors.Tensor) [][]float32 {
	t.Helper()
	exec, err := NewExec(backend, func(q, k, v *Node) []*Node {
		out := attend(q, k, v)
		weights := Sin(Iota(q.Graph(), out.Shape(), 1)) // a fixed cotangent that varies by query
		loss := ReduceAllSum(Mul(out, weights))
		return append([]*Node{out}, Gradient(loss, q, k, v)...)
	})
	require.NoError(t, err)
	res, err := exec.Call(q, k, v)
	require.NoError(t, err)
	var flat [][]float32
	for _, r := range res {
		flat = append(flat, tensors.MustCopyFlatData[float32](r))
	}
	return flat
}

// TestChunkedAttentionGradient: the gradient through chunked attention (each chunk a
// checkpointed segment) equals the full computation's.
func TestChunkedAttentionGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	random := func(dims ...int) *tensors.Tensor {
		v := make([]float32, dims[0]*dims[1]*dims[2]*dims[3])
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	q, k, v := random(2, 37, 3, 8), random(2, 41, 3, 8), random(2, 41, 3, 8)
	backend := testutil.Backend(t)
	want := attentionGradients(t, backend, backbone.ScaledDotProductAttention, q, k, v)
	got := attentionGradients(t, backend, func(q, k, v *Node) *Node { return backbone.ChunkedAttention(q, k, v, 10) }, q, k, v)
	for i, name := range []string{"output", "dq", "dk", "dv"} {
		m := 0.0
		for j := range want[i] {
			m = math.Max(m, math.Abs(float64(got[i][j]-want[i][j])))
		}
		assert.LessOrEqual(t, m, 1e-5, name)
	}
}

// TestChunkedAttentionRecomputes: in a gradient graph, every chunk's scores are computed
// twice (forward, and again in the backward pass from the checkpointed chunk), and no node
// holds the scores of all queries at once.
func TestChunkedAttentionRecomputes(t *testing.T) {
	backend := testutil.Backend(t)
	g := NewGraph(backend, "chunked_gradient")
	param := func(name string, n int) *Node { return Parameter(g, name, shapes.Make(dtypes.Float32, 1, n, 2, 4)) }
	q, k, v := param("q", 30), param("k", 30), param("v", 30)
	out := backbone.ChunkedAttention(q, k, v, 10)
	Gradient(ReduceAllSum(out), q, k, v)
	chunkScores := 0
	for _, n := range g.Nodes() {
		if n.Type() != NodeTypeDotGeneral {
			continue
		}
		dims := n.Shape().Dimensions
		require.False(t, fmt.Sprint(dims) == "[1 2 30 30]", "a node holds all the scores")
		if fmt.Sprint(dims) == "[1 2 10 30]" {
			chunkScores++
		}
	}
	// Without recomputation there are 6: each chunk's scores and their gradient.
	assert.GreaterOrEqual(t, chunkScores, 9, "3 chunks: scores, recomputed scores and score gradient each")
}

func ExampleParseAttentionMode() {
	mode, err := backbone.ParseAttentionMode("chunked")
	fmt.Println(mode, err)
	_, err = backbone.ParseAttentionMode("flash")
	fmt.Println(err)
	// Output:
	// chunked <nil>
	// unknown attention mode "flash" (valid: auto, full, chunked, fused)
}

// TestChunkedCheckpointedEncoderGradient: the weight gradients of a RoPE encoder with chunked
// attention inside checkpointed blocks (nested checkpoints) equal the plain encoder's.
func TestChunkedCheckpointedEncoderGradient(t *testing.T) {
	backend := testutil.Backend(t)
	c, params, clip := longClipEncoder(t)
	c.NumFrames, c.CropSize = 8, 32 // 16 tokens: chunks of 5, 5, 5 and 1
	clip.Shape[2], clip.Shape[3], clip.Shape[4] = 8, 32, 32
	clip.F32 = clip.F32[:3*8*32*32]
	table, width, err := backbone.EncoderPositions(c, nil, 8, 32, 32)
	require.NoError(t, err)
	names := []string{"blocks.0.attn.qkv.weight", "blocks.1.mlp.fc1.weight", "patch_embed.proj.weight"}
	grads := func(e backbone.Execution) [][]float32 {
		cc := c
		cc.Exec = e
		exec, err := NewExec(backend, func(x, pos *Node) []*Node {
			w := backbone.Weights{}
			var targets []*Node
			for _, s := range backbone.EncoderSpecs(cc) {
				w[s.Name] = Reshape(Const(x.Graph(), params[s.Name]), s.Shape...)
				for _, n := range names {
					if n == s.Name {
						targets = append(targets, w[s.Name])
					}
				}
			}
			out, _ := backbone.Encode(cc, w, x, pos, nil, false)
			return Gradient(ReduceAllMean(Mul(out, Sin(Iota(x.Graph(), out.Shape(), 1)))), targets...)
		})
		require.NoError(t, err)
		res, err := exec.Call(tensors.FromFlatDataAndDimensions(clip.F32, clip.Shape...),
			tensors.FromFlatDataAndDimensions(table, len(table)/width, width))
		require.NoError(t, err)
		var flat [][]float32
		for _, r := range res {
			flat = append(flat, tensors.MustCopyFlatData[float32](r))
		}
		return flat
	}
	want := grads(backbone.Execution{Attention: backbone.AttentionFull})
	got := grads(backbone.Execution{Attention: backbone.AttentionChunked, AttentionChunk: 5, GradCheckpointing: true})
	for i, name := range names {
		scale, d := 0.0, 0.0
		for j := range want[i] {
			scale = math.Max(scale, math.Abs(float64(want[i][j])))
			d = math.Max(d, math.Abs(float64(got[i][j]-want[i][j])))
		}
		require.Greater(t, scale, 0.0, name)
		assert.LessOrEqual(t, d/scale, 1e-5, name)
	}
}

func TestPlanAttention(t *testing.T) {
	backend := testutil.Backend(t) // the Go backend: auto never picks its slow fused loop
	for _, tc := range []struct {
		name                 string
		exec                 backbone.Execution
		batch, heads, nq, nk int
		want                 backbone.AttentionPlan
		wantScoreMiB         int64
	}{
		{"auto, ViT-L 16x256 fits", backbone.Execution{}, 1, 16, 2048, 2048, backbone.AttentionPlan{}, 256},
		{"auto, ViT-L 64x256 chunked", backbone.Execution{}, 1, 16, 8192, 8192, backbone.AttentionPlan{Chunk: 512}, 256},
		{"auto, chunk size set", backbone.Execution{AttentionChunk: 1024}, 1, 16, 8192, 8192, backbone.AttentionPlan{Chunk: 1024}, 512},
		{"full", backbone.Execution{Attention: backbone.AttentionFull}, 1, 16, 8192, 8192, backbone.AttentionPlan{}, 4096},
		{"chunked, fits in one chunk", backbone.Execution{Attention: backbone.AttentionChunked}, 1, 16, 2048, 2048, backbone.AttentionPlan{}, 256},
		{"chunked, set", backbone.Execution{Attention: backbone.AttentionChunked, AttentionChunk: 100}, 2, 6, 1568, 1568, backbone.AttentionPlan{Chunk: 100}, 7},
		{"fused, fallback chunked", backbone.Execution{Attention: backbone.AttentionFused}, 1, 16, 8192, 8192, backbone.AttentionPlan{Fused: true, Chunk: 512}, 256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.exec.PlanAttention(backend, tc.batch, tc.heads, tc.nq, tc.nk)
			assert.Equal(t, tc.want, p)
			assert.Equal(t, tc.wantScoreMiB, p.ScoreBytes(tc.batch, tc.heads, tc.nq, tc.nk)>>20)
		})
	}
}

// ExampleExecution_PlanAttention shows how a V-JEPA 2 ViT-L 64-frame 256-px clip's attention
// (8192 tokens, 16 heads) is computed on the Go backend by default.
func ExampleExecution_PlanAttention() {
	goBackend, err := goconfig.New("")
	if err != nil {
		panic(err)
	}
	p := backbone.Execution{}.PlanAttention(goBackend, 1, 16, 8192, 8192)
	fmt.Printf("%+v, %d MiB of scores at a time\n", p, p.ScoreBytes(1, 16, 8192, 8192)>>20)
	// Output: {Fused:false Chunk:512}, 256 MiB of scores at a time
}
