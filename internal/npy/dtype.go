package npy

import "fmt"

// DType is the element type of an [Array].
type DType string

// Supported element types.
const (
	Float32 DType = "float32"
	Float64 DType = "float64"
	// Float16 is IEEE half precision, held as raw bits in Array.F16 (convert with a
	// float16 package: the npy package only stores it).
	Float16 DType = "float16"
	Int64   DType = "int64"
	Int32   DType = "int32"
	Uint8   DType = "uint8"
	Bool    DType = "bool"
)

// ItemSize returns the size in bytes of one element, or 0 for an unknown type.
func (d DType) ItemSize() int {
	switch d {
	case Float32, Int32:
		return 4
	case Float64, Int64:
		return 8
	case Float16:
		return 2
	case Uint8, Bool:
		return 1
	}
	return 0
}

// descr returns the NumPy type descriptor of d, as written in .npy headers.
func (d DType) descr() (string, error) {
	switch d {
	case Float32:
		return "<f4", nil
	case Float64:
		return "<f8", nil
	case Int64:
		return "<i8", nil
	case Int32:
		return "<i4", nil
	case Float16:
		return "<f2", nil
	case Uint8:
		return "|u1", nil
	case Bool:
		return "|b1", nil
	}
	return "", fmt.Errorf("unsupported dtype %q", string(d))
}

// parseDescr maps a NumPy type descriptor to a DType.
func parseDescr(s string) (DType, error) {
	switch s {
	case "<f4", "=f4":
		return Float32, nil
	case "<f8", "=f8":
		return Float64, nil
	case "<i8", "=i8":
		return Int64, nil
	case "<i4", "=i4":
		return Int32, nil
	case "<f2", "=f2":
		return Float16, nil
	case "|u1", "<u1", "=u1", "u1":
		return Uint8, nil
	case "|b1", "<b1", "=b1", "b1", "?":
		return Bool, nil
	}
	if len(s) > 0 && s[0] == '>' {
		return "", fmt.Errorf("big-endian dtype %q not supported", s)
	}
	if len(s) > 0 && (s[len(s)-1] == 'O' || s[0] == '|' && len(s) > 1 && s[1] == 'O') {
		return "", fmt.Errorf("object dtype %q not supported", s)
	}
	return "", fmt.Errorf("unsupported dtype %q", s)
}
