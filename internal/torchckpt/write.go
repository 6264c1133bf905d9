package torchckpt

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
	"github.com/vjepa-go/vjepa/internal/npy"
)

// archivePrefix is the record directory torch.save uses for a file named
// e.g. checkpoint.pth in recent versions.
const archivePrefix = "archive/"

// alignment of record data in the zip, as in torch's PyTorchStreamWriter.
const alignment = 64

// Write saves top as a torch.save zip checkpoint loadable with torch.load,
// atomically (a temporary file in the same directory renamed to path).
//
// Values may be nil, bool, int, int32, int64, float32, float64, string,
// *OrderedDict (a plain dict when Plain is set, else
// collections.OrderedDict), *List, []any, []int, []int64, []float64,
// []string, Tuple, and *npy.Array for tensors (float32, float64, int64,
// int32, uint8, bool; contiguous, on CPU). The same *npy.Array appearing
// twice shares one storage.
func Write(path string, top *OrderedDict) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return encode(w, top) }); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// encode writes the zip archive of a checkpoint to w.
func encode(w io.Writer, top *OrderedDict) error {
	p := newPickler()
	if err := p.value(top); err != nil {
		return err
	}
	p.op(opStop)
	bw := bufio.NewWriterSize(w, 1<<20)
	zw := &alignedZip{zw: zip.NewWriter(bw)}
	if err := zw.add(archivePrefix+"data.pkl", p.buf.Bytes()); err != nil {
		return err
	}
	if err := zw.add(archivePrefix+"byteorder", []byte("little")); err != nil {
		return err
	}
	for i, a := range p.storages {
		if err := zw.add(fmt.Sprintf("%sdata/%d", archivePrefix, i), rawBytes(a)); err != nil {
			return err
		}
	}
	if err := zw.add(archivePrefix+"version", []byte("3\n")); err != nil {
		return err
	}
	if err := zw.zw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// alignedZip writes stored records whose data starts at multiples of
// alignment, padding the local header's extra field like torch does.
type alignedZip struct {
	zw     *zip.Writer
	offset int64
}

func (z *alignedZip) add(name string, data []byte) error {
	const localHeader = 30
	const extraHeader = 4
	pad := (alignment - (z.offset+localHeader+int64(len(name))+extraHeader)%alignment) % alignment
	extra := make([]byte, extraHeader+pad)
	copy(extra, "FB")
	binary.LittleEndian.PutUint16(extra[2:], uint16(pad))
	for i := extraHeader; i < len(extra); i++ {
		extra[i] = 'Z'
	}
	fh := &zip.FileHeader{
		Name:               name,
		Method:             zip.Store,
		CRC32:              crc32.ChecksumIEEE(data),
		CompressedSize64:   uint64(len(data)),
		UncompressedSize64: uint64(len(data)),
		Extra:              extra,
	}
	w, err := z.zw.CreateRaw(fh)
	if err != nil {
		return fmt.Errorf("record %s: %w", name, err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("record %s: %w", name, err)
	}
	z.offset += localHeader + int64(len(name)) + int64(len(extra)) + int64(len(data))
	return nil
}

// rawBytes returns the little-endian bytes of an array's data.
func rawBytes(a *npy.Array) []byte {
	le := binary.LittleEndian
	switch a.DType {
	case npy.Float32:
		b := make([]byte, 4*len(a.F32))
		for i, v := range a.F32 {
			le.PutUint32(b[4*i:], math.Float32bits(v))
		}
		return b
	case npy.Float64:
		b := make([]byte, 8*len(a.F64))
		for i, v := range a.F64 {
			le.PutUint64(b[8*i:], math.Float64bits(v))
		}
		return b
	case npy.Int64:
		b := make([]byte, 8*len(a.I64))
		for i, v := range a.I64 {
			le.PutUint64(b[8*i:], uint64(v))
		}
		return b
	case npy.Int32:
		b := make([]byte, 4*len(a.I32))
		for i, v := range a.I32 {
			le.PutUint32(b[4*i:], uint32(v))
		}
		return b
	case npy.Uint8:
		return a.U8
	case npy.Bool:
		b := make([]byte, len(a.Bool))
		for i, v := range a.Bool {
			if v {
				b[i] = 1
			}
		}
		return b
	}
	return nil
}
