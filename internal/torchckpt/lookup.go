package torchckpt

import (
	"fmt"
	"strconv"
	"strings"
)

// Lookup returns the value at path inside the top-level object. A path is a
// sequence of dict keys separated by "/", each optionally followed by list
// indices in brackets: "encoder", "opt/state/3/exp_avg",
// "opt/param_groups[0]/lr", "classifiers[1]". A segment that is not a key of
// a dict is tried as an int key; on a list or tuple it is an index. The
// empty path is the top-level object.
func (f *File) Lookup(path string) (any, error) {
	v, err := lookup(f.top, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.path, err)
	}
	return v, nil
}

func lookup(v any, path string) (any, error) {
	if path == "" {
		return v, nil
	}
	for _, seg := range strings.Split(path, "/") {
		key, idx, err := splitIndices(seg)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", path, err)
		}
		if key != "" {
			if v, err = child(v, key); err != nil {
				return nil, fmt.Errorf("path %q: %w", path, err)
			}
		}
		for _, i := range idx {
			if v, err = child(v, strconv.Itoa(i)); err != nil {
				return nil, fmt.Errorf("path %q: %w", path, err)
			}
		}
	}
	return v, nil
}

// splitIndices splits "name[1][2]" into "name" and [1 2].
func splitIndices(seg string) (string, []int, error) {
	i := strings.IndexByte(seg, '[')
	if i < 0 || !strings.HasSuffix(seg, "]") {
		return seg, nil, nil
	}
	var idx []int
	for _, s := range strings.Split(seg[i+1:len(seg)-1], "][") {
		n, err := strconv.Atoi(s)
		if err != nil {
			return "", nil, fmt.Errorf("bad index in %q", seg)
		}
		idx = append(idx, n)
	}
	return seg[:i], idx, nil
}

// child returns the element key of a dict, list or tuple.
func child(v any, key string) (any, error) {
	switch c := v.(type) {
	case *OrderedDict:
		if x, ok := c.Get(key); ok {
			return x, nil
		}
		if n, err := strconv.ParseInt(key, 10, 64); err == nil {
			if x, ok := c.Get(n); ok {
				return x, nil
			}
		}
		return nil, fmt.Errorf("key %q not found", key)
	case *Object:
		if c.Dict != nil {
			return child(c.Dict, key)
		}
		if c.State != nil {
			return child(c.State, key)
		}
	case *List:
		return index(c.Items, key)
	case Tuple:
		return index(c, key)
	}
	return nil, fmt.Errorf("cannot look up %q in %T", key, v)
}

func index(items []any, key string) (any, error) {
	i, err := strconv.Atoi(key)
	if err != nil || i < 0 || i >= len(items) {
		return nil, fmt.Errorf("index %q out of range [0, %d)", key, len(items))
	}
	return items[i], nil
}

// Scalar returns the number at path (see [File.Lookup]): an int, float or
// bool, or a one-element tensor.
func (f *File) Scalar(path string) (float64, error) {
	v, err := f.Lookup(path)
	if err != nil {
		return 0, err
	}
	x, err := f.scalar(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %s: %w", f.path, path, err)
	}
	return x, nil
}

func (f *File) scalar(v any) (float64, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case *TensorRef:
		if x.NumElements() != 1 {
			return 0, fmt.Errorf("tensor of shape %v is not a scalar", x.Shape)
		}
		a, err := f.ReadArray(x)
		if err != nil {
			return 0, err
		}
		if a.DType == "float32" || a.DType == "float64" {
			d, err := a.Float64s()
			if err != nil {
				return 0, err
			}
			return d[0], nil
		}
		d, err := a.Int64s()
		if err != nil {
			return 0, err
		}
		return float64(d[0]), nil
	}
	return 0, fmt.Errorf("value of type %T is not a number", v)
}

// Int returns the integer at path (see [File.Lookup]).
func (f *File) Int(path string) (int64, error) {
	v, err := f.Lookup(path)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("%s: %s: value of type %T is not an int", f.path, path, v)
	}
	return n, nil
}
