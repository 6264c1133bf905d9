package torchckpt

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/vjepa-go/vjepa/internal/npy"
)

// maxPickleSize bounds the size of data.pkl accepted by [Open].
const maxPickleSize = 1 << 30

// File is an open torch.save zip checkpoint. Its methods may be called
// concurrently.
type File struct {
	path    string
	f       *os.File
	zr      *zip.Reader
	prefix  string
	storage map[string]*zip.File
	top     any
}

// Open opens a torch.save zip checkpoint and decodes its data.pkl. Tensor
// data is not read until asked for.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open checkpoint: %w", err)
	}
	cf, err := open(f, path)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open checkpoint %s: %w", path, err)
	}
	return cf, nil
}

func open(f *os.File, path string) (*File, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkZipMagic(f, st.Size()); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("not a valid zip archive: %w", err)
	}
	cf := &File{path: path, f: f, zr: zr, storage: make(map[string]*zip.File)}
	var pkl *zip.File
	for _, zf := range zr.File {
		dir, ok := strings.CutSuffix(zf.Name, "data.pkl")
		if !ok || (dir != "" && (!strings.HasSuffix(dir, "/") || strings.Count(dir, "/") != 1)) {
			continue
		}
		if pkl == nil || len(zf.Name) < len(pkl.Name) {
			pkl, cf.prefix = zf, dir
		}
	}
	if pkl == nil {
		return nil, fmt.Errorf("no <prefix>/data.pkl record: not a torch.save checkpoint")
	}
	for _, zf := range zr.File {
		if key, ok := strings.CutPrefix(zf.Name, cf.prefix+"data/"); ok && key != "" {
			cf.storage[key] = zf
		}
		if zf.Name == cf.prefix+"byteorder" {
			b, err := readAll(zf, 16)
			if err != nil {
				return nil, fmt.Errorf("byteorder record: %w", err)
			}
			if s := strings.TrimSpace(string(b)); s != "little" {
				return nil, fmt.Errorf("byte order %q not supported", s)
			}
		}
	}
	data, err := readAll(pkl, maxPickleSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkl.Name, err)
	}
	if cf.top, err = unpickle(data); err != nil {
		return nil, fmt.Errorf("%s: %w", pkl.Name, err)
	}
	return cf, nil
}

// checkZipMagic distinguishes zip checkpoints from the legacy torch format
// and from other files.
func checkZipMagic(f *os.File, size int64) error {
	var head [512]byte
	n, _ := f.ReadAt(head[:], 0)
	if n >= 4 && string(head[:4]) == "PK\x03\x04" {
		return nil
	}
	if n >= 2 && head[0] == 0x80 && head[1] <= 5 || n >= 262 && string(head[257:262]) == "ustar" {
		return errors.New("legacy torch format not supported: re-save with torch>=1.6")
	}
	return fmt.Errorf("not a zip archive (%d bytes, no zip signature): not a torch.save checkpoint", size)
}

// readAll reads a whole record of at most limit bytes.
func readAll(zf *zip.File, limit uint64) ([]byte, error) {
	if zf.UncompressedSize64 > limit {
		return nil, fmt.Errorf("record of %d bytes exceeds %d", zf.UncompressedSize64, limit)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	buf.Grow(int(zf.UncompressedSize64))
	if _, err := io.Copy(&buf, rc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Close closes the underlying file.
func (f *File) Close() error { return f.f.Close() }

// Path returns the file name given to [Open].
func (f *File) Path() string { return f.path }

// Top returns the decoded top-level object, usually an *[OrderedDict].
func (f *File) Top() any { return f.top }

// ReadArray reads the data of one tensor of this file into a C-contiguous
// array, honouring its storage offset and strides. Only the bytes of the
// tensor's span of its storage are read. float16 and bfloat16 become
// float32, int8 and int16 become int32.
func (f *File) ReadArray(t *TensorRef) (*npy.Array, error) {
	a, err := f.readArray(t)
	if err != nil {
		return nil, fmt.Errorf("read %s: storage %s: %w", f.path, t.StorageKey, err)
	}
	return a, nil
}

func (f *File) readArray(t *TensorRef) (*npy.Array, error) {
	size := int64(itemSize(t.DType))
	if size == 0 {
		return nil, fmt.Errorf("unsupported tensor dtype %s", t.DType)
	}
	lo, hi := t.span()
	if hi > t.StorageNumel {
		return nil, fmt.Errorf("tensor view [%d, %d) exceeds its storage of %d elements", lo, hi, t.StorageNumel)
	}
	zf, ok := f.storage[t.StorageKey]
	if !ok {
		return nil, fmt.Errorf("record %sdata/%s is missing", f.prefix, t.StorageKey)
	}
	if uint64(hi*size) > zf.UncompressedSize64 {
		return nil, fmt.Errorf("truncated storage: tensor needs %d bytes, record has %d", hi*size, zf.UncompressedSize64)
	}
	raw, err := f.readRange(zf, lo*size, (hi-lo)*size)
	if err != nil {
		return nil, err
	}
	flat, err := decodeArray(raw, t.DType)
	if err != nil {
		return nil, err
	}
	return viewArray(flat, t), nil
}

// readRange reads n bytes at offset off of a record's uncompressed data.
// Stored records are read in place; compressed ones are decompressed up to
// the end of the range.
func (f *File) readRange(zf *zip.File, off, n int64) ([]byte, error) {
	buf := make([]byte, n)
	if zf.Method == zip.Store {
		start, err := zf.DataOffset()
		if err != nil {
			return nil, err
		}
		got, err := f.f.ReadAt(buf, start+off)
		if got < len(buf) {
			return nil, fmt.Errorf("truncated file: read %d of %d bytes at offset %d: %v", got, n, start+off, err)
		}
		return buf, nil
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if _, err := io.CopyN(io.Discard, rc, off); err != nil {
		return nil, fmt.Errorf("skip to offset %d: %w", off, err)
	}
	if got, err := io.ReadFull(rc, buf); err != nil {
		return nil, fmt.Errorf("truncated record: read %d of %d bytes: %w", got, n, err)
	}
	return buf, nil
}

// ReadFloat32 reads one tensor as float32 in C order (see [File.ReadArray]);
// float64 is rounded, integer and bool tensors are converted.
func (f *File) ReadFloat32(t *TensorRef) ([]float32, error) {
	a, err := f.ReadArray(t)
	if err != nil {
		return nil, err
	}
	return toFloat32(a)
}

func toFloat32(a *npy.Array) ([]float32, error) {
	if a.DType == npy.Float32 || a.DType == npy.Float64 {
		return a.Float32s()
	}
	ints, err := a.Int64s()
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(ints))
	for i, v := range ints {
		out[i] = float32(v)
	}
	return out, nil
}
