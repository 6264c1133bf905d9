package probe

import (
	"fmt"
	"math"

	"github.com/vjepa-go/vjepa/internal/stats"
)

// SeedResult is one seed's outcome of a multi-seed probe run.
type SeedResult struct {
	Seed uint64  `json:"seed"`
	Top1 float64 `json:"top1"`
	Top5 float64 `json:"top5"`
	// BestHead indexes that seed's head sweep (0 for k-NN).
	BestHead int `json:"best_head"`
	// Checkpoint is that seed's saved probe (empty for k-NN).
	Checkpoint string `json:"checkpoint,omitempty"`
}

// SeedStats summarises a run over its seeds: mean and sample standard deviation (n−1).
type SeedStats struct {
	N        int     `json:"n"`
	Top1Mean float64 `json:"top1_mean"`
	Top1Std  float64 `json:"top1_std"`
	Top5Mean float64 `json:"top5_mean"`
	Top5Std  float64 `json:"top5_std"`
}

// PairedDifference is a − b over the seeds both were measured on, with the 95 % interval of a
// paired t-test (Student's t, n−1 degrees of freedom); a single seed has no interval.
type PairedDifference struct {
	// Against is the record id of b (e.g. the random-init backbone's run).
	Against string `json:"against"`
	// Test is "paired t-test", or "single seed" when there is no interval.
	Test  string    `json:"test"`
	Level float64   `json:"level"`
	N     int       `json:"n"`
	Mean  float64   `json:"mean"`
	Std   float64   `json:"std"`
	Low   *float64  `json:"ci_low,omitempty"`
	High  *float64  `json:"ci_high,omitempty"`
	Seeds []uint64  `json:"seeds"`
	Diffs []float64 `json:"diffs"`
}

// ConfidenceLevel is the level of every interval the probe records and the results print.
const ConfidenceLevel = 0.95

// SeedValues returns the per-seed results of r; a record written before multi-seed runs
// counts as the single seed Probe.Seed.
func (r *Record) SeedValues() []SeedResult {
	if len(r.Seeds) > 0 {
		return r.Seeds
	}
	return []SeedResult{{Seed: r.Probe.Seed, Top1: r.Top1, Top5: r.Top5, BestHead: r.BestHead, Checkpoint: r.Probe.Checkpoint}}
}

// Top1Summary is r's top-1 over its seeds (n 1 and std 0 for a single seed).
func (r *Record) Top1Summary() stats.Summary {
	var xs []float64
	for _, s := range r.SeedValues() {
		xs = append(xs, s.Top1)
	}
	return stats.Summarize(xs)
}

// NewSeedStats summarises per-seed results.
func NewSeedStats(seeds []SeedResult) *SeedStats {
	var t1, t5 []float64
	for _, s := range seeds {
		t1, t5 = append(t1, s.Top1), append(t5, s.Top5)
	}
	a, b := stats.Summarize(t1), stats.Summarize(t5)
	return &SeedStats{N: a.N, Top1Mean: a.Mean, Top1Std: a.Std, Top5Mean: b.Mean, Top5Std: b.Std}
}

// PairTop1 is the paired top-1 difference a − b over the seeds both records share (in a's
// order). It fails when they share none.
func PairTop1(a, b *Record) (*PairedDifference, error) {
	bySeed := map[uint64]float64{}
	for _, s := range b.SeedValues() {
		bySeed[s.Seed] = s.Top1
	}
	var xs, ys []float64
	var seeds []uint64
	for _, s := range a.SeedValues() {
		if v, ok := bySeed[s.Seed]; ok {
			xs, ys, seeds = append(xs, s.Top1), append(ys, v), append(seeds, s.Seed)
		}
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("runs %s and %s share no seed", a.ID, b.ID)
	}
	d, err := stats.Paired(xs, ys, ConfidenceLevel)
	if err != nil {
		return nil, fmt.Errorf("runs %s and %s: %w", a.ID, b.ID, err)
	}
	p := &PairedDifference{Against: b.ID, Test: d.Test(), Level: d.Level, N: d.N, Mean: d.Mean, Std: d.Std,
		Seeds: seeds, Diffs: d.Diffs}
	if d.HasInterval() && !math.IsNaN(d.Low) {
		lo, hi := d.Low, d.High
		p.Low, p.High = &lo, &hi
	}
	return p, nil
}

// String is the difference as the summaries print it, e.g.
// "+2.80 ± 1.10, 95% CI [+1.43, +4.17] (paired t-test, 5 seeds)" or "+2.80 (single seed)".
func (p *PairedDifference) String() string {
	if p.Low == nil || p.High == nil {
		return fmt.Sprintf("%+.2f (single seed)", p.Mean)
	}
	return fmt.Sprintf("%+.2f ± %.2f, %.0f%% CI [%+.2f, %+.2f] (%s, %d seeds)", p.Mean, p.Std, 100*p.Level, *p.Low, *p.High, p.Test, p.N)
}

// Top1String is r's top-1 as the summaries print it: "58.40 ± 0.91 (5 seeds)" or
// "58.40 (single seed)".
func (r *Record) Top1String() string {
	s := r.Top1Summary()
	if s.N < 2 {
		return fmt.Sprintf("%.2f (single seed)", s.Mean)
	}
	return fmt.Sprintf("%.2f ± %.2f (%d seeds)", s.Mean, s.Std, s.N)
}
