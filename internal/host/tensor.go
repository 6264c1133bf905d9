// Package host holds the project's one host-memory tensor: a row-major float32 or int64
// array with its shape. Data batches, model inputs and outputs, fixtures and .npy files all
// use it, so nothing is copied field by field between look-alike types.
package host

// Tensor is a row-major array on the host: F32 for float data, I64 for indices (exactly one
// of them is set).
type Tensor struct {
	Shape []int
	F32   []float32
	I64   []int64
}

// Size is the number of elements its shape holds.
func (t Tensor) Size() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}
