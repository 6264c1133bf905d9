package trainstate

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Tensors are a graph's named inputs or outputs on the device: each name holds a list.
type Tensors map[string][]*tensors.Tensor

// Nodes are a graph's named inputs or outputs inside the graph.
type Nodes map[string][]*graph.Node

// Free releases every tensor of t on the device.
func (t Tensors) Free() {
	for _, list := range t {
		freeList(list)
	}
}

func freeList(list []*tensors.Tensor) {
	for _, x := range list {
		x.FinalizeAll()
	}
}

// PutScalar sets name to the float32 scalar v (the graphs compute in float32).
func (t Tensors) PutScalar(name string, v float64) {
	t[name] = []*tensors.Tensor{tensors.FromScalar(float32(v))}
}

// Scalar returns the scalar output name as float64.
func (t Tensors) Scalar(name string) float64 { return float64(tensors.ToScalar[float32](t.One(name))) }

// Scalars returns the scalars of the list output name as float64.
func (t Tensors) Scalars(name string) []float64 {
	out := make([]float64, len(t[name]))
	for i, x := range t[name] {
		out[i] = float64(tensors.ToScalar[float32](x))
	}
	return out
}

// One returns the single tensor named name; a missing name or a list panics (a bug of the
// graph's builder, not of its input).
func (t Tensors) One(name string) *tensors.Tensor { return one(t, name) }

// One returns the single node named name; a missing name or a list panics, which the GoMLX
// executor turns into an error of the call naming it.
func (n Nodes) One(name string) *graph.Node { return one(n, name) }

func one[T any](m map[string][]T, name string) T {
	if len(m[name]) != 1 {
		panic(fmt.Sprintf("trainstate: %q holds %d values, want 1", name, len(m[name])))
	}
	return m[name][0]
}

// layout is the order of a flat argument or result list: names sorted, each with its count.
type layout struct {
	names  []string
	counts []int
}

func layoutOf[T any](m map[string][]T) layout {
	var l layout
	for name := range m {
		l.names = append(l.names, name)
	}
	sort.Strings(l.names)
	for _, name := range l.names {
		l.counts = append(l.counts, len(m[name]))
	}
	return l
}

func (l layout) key() string {
	var b strings.Builder
	for i, name := range l.names {
		fmt.Fprintf(&b, "%s:%d;", name, l.counts[i])
	}
	return b.String()
}

func flatten[T any](l layout, m map[string][]T) []T {
	var out []T
	for _, name := range l.names {
		out = append(out, m[name]...)
	}
	return out
}

func unflatten[T any](l layout, flat []T) map[string][]T {
	m := make(map[string][]T, len(l.names))
	for i, name := range l.names {
		m[name], flat = flat[:l.counts[i]:l.counts[i]], flat[l.counts[i]:]
	}
	return m
}

// Exec is a GoMLX executor whose graph reads and writes named lists. The flat order GoMLX
// needs (names sorted) is made and undone here only. Calls are serialised.
type Exec struct {
	exec  *graph.Exec
	build func(Nodes) Nodes

	mu      sync.Mutex
	input   layout            // layout of the call in progress, read by the graph builder
	outputs map[string]layout // output layout by input layout key
}

// NewExec prepares build; it is compiled on the first call for each set of input shapes.
func NewExec(backend compute.Backend, build func(in Nodes) Nodes) (*Exec, error) {
	e := &Exec{build: build, outputs: map[string]layout{}}
	var err error
	if e.exec, err = graph.NewExec(backend, e.buildFlat); err != nil {
		return nil, err
	}
	return e, nil
}

// SetMaxCache sets how many compiled graphs (one per set of input shapes) are kept.
func (e *Exec) SetMaxCache(n int) { e.exec.SetMaxCache(n) }

func (e *Exec) buildFlat(flat []*graph.Node) []*graph.Node {
	out := e.build(unflatten(e.input, flat))
	l := layoutOf(out)
	e.outputs[e.input.key()] = l
	return flatten(l, out)
}

// Call runs the graph on in and returns its named outputs.
func (e *Exec) Call(in Tensors) (Tensors, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.input = layoutOf(in)
	flat := flatten(e.input, in)
	args := make([]any, len(flat))
	for i, x := range flat {
		args[i] = x
	}
	out, err := e.exec.Call(args...)
	if err != nil {
		return nil, err
	}
	l, ok := e.outputs[e.input.key()]
	if !ok || len(out) != sumCounts(l) {
		return nil, fmt.Errorf("trainstate: graph returned %d outputs, none or another count recorded for its inputs", len(out))
	}
	return unflatten(l, out), nil
}

func sumCounts(l layout) int {
	n := 0
	for _, c := range l.counts {
		n += c
	}
	return n
}
