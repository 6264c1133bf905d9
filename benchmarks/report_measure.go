package benchmarks

import (
	"context"
	"runtime/debug"
	"slices"
	"time"
)

// LongCall is the default Budget.LongCall: official-scale cases take minutes a call, and a
// median of several would take most of an hour.
const LongCall = time.Minute

// measure calls fn once untimed (compilation, warm-up), then as the budget says (once when
// that first call took longer than LongCall), and returns the first call's time, the median
// of the others and how many cores the process kept busy during them.
func measure(ctx context.Context, b Budget, fn func() error) (Timing, error) {
	start := time.Now()
	if err := fn(); err != nil {
		return Timing{}, err
	}
	t := Timing{First: time.Since(start).Seconds()}
	if b.LongCall > 0 && t.First > b.LongCall.Seconds() {
		b = Budget{MinIters: 1, MaxIters: 1}
	}
	var times []float64
	began, cpuBegan := time.Now(), processCPUTime()
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
	t.CoresBusy = coresBusy(processCPUTime()-cpuBegan, time.Since(began))
	t.Iters, t.Median = len(times), median(times)
	return t, nil
}

// coresBusy is process CPU time ÷ wall time: 2 means two cores were busy throughout. 0 when
// either is unknown.
func coresBusy(cpu, wall time.Duration) float64 {
	if cpu <= 0 || wall <= 0 {
		return 0
	}
	return cpu.Seconds() / wall.Seconds()
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

// tracked runs fn under a memory sampler (device: the process's GPU memory, or nil), after
// returning the previous benchmarks' garbage to the OS, and returns its result and memory
// peak.
func tracked[T any](device func() uint64, fn func() (T, error)) (T, MemoryPeak, error) {
	debug.FreeOSMemory()
	s := startMemSampler(100*time.Millisecond, device)
	v, err := fn()
	return v, s.finish(), err
}
