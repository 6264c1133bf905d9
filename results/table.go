package results

import (
	"fmt"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// table is a Markdown table under construction. Numeric columns are right-aligned.
type table struct {
	header  []string
	numeric []bool
	rows    [][]string
}

func newTable(header ...string) *table {
	return &table{header: header, numeric: make([]bool, len(header))}
}

// alignRight marks columns (by index) as numeric.
func (t *table) alignRight(cols ...int) *table {
	for _, c := range cols {
		t.numeric[c] = true
	}
	return t
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// markdown renders the table with tablewriter's Markdown renderer, header text kept verbatim.
func (t *table) markdown() (string, error) {
	var b strings.Builder
	align := make([]tw.Align, len(t.header))
	for i, num := range t.numeric {
		align[i] = tw.AlignLeft
		if num {
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
	w.Header(escapeCells(t.header))
	for _, r := range t.rows {
		if err := w.Append(escapeCells(r)); err != nil {
			return "", fmt.Errorf("table row %v: %w", r, err)
		}
	}
	if err := w.Render(); err != nil {
		return "", fmt.Errorf("render table: %w", err)
	}
	return b.String(), nil
}

// escapeCells protects the Markdown cell separator and drops line breaks.
func escapeCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		c = strings.NewReplacer("|", `\|`, "\r", " ", "\n", " ").Replace(c)
		out[i] = c
	}
	return out
}
