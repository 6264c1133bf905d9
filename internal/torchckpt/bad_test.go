package torchckpt

import (
	"archive/zip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/npy"
)

func posInf() float64  { return 1 / zero() }
func negZero() float64 { return -zero() }
func zero() float64    { return 0 }

// writeZip writes a zip with the given records, in order.
func writeZip(t *testing.T, path string, records [][2]string) {
	t.Helper()
	out, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(out)
	for _, r := range records {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: r[0], Method: zip.Store})
		require.NoError(t, err)
		_, err = w.Write([]byte(r[1]))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, out.Close())
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.pth")
	top := NewDict()
	top.Set("w", npy.NewFloat32([]int{4}, []float32{1, 2, 3, 4}))
	require.NoError(t, Write(good, top))
	goodBytes, err := os.ReadFile(good)
	require.NoError(t, err)
	zr, err := zip.OpenReader(good)
	require.NoError(t, err)
	pkl, err := readAll(zr.File[0], 1<<20)
	require.NoError(t, err)
	zr.Close()

	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o644))
		return p
	}
	notZip := write("text.pth", []byte("hello, world"))
	legacy := write("legacy.pth", []byte("\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.garbage"))
	truncZip := write("trunc.pth", goodBytes[:len(goodBytes)/2])
	noPkl := filepath.Join(dir, "nopkl.pth")
	writeZip(t, noPkl, [][2]string{{"archive/version", "3\n"}})
	badPkl := filepath.Join(dir, "badpkl.pth")
	writeZip(t, badPkl, [][2]string{{"archive/data.pkl", string(pkl[:len(pkl)/2])}})
	shortStorage := filepath.Join(dir, "short.pth")
	writeZip(t, shortStorage, [][2]string{{"archive/data.pkl", string(pkl)}, {"archive/data/0", "12345678"}})
	noStorage := filepath.Join(dir, "nostorage.pth")
	writeZip(t, noStorage, [][2]string{{"archive/data.pkl", string(pkl)}})
	bigEndian := filepath.Join(dir, "big.pth")
	writeZip(t, bigEndian, [][2]string{{"archive/data.pkl", string(pkl)}, {"archive/byteorder", "big"}})

	for _, tt := range []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "missing.pth"), "no such file"},
		{"not a zip", notZip, "not a zip"},
		{"legacy", legacy, "legacy torch format not supported: re-save with torch>=1.6"},
		{"truncated zip", truncZip, "not a valid zip"},
		{"no data.pkl", noPkl, "data.pkl"},
		{"bad pickle", badPkl, "truncated pickle"},
		{"big endian", bigEndian, "byte order"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.path)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.path)
			require.Contains(t, err.Error(), tt.want)
		})
	}
	for _, tt := range []struct {
		name, path, want string
	}{
		{"truncated storage", shortStorage, "truncated storage: tensor needs 16 bytes, record has 8"},
		{"missing storage", noStorage, "archive/data/0 is missing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Open(tt.path)
			require.NoError(t, err)
			defer f.Close()
			sd, err := f.StateDict("")
			require.NoError(t, err)
			_, _, err = sd.Read("w")
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.path)
			require.Contains(t, err.Error(), tt.want)
			_, _, err = sd.Read("absent")
			require.ErrorContains(t, err, `no tensor "absent"`)
		})
	}
}

// TestUnpickleTruncated checks that every prefix of a real pickle fails
// cleanly.
func TestUnpickleTruncated(t *testing.T) {
	p := newPickler()
	require.NoError(t, p.value(trainingCheckpoint()))
	p.op(opStop)
	data := p.buf.Bytes()
	_, err := unpickle(data)
	require.NoError(t, err)
	for n := 0; n < len(data); n++ {
		_, err := unpickle(data[:n])
		require.Error(t, err, "prefix of %d bytes", n)
	}
}

func TestUnpickleOpcodes(t *testing.T) {
	tests := []struct {
		name string
		data string
		want any
	}{
		{"long1 negative", "\x80\x02\x8a\x02\x00\xff.", int64(-256)},
		{"binint", "J\xfe\xff\xff\xff.", int64(-2)},
		{"text int bool", "I01\n.", true},
		{"text float", "F1.5\n.", 1.5},
		{"short strings", "\x8c\x02hiU\x02yo\x86.", Tuple{"hi", "yo"}},
		{"bytes", "C\x02ab.", []byte("ab")},
		{"stack global", "\x8c\x03foo\x8c\x03bar\x93)\x81.", "obj"},
		{"dict", "(K\x01K\x02d.", "dict"},
		{"memo", "]\x94h\x00K\x01a0.", "list"},
		{"codecs bytes", "c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xbfX\x06\x00\x00\x00latin1\x86R.", []byte{0xff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := unpickle([]byte(tt.data))
			require.NoError(t, err)
			switch tt.want {
			case "obj":
				o, ok := v.(*Object)
				require.True(t, ok, "%T", v)
				require.Equal(t, "foo.bar", o.Class.String())
			case "dict":
				d, ok := v.(*OrderedDict)
				require.True(t, ok)
				x, _ := d.Get(1)
				require.Equal(t, int64(2), x)
			case "list":
				l, ok := v.(*List)
				require.True(t, ok, "%T", v)
				require.Equal(t, []any{int64(1)}, l.Items)
			default:
				require.Equal(t, tt.want, v)
			}
		})
	}
	for _, bad := range []string{"", ".", "0.", "h\x05.", "(u.", "\xff.", "K\x01K\x01R."} {
		_, err := unpickle([]byte(bad))
		require.Error(t, err, "%q", bad)
	}
}

func FuzzUnpickle(f *testing.F) {
	p := newPickler()
	_ = p.value(trainingCheckpoint())
	p.op(opStop)
	f.Add(p.buf.Bytes())
	f.Add([]byte("(K\x01K\x02d."))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = unpickle(data)
	})
}
