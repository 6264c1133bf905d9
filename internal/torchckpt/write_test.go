package torchckpt

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/npy"
)

func arange(n int, scale float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(i) * scale
	}
	return out
}

// trainingCheckpoint builds a small checkpoint in the layout of the
// official V-JEPA training checkpoints.
func trainingCheckpoint() *OrderedDict {
	model := func(scale float32) *OrderedDict {
		d := NewOrderedDict()
		d.Set("module.backbone.pos_embed", npy.NewFloat32([]int{1, 4, 3}, arange(12, scale)))
		d.Set("module.backbone.blocks.0.attn.qkv.weight", npy.NewFloat32([]int{9, 3}, arange(27, -scale)))
		d.Set("module.backbone.norm.bias", npy.NewFloat32([]int{3}, []float32{1, 2, 3}))
		return d
	}
	state := NewDict()
	for i := 1; i < 3; i++ {
		s := NewDict()
		s.Set("step", npy.NewFloat32([]int{}, []float32{7}))
		s.Set("exp_avg", npy.NewFloat32([]int{9, 3}, arange(27, 0.5)))
		s.Set("exp_avg_sq", npy.NewFloat32([]int{9, 3}, arange(27, 0.25)))
		state.Set(i, s)
	}
	group := NewDict()
	group.Set("lr", 0.001)
	group.Set("betas", Tuple{0.9, 0.999})
	group.Set("eps", 1e-8)
	group.Set("weight_decay", 0.04)
	group.Set("amsgrad", false)
	group.Set("foreach", nil)
	group.Set("params", []int{0, 1, 2})
	group2 := NewDict()
	group2.Set("WD_exclude", true)
	group2.Set("weight_decay", 0)
	group2.Set("params", []int{3, 300, 70000})
	opt := NewDict()
	opt.Set("state", state)
	opt.Set("param_groups", &List{Items: []any{group, group2}})

	top := NewDict()
	top.Set("encoder", model(1))
	top.Set("predictor", model(2))
	top.Set("opt", opt)
	top.Set("scaler", nil)
	top.Set("target_encoder", model(3))
	top.Set("epoch", 12)
	top.Set("loss", 0.5)
	top.Set("batch_size", 1<<40)
	top.Set("world_size", -3)
	top.Set("lr", float32(0.25))
	top.Set("ints", npy.NewInt64([]int{2}, []int64{-1, 1 << 50}))
	top.Set("name", "vit_tiny ✓")
	return top
}

func TestWriteRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ckpt.pth")
	top := trainingCheckpoint()
	require.NoError(t, Write(path, top))

	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	got := f.Top().(*OrderedDict)
	assert.Equal(t, top.StringKeys(), got.StringKeys())
	for _, key := range []string{"encoder", "predictor", "target_encoder"} {
		want := top.vals[top.index[key]].(*OrderedDict)
		sd, err := f.StateDict(key)
		require.NoError(t, err)
		assert.Equal(t, want.StringKeys(), sd.Names())
		for i, name := range sd.Names() {
			a := want.Values()[i].(*npy.Array)
			data, shape, err := sd.Read(name)
			require.NoError(t, err)
			assert.Equal(t, a.Shape, shape)
			assert.Equal(t, a.F32, data)
		}
		inner, _ := got.Get(key)
		assert.False(t, inner.(*OrderedDict).Plain, "state dicts are written as OrderedDict")
	}
	for key, want := range map[string]float64{"epoch": 12, "loss": 0.5, "batch_size": 1 << 40, "world_size": -3, "lr": 0.25} {
		v, err := f.Scalar(key)
		require.NoError(t, err)
		assert.Equal(t, want, v, key)
	}
	name, _ := f.Lookup("name")
	assert.Equal(t, "vit_tiny ✓", name)
	ints, _ := f.Lookup("ints")
	a, err := f.ReadArray(ints.(*TensorRef))
	require.NoError(t, err)
	assert.Equal(t, []int64{-1, 1 << 50}, a.I64)

	opt, err := f.Optimizer("opt")
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, opt.Indices)
	assert.Equal(t, 7.0, opt.Params[2].Step)
	m, err := f.ReadFloat32(opt.Params[2].Tensors["exp_avg_sq"])
	require.NoError(t, err)
	assert.Equal(t, arange(27, 0.25), m)
	require.Len(t, opt.Groups, 2)
	assert.Equal(t, []int{0, 1, 2}, opt.Groups[0].Params)
	assert.Equal(t, []int{3, 300, 70000}, opt.Groups[1].Params)
	foreach, ok := opt.Groups[0].Options.Get("foreach")
	assert.True(t, ok)
	assert.Nil(t, foreach)
	betas, _ := opt.Groups[0].Options.Get("betas")
	assert.Equal(t, Tuple{0.9, 0.999}, betas)

	// Records are stored and 64-byte aligned, like torch writes them.
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	assert.Equal(t, "archive/data.pkl", zr.File[0].Name)
	assert.Equal(t, "archive/version", zr.File[len(zr.File)-1].Name)
	for _, zf := range zr.File {
		assert.Equal(t, zip.Store, zf.Method)
		off, err := zf.DataOffset()
		require.NoError(t, err)
		assert.Zero(t, off%64, zf.Name)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1, "no temporary file left behind")
}

func TestSharedStorage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.pth")
	a := npy.NewFloat32([]int{2}, []float32{1, 2})
	top := NewDict()
	top.Set("a", a)
	top.Set("b", a)
	require.NoError(t, Write(path, top))
	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	ta, _ := f.Lookup("a")
	tb, _ := f.Lookup("b")
	assert.Equal(t, ta.(*TensorRef).StorageKey, tb.(*TensorRef).StorageKey)
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	for name, v := range map[string]any{
		"bad shape":   npy.NewFloat32([]int{3}, []float32{1}),
		"bad value":   struct{}{},
		"bad string":  "\xff",
		"nested list": &List{Items: []any{map[string]int{}}},
	} {
		top := NewDict()
		top.Set("x", v)
		path := filepath.Join(dir, "x.pth")
		err := Write(path, top)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), path)
		_, statErr := os.Stat(path)
		assert.True(t, os.IsNotExist(statErr), "%s: no partial file", name)
	}
	entries, _ := os.ReadDir(dir)
	assert.Empty(t, entries)
}

// TestStridedViews reads non-contiguous views of a storage.
func TestStridedViews(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.pth")
	top := NewDict()
	top.Set("m", npy.NewFloat32([]int{2, 3}, []float32{0, 1, 2, 3, 4, 5}))
	require.NoError(t, Write(path, top))
	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	v, _ := f.Lookup("m")
	base := *v.(*TensorRef)
	tests := []struct {
		name   string
		shape  []int
		stride []int
		offset int64
		want   []float32
	}{
		{"transpose", []int{3, 2}, []int{1, 3}, 0, []float32{0, 3, 1, 4, 2, 5}},
		{"column", []int{2}, []int{3}, 1, []float32{1, 4}},
		{"offset row", []int{1, 3}, []int{3, 1}, 3, []float32{3, 4, 5}},
		{"broadcast", []int{2, 2}, []int{0, 1}, 4, []float32{4, 5, 4, 5}},
		{"scalar", []int{}, []int{}, 5, []float32{5}},
		{"empty", []int{0, 3}, []int{3, 1}, 0, []float32{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base
			r.Shape, r.Stride, r.Offset = tt.shape, tt.stride, tt.offset
			got, err := f.ReadFloat32(&r)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	r := base
	r.Shape, r.Stride, r.Offset = []int{2, 3}, []int{3, 1}, 1
	_, err = f.ReadFloat32(&r)
	assert.ErrorContains(t, err, "exceeds its storage")
}

func TestDecodeDTypes(t *testing.T) {
	tests := []struct {
		dtype string
		raw   []byte
		want  []float32
	}{
		{"float16", []byte{0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x00, 0x7c, 0x00, 0x80}, []float32{1, -2, 5.960464477539063e-08, float32(posInf()), float32(negZero())}},
		{"bfloat16", []byte{0x80, 0x3f, 0x40, 0xc0}, []float32{1, -3}},
		{"float64", []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x3f}, []float32{1.5}},
		{"int8", []byte{0xff, 2}, []float32{-1, 2}},
		{"int16", []byte{0xfe, 0xff}, []float32{-2}},
		{"bool", []byte{1, 0}, []float32{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.dtype, func(t *testing.T) {
			a, err := decodeArray(tt.raw, tt.dtype)
			require.NoError(t, err)
			got, err := toFloat32(a)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := decodeArray(nil, "complex64")
	assert.Error(t, err)
}

// TestDeflated reads a checkpoint whose records were re-compressed.
func TestDeflated(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "stored.pth")
	top := trainingCheckpoint()
	require.NoError(t, Write(src, top))
	dst := filepath.Join(dir, "deflated.pth")
	zr, err := zip.OpenReader(src)
	require.NoError(t, err)
	out, err := os.Create(dst)
	require.NoError(t, err)
	zw := zip.NewWriter(out)
	for _, zf := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Deflate})
		require.NoError(t, err)
		rc, err := zf.Open()
		require.NoError(t, err)
		_, err = io.Copy(w, rc)
		require.NoError(t, err)
		rc.Close()
	}
	require.NoError(t, zw.Close())
	require.NoError(t, out.Close())
	zr.Close()

	f, err := Open(dst)
	require.NoError(t, err)
	defer f.Close()
	sd, err := f.StateDict("predictor")
	require.NoError(t, err)
	data, _, err := sd.Read("module.backbone.blocks.0.attn.qkv.weight")
	require.NoError(t, err)
	assert.Equal(t, arange(27, -2), data)
	ref, _ := f.Lookup("predictor/module.backbone.blocks.0.attn.qkv.weight")
	r := *ref.(*TensorRef)
	r.Shape, r.Stride, r.Offset = []int{2}, []int{1}, 25
	data, err = f.ReadFloat32(&r)
	require.NoError(t, err)
	assert.Equal(t, []float32{-50, -52}, data)
}
