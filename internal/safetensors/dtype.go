package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
)

// dtypeSizes are the element sizes of the dtypes this package reads.
var dtypeSizes = map[string]int{
	"F64": 8, "F32": 4, "F16": 2, "BF16": 2,
	"I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
}

// toFloat32 decodes little-endian raw data of dtype to float32.
func toFloat32(dtype string, raw []byte) ([]float32, error) {
	size, ok := dtypeSizes[dtype]
	if !ok {
		return nil, fmt.Errorf("unsupported dtype %q", dtype)
	}
	n := len(raw) / size
	out := make([]float32, n)
	le := binary.LittleEndian
	for i := range out {
		b := raw[i*size:]
		switch dtype {
		case "F32":
			out[i] = math.Float32frombits(le.Uint32(b))
		case "F64":
			out[i] = float32(math.Float64frombits(le.Uint64(b)))
		case "F16":
			out[i] = halfToFloat32(le.Uint16(b))
		case "BF16":
			out[i] = math.Float32frombits(uint32(le.Uint16(b)) << 16)
		case "I64":
			out[i] = float32(int64(le.Uint64(b)))
		case "I32":
			out[i] = float32(int32(le.Uint32(b)))
		case "I16":
			out[i] = float32(int16(le.Uint16(b)))
		case "I8":
			out[i] = float32(int8(b[0]))
		case "U8", "BOOL":
			out[i] = float32(b[0])
		}
	}
	return out, nil
}

// halfToFloat32 converts an IEEE 754 binary16 value exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	case frac == 0: // ±0
		return math.Float32frombits(sign)
	}
	// Subnormal: value = frac · 2^-24.
	v := float32(frac) * float32(1.0/(1<<24))
	if sign != 0 {
		v = -v
	}
	return v
}
