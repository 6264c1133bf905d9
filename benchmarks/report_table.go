package benchmarks

import "github.com/vjepa-go/vjepa/internal/mdtable"

// newMDTable starts a report table: the first column and "note" columns left-aligned, the
// others right-aligned.
func newMDTable(header ...string) *mdtable.Table {
	var right []int
	for i, h := range header {
		if i > 0 && h != "note" {
			right = append(right, i)
		}
	}
	return mdtable.New(header...).AlignRight(right...)
}
