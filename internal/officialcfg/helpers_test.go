package officialcfg

import (
	"strconv"
	"strings"
)

func itoaTest(i int) string { return strconv.Itoa(i) }

// replaceOnce replaces the first occurrence of old in s.
func replaceOnce(s, old, repl string) string { return strings.Replace(s, old, repl, 1) }
