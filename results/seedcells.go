package results

import (
	"fmt"

	"github.com/vjepa-go/vjepa/probe"
)

// top1Cell is a record's top-1 as the tables print it: "58.4 ± 0.9 (5 seeds)" over several
// seeds, "58.4 (single seed)" for one.
func top1Cell(r *probe.Record) string {
	s := r.Top1Summary()
	if s.N < 2 {
		return pct(s.Mean) + " (single seed)"
	}
	return fmt.Sprintf("%s ± %s (%d seeds)", pct(s.Mean), pct(s.Std), s.N)
}

// diffCell is a paired difference a − b as the tables print it: "+2.8 [+1.4, +4.2] (5 seeds)"
// with the 95 % interval of the paired t-test, "+2.8 (single seed)" without one, or "—"
// when the runs share no seed.
func diffCell(a, b *probe.Record) string {
	if a == nil || b == nil {
		return "—"
	}
	d, err := probe.PairTop1(a, b)
	if err != nil {
		return "—"
	}
	if d.Low == nil || d.High == nil {
		return fmt.Sprintf("%+.1f (single seed)", d.Mean)
	}
	return fmt.Sprintf("%+.1f [%+.1f, %+.1f] (%d seeds)", d.Mean, *d.Low, *d.High, d.N)
}

// probeLabel names a record's probe in the tables (knn-5shot for few-label k-NN).
func probeLabel(r *probe.Record) string { return r.Probe.Label() }

// latestRecord is the newest record of runs that keep accepts, or nil.
func latestRecord(runs []Run, keep func(*probe.Record) bool) *probe.Record {
	var latest *probe.Record
	for i := range runs {
		r := &runs[i].Record
		if keep(r) && (latest == nil || newer(r, latest)) {
			latest = r
		}
	}
	return latest
}

// recordByID finds a record by id, or nil.
func recordByID(runs []Run, id string) *probe.Record {
	for i := range runs {
		if runs[i].Record.ID == id {
			return &runs[i].Record
		}
	}
	return nil
}

// probeLabels lists the probe labels of the records that keep accepts, in table order: the
// trained probes first (attentive, attentive4, avgpool-linear), then knn, then the few-label
// k-NN by labels per class, then anything else by name.
func probeLabels(runs []Run, keep func(*probe.Record) bool) []string {
	seen := map[string]probe.ProbeInfo{}
	for i := range runs {
		if r := &runs[i].Record; keep(r) {
			seen[probeLabel(r)] = r.Probe
		}
	}
	rank := func(p probe.ProbeInfo) (int, int, string) {
		for i, k := range []string{probe.Attentive, probe.Attentive4, probe.AvgPoolLinear, probe.KNN} {
			if p.Type == k {
				return i, p.LabelsPerClass, ""
			}
		}
		return 9, p.LabelsPerClass, p.Type
	}
	var out []string
	for l := range seen {
		out = append(out, l)
	}
	less := func(a, b string) bool {
		ra, na, sa := rank(seen[a])
		rb, nb, sb := rank(seen[b])
		if ra != rb {
			return ra < rb
		}
		if sa != sb {
			return sa < sb
		}
		return na < nb
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && less(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
