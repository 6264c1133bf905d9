package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// MaxHeaderSize bounds the JSON header (the reference implementation allows 100 MB).
const MaxHeaderSize = 100 << 20

// TensorInfo describes one tensor of a file.
type TensorInfo struct {
	DType string
	Shape []int
	Begin int64 // byte range in the data section
	End   int64
}

// File is an open safetensors file.
type File struct {
	path     string
	f        *os.File
	data     int64 // offset of the data section
	tensors  map[string]TensorInfo
	Metadata map[string]string
}

// Sniff reports whether head (the first bytes of a file, at least 9) looks like a
// safetensors file: a header length that is plausible for size bytes, then a JSON object.
func Sniff(head []byte, size int64) bool {
	if len(head) < 9 {
		return false
	}
	n := binary.LittleEndian.Uint64(head)
	return n >= 2 && n <= MaxHeaderSize && int64(n) <= size-8 && head[8] == '{'
}

// Open opens path and validates its header.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	sf, err := open(f, path)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sf, nil
}

type rawEntry struct {
	DType       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

func open(f *os.File, path string) (*File, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	var lenBuf [8]byte
	if _, err := f.ReadAt(lenBuf[:], 0); err != nil {
		return nil, fmt.Errorf("not a safetensors file: %d bytes, too short for the header length", size)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderSize || int64(n) > size-8 {
		return nil, fmt.Errorf("not a safetensors file: header length %d does not fit the file of %d bytes", n, size)
	}
	header := make([]byte, n)
	if _, err := f.ReadAt(header, 8); err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil {
		return nil, fmt.Errorf("corrupt header (not a JSON object): %w", err)
	}
	sf := &File{path: path, f: f, data: 8 + int64(n), tensors: map[string]TensorInfo{}}
	dataLen := size - sf.data
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &sf.Metadata); err != nil {
				return nil, fmt.Errorf("corrupt header: __metadata__ is not a string map: %w", err)
			}
			continue
		}
		info, err := parseEntry(msg, dataLen)
		if err != nil {
			return nil, fmt.Errorf("corrupt header: tensor %q: %w", name, err)
		}
		sf.tensors[name] = info
	}
	return sf, nil
}

func parseEntry(msg json.RawMessage, dataLen int64) (TensorInfo, error) {
	var e rawEntry
	if err := json.Unmarshal(msg, &e); err != nil {
		return TensorInfo{}, err
	}
	size, ok := dtypeSizes[e.DType]
	if !ok {
		return TensorInfo{}, fmt.Errorf("unknown dtype %q", e.DType)
	}
	if len(e.DataOffsets) != 2 {
		return TensorInfo{}, fmt.Errorf("data_offsets must be [begin, end], got %v", e.DataOffsets)
	}
	begin, end := e.DataOffsets[0], e.DataOffsets[1]
	if begin < 0 || end < begin || end > dataLen {
		return TensorInfo{}, fmt.Errorf("byte range [%d, %d) is outside the %d data bytes", begin, end, dataLen)
	}
	numel := int64(1)
	shape := make([]int, len(e.Shape))
	for i, d := range e.Shape {
		if d < 0 || d > math.MaxInt32 {
			return TensorInfo{}, fmt.Errorf("invalid shape %v", e.Shape)
		}
		shape[i] = int(d)
		if d != 0 && numel > math.MaxInt64/d/int64(size) {
			return TensorInfo{}, fmt.Errorf("shape %v is too large", e.Shape)
		}
		numel *= d
	}
	if numel*int64(size) != end-begin {
		return TensorInfo{}, fmt.Errorf("shape %v of %s needs %d bytes, the byte range [%d, %d) has %d", e.Shape, e.DType, numel*int64(size), begin, end, end-begin)
	}
	return TensorInfo{DType: e.DType, Shape: shape, Begin: begin, End: end}, nil
}

// Close releases the file.
func (f *File) Close() error { return f.f.Close() }

// Path is the file's name.
func (f *File) Path() string { return f.path }

// Names returns the tensor names, sorted.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.tensors))
	for n := range f.tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Info returns the description of tensor name.
func (f *File) Info(name string) (TensorInfo, bool) {
	info, ok := f.tensors[name]
	return info, ok
}

// ErrNotFound is returned for a tensor name the file does not have.
var ErrNotFound = errors.New("no such tensor")

// Float32 reads tensor name converted to float32 (from F32, F16, BF16, F64 or an integer
// dtype), with its shape.
func (f *File) Float32(name string) ([]float32, []int, error) {
	info, ok := f.tensors[name]
	if !ok {
		return nil, nil, fmt.Errorf("%s: %q: %w", f.path, name, ErrNotFound)
	}
	raw := make([]byte, info.End-info.Begin)
	if _, err := f.f.ReadAt(raw, f.data+info.Begin); err != nil && !(errors.Is(err, io.EOF) && len(raw) == 0) {
		return nil, nil, fmt.Errorf("%s: %q: %w", f.path, name, err)
	}
	v, err := toFloat32(info.DType, raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %q: %w", f.path, name, err)
	}
	return v, info.Shape, nil
}
