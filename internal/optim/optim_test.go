package optim

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
)

// adamWRef is torch.optim.AdamW's update for one parameter in float64, written from the
// algorithm in the PyTorch documentation: decoupled decay, then Adam with bias corrections.
func adamWRef(p, g, m, v []float64, lr, wd float64, step int, decayed bool) {
	bc1 := 1 - math.Pow(Beta1, float64(step))
	bc2 := 1 - math.Pow(Beta2, float64(step))
	for i := range p {
		if decayed {
			p[i] *= 1 - lr*wd
		}
		m[i] = Beta1*m[i] + (1-Beta1)*g[i]
		v[i] = Beta2*v[i] + (1-Beta2)*g[i]*g[i]
		p[i] -= lr / bc1 * m[i] / (math.Sqrt(v[i])/math.Sqrt(bc2) + Eps)
	}
}

func TestAdamWMatchesTorchAlgorithm(t *testing.T) {
	backend := testutil.Backend(t)
	exec, err := NewExec(backend, func(in []*Node) []*Node {
		st := AdamW(State[*Node]{Params: in[0:2], M: in[4:6], V: in[6:8]}, in[2:4], []bool{true, false},
			Scalars[*Node]{LR: in[8], WeightDecay: in[9], BC1: in[10], BC2: in[11]})
		return append(append(st.Params, st.M...), st.V...)
	})
	require.NoError(t, err)

	params := [][]float64{{0.5, -1.25, 2}, {0.1, 0.2}}
	grads := [][]float64{{0.3, -0.02, 1.5}, {-4, 0.001}}
	m := [][]float64{{0, 0, 0}, {0, 0}}
	v := [][]float64{{0, 0, 0}, {0, 0}}
	f32 := func(x []float64) *tensors.Tensor {
		out := make([]float32, len(x))
		for i := range x {
			out[i] = float32(x[i])
		}
		return tensors.FromFlatDataAndDimensions(out, len(x))
	}
	const lr, wd = 1e-2, 0.05
	for step := 1; step <= 3; step++ {
		args := []any{}
		for _, group := range [][][]float64{params, grads, m, v} {
			for _, x := range group {
				args = append(args, f32(x))
			}
		}
		sc := StepScalars(int64(step), lr, wd, 0)
		args = append(args, float32(sc.LR), float32(sc.WeightDecay), float32(sc.BC1), float32(sc.BC2))
		out, err := exec.Call(args...)
		require.NoError(t, err)
		for i := range params {
			adamWRef(params[i], grads[i], m[i], v[i], lr, wd, step, i == 0)
		}
		for i, want := range [][]float64{params[0], params[1], m[0], m[1], v[0], v[1]} {
			got := tensors.MustCopyFlatData[float32](out[i])
			for j := range want {
				assert.InDelta(t, want[j], float64(got[j]), 1e-6*math.Max(1, math.Abs(want[j])), "step %d output %d[%d]", step, i, j)
			}
		}
		// The first step moves every parameter by about lr (Adam's normalised step) plus decay.
		if step == 1 {
			assert.InDelta(t, 0.5*(1-lr*wd)-lr, params[0][0], 1e-6)
		}
	}
}

func TestClipByGlobalNorm(t *testing.T) {
	backend := testutil.Backend(t)
	exec, err := NewExec(backend, func(in []*Node) []*Node {
		out, norm := ClipByGlobalNorm(in[:2], in[2])
		return append(out, norm)
	})
	require.NoError(t, err)
	a := tensors.FromFlatDataAndDimensions([]float32{3, 0}, 2)
	b := tensors.FromFlatDataAndDimensions([]float32{0, 4}, 2) // global norm 5
	tests := []struct {
		name    string
		maxNorm float32
		scale   float64
	}{
		{"clipped", 1, 1 / (5 + 1e-6)},
		{"below the limit", 10, 1},
		{"disabled", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Call(a, b, tt.maxNorm)
			require.NoError(t, err)
			assert.InDelta(t, 5, float64(tensors.MustCopyFlatData[float32](out[2])[0]), 1e-6)
			assert.InDelta(t, 3*tt.scale, float64(tensors.MustCopyFlatData[float32](out[0])[0]), 1e-6)
			assert.InDelta(t, 4*tt.scale, float64(tensors.MustCopyFlatData[float32](out[1])[1]), 1e-6)
		})
	}
}

func TestDecayed(t *testing.T) {
	tests := []struct {
		name  string
		shape []int
		want  bool
	}{
		{"blocks.0.attn.qkv.weight", []int{24, 8}, true},
		{"blocks.0.attn.qkv.bias", []int{24}, false},
		{"norm.weight", []int{8}, false}, // 1-D
		{"mask_tokens.0", []int{1, 1, 8}, true},
		{"some_bias_table", []int{4, 4}, false}, // the official rule matches "bias" anywhere
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Decayed(tt.name, tt.shape), tt.name)
	}
}

func TestScalarsEachNamesEveryField(t *testing.T) {
	sc := StepScalars(2, 0.1, 0.2, 1)
	var names []string
	sum := 0.0
	sc.Each(func(name string, v *float64) { names = append(names, name); sum += *v })
	assert.Equal(t, []string{"LR", "WeightDecay", "BC1", "BC2", "ClipNorm"}, names)
	assert.InDelta(t, 0.1+0.2+(1-0.81)+(1-0.999*0.999)+1, sum, 1e-12)
}
