package officialcfg

import (
	"fmt"
	"strings"
)

// fileLine is the "file:line" that messages about line of path start with.
func fileLine(path string, line int) string { return fmt.Sprintf("%s:%d", path, line) }

// replaceOnce replaces the first occurrence of old in s.
func replaceOnce(s, old, repl string) string { return strings.Replace(s, old, repl, 1) }
