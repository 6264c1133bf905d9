package officialcfg

import (
	"strconv"
	"strings"
)

func itoaTest(i int) string { return strconv.Itoa(i) }

// replaceOnce replaces the first occurrence of old in s.
func replaceOnce(s, old, repl string) string { return strings.Replace(s, old, repl, 1) }

// removeBetween deletes the text after the first start marker up to (not including) end.
func removeBetween(s, start, end string) string {
	i := strings.Index(s, start)
	j := strings.Index(s, end)
	if i < 0 || j < i {
		return s
	}
	return s[:i+len(start)] + s[j:]
}
