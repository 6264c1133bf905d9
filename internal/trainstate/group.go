package trainstate

import (
	"fmt"
	"sort"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/vjepa-go/vjepa/internal/optim"
)

// Param names one trainable tensor.
type Param struct {
	Name  string
	Shape []int
}

// Size is the number of elements.
func (p Param) Size() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// Group is one set of trainable parameters (a model, or one probe head of a sweep) and its
// optimiser state on the device, sorted by parameter name.
type Group struct {
	Params  []Param
	Decayed []bool // the official decay rule, [optim.Decayed]
	State   optim.State[*tensors.Tensor]
}

// NewGroup uploads values and moments (by parameter name; a missing moment starts at zero,
// as a fresh optimiser) for params.
func NewGroup(params []Param, values map[string][]float32, moments map[string][2][]float32) (*Group, error) {
	g := &Group{Params: append([]Param(nil), params...)}
	sort.Slice(g.Params, func(i, j int) bool { return g.Params[i].Name < g.Params[j].Name })
	for _, p := range g.Params {
		v, ok := values[p.Name]
		if !ok || len(v) != p.Size() {
			return nil, fmt.Errorf("parameter %s has %d values, want %d", p.Name, len(v), p.Size())
		}
		mv, ok := moments[p.Name]
		if !ok {
			mv = [2][]float32{make([]float32, p.Size()), make([]float32, p.Size())}
		}
		if len(mv[0]) != p.Size() || len(mv[1]) != p.Size() {
			return nil, fmt.Errorf("optimizer state of %s has %d/%d values, want %d", p.Name, len(mv[0]), len(mv[1]), p.Size())
		}
		host := map[string][]float32{"Params": v, "M": mv[0], "V": mv[1]}
		g.State.Each(func(name string, list *[]*tensors.Tensor) {
			data, ok := host[name]
			if !ok { // a state tensor the checkpoints do not hold: zeros
				data = make([]float32, p.Size())
			}
			*list = append(*list, tensors.FromFlatDataAndDimensions(append([]float32(nil), data...), p.Shape...))
		})
		g.Decayed = append(g.Decayed, optim.Decayed(p.Name, p.Shape))
	}
	return g, nil
}

// Put adds the group's state to a graph's inputs, under prefix.
func (g *Group) Put(in Tensors, prefix string) {
	g.State.Each(func(name string, list *[]*tensors.Tensor) { in[prefix+"."+name] = *list })
}

// PutParams adds only the group's parameters to a graph's inputs, under prefix.
func (g *Group) PutParams(in Tensors, prefix string) { in[prefix+".Params"] = g.State.Params }

// Replace takes the group's new state from a graph's outputs under prefix and frees the old.
func (g *Group) Replace(out Tensors, prefix string) {
	g.State.Each(func(name string, list *[]*tensors.Tensor) {
		freeList(*list)
		*list = out[prefix+"."+name]
	})
}

// Free releases the group's device state.
func (g *Group) Free() {
	g.State.Each(func(_ string, list *[]*tensors.Tensor) { freeList(*list) })
}

// Host copies the parameters to the host.
func (g *Group) Host() map[string][]float32 {
	out := map[string][]float32{}
	for i, p := range g.Params {
		out[p.Name] = tensors.MustCopyFlatData[float32](g.State.Params[i])
	}
	return out
}

// HostMoments copies the AdamW moments (first, second) to the host.
func (g *Group) HostMoments() map[string][2][]float32 {
	out := map[string][2][]float32{}
	for i, p := range g.Params {
		out[p.Name] = [2][]float32{tensors.MustCopyFlatData[float32](g.State.M[i]), tensors.MustCopyFlatData[float32](g.State.V[i])}
	}
	return out
}

// ReadState returns the group's state among a graph's inputs under prefix.
func ReadState(in Nodes, prefix string) optim.State[*graph.Node] {
	var st optim.State[*graph.Node]
	st.Each(func(name string, list *[]*graph.Node) { *list = in[prefix+"."+name] })
	return st
}

// ReadParams returns the group's parameters among a graph's inputs under prefix.
func ReadParams(in Nodes, prefix string) []*graph.Node { return in[prefix+".Params"] }

// WriteState adds a group's new state to a graph's outputs under prefix.
func WriteState(out Nodes, prefix string, st optim.State[*graph.Node]) {
	st.Each(func(name string, list *[]*graph.Node) { out[prefix+"."+name] = *list })
}

// Weights names the nodes of the group's parameters, for the model code.
func (g *Group) Weights(params []*graph.Node) map[string]*graph.Node {
	w := make(map[string]*graph.Node, len(params))
	for i, p := range g.Params {
		w[p.Name] = params[i]
	}
	return w
}

// PutScalars adds one step's scalars to a graph's inputs under prefix.
func PutScalars(in Tensors, prefix string, sc optim.Scalars[float64]) {
	sc.Each(func(name string, v *float64) { in.PutScalar(prefix+"."+name, *v) })
}

// ReadScalars returns one step's scalars among a graph's inputs under prefix.
func ReadScalars(in Nodes, prefix string) optim.Scalars[*graph.Node] {
	var sc optim.Scalars[*graph.Node]
	sc.Each(func(name string, v **graph.Node) { *v = in.One(prefix + "." + name) })
	return sc
}
