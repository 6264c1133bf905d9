package datasets

import (
	"bytes"
	"compress/gzip"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/synthetic"
)

// writeIDX writes an unsigned-byte IDX file, gzip-compressed when the name ends in .gz.
func writeIDX(t *testing.T, path string, dims []int, data []byte) {
	t.Helper()
	raw := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		raw = append(raw, byte(d>>24), byte(d>>16), byte(d>>8), byte(d))
	}
	raw = append(raw, data...)
	if filepath.Ext(path) == ".gz" {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, err := zw.Write(raw)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		raw = buf.Bytes()
	}
	require.NoError(t, os.WriteFile(path, raw, 0o644))
}

func TestReadFashionMNISTSmall(t *testing.T) {
	dir := t.TempDir()
	pix := make([]byte, 4*2*3)
	for i := range pix {
		pix[i] = byte(i * 10)
	}
	writeIDX(t, filepath.Join(dir, "train-images-idx3-ubyte.gz"), []int{4, 2, 3}, pix)
	writeIDX(t, filepath.Join(dir, "train-labels-idx1-ubyte"), []int{4}, []byte{3, 0, 3, 9})
	m, err := ReadFashionMNIST(dir, synthetic.SplitTrain)
	require.NoError(t, err)
	assert.Equal(t, 4, m.Len())
	assert.Equal(t, [2]int{2, 3}, [2]int{m.Rows, m.Cols})
	assert.Equal(t, pix[6:12], m.Image(1))
	assert.Equal(t, []int{0, 1, 3}, m.Select(1))
	assert.Equal(t, []int{0, 1, 2, 3}, m.Select(0))

	out := t.TempDir()
	require.NoError(t, m.WriteImageFolder(context.Background(), out, []int{2}, nil))
	f, err := os.Open(filepath.Join(out, "3-dress", "00002.png"))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	gray, ok := img.(*image.Gray)
	require.True(t, ok, "grey-level PNG")
	assert.Equal(t, pix[12:18], gray.Pix)

	// Errors: missing files, wrong magic, truncated data, label out of range.
	for _, tc := range []struct {
		name    string
		prepare func(dir string)
		wantErr string
	}{
		{"missing", func(string) {}, "apt-get install -y dataset-fashion-mnist"},
		{"magic", func(dir string) {
			writeIDX(t, filepath.Join(dir, "t10k-images-idx3-ubyte"), []int{1, 1}, []byte{0})
		}, "not an unsigned-byte IDX file of rank 3"},
		{"truncated", func(dir string) {
			writeIDX(t, filepath.Join(dir, "t10k-images-idx3-ubyte"), []int{2, 2, 2}, []byte{1, 2, 3})
		}, "need 8 bytes of data, file has 3"},
		{"label", func(dir string) {
			writeIDX(t, filepath.Join(dir, "t10k-images-idx3-ubyte"), []int{1, 1, 1}, []byte{1})
			writeIDX(t, filepath.Join(dir, "t10k-labels-idx1-ubyte"), []int{1}, []byte{10})
		}, "label 10 of image 0 out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.prepare(dir)
			_, err := ReadFashionMNIST(dir, synthetic.SplitVal)
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
	_, err = ReadFashionMNIST(dir, "test")
	assert.ErrorContains(t, err, `split "test"`)
}

func TestFashionMNISTPackage(t *testing.T) {
	if _, err := os.Stat(filepath.Join(DefaultFashionMNISTDir, "t10k-labels-idx1-ubyte.gz")); err != nil {
		t.Fatalf("%v: install the Debian package dataset-fashion-mnist (see .ci/run or the README's set-up)", err)
	}
	for _, tc := range []struct {
		split string
		n     int
	}{{synthetic.SplitTrain, 60000}, {synthetic.SplitVal, 10000}} {
		m, err := ReadFashionMNIST(DefaultFashionMNISTDir, tc.split)
		require.NoError(t, err)
		assert.Equal(t, tc.n, m.Len())
		assert.Equal(t, [2]int{28, 28}, [2]int{m.Rows, m.Cols})
		keep := m.Select(2)
		require.Len(t, keep, 20)
		out := t.TempDir()
		require.NoError(t, m.WriteImageFolder(context.Background(), out, keep, nil))
		for _, class := range FashionMNISTClassNames() {
			files, err := filepath.Glob(filepath.Join(out, class, "*.png"))
			require.NoError(t, err)
			assert.Len(t, files, 2, class)
		}
	}
}
