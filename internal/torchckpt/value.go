package torchckpt

import (
	"fmt"
	"strconv"
)

// OrderedDict is a Python dict or collections.OrderedDict, keeping its
// insertion order. Keys are typically string or int64.
type OrderedDict struct {
	// Plain reports that the value is (or is to be written as) a plain dict
	// rather than a collections.OrderedDict.
	Plain bool
	keys  []any
	vals  []any
	index map[any]int
}

// NewOrderedDict returns an empty collections.OrderedDict.
func NewOrderedDict() *OrderedDict { return &OrderedDict{} }

// NewDict returns an empty plain dict.
func NewDict() *OrderedDict { return &OrderedDict{Plain: true} }

// Len returns the number of entries.
func (d *OrderedDict) Len() int { return len(d.keys) }

// Keys returns the keys in insertion order.
func (d *OrderedDict) Keys() []any { return d.keys }

// Values returns the values in insertion order.
func (d *OrderedDict) Values() []any { return d.vals }

// Set inserts or replaces the value of key; a new key goes last. Go int keys
// are stored as int64, the type the decoder produces.
func (d *OrderedDict) Set(key, value any) {
	key = normalizeKey(key)
	if i, ok := d.find(key); ok {
		d.vals[i] = value
		return
	}
	if hashable(key) {
		if d.index == nil {
			d.index = make(map[any]int)
		}
		d.index[key] = len(d.keys)
	}
	d.keys = append(d.keys, key)
	d.vals = append(d.vals, value)
}

// Get returns the value of key.
func (d *OrderedDict) Get(key any) (any, bool) {
	if i, ok := d.find(normalizeKey(key)); ok {
		return d.vals[i], true
	}
	return nil, false
}

// StringKeys returns the keys as strings (non-string keys formatted) in
// insertion order.
func (d *OrderedDict) StringKeys() []string {
	out := make([]string, len(d.keys))
	for i, k := range d.keys {
		out[i] = keyString(k)
	}
	return out
}

func (d *OrderedDict) find(key any) (int, bool) {
	if hashable(key) {
		i, ok := d.index[key]
		return i, ok
	}
	for i, k := range d.keys {
		if !hashable(k) && fmt.Sprint(k) == fmt.Sprint(key) {
			return i, true
		}
	}
	return 0, false
}

func normalizeKey(k any) any {
	switch v := k.(type) {
	case int:
		return int64(v)
	case int32:
		return int64(v)
	}
	return k
}

func hashable(k any) bool {
	switch k.(type) {
	case nil, bool, int64, float64, string:
		return true
	}
	return false
}

func keyString(k any) string {
	switch v := k.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return fmt.Sprint(k)
}

// List is a Python list. It is a pointer type because pickles append to a
// list after referencing it.
type List struct {
	Items []any
}

// Tuple is a Python tuple.
type Tuple []any

// Global is a reference to a Python class or function by module and name,
// e.g. torch._utils._rebuild_tensor_v2. It is never resolved or called.
type Global struct {
	Module, Name string
}

// String returns "module.name".
func (g *Global) String() string { return g.Module + "." + g.Name }

// Object is an opaque instance of a class the decoder does not know: the
// callable and its arguments, and the state set by BUILD, if any.
type Object struct {
	Class *Global
	Args  Tuple
	State any
	// Items holds values appended or set by the pickle (for list and dict
	// subclasses): *List entries as Items, dict entries in Dict.
	Items []any
	Dict  *OrderedDict
}

// storageRef is the persistent id of a tensor storage:
// ('storage', storage_type, key, location, numel).
type storageRef struct {
	dtype    string
	key      string
	location string
	numel    int64
}
