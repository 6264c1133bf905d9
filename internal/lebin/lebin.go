// Package lebin decodes little-endian tensor storage: the element readers
// that the checkpoint formats (internal/torchckpt, internal/safetensors)
// share.
package lebin

import (
	"encoding/binary"
	"math"
)

var le = binary.LittleEndian

// Decode reads len(raw)/size elements of size bytes each from raw, converting
// each with elem, which is given the bytes from the element's start on.
func Decode[T any](raw []byte, size int, elem func(b []byte) T) []T {
	out := make([]T, len(raw)/size)
	for i := range out {
		out[i] = elem(raw[i*size:])
	}
	return out
}

// Float32 reads an IEEE 754 binary32 value.
func Float32(b []byte) float32 { return math.Float32frombits(le.Uint32(b)) }

// Float64 reads an IEEE 754 binary64 value.
func Float64(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) }

// Float16 reads an IEEE 754 binary16 value, widened exactly to float32.
func Float16(b []byte) float32 { return HalfToFloat32(le.Uint16(b)) }

// BFloat16 reads a bfloat16 value, widened exactly to float32.
func BFloat16(b []byte) float32 { return math.Float32frombits(uint32(le.Uint16(b)) << 16) }

// Int64 reads a signed 64-bit integer.
func Int64(b []byte) int64 { return int64(le.Uint64(b)) }

// Int32 reads a signed 32-bit integer.
func Int32(b []byte) int32 { return int32(le.Uint32(b)) }

// Int16 reads a signed 16-bit integer.
func Int16(b []byte) int16 { return int16(le.Uint16(b)) }

// Int8 reads a signed 8-bit integer.
func Int8(b []byte) int8 { return int8(b[0]) }

// HalfToFloat32 converts an IEEE 754 binary16 value to float32 exactly.
func HalfToFloat32(h uint16) float32 {
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
