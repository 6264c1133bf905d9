package npy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
)

// Write encodes a as a .npy array (format 1.0, or 2.0 for huge headers).
func Write(w io.Writer, a *Array) error {
	if err := a.Validate(); err != nil {
		return err
	}
	hdr, err := formatHeader(a)
	if err != nil {
		return err
	}
	// Pad with spaces and a newline so that the data starts 64-byte aligned.
	pre := 10
	if len(hdr)+1+pre > math.MaxUint16 {
		pre = 12
	}
	total := (pre + len(hdr) + 1 + 63) / 64 * 64
	hdr += strings.Repeat(" ", total-pre-len(hdr)-1) + "\n"
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(magic)
	if pre == 10 {
		bw.Write([]byte{1, 0})
		binary.Write(bw, binary.LittleEndian, uint16(len(hdr)))
	} else {
		bw.Write([]byte{2, 0})
		binary.Write(bw, binary.LittleEndian, uint32(len(hdr)))
	}
	bw.WriteString(hdr)
	if err := encode(bw, a); err != nil {
		return err
	}
	return bw.Flush()
}

// encode writes the data of a in little-endian order.
func encode(w *bufio.Writer, a *Array) error {
	var b [8]byte
	le := binary.LittleEndian
	switch a.DType {
	case Float32:
		for _, v := range a.F32 {
			le.PutUint32(b[:], math.Float32bits(v))
			w.Write(b[:4])
		}
	case Float64:
		for _, v := range a.F64 {
			le.PutUint64(b[:], math.Float64bits(v))
			w.Write(b[:8])
		}
	case Int64:
		for _, v := range a.I64 {
			le.PutUint64(b[:], uint64(v))
			w.Write(b[:8])
		}
	case Int32:
		for _, v := range a.I32 {
			le.PutUint32(b[:], uint32(v))
			w.Write(b[:4])
		}
	case Uint8:
		w.Write(a.U8)
	case Float16:
		for _, v := range a.F16 {
			le.PutUint16(b[:], v)
			w.Write(b[:2])
		}
	case Bool:
		for _, v := range a.Bool {
			if v {
				w.WriteByte(1)
			} else {
				w.WriteByte(0)
			}
		}
	default:
		return fmt.Errorf("unsupported dtype %q", string(a.DType))
	}
	return nil
}

// WriteFile writes a to path as a .npy file, atomically: the data goes to a
// temporary file in the same directory that is renamed over path.
func WriteFile(path string, a *Array) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Write(w, a) })
}
