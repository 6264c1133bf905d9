package results

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vjepa-go/vjepa/internal/mdtable"
	"github.com/vjepa-go/vjepa/probe"
)

// writePaperSideBySide puts the published attentive-probe numbers of every model next to each
// other, one column per paper.json label (V-JEPA and V-JEPA 2 sizes) and one row per data set.
func writePaperSideBySide(b *strings.Builder, _ []Run, paper Paper, _ Figures) error {
	var labels, datasets []string
	cells := map[[2]string]string{}
	for _, p := range paper.Results {
		if p.Probe != probe.Attentive && p.Probe != probe.Attentive4 {
			continue
		}
		if !slices.Contains(labels, p.Label) {
			labels = append(labels, p.Label)
		}
		if !slices.Contains(datasets, p.Dataset) {
			datasets = append(datasets, p.Dataset)
		}
		cell := fmt.Sprintf("%.1f", p.Top1)
		if p.Protocol != "" {
			cell += " (" + strings.ReplaceAll(p.Protocol, "x", "×") + ")"
		}
		cells[[2]string{p.Dataset, p.Label}] = cell
	}
	if len(labels) == 0 {
		return nil
	}
	b.WriteString("### V-JEPA and V-JEPA 2 side by side\n\n")
	b.WriteString("The same published numbers, one column per model (attentive probes only; in brackets\n" +
		"frames × segments × views). V-JEPA columns use the 1-block probe, V-JEPA 2 columns and the\n" +
		"re-evaluated V-JEPA the 4-block probe.\n\n")
	t := mdtable.New(append([]string{"data set"}, labels...)...)
	right := make([]int, len(labels))
	for i := range right {
		right[i] = i + 1
	}
	t.AlignRight(right...)
	for _, d := range datasets {
		row := []string{d}
		for _, l := range labels {
			row = append(row, cells[[2]string{d, l}])
		}
		t.Add(row...)
	}
	md, err := t.Markdown()
	if err != nil {
		return fmt.Errorf("paper side-by-side table: %w", err)
	}
	b.WriteString(md + "\n")
	return nil
}
