package torchckpt

import (
	"fmt"

	"github.com/vjepa-go/vjepa/internal/npy"
)

// StateDict is a name -> tensor mapping of a checkpoint, such as a model's
// state_dict(). Its tensors are read on demand.
type StateDict struct {
	f       *File
	path    string
	names   []string
	tensors map[string]*TensorRef
}

// StateDict returns the state dict at path (see [File.Lookup]), e.g.
// "encoder", "target_encoder" or "classifiers[0]". Entries that are not
// tensors are skipped.
func (f *File) StateDict(path string) (*StateDict, error) {
	v, err := f.Lookup(path)
	if err != nil {
		return nil, err
	}
	d, ok := v.(*OrderedDict)
	if !ok {
		return nil, fmt.Errorf("%s: %s is a %T, not a state dict", f.path, path, v)
	}
	s := &StateDict{f: f, path: path, tensors: make(map[string]*TensorRef, d.Len())}
	for i, k := range d.Keys() {
		t, ok := d.Values()[i].(*TensorRef)
		if !ok {
			continue
		}
		name := keyString(k)
		s.names = append(s.names, name)
		s.tensors[name] = t
	}
	return s, nil
}

// Names returns the tensor names in file order.
func (s *StateDict) Names() []string { return s.names }

// Len returns the number of tensors.
func (s *StateDict) Len() int { return len(s.names) }

// Tensor returns the reference of a tensor.
func (s *StateDict) Tensor(name string) (*TensorRef, bool) {
	t, ok := s.tensors[name]
	return t, ok
}

// Info returns the shape and storage dtype of a tensor.
func (s *StateDict) Info(name string) (shape []int, dtype string, ok bool) {
	t, ok := s.tensors[name]
	if !ok {
		return nil, "", false
	}
	return t.Shape, t.DType, true
}

// Read reads one tensor as float32 in C order, with its shape. Only that
// tensor's bytes are read.
func (s *StateDict) Read(name string) ([]float32, []int, error) {
	a, err := s.ReadArray(name)
	if err != nil {
		return nil, nil, err
	}
	data, err := toFloat32(a)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %s/%s: %w", s.f.path, s.path, name, err)
	}
	return data, a.Shape, nil
}

// ReadArray reads one tensor in its own element type (see [File.ReadArray]).
func (s *StateDict) ReadArray(name string) (*npy.Array, error) {
	t, ok := s.tensors[name]
	if !ok {
		return nil, fmt.Errorf("read %s: %s has no tensor %q", s.f.path, s.path, name)
	}
	a, err := s.f.ReadArray(t)
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", s.path, name, err)
	}
	return a, nil
}
