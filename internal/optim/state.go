package optim

import (
	"reflect"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
)

// Value is a tensor on the device or a node in a graph.
type Value interface{ *tensors.Tensor | *Node }

// HostOrNode is a host value or a node in a graph.
type HostOrNode interface{ float64 | *Node }

// State is what one optimiser step reads and writes for a parameter group: the parameters
// and their AdamW moments, one entry per parameter in the group's order. T is
// *tensors.Tensor on the device or *Node inside a graph. Packing, upload, host copies and
// the swap after a step all walk the fields with [State.Each], so a new state tensor is one
// field here (and its update in [AdamW]).
type State[T Value] struct {
	Params []T // the trainable parameters
	M      []T // AdamW first moments (exp_avg)
	V      []T // AdamW second moments (exp_avg_sq)
}

// Each calls fn with the name and the address of every list of s, in declaration order.
func (s *State[T]) Each(fn func(name string, list *[]T)) {
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		fn(v.Type().Field(i).Name, v.Field(i).Addr().Interface().(*[]T))
	}
}

// Scalars are the per-step scalars of one optimiser step: float64 on the host or *Node
// inside a graph. Host values come from [StepScalars]; packing walks the fields with
// [Scalars.Each], so a new scalar is one field here with its value in StepScalars.
type Scalars[T HostOrNode] struct {
	LR          T // learning rate
	WeightDecay T // decoupled weight decay of the decayed parameters
	BC1, BC2    T // bias corrections 1−β1^t and 1−β2^t, computed in float64 on the host
	ClipNorm    T // max global gradient norm before the step; ≤ 0 disables clipping
}

// Each calls fn with the name and the address of every scalar of s, in declaration order.
func (s *Scalars[T]) Each(fn func(name string, v *T)) {
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		fn(v.Type().Field(i).Name, v.Field(i).Addr().Interface().(*T))
	}
}
