package benchmarks

import (
	"context"
	"runtime/debug"
	"slices"
	"time"
)

// measure calls fn once untimed (compilation, warm-up), then as the budget says, and
// returns the first call's time and the median of the others.
func measure(ctx context.Context, b Budget, fn func() error) (Timing, error) {
	start := time.Now()
	if err := fn(); err != nil {
		return Timing{}, err
	}
	t := Timing{First: time.Since(start).Seconds()}
	var times []float64
	began := time.Now()
	for len(times) < b.MaxIters && (len(times) < b.MinIters || time.Since(began) < b.MinTime) {
		if b.MaxTime > 0 && len(times) > 0 && time.Since(began) >= b.MaxTime {
			break
		}
		if err := ctx.Err(); err != nil {
			return Timing{}, err
		}
		s := time.Now()
		if err := fn(); err != nil {
			return Timing{}, err
		}
		times = append(times, time.Since(s).Seconds())
	}
	t.Iters, t.Median = len(times), median(times)
	return t, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// tracked runs fn under a memory sampler, after returning the previous benchmarks' garbage
// to the OS, and returns its result and memory peak.
func tracked[T any](fn func() (T, error)) (T, MemoryPeak, error) {
	debug.FreeOSMemory()
	s := startMemSampler(100 * time.Millisecond)
	v, err := fn()
	return v, s.finish(), err
}
