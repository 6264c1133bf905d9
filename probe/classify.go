package probe

import (
	"fmt"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/vjepa-go/vjepa/backbone"
)

// Applied is a probe head's output on a batch of frozen tokens.
type Applied struct {
	Logits backbone.HostTensor // [B,C]
	Pooled backbone.HostTensor // [B,D]: the pooler's output, the classifier's input
	// Blocks are the outputs of the pooler's self-attention blocks, in order: [B,N,D] over
	// the tokens (Attentive4) or [B,1,D] on the query (Attentive at depth > 1).
	Blocks []backbone.HostTensor
}

// Apply runs one probe head (parameters params of model m, e.g. one head of a
// [LoadCheckpoint]) on tokens x [B,N,D] in float32.
func Apply(backend compute.Backend, m Model, params backbone.HostParams, x backbone.HostTensor) (*Applied, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if len(x.Shape) != 3 || x.Shape[0] < 1 || x.Shape[1] < 1 {
		return nil, fmt.Errorf("probe input must have shape [B,N,D] with B, N ≥ 1, got %v", x.Shape)
	}
	if x.Shape[2] != m.EmbedDim {
		return nil, fmt.Errorf("probe input has width D=%d, the probe expects %d", x.Shape[2], m.EmbedDim)
	}
	if len(x.F32) != x.Shape[0]*x.Shape[1]*x.Shape[2] {
		return nil, fmt.Errorf("probe input holds %d float32 values, shape %v needs %d", len(x.F32), x.Shape, x.Shape[0]*x.Shape[1]*x.Shape[2])
	}
	pt, err := backbone.NewParamTensors(params, m.Specs())
	if err != nil {
		return nil, fmt.Errorf("probe parameters: %w", err)
	}
	exec, err := NewExec(backend, func(g *Graph, in []*Node) []*Node {
		w, data := pt.Bind(g, in)
		pooled, blocks := m.PoolTrace(w, data[0])
		return append([]*Node{backbone.Linear(pooled, w, "linear"), pooled}, blocks...)
	})
	if err != nil {
		return nil, fmt.Errorf("probe graph: %w", err)
	}
	out, err := exec.Call(pt.Args(tensors.FromFlatDataAndDimensions(x.F32, x.Shape...))...)
	if err != nil {
		return nil, fmt.Errorf("apply probe: %w", err)
	}
	host := func(t *tensors.Tensor) backbone.HostTensor {
		return backbone.HostTensor{Shape: t.Shape().Dimensions, F32: tensors.MustCopyFlatData[float32](t)}
	}
	a := &Applied{Logits: host(out[0]), Pooled: host(out[1])}
	for _, t := range out[2:] {
		a.Blocks = append(a.Blocks, host(t))
	}
	return a, nil
}
