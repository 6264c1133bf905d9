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

func (m *mapping) int(key string, dst *int) {
	if n, full := m.value(key); n != nil {
		if v, ok := m.d.asInt(n, full); ok {
			*dst = v
		}
	}
}

func (m *mapping) optInt(key string, dst **int) {
	if n, full := m.value(key); n != nil {
		if v, ok := m.d.asInt(n, full); ok {
			*dst = &v
		}
	}
}

func (m *mapping) float(key string, dst *float64) {
	if n, full := m.value(key); n != nil {
		if v, ok := m.d.asFloat(n, full); ok {
			*dst = v
		}
	}
}

func (m *mapping) optFloat(key string, dst **float64) {
	if n, full := m.value(key); n != nil {
		if v, ok := m.d.asFloat(n, full); ok {
			*dst = &v
		}
	}
}

func (m *mapping) bool(key string, dst *bool) {
	if n, full := m.value(key); n != nil {
		if v, ok := m.d.asBool(n, full); ok {
			*dst = v
		}
	}
}

func (m *mapping) str(key string, dst *string) {
	if n, full := m.value(key); n != nil {
		if v, ok := m.d.asString(n, full); ok {
			*dst = v
		}
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

// ints decodes a list of integers.
func (m *mapping) ints(key string, dst *[]int) {
	items, full := m.seq(key, "a list of integers")
	if items == nil {
		return
	}
	out := make([]int, 0, len(items))
	for i, item := range items {
		v, ok := m.d.asInt(item, fmt.Sprintf("%s.%d", full, i))
		if !ok {
			return
		}
		out = append(out, v)
	}
	*dst = out
}

// floats decodes a list of numbers.
func (m *mapping) floats(key string, dst *[]float64) {
	items, full := m.seq(key, "a list of numbers")
	if items == nil {
		return
	}
	out := make([]float64, 0, len(items))
	for i, item := range items {
		v, ok := m.d.asFloat(item, fmt.Sprintf("%s.%d", full, i))
		if !ok {
			return
		}
		out = append(out, v)
	}
	*dst = out
}

// strs decodes a list of strings.
func (m *mapping) strs(key string, dst *[]string) {
	items, full := m.seq(key, "a list of strings")
	if items == nil {
		return
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		v, ok := m.d.asString(item, fmt.Sprintf("%s.%d", full, i))
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
