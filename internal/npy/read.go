package npy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// ReadFile reads a .npy file. Errors name the file.
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read npy: %w", err)
	}
	defer f.Close()
	a, err := Read(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return a, nil
}

// Read decodes one .npy array from r. It reads exactly the bytes of the
// array and nothing more (beyond what r itself buffers).
func Read(r io.Reader) (*Array, error) {
	var pre [8]byte
	if n, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, fmt.Errorf("not a .npy file: %d-byte input is shorter than the 8-byte preamble", n)
	}
	if string(pre[:6]) != magic {
		return nil, fmt.Errorf("not a .npy file: bad magic %q", pre[:6])
	}
	major := pre[6]
	var hlen int
	switch major {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("truncated header length: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("truncated header length: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
	default:
		return nil, fmt.Errorf("unsupported .npy format version %d.%d", major, pre[7])
	}
	if hlen > maxHeaderLen {
		return nil, fmt.Errorf("header length %d exceeds %d", hlen, maxHeaderLen)
	}
	hb := make([]byte, hlen)
	if n, err := io.ReadFull(r, hb); err != nil {
		return nil, fmt.Errorf("truncated header: expected %d bytes, got %d", hlen, n)
	}
	h, err := parseHeader(string(hb))
	if err != nil {
		return nil, err
	}
	n := 1
	for _, d := range h.shape {
		if d != 0 && n > math.MaxInt/8/d {
			return nil, fmt.Errorf("shape %v is too large", h.shape)
		}
		n *= d
	}
	nbytes := n * h.dtype.ItemSize()
	buf, err := readN(r, nbytes)
	if err != nil {
		return nil, err
	}
	return decode(h, n, buf), nil
}

// readN reads exactly n bytes. The buffer grows with the data actually
// received, so a corrupt header announcing a huge array cannot force a huge
// allocation up front.
func readN(r io.Reader, n int) ([]byte, error) {
	const chunk = 64 << 20
	buf := make([]byte, 0, min(n, chunk))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(n-len(buf), cap(buf)))
		}
		m, err := r.Read(buf[len(buf):min(n, cap(buf))])
		buf = buf[:len(buf)+m]
		if err != nil && len(buf) < n {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("truncated data: expected %d bytes, got %d", n, len(buf))
			}
			return nil, fmt.Errorf("read data: %w", err)
		}
	}
	return buf, nil
}

// decode converts little-endian raw bytes into an Array.
func decode(h header, n int, b []byte) *Array {
	a := &Array{Shape: h.shape, DType: h.dtype}
	le := binary.LittleEndian
	switch h.dtype {
	case Float32:
		a.F32 = make([]float32, n)
		for i := range a.F32 {
			a.F32[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
	case Float64:
		a.F64 = make([]float64, n)
		for i := range a.F64 {
			a.F64[i] = math.Float64frombits(le.Uint64(b[8*i:]))
		}
	case Int64:
		a.I64 = make([]int64, n)
		for i := range a.I64 {
			a.I64[i] = int64(le.Uint64(b[8*i:]))
		}
	case Int32:
		a.I32 = make([]int32, n)
		for i := range a.I32 {
			a.I32[i] = int32(le.Uint32(b[4*i:]))
		}
	case Uint8:
		a.U8 = b[:n:n]
	case Float16:
		a.F16 = make([]uint16, n)
		for i := range a.F16 {
			a.F16[i] = le.Uint16(b[2*i:])
		}
	case Bool:
		a.Bool = make([]bool, n)
		for i := range a.Bool {
			a.Bool[i] = b[i] != 0
		}
	}
	return a
}
