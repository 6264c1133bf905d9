package torchckpt

import (
	"fmt"
)

// OptimizerState is a decoded torch.optim state_dict() (e.g. AdamW):
// per-parameter state keyed by parameter index, and the parameter groups.
type OptimizerState struct {
	// Indices lists the parameter indices that have state, in file order.
	Indices []int
	// Params maps a parameter index to its state.
	Params map[int]*ParamState
	Groups []ParamGroup
}

// ParamState is the optimizer state of one parameter.
type ParamState struct {
	// Step is the step count, stored as a float or a 0-d tensor.
	Step float64
	// Tensors holds the tensor entries by name (exp_avg, exp_avg_sq, ...).
	Tensors map[string]*TensorRef
}

// ParamGroup is one parameter group: the indices of its parameters and its
// hyper-parameters (lr, weight_decay, betas, eps, ... and any extra keys).
type ParamGroup struct {
	Params  []int
	Options *OrderedDict
}

// Float returns a numeric hyper-parameter of the group.
func (g ParamGroup) Float(name string) (float64, bool) {
	v, ok := g.Options.Get(name)
	if !ok {
		return 0, false
	}
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// Optimizer decodes the optimizer state dict at path (see [File.Lookup]),
// e.g. "opt". Tensor steps are read from the file; other tensors are not.
func (f *File) Optimizer(path string) (*OptimizerState, error) {
	st, err := f.optimizer(path)
	if err != nil {
		return nil, fmt.Errorf("%s: optimizer %s: %w", f.path, path, err)
	}
	return st, nil
}

func (f *File) optimizer(path string) (*OptimizerState, error) {
	v, err := lookup(f.top, path)
	if err != nil {
		return nil, err
	}
	d, ok := v.(*OrderedDict)
	if !ok {
		return nil, fmt.Errorf("is a %T, not a dict", v)
	}
	st := &OptimizerState{Params: make(map[int]*ParamState)}
	sv, ok := d.Get("state")
	state, ok2 := sv.(*OrderedDict)
	if !ok || !ok2 {
		return nil, fmt.Errorf("no 'state' dict")
	}
	for i, k := range state.Keys() {
		idx, ok := k.(int64)
		if !ok {
			return nil, fmt.Errorf("state key %v is not an int", k)
		}
		ps, ok := state.Values()[i].(*OrderedDict)
		if !ok {
			return nil, fmt.Errorf("state[%d] is a %T, not a dict", idx, state.Values()[i])
		}
		p := &ParamState{Tensors: make(map[string]*TensorRef)}
		for j, name := range ps.StringKeys() {
			val := ps.Values()[j]
			if name == "step" {
				if p.Step, err = f.scalar(val); err != nil {
					return nil, fmt.Errorf("state[%d].step: %w", idx, err)
				}
				continue
			}
			if t, ok := val.(*TensorRef); ok {
				p.Tensors[name] = t
			}
		}
		st.Indices = append(st.Indices, int(idx))
		st.Params[int(idx)] = p
	}
	gv, _ := d.Get("param_groups")
	groups, ok := gv.(*List)
	if !ok {
		return nil, fmt.Errorf("no 'param_groups' list")
	}
	for i, g := range groups.Items {
		gd, ok := g.(*OrderedDict)
		if !ok {
			return nil, fmt.Errorf("param_groups[%d] is a %T, not a dict", i, g)
		}
		pg := ParamGroup{Options: NewDict()}
		for j, name := range gd.StringKeys() {
			val := gd.Values()[j]
			if name != "params" {
				pg.Options.Set(name, val)
				continue
			}
			l, ok := val.(*List)
			if !ok {
				return nil, fmt.Errorf("param_groups[%d].params is a %T, not a list", i, val)
			}
			for _, x := range l.Items {
				n, ok := x.(int64)
				if !ok {
					return nil, fmt.Errorf("param_groups[%d].params holds a %T", i, x)
				}
				pg.Params = append(pg.Params, int(n))
			}
		}
		st.Groups = append(st.Groups, pg)
	}
	return st, nil
}
