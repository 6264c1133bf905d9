package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
)

// Tensor is one float32 tensor to write.
type Tensor struct {
	Name  string
	Shape []int
	F32   []float32
}

// Write writes tensors as F32, in name order, with metadata (may be nil). The header is
// padded with spaces to a multiple of 8 bytes, as the reference writer does.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	sorted := append([]Tensor(nil), tensors...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	var off int64
	for i, t := range sorted {
		if i > 0 && t.Name == sorted[i-1].Name {
			return fmt.Errorf("safetensors: tensor %q given twice", t.Name)
		}
		if t.Name == "__metadata__" {
			return fmt.Errorf("safetensors: %q is reserved", t.Name)
		}
		n := 1
		for _, d := range t.Shape {
			n *= d
		}
		if n != len(t.F32) {
			return fmt.Errorf("safetensors: tensor %q: shape %v needs %d values, got %d", t.Name, t.Shape, n, len(t.F32))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[t.Name] = map[string]any{"dtype": "F32", "shape": shape, "data_offsets": []int64{off, off + 4*int64(n)}}
		off += 4 * int64(n)
	}
	js, err := json.Marshal(header)
	if err != nil {
		return err
	}
	if pad := len(js) % 8; pad != 0 {
		js = append(js, bytes.Repeat([]byte(" "), 8-pad)...)
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(js)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	for _, t := range sorted {
		for _, v := range t.F32 {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) >= 1<<16 {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	_, err = w.Write(buf)
	return err
}

// WriteFile writes tensors to path atomically (see [Write]).
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Write(w, tensors, metadata) })
}
