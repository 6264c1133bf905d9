package results

import (
	"fmt"
	"math"
	"sort"

	"github.com/vjepa-go/vjepa/internal/stats"
	"github.com/vjepa-go/vjepa/probe"
)

// Group is one configuration (see configKey) with every record that measured it. Its numbers
// are pooled by seed: each seed counts once, with the value of the latest record holding it,
// so a rerun never adds a seed twice and never lets a better rerun replace a worse one.
type Group struct {
	Records []*probe.Record // oldest first
	Seeds   []seedValue     // by seed
}

// seedValue is one seed's top-1 and the record it was taken from.
type seedValue struct {
	Seed   uint64
	Top1   float64
	Record *probe.Record
}

// Latest is the group's newest record; labels and settings are read from it.
func (g *Group) Latest() *probe.Record { return g.Records[len(g.Records)-1] }

// Top1 is the pooled top-1 over the group's seeds.
func (g *Group) Top1() stats.Summary {
	xs := make([]float64, len(g.Seeds))
	for i, s := range g.Seeds {
		xs[i] = s.Top1
	}
	return stats.Summarize(xs)
}

// Sources are the records that supply at least one of the group's seeds, oldest first.
func (g *Group) Sources() []*probe.Record {
	used := map[*probe.Record]bool{}
	for _, s := range g.Seeds {
		used[s.Record] = true
	}
	var out []*probe.Record
	for _, r := range g.Records {
		if used[r] {
			out = append(out, r)
		}
	}
	return out
}

// groupRuns sorts the records into configurations, in a fixed order: data set, then backbone
// and weights, then probe.
func groupRuns(runs []Run) []*Group {
	byKey := map[string]*Group{}
	var groups []*Group
	for _, run := range sortedByCreated(runs) {
		r := &run.Record
		k := configKey(r)
		g, ok := byKey[k]
		if !ok {
			g = &Group{}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.Records = append(g.Records, r)
	}
	for _, g := range groups {
		g.pool()
	}
	sort.SliceStable(groups, func(i, j int) bool { return groupOrder(groups[i]) < groupOrder(groups[j]) })
	return groups
}

// pool fills Seeds: per seed, the value of the latest record that holds it.
func (g *Group) pool() {
	bySeed := map[uint64]seedValue{}
	for _, r := range g.Records {
		for _, s := range r.SeedValues() {
			bySeed[s.Seed] = seedValue{Seed: s.Seed, Top1: s.Top1, Record: r}
		}
	}
	g.Seeds = g.Seeds[:0]
	for _, v := range bySeed {
		g.Seeds = append(g.Seeds, v)
	}
	sort.Slice(g.Seeds, func(i, j int) bool { return g.Seeds[i].Seed < g.Seeds[j].Seed })
}

// groupOrder sorts groups: data set, backbone architecture, random init before pretrained
// weights (by trainer, then checkpoint), target before context encoder, then the probe.
func groupOrder(g *Group) string {
	r := g.Latest()
	init := "1"
	if r.Backbone.Init == InitRandom {
		init = "0"
	}
	enc := "0"
	if encoderKey(r) == contextEncoderKey {
		enc = "1"
	}
	return fmt.Sprintf("%03d|%s|%s|%s|%s|%s|%s|%s|%s", datasetRank(r.Dataset), r.Dataset, modelLabel(r.Backbone),
		init, trainerRank(r.Backbone.Trainer), checkpointLabel(r.Backbone), enc, probeRank(r.Probe), probeLabel(r))
}

func trainerRank(t string) string {
	switch t {
	case TrainerOurs:
		return "0"
	case TrainerOfficial:
		return "1"
	}
	return "2" + t
}

// probeRank orders probes: trained probes first, then k-NN by labels per class (all labels last).
func probeRank(p probe.ProbeInfo) string {
	for i, k := range []string{probe.Attentive, probe.Attentive4, probe.AvgPoolLinear, probe.KNN} {
		if p.Type == k {
			n := p.LabelsPerClass
			if n == 0 {
				n = math.MaxInt32
			}
			return fmt.Sprintf("%d|%010d", i, n)
		}
	}
	return "9|" + p.Type
}

// Pair is a paired difference a − b over the seeds both groups hold, or the reason there is none.
type Pair struct {
	A, B   *Group
	Diff   stats.Difference
	Reason string // non-empty when the groups cannot be paired
}

// pairGroups pairs a − b under the comparison rule: only comparable configurations, only the
// seeds both hold.
func pairGroups(a, b *Group) Pair {
	p := Pair{A: a, B: b}
	if a == nil || b == nil {
		p.Reason = "no counterpart record"
		return p
	}
	if ok, why := comparable(a.Latest(), b.Latest()); !ok {
		p.Reason = why
		return p
	}
	bySeed := map[uint64]float64{}
	for _, s := range b.Seeds {
		bySeed[s.Seed] = s.Top1
	}
	var xs, ys []float64
	for _, s := range a.Seeds {
		if v, ok := bySeed[s.Seed]; ok {
			xs, ys = append(xs, s.Top1), append(ys, v)
		}
	}
	if len(xs) == 0 {
		p.Reason = "no shared seed"
		return p
	}
	d, err := stats.Paired(xs, ys, probe.ConfidenceLevel)
	if err != nil {
		p.Reason = err.Error()
		return p
	}
	p.Diff = d
	return p
}

// Cell is the difference as the tables print it: "+2.8 [+1.4, +4.2] (5)", "+2.8 (1 seed)", or
// "— (reason)".
func (p Pair) Cell() string {
	switch {
	case p.Reason != "":
		return "— (" + p.Reason + ")"
	case !p.Diff.HasInterval():
		return fmt.Sprintf("%+.1f (1 seed)", p.Diff.Mean)
	}
	return fmt.Sprintf("%+.1f [%+.1f, %+.1f] (%d)", p.Diff.Mean, p.Diff.Low, p.Diff.High, p.Diff.N)
}

// randomCounterpart is the random-init configuration that g is compared with: comparable
// (same data, protocol, probe, architecture) and holding the most of g's seeds; nil if none.
func randomCounterpart(g *Group, groups []*Group) *Group {
	return bestCounterpart(g, groups, func(c *Group) bool { return c.Latest().Backbone.Init == InitRandom })
}

// bestCounterpart is the comparable group that keep accepts and that shares the most seeds
// with g (ties: the one with the newest record).
func bestCounterpart(g *Group, groups []*Group, keep func(*Group) bool) *Group {
	var best *Group
	bestN := -1
	for _, c := range groups {
		if c == g || !keep(c) {
			continue
		}
		if ok, _ := comparable(g.Latest(), c.Latest()); !ok {
			continue
		}
		n := sharedSeeds(g, c)
		if n > bestN || n == bestN && newer(c.Latest(), best.Latest()) {
			best, bestN = c, n
		}
	}
	return best
}

func sharedSeeds(a, b *Group) int {
	in := map[uint64]bool{}
	for _, s := range a.Seeds {
		in[s.Seed] = true
	}
	n := 0
	for _, s := range b.Seeds {
		if in[s.Seed] {
			n++
		}
	}
	return n
}

// top1Cell is the pooled top-1 as the tables print it: "58.4 ± 0.9 (5)", "58.4 (1 seed)".
func top1Cell(g *Group) string {
	if g == nil {
		return "—"
	}
	s := g.Top1()
	if s.N < 2 {
		return pct(s.Mean) + " (1 seed)"
	}
	return fmt.Sprintf("%s ± %s (%d)", pct(s.Mean), pct(s.Std), s.N)
}

// sortedByCreated returns the runs oldest first (ties: by id).
func sortedByCreated(runs []Run) []Run {
	out := append([]Run(nil), runs...)
	sort.SliceStable(out, func(i, j int) bool { return newer(&out[j].Record, &out[i].Record) })
	return out
}
