package backbone

import (
	"fmt"

	"github.com/vjepa-go/vjepa/internal/membudget"
)

// UsableMemoryFraction is the share of the available memory a planned batch may be
// estimated to need: the estimates are calibrated to within 25 % of measured peaks
// (docs/performance.md), and the rest of the process (data loader, page cache the kernel
// counts as available) needs room too.
const UsableMemoryFraction = 0.8

// BatchPlan asks PlanBatch for a batch: the most clips per call (Want) and whether a smaller
// batch is acceptable (Auto) or the caller fixed it (Auto false: it either fits or the run
// stops).
type BatchPlan struct {
	What string // what runs, for the refusal, e.g. "encoder forward vit_large 16×224"
	Want int    // the batch asked for, or the largest one to try when Auto
	Auto bool   // pick the largest batch ≤ Want that fits
	// Need estimates the peak bytes of a batch (EstimateForwardBytes, EstimateStepBytes).
	Need func(batch int) float64
}

// PlanBatch returns the batch to run: p.Want when it fits the budget (or the budget is
// unknown), the largest smaller batch that fits when p.Auto, and otherwise an error of one
// line naming the needed and the available memory, before anything is allocated.
func PlanBatch(p BatchPlan, budget membudget.Budget) (int, error) {
	if p.Want < 1 {
		return 0, fmt.Errorf("%s: batch %d < 1", p.What, p.Want)
	}
	if !budget.Known() {
		return p.Want, nil
	}
	usable := UsableMemoryFraction * budget.Bytes
	fits := func(b int) bool { return p.Need(b) <= usable }
	if fits(p.Want) {
		return p.Want, nil
	}
	if p.Auto {
		// Need grows with the batch: bisect for the largest batch that fits.
		lo, hi := 0, p.Want // fits(lo) or lo = 0; !fits(hi)
		for hi-lo > 1 {
			if mid := (lo + hi) / 2; fits(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		if lo > 0 {
			return lo, nil
		}
		return 0, fmt.Errorf("%s: even batch 1 needs ≈%s (estimated), more than %.0f %% of the %s", p.What,
			gib(p.Need(1)), 100*UsableMemoryFraction, budget)
	}
	return 0, fmt.Errorf("%s: batch %d needs ≈%s (estimated), more than %.0f %% of the %s; use a smaller batch",
		p.What, p.Want, gib(p.Need(p.Want)), 100*UsableMemoryFraction, budget)
}

func gib(bytes float64) string { return fmt.Sprintf("%.1f GiB", bytes/(1<<30)) }
