package npy

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		a    *Array
	}{
		{"f32", NewFloat32([]int{2, 3}, []float32{1, -2, 3.5, 0, 1e-30, 7})},
		{"f64 scalar", NewFloat64([]int{}, []float64{3.25})},
		{"i64 1d", NewInt64([]int{3}, []int64{-1, 0, 1 << 40})},
		{"i32 empty", NewInt32([]int{0, 4}, []int32{})},
		{"u8", &Array{Shape: []int{2}, DType: Uint8, U8: []uint8{0, 255}}},
		{"bool", &Array{Shape: []int{1, 3}, DType: Bool, Bool: []bool{true, false, true}}},
		{"f16", NewFloat16([]int{3}, []uint16{0x3c00, 0xc000, 0x7bff})}, // 1, -2, 65504
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, Write(&buf, tt.a))
			assert.Zero(t, (buf.Len()-tt.a.Size()*tt.a.DType.ItemSize())%64, "data must start 64-byte aligned")
			got, err := Read(&buf)
			require.NoError(t, err)
			assertArrayEqual(t, tt.a, got)

			path := filepath.Join(dir, tt.name+".npy")
			require.NoError(t, WriteFile(path, tt.a))
			got, err = ReadFile(path)
			require.NoError(t, err)
			assertArrayEqual(t, tt.a, got)
		})
	}
	path := filepath.Join(dir, "all.npz")
	m := map[string]*Array{}
	for _, tt := range tests {
		m["dir/"+tt.name] = tt.a
	}
	require.NoError(t, WriteNPZ(path, m))
	got, err := ReadNPZ(path)
	require.NoError(t, err)
	require.Len(t, got, len(m))
	for k, a := range m {
		assertArrayEqual(t, a, got[k])
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".tmp", "temporary file left behind")
	}
}

func assertArrayEqual(t *testing.T, want, got *Array) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, want.DType, got.DType)
	assert.Equal(t, len(want.Shape), len(got.Shape))
	if len(want.Shape) > 0 {
		assert.Equal(t, want.Shape, got.Shape)
	}
	assert.Equal(t, want.Size(), got.Size())
	wn, _ := want.dataLen()
	gn, _ := got.dataLen()
	require.Equal(t, wn, gn)
	if wn > 0 {
		assert.Equal(t, want.F32, got.F32)
		assert.Equal(t, want.F64, got.F64)
		assert.Equal(t, want.I64, got.I64)
		assert.Equal(t, want.I32, got.I32)
		assert.Equal(t, want.U8, got.U8)
		assert.Equal(t, want.Bool, got.Bool)
		assert.Equal(t, want.F16, got.F16)
	}
}

func TestVersions(t *testing.T) {
	hdr := "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }\n"
	data := []byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}
	for _, major := range []byte{2, 3} {
		var b bytes.Buffer
		b.WriteString(magic)
		b.Write([]byte{major, 0, byte(len(hdr)), 0, 0, 0})
		b.WriteString(hdr)
		b.Write(data)
		a, err := Read(&b)
		require.NoError(t, err, "version %d", major)
		assert.Equal(t, []int32{1, -1}, a.I32)
	}
}

func TestFixtures(t *testing.T) {
	dir := filepath.Join(testutil.FixturesDir(t), "small_both")
	in, err := ReadFile(filepath.Join(dir, "input.npy"))
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3, 6, 80, 80}, in.Shape)
	assert.Equal(t, Float32, in.DType)
	assert.Len(t, in.F32, 2*3*6*80*80)

	m, err := ReadFile(filepath.Join(dir, "masks_enc_0.npy"))
	require.NoError(t, err)
	assert.Equal(t, Int64, m.DType)
	assert.Equal(t, []int{2, 15}, m.Shape)
	idx, err := m.Int64s()
	require.NoError(t, err)
	for i := 1; i < 15; i++ {
		assert.Less(t, idx[i-1], idx[i], "mask indices ascend")
	}

	l, err := ReadFile(filepath.Join(dir, "loss.npy"))
	require.NoError(t, err)
	assert.Equal(t, Float64, l.DType)
	assert.Equal(t, []int{3}, l.Shape)
	assert.InDelta(t, 0.8209730386734009, l.F64[1], 1e-15)
	f, err := l.Float32s()
	require.NoError(t, err)
	assert.Equal(t, float32(0.8209730386734009), f[1])

	g, err := ReadNPZ(filepath.Join(dir, "grads.npz"))
	require.NoError(t, err)
	w := g["encoder/module.backbone.blocks.0.attn.qkv.weight"]
	require.NotNil(t, w)
	assert.Equal(t, []int{288, 96}, w.Shape)
	_, hasPos := g["encoder/module.backbone.pos_embed"]
	assert.False(t, hasPos, "frozen pos-embed has no gradient")
}

func TestMalformed(t *testing.T) {
	var good bytes.Buffer
	require.NoError(t, Write(&good, NewFloat32([]int{4}, []float32{1, 2, 3, 4})))
	g := good.Bytes()
	hdr := func(h string) []byte {
		b := append([]byte(magic), 1, 0, byte(len(h)), 0)
		return append(b, h...)
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"empty", nil, "shorter than"},
		{"bad magic", append([]byte("\x93NUMPX"), g[6:]...), "bad magic"},
		{"version", append([]byte(magic+"\x07\x00"), g[8:]...), "version 7.0"},
		{"truncated header", g[:20], "truncated header"},
		{"truncated data", g[:len(g)-3], "expected 16 bytes, got 13"},
		{"big endian", hdr("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }"), "big-endian"},
		{"fortran", hdr("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }"), "fortran_order"},
		{"object", hdr("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"), "object"},
		{"complex", hdr("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }"), "unsupported dtype"},
		{"structured", hdr("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"), "structured"},
		{"no shape", hdr("{'descr': '<f4', 'fortran_order': False, }"), "lacks"},
		{"huge shape", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000, 100000000000), }"), "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tt.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}

	path := filepath.Join(t.TempDir(), "trunc.npy")
	require.NoError(t, os.WriteFile(path, g[:len(g)-3], 0o644))
	_, err := ReadFile(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "expected 16 bytes, got 13")

	_, err = ReadNPZ(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
}

func TestConversions(t *testing.T) {
	a := NewFloat64([]int{2}, []float64{1, 2})
	i, err := a.Int64s()
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2}, i)
	_, err = NewFloat64([]int{1}, []float64{1.5}).Int64s()
	assert.Error(t, err)
	_, err = NewInt64([]int{1}, []int64{1}).Float32s()
	assert.Error(t, err)
	assert.Error(t, Write(&bytes.Buffer{}, NewFloat32([]int{3}, []float32{1})), "shape/data mismatch")
}

func FuzzRead(f *testing.F) {
	var b bytes.Buffer
	_ = Write(&b, NewFloat32([]int{2, 2}, []float32{1, 2, 3, 4}))
	f.Add(b.Bytes())
	b.Reset()
	_ = Write(&b, NewInt64([]int{3}, []int64{1, 2, 3}))
	f.Add(b.Bytes())
	f.Add([]byte(magic + "\x01\x00\x10\x00{'descr': '<f8'"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("Read returned an invalid array: %v", err)
		}
	})
}
