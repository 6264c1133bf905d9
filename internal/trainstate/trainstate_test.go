package trainstate_test

import (
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/optim"
	"github.com/vjepa-go/vjepa/internal/testutil"
	ts "github.com/vjepa-go/vjepa/internal/trainstate"
)

func TestExecNamesSurviveTheFlatOrder(t *testing.T) {
	exec, err := ts.NewExec(testutil.Backend(t), func(in ts.Nodes) ts.Nodes {
		return ts.Nodes{"sum": {Add(in["b"][0], in["b"][1])}, "a": {Neg(in.One("a"))}}
	})
	require.NoError(t, err)
	for _, n := range []float32{1, 2} { // the second call reuses the compiled graph
		out, err := exec.Call(ts.Tensors{"b": {tensors.FromScalar(n), tensors.FromScalar(float32(10))}, "a": {tensors.FromScalar(float32(3))}})
		require.NoError(t, err)
		assert.InDelta(t, 10+n, out.Scalar("sum"), 0)
		assert.InDelta(t, -3, out.Scalar("a"), 0)
		out.Free()
	}
}

func TestGroupStepAndReplace(t *testing.T) {
	params := []ts.Param{{Name: "w", Shape: []int{2, 2}}, {Name: "b", Shape: []int{2}}}
	g, err := ts.NewGroup(params, map[string][]float32{"w": {1, 2, 3, 4}, "b": {5, 6}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "b", g.Params[0].Name, "sorted by name")
	assert.Equal(t, []bool{false, true}, g.Decayed)

	exec, err := ts.NewExec(testutil.Backend(t), func(in ts.Nodes) ts.Nodes {
		st := ts.ReadState(in, "g")
		grads := make([]*Node, len(st.Params))
		for i, p := range st.Params {
			grads[i] = OnesLike(p)
		}
		next, norm := optim.Step(st, grads, g.Decayed, ts.ReadScalars(in, "opt"))
		out := ts.Nodes{"norm": {norm}}
		ts.WriteState(out, "g", next)
		return out
	})
	require.NoError(t, err)
	in := ts.Tensors{}
	g.Put(in, "g")
	ts.PutScalars(in, "opt", optim.StepScalars(1, 0.1, 0, 0))
	out, err := exec.Call(in)
	require.NoError(t, err)
	g.Replace(out, "g")
	assert.InDelta(t, 2.449489, out.Scalar("norm"), 1e-5) // √6
	// Adam's first step moves every parameter by lr against the gradient's sign.
	assert.InDeltaSlice(t, []float32{0.9, 1.9, 2.9, 3.9}, g.Host()["w"], 1e-5)
	assert.InDeltaSlice(t, []float32{0.1, 0.1}, g.HostMoments()["b"][0], 1e-6)

	_, err = ts.NewGroup(params, map[string][]float32{"w": {1}}, nil)
	assert.ErrorContains(t, err, "parameter b has 0 values")
}
