package torchckpt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/vjepa-go/vjepa/internal/npy"
)

// batchSize is the number of items per APPENDS/SETITEMS, as in CPython.
const batchSize = 1000

// pickler encodes Go values as a protocol-2 pickle the way torch.save does.
// Tensors (*npy.Array) are replaced by persistent storage ids and collected
// in storages.
type pickler struct {
	buf      bytes.Buffer
	globals  map[string]int // memo index of each emitted GLOBAL
	memo     int
	keys     map[*npy.Array]string
	storages []*npy.Array // in key order "0", "1", ...
}

func newPickler() *pickler {
	p := &pickler{globals: make(map[string]int), keys: make(map[*npy.Array]string)}
	p.buf.Write([]byte{opProto, 2})
	return p
}

func (p *pickler) op(b ...byte) { p.buf.Write(b) }

// global emits a GLOBAL, memoised so that repeats cost a BINGET.
func (p *pickler) global(module, name string) {
	k := module + "\n" + name + "\n"
	if i, ok := p.globals[k]; ok {
		p.get(i)
		return
	}
	p.op(opGlobal)
	p.buf.WriteString(k)
	p.globals[k] = p.memo
	p.put(p.memo)
	p.memo++
}

func (p *pickler) put(i int) { p.memoOp(opBinPut, opLongBinPut, i) }

func (p *pickler) get(i int) { p.memoOp(opBinGet, opLongBinGet, i) }

// memoOp emits a memo opcode for index i: short with a one-byte index, long with four bytes.
func (p *pickler) memoOp(short, long byte, i int) {
	if i < 256 {
		p.op(short, byte(i))
		return
	}
	p.op(long)
	binary.Write(&p.buf, binary.LittleEndian, uint32(i))
}

func (p *pickler) int(v int64) {
	switch {
	case v >= 0 && v < 1<<8:
		p.op(opBinInt1, byte(v))
	case v >= 0 && v < 1<<16:
		p.op(opBinInt2, byte(v), byte(v>>8))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		p.op(opBinInt)
		binary.Write(&p.buf, binary.LittleEndian, int32(v))
	default:
		// Minimal little-endian two's complement.
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		n := 8
		for n > 1 && (b[n-1] == 0 && b[n-2]&0x80 == 0 || b[n-1] == 0xff && b[n-2]&0x80 != 0) {
			n--
		}
		p.op(opLong1, byte(n))
		p.buf.Write(b[:n])
	}
}

func (p *pickler) str(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("string %q is not valid UTF-8", s)
	}
	p.op(opBinUnicode)
	binary.Write(&p.buf, binary.LittleEndian, uint32(len(s)))
	p.buf.WriteString(s)
	return nil
}

// value encodes one Go value.
func (p *pickler) value(v any) error {
	switch x := v.(type) {
	case nil:
		p.op(opNone)
	case bool:
		if x {
			p.op(opNewTrue)
		} else {
			p.op(opNewFalse)
		}
	case int:
		p.int(int64(x))
	case int32:
		p.int(int64(x))
	case int64:
		p.int(x)
	case float32:
		return p.value(float64(x))
	case float64:
		p.op(opBinFloat)
		binary.Write(&p.buf, binary.BigEndian, math.Float64bits(x))
	case string:
		return p.str(x)
	case *OrderedDict:
		return p.dict(x)
	case *List:
		return p.list(x.Items)
	case []any:
		return p.list(x)
	case []int:
		return p.list(toAny(x))
	case []int64:
		return p.list(toAny(x))
	case []float64:
		return p.list(toAny(x))
	case []string:
		return p.list(toAny(x))
	case Tuple:
		return p.tuple(x)
	case *npy.Array:
		return p.tensor(x)
	default:
		return fmt.Errorf("cannot pickle a %T", v)
	}
	return nil
}

func toAny[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func (p *pickler) dict(d *OrderedDict) error {
	if d.Plain {
		p.op(opEmptyDict)
	} else {
		p.global("collections", "OrderedDict")
		p.op(opEmptyTuple, opReduce)
	}
	keys, vals := d.Keys(), d.Values()
	for start := 0; start < len(keys); start += batchSize {
		p.op(opMark)
		for i := start; i < min(start+batchSize, len(keys)); i++ {
			if err := p.value(keys[i]); err != nil {
				return err
			}
			if err := p.value(vals[i]); err != nil {
				return fmt.Errorf("%v: %w", keys[i], err)
			}
		}
		p.op(opSetItems)
	}
	return nil
}

func (p *pickler) list(items []any) error {
	p.op(opEmptyList)
	for start := 0; start < len(items); start += batchSize {
		p.op(opMark)
		for _, it := range items[start:min(start+batchSize, len(items))] {
			if err := p.value(it); err != nil {
				return err
			}
		}
		p.op(opAppends)
	}
	return nil
}

func (p *pickler) tuple(items []any) error {
	if len(items) == 0 {
		p.op(opEmptyTuple)
		return nil
	}
	if len(items) > 3 {
		p.op(opMark)
	}
	for _, it := range items {
		if err := p.value(it); err != nil {
			return err
		}
	}
	if len(items) > 3 {
		p.op(opTuple)
	} else {
		p.op(opTuple1 + byte(len(items)-1))
	}
	return nil
}

// storageClass returns the torch storage class name of an array's dtype.
func storageClass(d npy.DType) (string, error) {
	switch d {
	case npy.Float32:
		return "FloatStorage", nil
	case npy.Float64:
		return "DoubleStorage", nil
	case npy.Int64:
		return "LongStorage", nil
	case npy.Int32:
		return "IntStorage", nil
	case npy.Uint8:
		return "ByteStorage", nil
	case npy.Bool:
		return "BoolStorage", nil
	}
	return "", fmt.Errorf("unsupported tensor dtype %q", string(d))
}

// tensor encodes a contiguous tensor backed by its own storage:
// _rebuild_tensor_v2(pid, 0, size, stride, False, OrderedDict()).
func (p *pickler) tensor(a *npy.Array) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("tensor: %w", err)
	}
	class, err := storageClass(a.DType)
	if err != nil {
		return err
	}
	key, ok := p.keys[a]
	if !ok {
		key = fmt.Sprint(len(p.storages))
		p.keys[a] = key
		p.storages = append(p.storages, a)
	}
	shape := make(Tuple, len(a.Shape))
	stride := make(Tuple, len(a.Shape))
	s := int64(1)
	for i := len(a.Shape) - 1; i >= 0; i-- {
		shape[i] = int64(a.Shape[i])
		stride[i] = s
		s *= int64(a.Shape[i])
	}
	p.global("torch._utils", "_rebuild_tensor_v2")
	p.op(opMark, opMark)
	p.str("storage")
	p.global("torch", class)
	p.str(key)
	p.str("cpu")
	p.int(int64(a.Size()))
	p.op(opTuple, opBinPersID)
	p.int(0)
	p.tuple(shape)
	p.tuple(stride)
	p.op(opNewFalse)
	p.global("collections", "OrderedDict")
	p.op(opEmptyTuple, opReduce, opTuple, opReduce)
	return nil
}
