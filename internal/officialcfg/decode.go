package officialcfg

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder walks a yaml.Node tree, converting values into typed fields and collecting
// warnings (unknown keys, PyYAML quirks) and type errors, each with file and line.
type decoder struct {
	file     string
	warnings []Warning
	errs     []*KeyError
	lines    map[string]int // dotted key path -> line of the key
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, lines: map[string]int{}}
}

func (d *decoder) warn(line int, key, format string, args ...any) {
	d.warnings = append(d.warnings, Warning{File: d.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) fail(n *yaml.Node, key, want string) {
	d.errs = append(d.errs, &KeyError{File: d.file, Line: n.Line, Key: key, Want: want, Got: describe(n)})
}

// result returns the warnings sorted by line and the type errors joined, nil if none.
func (d *decoder) result() ([]Warning, error) {
	slices.SortStableFunc(d.warnings, func(a, b Warning) int { return cmp.Compare(a.Line, b.Line) })
	slices.SortStableFunc(d.errs, func(a, b *KeyError) int { return cmp.Compare(a.Line, b.Line) })
	if len(d.errs) == 0 {
		return d.warnings, nil
	}
	errs := make([]error, len(d.errs))
	for i, e := range d.errs {
		errs[i] = e
	}
	return d.warnings, errors.Join(errs...)
}

// Positions maps the dotted key paths of one YAML file to their line numbers, so that errors
// about a value can name "file:line".
type Positions struct {
	file  string
	lines map[string]int
}

// At formats "file:line" for a dotted key path, or just "file" when the key is absent.
func (p Positions) At(key string) string { return p.at(key) }

// Has reports whether the file sets the dotted key path.
func (p Positions) Has(key string) bool {
	_, ok := p.lines[key]
	return ok
}

// File is the path of the file the Positions belong to.
func (p Positions) File() string { return p.file }

// at formats "file:line" for a dotted key path, or just "file" when the key is absent.
func (p Positions) at(key string) string {
	if l, ok := p.lines[key]; ok {
		return fmt.Sprintf("%s:%d", p.file, l)
	}
	return p.file
}

// mapping is one YAML mapping being decoded; it records which keys were read.
type mapping struct {
	d    *decoder
	path string
	node *yaml.Node
	used map[string]bool
}

func (d *decoder) mapping(path string, n *yaml.Node) *mapping {
	return &mapping{d: d, path: path, node: n, used: map[string]bool{}}
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// value marks key as known and returns its value node, or nil when the key is absent or null.
func (m *mapping) value(key string) (*yaml.Node, string) {
	m.used[key] = true
	full := joinKey(m.path, key)
	for i := 0; i+1 < len(m.node.Content); i += 2 {
		if m.node.Content[i].Value != key {
			continue
		}
		m.d.lines[full] = m.node.Content[i].Line
		v := resolveAlias(m.node.Content[i+1])
		if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
			return nil, full
		}
		return v, full
	}
	return nil, full
}

// finish warns about every key of the mapping that was not read.
func (m *mapping) finish() {
	for i := 0; i+1 < len(m.node.Content); i += 2 {
		k := m.node.Content[i]
		if !m.used[k.Value] {
			full := joinKey(m.path, k.Value)
			m.d.warn(k.Line, full, "unknown key %s", full)
		}
	}
}

// field is one key of a mapping and the Go value it decodes into: an *int, *float64, *bool
// or *string; an **int or **float64 for an optional number (nil unless the file sets it); a
// *[2]float64 for a list of exactly two numbers; or a *[]int, *[]float64 or *[]string.
type field struct {
	key string
	dst any
}

// fields lists the keys of a section in the order they are decoded.
type fields []field

// read decodes the keys of fs that the mapping sets to a non-null value into their
// destinations. A value of the wrong type is recorded as an error and leaves its destination
// unchanged, as do absent and null keys.
func (m *mapping) read(fs fields) {
	for _, f := range fs {
		switch dst := f.dst.(type) {
		case *int:
			scalar(m, f.key, dst, m.d.asInt)
		case **int:
			optional(m, f.key, dst, m.d.asInt)
		case *float64:
			scalar(m, f.key, dst, m.d.asFloat)
		case **float64:
			optional(m, f.key, dst, m.d.asFloat)
		case *bool:
			scalar(m, f.key, dst, m.d.asBool)
		case *string:
			scalar(m, f.key, dst, m.d.asString)
		case *[2]float64:
			m.pair(f.key, dst)
		case *[]int:
			list(m, f.key, "a list of integers", dst, m.d.asInt)
		case *[]float64:
			list(m, f.key, "a list of numbers", dst, m.d.asFloat)
		case *[]string:
			list(m, f.key, "a list of strings", dst, m.d.asString)
		default:
			panic(fmt.Sprintf("officialcfg: key %s has no decoder for %T", joinKey(m.path, f.key), f.dst))
		}
	}
}

// scalar decodes the value under key with as into *dst and reports whether it did.
func scalar[T any](m *mapping, key string, dst *T, as func(*yaml.Node, string) (T, bool)) bool {
	n, full := m.value(key)
	if n == nil {
		return false
	}
	v, ok := as(n, full)
	if ok {
		*dst = v
	}
	return ok
}

// optional decodes the value under key with as and points *dst to it.
func optional[T any](m *mapping, key string, dst **T, as func(*yaml.Node, string) (T, bool)) {
	var v T
	if scalar(m, key, &v, as) {
		*dst = &v
	}
}

// pair decodes a list of exactly two numbers.
func (m *mapping) pair(key string, dst *[2]float64) {
	n, full := m.value(key)
	if n == nil {
		return
	}
	const want = "a list of 2 numbers"
	if n.Kind != yaml.SequenceNode || len(n.Content) != 2 {
		if n.Kind == yaml.SequenceNode {
			m.d.errs = append(m.d.errs, &KeyError{File: m.d.file, Line: n.Line, Key: full, Want: want,
				Got: fmt.Sprintf("a list of %d items", len(n.Content))})
			return
		}
		m.d.fail(n, full, want)
		return
	}
	var out [2]float64
	for i, item := range n.Content {
		v, ok := m.d.asFloat(resolveAlias(item), fmt.Sprintf("%s.%d", full, i))
		if !ok {
			return
		}
		out[i] = v
	}
	*dst = out
}

// list decodes a list (want describes it in errors) whose items as decodes; an invalid
// item leaves *dst unchanged.
func list[T any](m *mapping, key, want string, dst *[]T, as func(*yaml.Node, string) (T, bool)) {
	items, full := m.seq(key, want)
	if items == nil {
		return
	}
	out := make([]T, 0, len(items))
	for i, item := range items {
		v, ok := as(item, fmt.Sprintf("%s.%d", full, i))
		if !ok {
			return
		}
		out = append(out, v)
	}
	*dst = out
}

// seq returns the (alias-resolved) items of a list, or nil when the key is absent, null or
// not a list (the latter recorded as an error).
func (m *mapping) seq(key, want string) ([]*yaml.Node, string) {
	n, full := m.value(key)
	if n == nil {
		return nil, full
	}
	if n.Kind != yaml.SequenceNode {
		m.d.fail(n, full, want)
		return nil, full
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = resolveAlias(c)
	}
	return items, full
}

// has reports whether the mapping holds key (with any value, null included).
func (m *mapping) has(key string) bool {
	for i := 0; i+1 < len(m.node.Content); i += 2 {
		if m.node.Content[i].Value == key {
			return true
		}
	}
	return false
}

// sub returns the nested mapping under key, or nil when absent, null or not a mapping.
func (m *mapping) sub(key string) *mapping {
	n, full := m.value(key)
	if n == nil {
		return nil
	}
	return m.d.asMapping(n, full)
}

func (d *decoder) asMapping(n *yaml.Node, path string) *mapping {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "a mapping")
		return nil
	}
	return d.mapping(path, n)
}

func (d *decoder) asInt(n *yaml.Node, path string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.fail(n, path, "an integer")
		return 0, false
	}
	var v int
	if err := n.Decode(&v); err != nil {
		d.fail(n, path, "an integer that fits in 64 bits")
		return 0, false
	}
	return v, true
}

// pyYAMLString matches plain scalars like 1e-4 that YAML 1.2 reads as numbers but PyYAML
// (YAML 1.1, used by the official code) reads as strings: they lack a decimal point.
var pyYAMLString = regexp.MustCompile(`^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$`)

func (d *decoder) asFloat(n *yaml.Node, path string) (float64, bool) {
	tag := n.ShortTag()
	if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") {
		d.fail(n, path, "a number")
		return 0, false
	}
	var v float64
	if err := n.Decode(&v); err != nil {
		d.fail(n, path, "a number")
		return 0, false
	}
	if n.Style == 0 && pyYAMLString.MatchString(n.Value) {
		i := strings.IndexAny(n.Value, "eE")
		d.warn(n.Line, path, "%s: the official code (PyYAML) reads %s as a string, not a number; write %s.0%s",
			path, n.Value, n.Value[:i], n.Value[i:])
	}
	return v, true
}

func (d *decoder) asBool(n *yaml.Node, path string) (bool, bool) {
	if n.Kind == yaml.ScalarNode {
		if n.ShortTag() == "!!bool" {
			v, err := strconv.ParseBool(strings.ToLower(n.Value))
			if err == nil {
				return v, true
			}
		}
		// PyYAML (YAML 1.1) also reads these plain words as booleans.
		if n.Style == 0 && n.ShortTag() == "!!str" {
			switch strings.ToLower(n.Value) {
			case "yes", "on":
				return true, true
			case "no", "off":
				return false, true
			}
		}
	}
	d.fail(n, path, "a boolean")
	return false, false
}

func (d *decoder) asString(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.fail(n, path, "a string")
		return "", false
	}
	return n.Value, true
}
