package results

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vjepa-go/vjepa/internal/mdtable"
	"github.com/vjepa-go/vjepa/probe"
)

// page is what the sections of the results page share.
type page struct {
	groups []*Group
	paper  Paper
	figs   Figures
	links  *links
}

// writeSummary is one table per data set (and protocol): every configuration once, pooled over
// its records, with its paired difference against the comparable random-init configuration and
// the published number where the paper has one.
func (p *page) writeSummary(b *strings.Builder) error {
	b.WriteString("## Summary\n\n")
	if len(p.groups) == 0 {
		b.WriteString("_No runs yet._\n\n")
		return nil
	}
	for _, ds := range datasetsOf(p.groups) {
		for _, proto := range p.protocols(ds) {
			if err := p.writeSummaryTable(b, ds, proto); err != nil {
				return err
			}
		}
	}
	p.writeVerdict(b)
	return nil
}

// writeSummaryTable is the table of one data set and protocol. The paper columns are left
// out when the paper has no number for any of its rows.
func (p *page) writeSummaryTable(b *strings.Builder, ds string, proto probe.Protocol) error {
	var rows [][]string
	var first *probe.Record
	anyPaper := false
	for _, g := range p.groups {
		r := g.Latest()
		if r.Dataset != ds || r.Protocol != proto {
			continue
		}
		if first == nil {
			first = r
		}
		delta, refs := "baseline", p.links.refs(g.Sources())
		if r.Backbone.Init == InitPretrained {
			delta = "— (no random init)"
			if rnd := randomCounterpart(g, p.groups); rnd != nil {
				delta, refs = pairGroups(g, rnd).Cell(), refs+" / "+p.links.refs(rnd.Sources())
			}
		}
		paperTop1, paperDelta := "—", "—"
		if e, ok := p.paper.Lookup(r); ok {
			anyPaper = true
			paperTop1, paperDelta = pct(e.Top1), fmt.Sprintf("%+.1f", g.Top1().Mean-e.Top1)
		}
		rows = append(rows, []string{modelLabel(r.Backbone), checkpointShort(r.Backbone), encoderLabel(r),
			probeLabel(r), top1Cell(g), delta, paperTop1, paperDelta, refs})
	}
	header := []string{"backbone", "checkpoint", "encoder", "probe", "top-1 (n)", "Δ random [95% CI] (n)",
		"paper", "Δ paper", "records"}
	right := []int{4, 5, 6, 7}
	if !anyPaper {
		header, right = append(header[:6:6], header[8]), right[:2]
		for i, row := range rows {
			rows[i] = append(row[:6:6], row[8])
		}
	}
	t := mdtable.New(header...).AlignRight(right...)
	for _, row := range rows {
		t.Add(row...)
	}
	md, err := t.Markdown()
	if err != nil {
		return fmt.Errorf("summary table %s: %w", ds, err)
	}
	fmt.Fprintf(b, "### %s, %s\n\n%s\n", datasetTitle(ds), protocolTitle(first), md)
	return nil
}

// protocols lists the protocols measured on a data set, in the order of the groups.
func (p *page) protocols(ds string) []probe.Protocol {
	var out []probe.Protocol
	for _, g := range p.groups {
		if r := g.Latest(); r.Dataset == ds && !slices.Contains(out, r.Protocol) {
			out = append(out, r.Protocol)
		}
	}
	return out
}

// protocolTitle describes the protocol and split of a table: "8×1×1 at 64 px, 2000 train / 500 val".
func protocolTitle(r *probe.Record) string {
	return fmt.Sprintf("%s at %s px, %d train / %d val", protocolLabel(r.Protocol), resolutionLabel(r.Protocol),
		r.NumTrain, r.NumVal)
}

// writeVerdict counts, over every pretrained configuration with an interval against random
// init, where the interval lies, and names the ones that exclude 0.
func (p *page) writeVerdict(b *strings.Builder) {
	total := 0
	var above, below []string
	for _, g := range p.groups {
		r := g.Latest()
		if r.Backbone.Init != InitPretrained {
			continue
		}
		d := pairGroups(g, randomCounterpart(g, p.groups))
		if d.Reason != "" || !d.Diff.HasInterval() {
			continue
		}
		total++
		name := fmt.Sprintf("%s, %s, %s, %s encoder: %s", r.Dataset, probeLabel(r), checkpointShort(r.Backbone),
			encoderLabel(r), d.Cell())
		switch {
		case d.Diff.Low > 0:
			above = append(above, name)
		case d.Diff.High < 0:
			below = append(below, name)
		}
	}
	if total == 0 {
		return
	}
	fmt.Fprintf(b, "**Verdict.** Of %d pretrained configurations with a 95 %% interval against random init,\n"+
		"pretraining helps (interval above 0) in %d, hurts (below 0) in %d, and has no measurable effect in %d.\n",
		total, len(above), len(below), total-len(above)-len(below))
	for _, list := range []struct {
		what  string
		names []string
	}{{"helps", above}, {"hurts", below}} {
		for _, n := range list.names {
			fmt.Fprintf(b, "- %s: %s\n", list.what, n)
		}
	}
	b.WriteString("\n")
}

// checkpointShort names a backbone's weights in a narrow column: who trained it (or the file
// name for released weights) and the first 8 hex digits of its SHA-256.
func checkpointShort(b probe.BackboneInfo) string {
	if b.Init == InitRandom {
		return "random init"
	}
	name := b.Trainer
	if name == "" {
		name = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(filepath.FromSlash(b.Checkpoint)), ".tar"), ".pth")
	}
	if sha := b.CheckpointSHA256; sha != "" {
		return fmt.Sprintf("%s %s", name, sha[:min(8, len(sha))])
	}
	return name
}
