package safetensors

import (
	"fmt"

	"github.com/vjepa-go/vjepa/internal/lebin"
)

// dtypeSizes are the element sizes of the dtypes this package reads.
var dtypeSizes = map[string]int{
	"F64": 8, "F32": 4, "F16": 2, "BF16": 2,
	"I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
}

// float32Readers convert one little-endian element of each dtype to float32.
var float32Readers = map[string]func(b []byte) float32{
	"F32":  lebin.Float32,
	"F64":  func(b []byte) float32 { return float32(lebin.Float64(b)) },
	"F16":  lebin.Float16,
	"BF16": lebin.BFloat16,
	"I64":  func(b []byte) float32 { return float32(lebin.Int64(b)) },
	"I32":  func(b []byte) float32 { return float32(lebin.Int32(b)) },
	"I16":  func(b []byte) float32 { return float32(lebin.Int16(b)) },
	"I8":   func(b []byte) float32 { return float32(lebin.Int8(b)) },
	"U8":   func(b []byte) float32 { return float32(b[0]) },
	"BOOL": func(b []byte) float32 { return float32(b[0]) },
}

// toFloat32 decodes little-endian raw data of dtype to float32.
func toFloat32(dtype string, raw []byte) ([]float32, error) {
	size, ok := dtypeSizes[dtype]
	if !ok {
		return nil, fmt.Errorf("unsupported dtype %q", dtype)
	}
	return lebin.Decode(raw, size, float32Readers[dtype]), nil
}
