package torchckpt

import (
	"fmt"

	"github.com/vjepa-go/vjepa/internal/lebin"
	"github.com/vjepa-go/vjepa/internal/npy"
)

// TensorRef describes a tensor of a checkpoint without its data: its
// storage record and how the tensor views it. Read the data with
// [File.ReadFloat32] or [File.ReadArray].
type TensorRef struct {
	// DType is the storage element type: float32, float64, float16,
	// bfloat16, int64, int32, int16, int8, uint8 or bool.
	DType string
	// Shape and Stride (in elements) of the tensor view.
	Shape  []int
	Stride []int
	// Offset is the storage offset of the first element, in elements.
	Offset int64
	// StorageKey names the record <prefix>/data/<StorageKey>.
	StorageKey string
	// StorageNumel is the number of elements of the whole storage.
	StorageNumel int64
	// Location is the device the tensor was saved from, e.g. "cpu" or "cuda:0".
	Location     string
	RequiresGrad bool
}

// NumElements returns the number of elements of the tensor.
func (t *TensorRef) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// span returns the range [lo, hi) of storage elements the view touches.
func (t *TensorRef) span() (lo, hi int64) {
	if t.NumElements() == 0 {
		return t.Offset, t.Offset
	}
	hi = t.Offset + 1
	for i, d := range t.Shape {
		hi += int64(d-1) * int64(t.Stride[i])
	}
	return t.Offset, hi
}

// contiguous reports whether the view is C-contiguous.
func (t *TensorRef) contiguous() bool {
	want := 1
	for i := len(t.Shape) - 1; i >= 0; i-- {
		if t.Shape[i] != 1 && t.Stride[i] != want {
			return false
		}
		want *= t.Shape[i]
	}
	return true
}

// gather copies the strided view (relative to src[0]) into a new
// C-contiguous slice.
func gather[T any](src []T, shape, stride []int) []T {
	n := 1
	for _, d := range shape {
		n *= d
	}
	out := make([]T, n)
	if n == 0 {
		return out
	}
	idx := make([]int, len(shape))
	pos := 0
	for i := range out {
		out[i] = src[pos]
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k]++
			pos += stride[k]
			if idx[k] < shape[k] {
				break
			}
			pos -= idx[k] * stride[k]
			idx[k] = 0
		}
	}
	return out
}

// widenToF32 and widenToI32 read the storage dtypes that decode to float32 and int32.
var (
	widenToF32 = map[string]func(b []byte) float32{
		"float32":  lebin.Float32,
		"float16":  lebin.Float16,
		"bfloat16": lebin.BFloat16,
	}
	widenToI32 = map[string]func(b []byte) int32{
		"int32": lebin.Int32,
		"int16": func(b []byte) int32 { return int32(lebin.Int16(b)) },
		"int8":  func(b []byte) int32 { return int32(lebin.Int8(b)) },
	}
)

// decodeArray converts raw little-endian storage elements into an array of
// the closest npy type (float16 and bfloat16 widen to float32, int8 and
// int16 to int32), shaped as a flat vector.
func decodeArray(raw []byte, dtype string) (*npy.Array, error) {
	size := itemSize(dtype)
	if size == 0 || dtype == "complex64" || dtype == "complex128" {
		return nil, fmt.Errorf("unsupported tensor dtype %s", dtype)
	}
	a := &npy.Array{Shape: []int{len(raw) / size}}
	f32, i32 := widenToF32[dtype], widenToI32[dtype]
	switch {
	case f32 != nil:
		a.DType, a.F32 = npy.Float32, lebin.Decode(raw, size, f32)
	case i32 != nil:
		a.DType, a.I32 = npy.Int32, lebin.Decode(raw, size, i32)
	case dtype == "float64":
		a.DType, a.F64 = npy.Float64, lebin.Decode(raw, size, lebin.Float64)
	case dtype == "int64":
		a.DType, a.I64 = npy.Int64, lebin.Decode(raw, size, lebin.Int64)
	case dtype == "uint8":
		a.DType, a.U8 = npy.Uint8, append([]uint8(nil), raw...)
	case dtype == "bool":
		a.DType, a.Bool = npy.Bool, lebin.Decode(raw, size, func(b []byte) bool { return b[0] != 0 })
	}
	return a, nil
}

// viewArray applies the view of t to the flat array of its storage span.
func viewArray(flat *npy.Array, t *TensorRef) *npy.Array {
	out := &npy.Array{Shape: append([]int{}, t.Shape...), DType: flat.DType}
	out.F32, out.F64, out.I64 = view(flat.F32, t), view(flat.F64, t), view(flat.I64, t)
	out.I32, out.U8, out.Bool = view(flat.I32, t), view(flat.U8, t), view(flat.Bool, t)
	return out
}

// view returns the elements of t's view of its flat storage span: a capped
// slice of it when t is contiguous, a gathered copy otherwise, and nil for a
// nil span (a data slice of another dtype than the array's).
func view[T any](flat []T, t *TensorRef) []T {
	if flat == nil {
		return nil
	}
	if t.contiguous() {
		n := t.NumElements()
		return flat[:n:n]
	}
	return gather(flat, t.Shape, t.Stride)
}
