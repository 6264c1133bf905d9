package safetensors

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	in := []Tensor{
		{Name: "b", Shape: []int{2, 3}, F32: []float32{1, 2, 3, 4, 5, -6.5}},
		{Name: "a.scalar", Shape: nil, F32: []float32{7}},
		{Name: "empty", Shape: []int{0, 4}, F32: nil},
	}
	require.NoError(t, WriteFile(path, in, map[string]string{"format": "pt"}))
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Zero(t, binary.LittleEndian.Uint64(raw)%8, "header padded to 8 bytes")

	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{"a.scalar", "b", "empty"}, f.Names())
	require.Equal(t, map[string]string{"format": "pt"}, f.Metadata)
	for _, tc := range in {
		v, shape, err := f.Float32(tc.Name)
		require.NoError(t, err, tc.Name)
		require.Equal(t, len(tc.F32), len(v))
		if len(tc.F32) > 0 {
			require.Equal(t, tc.F32, v)
		}
		want := tc.Shape
		if want == nil {
			want = []int{}
		}
		require.Equal(t, want, shape)
	}
	_, _, err = f.Float32("missing")
	require.ErrorIs(t, err, ErrNotFound)
}

// file builds a safetensors file from a raw header and data.
func file(header string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

func TestHalfDTypes(t *testing.T) {
	// F16: 1.0 = 0x3c00, -2.0 = 0xc000, 2^-24 (smallest subnormal) = 0x0001, 65504 = 0x7bff.
	// BF16: 1.0 = 0x3f80, -0.5 = 0xbf00.
	data := []byte{0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0xff, 0x7b, 0x80, 0x3f, 0x00, 0xbf}
	raw := file(`{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}}`, data)
	path := filepath.Join(t.TempDir(), "h.safetensors")
	require.NoError(t, os.WriteFile(path, raw, 0o644))
	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	h, _, err := f.Float32("h")
	require.NoError(t, err)
	require.Equal(t, []float32{1, -2, 1.0 / (1 << 24), 65504}, h)
	b, _, err := f.Float32("b")
	require.NoError(t, err)
	require.Equal(t, []float32{1, -0.5}, b)
}

func TestCorruptHeaders(t *testing.T) {
	huge := make([]byte, 8)
	binary.LittleEndian.PutUint64(huge, 1<<40)
	tests := []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty file", nil, "too short"},
		{"length past the end", append(huge, '{', '}'), "does not fit"},
		{"not JSON", file(`{"a":`, nil), "not a JSON object"},
		{"JSON array", file(`[1,2]`, nil), "not a JSON object"},
		{"unknown dtype", file(`{"a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}}`, []byte{0}), `unknown dtype "F8"`},
		{"range past the data", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, []byte{0, 0, 0, 0}), "outside the 4 data bytes"},
		{"range not matching shape", file(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)), "needs 12 bytes"},
		{"negative shape", file(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`, nil), "invalid shape"},
		{"reversed range", file(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}`, make([]byte, 4)), "outside"},
		{"one offset", file(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[0]}}`, nil), "data_offsets"},
		{"bad metadata", file(`{"__metadata__":{"a":1}}`, nil), "__metadata__"},
		{"overflowing shape", file(`{"a":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,0]}}`, nil), "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.safetensors")
			require.NoError(t, os.WriteFile(path, tc.raw, 0o644))
			_, err := Open(path)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			require.Contains(t, err.Error(), "bad.safetensors")
		})
	}
}

func TestSniff(t *testing.T) {
	good := file(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`, nil)
	require.True(t, Sniff(good, int64(len(good))))
	require.False(t, Sniff([]byte("PK\x03\x04zipzipzip"), 100))
	require.False(t, Sniff(good[:5], 5))
}
