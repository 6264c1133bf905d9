package torchckpt

import (
	"encoding/binary"
	"fmt"
	"math"

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

// decodeArray converts raw little-endian storage elements into an array of
// the closest npy type (float16 and bfloat16 widen to float32, int8 and
// int16 to int32), shaped as a flat vector.
func decodeArray(raw []byte, dtype string) (*npy.Array, error) {
	size := itemSize(dtype)
	if size == 0 || dtype == "complex64" || dtype == "complex128" {
		return nil, fmt.Errorf("unsupported tensor dtype %s", dtype)
	}
	n := len(raw) / size
	le := binary.LittleEndian
	a := &npy.Array{Shape: []int{n}}
	switch dtype {
	case "float32":
		a.DType, a.F32 = npy.Float32, make([]float32, n)
		for i := range a.F32 {
			a.F32[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case "float16":
		a.DType, a.F32 = npy.Float32, make([]float32, n)
		for i := range a.F32 {
			a.F32[i] = halfToFloat32(le.Uint16(raw[2*i:]))
		}
	case "bfloat16":
		a.DType, a.F32 = npy.Float32, make([]float32, n)
		for i := range a.F32 {
			a.F32[i] = math.Float32frombits(uint32(le.Uint16(raw[2*i:])) << 16)
		}
	case "float64":
		a.DType, a.F64 = npy.Float64, make([]float64, n)
		for i := range a.F64 {
			a.F64[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
	case "int64":
		a.DType, a.I64 = npy.Int64, make([]int64, n)
		for i := range a.I64 {
			a.I64[i] = int64(le.Uint64(raw[8*i:]))
		}
	case "int32", "int16", "int8":
		a.DType, a.I32 = npy.Int32, make([]int32, n)
		for i := range a.I32 {
			switch size {
			case 4:
				a.I32[i] = int32(le.Uint32(raw[4*i:]))
			case 2:
				a.I32[i] = int32(int16(le.Uint16(raw[2*i:])))
			default:
				a.I32[i] = int32(int8(raw[i]))
			}
		}
	case "uint8":
		a.DType, a.U8 = npy.Uint8, append([]uint8(nil), raw[:n]...)
	case "bool":
		a.DType, a.Bool = npy.Bool, make([]bool, n)
		for i := range a.Bool {
			a.Bool[i] = raw[i] != 0
		}
	}
	return a, nil
}

// viewArray applies the view of t to the flat array of its storage span.
func viewArray(flat *npy.Array, t *TensorRef) *npy.Array {
	shape := append([]int{}, t.Shape...)
	if t.contiguous() {
		n := t.NumElements()
		out := &npy.Array{Shape: shape, DType: flat.DType}
		switch flat.DType {
		case npy.Float32:
			out.F32 = flat.F32[:n:n]
		case npy.Float64:
			out.F64 = flat.F64[:n:n]
		case npy.Int64:
			out.I64 = flat.I64[:n:n]
		case npy.Int32:
			out.I32 = flat.I32[:n:n]
		case npy.Uint8:
			out.U8 = flat.U8[:n:n]
		case npy.Bool:
			out.Bool = flat.Bool[:n:n]
		}
		return out
	}
	out := &npy.Array{Shape: shape, DType: flat.DType}
	switch flat.DType {
	case npy.Float32:
		out.F32 = gather(flat.F32, t.Shape, t.Stride)
	case npy.Float64:
		out.F64 = gather(flat.F64, t.Shape, t.Stride)
	case npy.Int64:
		out.I64 = gather(flat.I64, t.Shape, t.Stride)
	case npy.Int32:
		out.I32 = gather(flat.I32, t.Shape, t.Stride)
	case npy.Uint8:
		out.U8 = gather(flat.U8, t.Shape, t.Stride)
	case npy.Bool:
		out.Bool = gather(flat.Bool, t.Shape, t.Stride)
	}
	return out
}

// halfToFloat32 converts an IEEE 754 binary16 value to float32.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalise
		e := uint32(127 - 15 + 1)
		for frac&0x400 == 0 {
			frac <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (frac&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}
