package lebin

import (
	"math"
	"testing"
)

// normalisedHalf is the bit-level conversion that normalises subnormals by
// shifting, the reference HalfToFloat32 must agree with.
func normalisedHalf(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		e := uint32(127 - 15 + 1)
		for frac&0x400 == 0 {
			frac <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (frac&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}

func TestHalfToFloat32AllValues(t *testing.T) {
	for h := range 1 << 16 {
		got, want := HalfToFloat32(uint16(h)), normalisedHalf(uint16(h))
		if math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("HalfToFloat32(%#04x) = %#08x, want %#08x", h, math.Float32bits(got), math.Float32bits(want))
		}
	}
}

func TestDecode(t *testing.T) {
	raw := []byte{1, 0, 0xff, 0xff, 7}
	got := Decode(raw, 2, Int16)
	if len(got) != 2 || got[0] != 1 || got[1] != -1 {
		t.Fatalf("Decode = %v, want [1 -1]", got)
	}
}
