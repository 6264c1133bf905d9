package npy

import (
	"fmt"
	"math"
)

// Array is an n-dimensional array in C (row-major) order.
//
// Exactly one of the data slices is set, the one matching DType; its length
// is the product of Shape (1 for a scalar with an empty Shape).
type Array struct {
	Shape []int
	DType DType
	F32   []float32
	F64   []float64
	I64   []int64
	I32   []int32
	U8    []uint8
	F16   []uint16 // IEEE half-precision bits
	Bool  []bool
}

// NewFloat32 returns a float32 array with the given shape, backed by data.
func NewFloat32(shape []int, data []float32) *Array {
	return &Array{Shape: shape, DType: Float32, F32: data}
}

// NewFloat64 returns a float64 array with the given shape, backed by data.
func NewFloat64(shape []int, data []float64) *Array {
	return &Array{Shape: shape, DType: Float64, F64: data}
}

// NewFloat16 returns a float16 array with the given shape, backed by data (IEEE
// half-precision bits).
func NewFloat16(shape []int, data []uint16) *Array {
	return &Array{Shape: shape, DType: Float16, F16: data}
}

// NewInt64 returns an int64 array with the given shape, backed by data.
func NewInt64(shape []int, data []int64) *Array {
	return &Array{Shape: shape, DType: Int64, I64: data}
}

// NewInt32 returns an int32 array with the given shape, backed by data.
func NewInt32(shape []int, data []int32) *Array {
	return &Array{Shape: shape, DType: Int32, I32: data}
}

// Size returns the number of elements implied by the shape.
func (a *Array) Size() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// dataLen returns the length of the data slice selected by DType.
func (a *Array) dataLen() (int, error) {
	switch a.DType {
	case Float32:
		return len(a.F32), nil
	case Float64:
		return len(a.F64), nil
	case Int64:
		return len(a.I64), nil
	case Int32:
		return len(a.I32), nil
	case Uint8:
		return len(a.U8), nil
	case Float16:
		return len(a.F16), nil
	case Bool:
		return len(a.Bool), nil
	}
	return 0, fmt.Errorf("unsupported dtype %q", string(a.DType))
}

// Validate checks that the shape is non-negative and matches the length of
// the data slice selected by DType.
func (a *Array) Validate() error {
	if a == nil {
		return fmt.Errorf("nil array")
	}
	for _, d := range a.Shape {
		if d < 0 {
			return fmt.Errorf("negative dimension in shape %v", a.Shape)
		}
	}
	n, err := a.dataLen()
	if err != nil {
		return err
	}
	if n != a.Size() {
		return fmt.Errorf("shape %v needs %d %s elements, data has %d", a.Shape, a.Size(), a.DType, n)
	}
	return nil
}

// Float32s returns the data as float32, converting from float64 (with
// rounding) when needed. Integer and bool arrays are an error.
func (a *Array) Float32s() ([]float32, error) {
	switch a.DType {
	case Float32:
		return a.F32, nil
	case Float64:
		out := make([]float32, len(a.F64))
		for i, v := range a.F64 {
			out[i] = float32(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("array of %s is not floating point", a.DType)
}

// Float64s returns the data as float64, converting from float32 when needed.
// Integer and bool arrays are an error.
func (a *Array) Float64s() ([]float64, error) {
	switch a.DType {
	case Float64:
		return a.F64, nil
	case Float32:
		out := make([]float64, len(a.F32))
		for i, v := range a.F32 {
			out[i] = float64(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("array of %s is not floating point", a.DType)
}

// Int64s returns the data as int64, widening int32, uint8 and bool arrays.
// Floating-point arrays are converted only when every value is integral.
func (a *Array) Int64s() ([]int64, error) {
	switch a.DType {
	case Int64:
		return a.I64, nil
	case Int32:
		out := make([]int64, len(a.I32))
		for i, v := range a.I32 {
			out[i] = int64(v)
		}
		return out, nil
	case Uint8:
		out := make([]int64, len(a.U8))
		for i, v := range a.U8 {
			out[i] = int64(v)
		}
		return out, nil
	case Bool:
		out := make([]int64, len(a.Bool))
		for i, v := range a.Bool {
			if v {
				out[i] = 1
			}
		}
		return out, nil
	case Float32, Float64:
		f, _ := a.Float64s()
		out := make([]int64, len(f))
		for i, v := range f {
			if v != math.Trunc(v) || math.Abs(v) > 1<<63 {
				return nil, fmt.Errorf("element %d = %v of %s array is not an integer", i, v, a.DType)
			}
			out[i] = int64(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported dtype %q", string(a.DType))
}
