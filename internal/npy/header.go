package npy

import (
	"fmt"
	"strconv"
	"strings"
)

// magic is the first six bytes of every .npy file.
const magic = "\x93NUMPY"

// header is the decoded .npy header dictionary.
type header struct {
	dtype DType
	shape []int
}

// maxHeaderLen bounds the header size accepted when reading.
const maxHeaderLen = 1 << 20

// parseHeader decodes the Python dict literal of a .npy header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
func parseHeader(s string) (header, error) {
	var h header
	p := &headerParser{s: s}
	if !p.consume('{') {
		return h, fmt.Errorf("header is not a dict: %q", abbreviate(s))
	}
	var haveDescr, haveShape, haveOrder bool
	for {
		if p.consume('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return h, err
		}
		if !p.consume(':') {
			return h, fmt.Errorf("header: missing ':' after key %q", key)
		}
		switch key {
		case "descr":
			if p.peek() != '\'' && p.peek() != '"' {
				return h, fmt.Errorf("header: structured dtypes are not supported")
			}
			d, err := p.str()
			if err != nil {
				return h, err
			}
			if h.dtype, err = parseDescr(d); err != nil {
				return h, err
			}
			haveDescr = true
		case "fortran_order":
			b, err := p.boolean()
			if err != nil {
				return h, err
			}
			if b {
				return h, fmt.Errorf("fortran_order=True is not supported")
			}
			haveOrder = true
		case "shape":
			if h.shape, err = p.tuple(); err != nil {
				return h, err
			}
			haveShape = true
		default:
			return h, fmt.Errorf("header: unexpected key %q", key)
		}
		if !p.consume(',') {
			if !p.consume('}') {
				return h, fmt.Errorf("header: expected ',' or '}' at offset %d", p.i)
			}
			break
		}
	}
	if !haveDescr || !haveShape || !haveOrder {
		return h, fmt.Errorf("header lacks descr, fortran_order or shape: %q", abbreviate(s))
	}
	return h, nil
}

func abbreviate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// headerParser is a cursor over a header literal.
type headerParser struct {
	s string
	i int
}

func (p *headerParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *headerParser) peek() byte {
	p.skipSpace()
	if p.i >= len(p.s) {
		return 0
	}
	return p.s[p.i]
}

func (p *headerParser) consume(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

func (p *headerParser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", fmt.Errorf("header: expected string at offset %d", p.i)
	}
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", fmt.Errorf("header: unterminated string at offset %d", p.i)
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

func (p *headerParser) boolean() (bool, error) {
	p.skipSpace()
	switch {
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	}
	return false, fmt.Errorf("header: expected True or False at offset %d", p.i)
}

func (p *headerParser) tuple() ([]int, error) {
	if !p.consume('(') {
		return nil, fmt.Errorf("header: shape is not a tuple")
	}
	shape := []int{}
	for {
		if p.consume(')') {
			return shape, nil
		}
		p.skipSpace()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j < len(p.s) && p.s[j] == 'L' { // Python 2 long literal
			j++
		}
		d, err := strconv.ParseInt(strings.TrimSuffix(p.s[p.i:j], "L"), 10, 64)
		if err != nil || d > 1<<48 {
			return nil, fmt.Errorf("header: bad dimension at offset %d", p.i)
		}
		shape = append(shape, int(d))
		p.i = j
		if !p.consume(',') {
			if !p.consume(')') {
				return nil, fmt.Errorf("header: expected ',' or ')' at offset %d", p.i)
			}
			return shape, nil
		}
	}
}

// formatHeader renders the header dictionary for a, without padding.
func formatHeader(a *Array) (string, error) {
	d, err := a.DType.descr()
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "{'descr': '%s', 'fortran_order': False, 'shape': (", d)
	for i, n := range a.Shape {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(n))
	}
	if len(a.Shape) == 1 {
		sb.WriteString(",")
	}
	sb.WriteString("), }")
	return sb.String(), nil
}
