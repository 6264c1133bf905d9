package torchckpt

import (
	"fmt"
	"strings"
)

// construct applies a pickled callable to its arguments. Only a few known
// constructors are interpreted; everything else becomes an inert *Object.
func construct(callable any, args Tuple) (any, error) {
	g, ok := callable.(*Global)
	if !ok {
		return &Object{Args: args}, nil
	}
	switch g.String() {
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
		return rebuildTensor(args)
	case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
		if len(args) < 2 {
			return nil, fmt.Errorf("%s: %d arguments", g, len(args))
		}
		t, ok := args[0].(*TensorRef)
		if !ok {
			return &Object{Class: g, Args: args}, nil
		}
		p := *t
		p.RequiresGrad, _ = args[1].(bool)
		return &p, nil
	case "collections.OrderedDict":
		d := NewOrderedDict()
		if len(args) > 0 {
			if err := addPairs(d, args[0]); err != nil {
				return nil, fmt.Errorf("%s: %w", g, err)
			}
		}
		return d, nil
	case "builtins.dict", "__builtin__.dict":
		d := NewDict()
		if len(args) > 0 {
			if err := addPairs(d, args[0]); err != nil {
				return nil, fmt.Errorf("%s: %w", g, err)
			}
		}
		return d, nil
	case "_codecs.encode":
		// Protocol 2 pickles bytes as _codecs.encode(str, 'latin1').
		if len(args) == 2 {
			s, ok1 := args[0].(string)
			enc, ok2 := args[1].(string)
			if ok1 && ok2 && (strings.EqualFold(enc, "latin1") || strings.EqualFold(enc, "latin-1")) {
				b := make([]byte, 0, len(s))
				for _, r := range s {
					b = append(b, byte(r))
				}
				return b, nil
			}
		}
	}
	return &Object{Class: g, Args: args}, nil
}

// addPairs adds the (key, value) pairs of a list or tuple of 2-tuples to d.
func addPairs(d *OrderedDict, v any) error {
	var items []any
	switch l := v.(type) {
	case *List:
		items = l.Items
	case Tuple:
		items = l
	case *OrderedDict:
		for i, k := range l.Keys() {
			d.Set(k, l.Values()[i])
		}
		return nil
	default:
		return fmt.Errorf("cannot build a dict from %T", v)
	}
	for _, it := range items {
		p, ok := it.(Tuple)
		if !ok || len(p) != 2 {
			return fmt.Errorf("dict item is %T, not a pair", it)
		}
		d.Set(p[0], p[1])
	}
	return nil
}

// persistentLoad decodes the persistent id of a storage:
// ('storage', storage_type, key, location, numel).
func persistentLoad(pid any) (*storageRef, error) {
	t, ok := pid.(Tuple)
	if !ok || len(t) < 5 {
		return nil, fmt.Errorf("unsupported persistent id %v", pid)
	}
	if s, _ := t[0].(string); s != "storage" {
		return nil, fmt.Errorf("unsupported persistent id kind %v", t[0])
	}
	st, ok := t[1].(*Global)
	if !ok {
		return nil, fmt.Errorf("storage type is %T, not a class", t[1])
	}
	key, ok := t[2].(string)
	if !ok {
		return nil, fmt.Errorf("storage key is %T, not a string", t[2])
	}
	loc, _ := t[3].(string)
	numel, ok := t[4].(int64)
	if !ok || numel < 0 {
		return nil, fmt.Errorf("storage %s: bad element count %v", key, t[4])
	}
	dt, ok := storageDTypes[st.Name]
	if !ok {
		dt = "unknown:" + st.String()
	}
	return &storageRef{dtype: dt, key: key, location: loc, numel: numel}, nil
}

// storageDTypes maps torch storage class names to element types.
var storageDTypes = map[string]string{
	"FloatStorage":         "float32",
	"DoubleStorage":        "float64",
	"HalfStorage":          "float16",
	"BFloat16Storage":      "bfloat16",
	"LongStorage":          "int64",
	"IntStorage":           "int32",
	"ShortStorage":         "int16",
	"CharStorage":          "int8",
	"ByteStorage":          "uint8",
	"BoolStorage":          "bool",
	"UntypedStorage":       "uint8",
	"ComplexFloatStorage":  "complex64",
	"ComplexDoubleStorage": "complex128",
}

// itemSize returns the byte size of a dtype, or 0 if unknown.
func itemSize(dtype string) int {
	switch dtype {
	case "float64", "int64", "complex64":
		return 8
	case "float32", "int32":
		return 4
	case "float16", "bfloat16", "int16":
		return 2
	case "int8", "uint8", "bool":
		return 1
	case "complex128":
		return 16
	}
	return 0
}

// rebuildTensor interprets the arguments of _rebuild_tensor_v2:
// (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).
func rebuildTensor(args Tuple) (*TensorRef, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("_rebuild_tensor: %d arguments, want at least 4", len(args))
	}
	s, ok := args[0].(*storageRef)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor: storage is %T", args[0])
	}
	off, ok := args[1].(int64)
	if !ok || off < 0 {
		return nil, fmt.Errorf("_rebuild_tensor: bad storage offset %v", args[1])
	}
	shape, err := intTuple(args[2])
	if err != nil {
		return nil, fmt.Errorf("_rebuild_tensor: size: %w", err)
	}
	stride, err := intTuple(args[3])
	if err != nil {
		return nil, fmt.Errorf("_rebuild_tensor: stride: %w", err)
	}
	if len(stride) != len(shape) {
		return nil, fmt.Errorf("_rebuild_tensor: size %v and stride %v differ in rank", shape, stride)
	}
	t := &TensorRef{
		DType: s.dtype, Shape: shape, Stride: stride, Offset: off,
		StorageKey: s.key, StorageNumel: s.numel, Location: s.location,
	}
	if len(args) > 4 {
		t.RequiresGrad, _ = args[4].(bool)
	}
	return t, nil
}

func intTuple(v any) ([]int, error) {
	t, ok := v.(Tuple)
	if !ok {
		return nil, fmt.Errorf("%T is not a tuple", v)
	}
	out := make([]int, len(t))
	for i, x := range t {
		n, ok := x.(int64)
		if !ok || n < 0 || n > 1<<48 {
			return nil, fmt.Errorf("bad dimension %v", x)
		}
		out[i] = int(n)
	}
	return out, nil
}
