// Package mdtable renders Markdown tables with tablewriter's Markdown renderer, cell text
// kept verbatim apart from escaping.
package mdtable

import (
	"fmt"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Table is a Markdown table under construction. Columns are left-aligned unless marked
// with [Table.AlignRight].
type Table struct {
	header []string
	right  []bool
	rows   [][]string
}

// New starts a table with the given header.
func New(header ...string) *Table {
	return &Table{header: header, right: make([]bool, len(header))}
}

// AlignRight right-aligns the columns with the given indices (numeric columns); indices
// outside the header are ignored. It returns t.
func (t *Table) AlignRight(cols ...int) *Table {
	for _, c := range cols {
		if c >= 0 && c < len(t.right) {
			t.right[c] = true
		}
	}
	return t
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.rows = append(t.rows, cells) }

// Len is the number of rows added so far.
func (t *Table) Len() int { return len(t.rows) }

// Markdown renders the table: header text is not reformatted, cells are not wrapped, the
// cell separator is escaped and line breaks become spaces.
func (t *Table) Markdown() (string, error) {
	var b strings.Builder
	align := make([]tw.Align, len(t.header))
	for i, right := range t.right {
		align[i] = tw.AlignLeft
		if right {
			align[i] = tw.AlignRight
		}
	}
	w := tablewriter.NewTable(&b,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	w.Header(escape(t.header))
	for _, r := range t.rows {
		if err := w.Append(escape(r)); err != nil {
			return "", fmt.Errorf("table row %v: %w", r, err)
		}
	}
	if err := w.Render(); err != nil {
		return "", fmt.Errorf("render table: %w", err)
	}
	return b.String(), nil
}

// cellEscaper protects the Markdown cell separator and drops line breaks.
var cellEscaper = strings.NewReplacer("|", `\|`, "\r", " ", "\n", " ")

// escape returns cells escaped for a Markdown table.
func escape(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = cellEscaper.Replace(c)
	}
	return out
}
