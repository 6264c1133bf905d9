package datasets

import (
	"context"
	"fmt"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// load loads sample idx of an epoch, applying the failure policy: under PolicySkip a
// failed sample is replaced by a sample drawn from the random stream of the next attempt,
// so the replacement is deterministic. It returns the sample and the index actually used.
func (l *Loader) load(ctx context.Context, epoch, idx int) (*media.Sample, int, error) {
	cur := idx
	for attempt := 0; ; attempt++ {
		rng := SampleRNG(l.opts.Seed, epoch, idx, attempt)
		if attempt > 0 {
			cur = rng.IntN(l.ds.Len())
		}
		s, err := l.ds.Sample(ctx, cur, rng)
		if err == nil {
			return s, cur, nil
		}
		if ctx.Err() != nil {
			return nil, cur, ctx.Err()
		}
		if l.opts.Policy != PolicySkip || !IsSampleError(err) {
			return nil, cur, err
		}
		l.skipped.Add(1)
		if attempt >= l.opts.MaxReplacements {
			return nil, cur, fmt.Errorf("loader: %d replacements of sample %d failed, last: %w", attempt, idx, err)
		}
		l.opts.Logger.Warn("skipping sample that failed to load; a random other one replaces it",
			"error", err, "epoch", epoch, "index", cur)
	}
}
