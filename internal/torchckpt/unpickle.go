package torchckpt

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Pickle opcodes (see Python's pickletools).
const (
	opMark           = '('
	opStop           = '.'
	opPop            = '0'
	opPopMark        = '1'
	opDup            = '2'
	opFloat          = 'F'
	opInt            = 'I'
	opBinInt         = 'J'
	opBinInt1        = 'K'
	opLong           = 'L'
	opBinInt2        = 'M'
	opNone           = 'N'
	opPersID         = 'P'
	opBinPersID      = 'Q'
	opReduce         = 'R'
	opBinString      = 'T'
	opShortBinString = 'U'
	opBinUnicode     = 'X'
	opAppend         = 'a'
	opBuild          = 'b'
	opGlobal         = 'c'
	opDict           = 'd'
	opEmptyDict      = '}'
	opAppends        = 'e'
	opGet            = 'g'
	opBinGet         = 'h'
	opLongBinGet     = 'j'
	opList           = 'l'
	opEmptyList      = ']'
	opPut            = 'p'
	opBinPut         = 'q'
	opLongBinPut     = 'r'
	opSetItem        = 's'
	opTuple          = 't'
	opEmptyTuple     = ')'
	opSetItems       = 'u'
	opBinFloat       = 'G'
	opBinBytes       = 'B'
	opShortBinBytes  = 'C'
	opProto          = 0x80
	opNewObj         = 0x81
	opTuple1         = 0x85
	opTuple2         = 0x86
	opTuple3         = 0x87
	opNewTrue        = 0x88
	opNewFalse       = 0x89
	opLong1          = 0x8a
	opLong4          = 0x8b
	opShortBinUni    = 0x8c
	opBinUnicode8    = 0x8d
	opBinBytes8      = 0x8e
	opEmptySet       = 0x8f
	opAddItems       = 0x90
	opFrozenSet      = 0x91
	opNewObjEx       = 0x92
	opStackGlobal    = 0x93
	opMemoize        = 0x94
	opFrame          = 0x95
)

// unpickler is a pickle virtual machine that builds inert Go values.
type unpickler struct {
	data  []byte
	pos   int
	stack []any
	marks []int
	memo  map[int]any
}

// unpickle decodes one pickled value from data.
func unpickle(data []byte) (any, error) {
	u := &unpickler{data: data, memo: make(map[int]any)}
	v, err := u.run()
	if err != nil {
		return nil, fmt.Errorf("pickle offset %d: %w", u.pos, err)
	}
	return v, nil
}

func (u *unpickler) need(n int) ([]byte, error) {
	if n < 0 || n > len(u.data)-u.pos {
		return nil, fmt.Errorf("truncated pickle: need %d bytes, %d left", n, len(u.data)-u.pos)
	}
	b := u.data[u.pos : u.pos+n]
	u.pos += n
	return b, nil
}

func (u *unpickler) uint(n int) (uint64, error) {
	b, err := u.need(n)
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

func (u *unpickler) line() (string, error) {
	i := strings.IndexByte(string(u.data[u.pos:]), '\n')
	if i < 0 {
		return "", fmt.Errorf("truncated pickle: unterminated line")
	}
	s := string(u.data[u.pos : u.pos+i])
	u.pos += i + 1
	return s, nil
}

// counted reads a length-prefixed operand: a little-endian count of size bytes, then that
// many bytes.
func (u *unpickler) counted(size int) ([]byte, error) {
	n, err := u.uint(size)
	if err != nil {
		return nil, err
	}
	return u.need(int(min(n, math.MaxInt32)))
}

func (u *unpickler) push(v any) { u.stack = append(u.stack, v) }

func (u *unpickler) pop() (any, error) {
	if len(u.stack) == 0 || len(u.marks) > 0 && len(u.stack) <= u.marks[len(u.marks)-1] {
		return nil, fmt.Errorf("stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	if len(u.stack) == 0 {
		return nil, fmt.Errorf("stack underflow")
	}
	return u.stack[len(u.stack)-1], nil
}

// popMark returns the items above the most recent mark and removes them and
// the mark.
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, fmt.Errorf("no mark on the stack")
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := append([]any(nil), u.stack[m:]...)
	u.stack = u.stack[:m]
	return items, nil
}

func (u *unpickler) popN(n int) ([]any, error) {
	items := make([]any, n)
	for i := n - 1; i >= 0; i-- {
		v, err := u.pop()
		if err != nil {
			return nil, err
		}
		items[i] = v
	}
	return items, nil
}

// memoKey reads the memo index operand of a GET or PUT opcode: a decimal line (GET, PUT),
// one byte (BINGET, BINPUT) or four (LONG_BINGET, LONG_BINPUT).
func (u *unpickler) memoKey(op byte) (int, error) {
	switch op {
	case opGet, opPut:
		s, err := u.line()
		if err != nil {
			return 0, err
		}
		i, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("bad memo key %q", s)
		}
		return i, nil
	case opBinGet, opBinPut:
		i, err := u.uint(1)
		return int(i), err
	default:
		i, err := u.uint(4)
		return int(i), err
	}
}

// popOnto pops the operands of an opcode op that adds items to an object: one item for
// APPEND, a key and a value for SETITEM, everything down to the mark for their batched
// forms. It returns them with the object below them, which stays on the stack.
func (u *unpickler) popOnto(op byte) (items []any, target any, err error) {
	switch op {
	case opAppend:
		items, err = u.popN(1)
	case opSetItem:
		items, err = u.popN(2)
	default:
		items, err = u.popMark()
	}
	if err != nil {
		return nil, nil, err
	}
	target, err = u.top()
	if err != nil {
		return nil, nil, err
	}
	return items, target, nil
}

func (u *unpickler) memoGet(i int) error {
	v, ok := u.memo[i]
	if !ok {
		return fmt.Errorf("memo key %d not found", i)
	}
	u.push(v)
	return nil
}

func (u *unpickler) memoPut(i int) error {
	v, err := u.top()
	if err != nil {
		return err
	}
	u.memo[i] = v
	return nil
}

func (u *unpickler) run() (any, error) {
	for {
		if u.pos >= len(u.data) {
			return nil, fmt.Errorf("truncated pickle: no STOP opcode")
		}
		op := u.data[u.pos]
		u.pos++
		if op == opStop {
			v, err := u.pop()
			if err != nil {
				return nil, err
			}
			return v, nil
		}
		if err := u.step(op); err != nil {
			return nil, fmt.Errorf("opcode %#02x: %w", op, err)
		}
	}
}

// step executes one opcode other than STOP.
func (u *unpickler) step(op byte) error {
	switch op {
	case opProto:
		_, err := u.need(1)
		return err
	case opFrame:
		_, err := u.need(8)
		return err
	case opMark:
		u.marks = append(u.marks, len(u.stack))
	case opPop:
		if len(u.marks) > 0 && len(u.stack) == u.marks[len(u.marks)-1] {
			_, err := u.popMark()
			return err
		}
		_, err := u.pop()
		return err
	case opPopMark:
		_, err := u.popMark()
		return err
	case opDup:
		v, err := u.top()
		if err != nil {
			return err
		}
		u.push(v)
	case opNone:
		u.push(nil)
	case opNewTrue:
		u.push(true)
	case opNewFalse:
		u.push(false)
	case opBinInt:
		v, err := u.uint(4)
		if err != nil {
			return err
		}
		u.push(int64(int32(uint32(v))))
	case opBinInt1:
		v, err := u.uint(1)
		if err != nil {
			return err
		}
		u.push(int64(v))
	case opBinInt2:
		v, err := u.uint(2)
		if err != nil {
			return err
		}
		u.push(int64(v))
	case opLong1, opLong4:
		size := 1
		if op == opLong4 {
			size = 4
		}
		b, err := u.counted(size)
		if err != nil {
			return err
		}
		u.push(decodeLong(b))
	case opInt, opLong:
		s, err := u.line()
		if err != nil {
			return err
		}
		s = strings.TrimSuffix(s, "L")
		switch {
		case op == opInt && s == "00":
			u.push(false)
		case op == opInt && s == "01":
			u.push(true)
		default:
			v, ok := new(big.Int).SetString(s, 10)
			if !ok {
				return fmt.Errorf("bad integer %q", s)
			}
			u.push(normalizeBig(v))
		}
	case opFloat:
		s, err := u.line()
		if err != nil {
			return err
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("bad float %q", s)
		}
		u.push(f)
	case opBinFloat:
		b, err := u.need(8)
		if err != nil {
			return err
		}
		u.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case opBinUnicode, opBinString, opShortBinUni, opShortBinString, opBinUnicode8:
		size := map[byte]int{opBinUnicode: 4, opBinString: 4, opShortBinUni: 1, opShortBinString: 1, opBinUnicode8: 8}[op]
		b, err := u.counted(size)
		if err != nil {
			return err
		}
		u.push(string(b))
	case opBinBytes, opShortBinBytes, opBinBytes8:
		size := map[byte]int{opBinBytes: 4, opShortBinBytes: 1, opBinBytes8: 8}[op]
		b, err := u.counted(size)
		if err != nil {
			return err
		}
		u.push(append([]byte(nil), b...))
	case opEmptyDict:
		u.push(NewDict())
	case opEmptyList:
		u.push(&List{})
	case opEmptyTuple:
		u.push(Tuple{})
	case opEmptySet:
		u.push(&List{})
	case opTuple1, opTuple2, opTuple3:
		items, err := u.popN(int(op-opTuple1) + 1)
		if err != nil {
			return err
		}
		u.push(Tuple(items))
	case opTuple, opList, opDict, opFrozenSet:
		items, err := u.popMark()
		if err != nil {
			return err
		}
		switch op {
		case opTuple:
			u.push(Tuple(items))
		case opList, opFrozenSet:
			u.push(&List{Items: items})
		case opDict:
			d := NewDict()
			if err := setItems(d, items); err != nil {
				return err
			}
			u.push(d)
		}
	case opAppend, opAppends, opAddItems:
		items, t, err := u.popOnto(op)
		if err != nil {
			return err
		}
		switch l := t.(type) {
		case *List:
			l.Items = append(l.Items, items...)
		case *Object:
			l.Items = append(l.Items, items...)
		default:
			return fmt.Errorf("append to %T", t)
		}
	case opSetItem, opSetItems:
		items, t, err := u.popOnto(op)
		if err != nil {
			return err
		}
		switch d := t.(type) {
		case *OrderedDict:
			return setItems(d, items)
		case *Object:
			if d.Dict == nil {
				d.Dict = NewDict()
			}
			return setItems(d.Dict, items)
		default:
			return fmt.Errorf("setitem on %T", t)
		}
	case opGlobal:
		mod, err := u.line()
		if err != nil {
			return err
		}
		name, err := u.line()
		if err != nil {
			return err
		}
		u.push(&Global{Module: mod, Name: name})
	case opStackGlobal:
		items, err := u.popN(2)
		if err != nil {
			return err
		}
		mod, ok1 := items[0].(string)
		name, ok2 := items[1].(string)
		if !ok1 || !ok2 {
			return fmt.Errorf("STACK_GLOBAL needs two strings, got %T and %T", items[0], items[1])
		}
		u.push(&Global{Module: mod, Name: name})
	case opReduce, opNewObj:
		items, err := u.popN(2)
		if err != nil {
			return err
		}
		args, ok := items[1].(Tuple)
		if !ok {
			return fmt.Errorf("arguments are %T, not a tuple", items[1])
		}
		v, err := construct(items[0], args)
		if err != nil {
			return err
		}
		u.push(v)
	case opNewObjEx:
		items, err := u.popN(3)
		if err != nil {
			return err
		}
		args, _ := items[1].(Tuple)
		v, err := construct(items[0], args)
		if err != nil {
			return err
		}
		u.push(v)
	case opBuild:
		state, err := u.pop()
		if err != nil {
			return err
		}
		t, err := u.top()
		if err != nil {
			return err
		}
		if o, ok := t.(*Object); ok {
			o.State = state
		}
		// Attributes of dicts and tensors (e.g. a state dict's _metadata)
		// carry nothing this package needs and are dropped.
	case opBinPersID, opPersID:
		var pid any
		var err error
		if op == opPersID {
			pid, err = u.line()
		} else {
			pid, err = u.pop()
		}
		if err != nil {
			return err
		}
		s, err := persistentLoad(pid)
		if err != nil {
			return err
		}
		u.push(s)
	case opGet, opBinGet, opLongBinGet:
		i, err := u.memoKey(op)
		if err != nil {
			return err
		}
		return u.memoGet(i)
	case opPut, opBinPut, opLongBinPut:
		i, err := u.memoKey(op)
		if err != nil {
			return err
		}
		return u.memoPut(i)
	case opMemoize:
		return u.memoPut(len(u.memo))
	default:
		return fmt.Errorf("unsupported pickle opcode")
	}
	return nil
}

// setItems stores alternating keys and values into d.
func setItems(d *OrderedDict, items []any) error {
	if len(items)%2 != 0 {
		return fmt.Errorf("odd number of dict items: %d", len(items))
	}
	for i := 0; i < len(items); i += 2 {
		d.Set(items[i], items[i+1])
	}
	return nil
}

// decodeLong decodes a little-endian two's complement integer.
func decodeLong(b []byte) any {
	if len(b) == 0 {
		return int64(0)
	}
	if len(b) <= 8 {
		var v uint64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		shift := 64 - 8*uint(len(b))
		return int64(v<<shift) >> shift
	}
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	v := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return normalizeBig(v)
}

func normalizeBig(v *big.Int) any {
	if v.IsInt64() {
		return v.Int64()
	}
	return v
}
