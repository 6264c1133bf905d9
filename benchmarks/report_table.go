package benchmarks

import (
	"fmt"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// mdTable is a Markdown table: the first column and "note" columns left-aligned, the others
// right-aligned.
type mdTable struct {
	header []string
	rows   [][]string
}

func newMDTable(header ...string) *mdTable { return &mdTable{header: header} }

func (t *mdTable) add(cells ...string) { t.rows = append(t.rows, cells) }

// render writes the table with tablewriter's Markdown renderer, header text kept verbatim.
func (t *mdTable) render() (string, error) {
	var b strings.Builder
	align := make([]tw.Align, len(t.header))
	for i, h := range t.header {
		align[i] = tw.AlignRight
		if i == 0 || h == "note" {
			align[i] = tw.AlignLeft
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
	w.Header(escapeMD(t.header))
	for _, r := range t.rows {
		if err := w.Append(escapeMD(r)); err != nil {
			return "", fmt.Errorf("table row %v: %w", r, err)
		}
	}
	if err := w.Render(); err != nil {
		return "", fmt.Errorf("render table: %w", err)
	}
	return b.String(), nil
}

// escapeMD protects the cell separator and drops line breaks.
func escapeMD(cells []string) []string {
	r := strings.NewReplacer("|", `\|`, "\r", " ", "\n", " ")
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = r.Replace(c)
	}
	return out
}
