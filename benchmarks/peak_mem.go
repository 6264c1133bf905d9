package benchmarks

import (
	"runtime"
	"sync"
	"time"
)

// MemoryPeak is the memory high-water mark of one benchmark.
type MemoryPeak struct {
	// HeapInuse, HeapSys and Sys are the largest runtime.MemStats values sampled while the
	// benchmark ran (bytes). HeapInuse is this benchmark's own working set; HeapSys and Sys
	// (address space obtained from the OS) never shrink, so they include earlier benchmarks.
	HeapInuse, HeapSys, Sys uint64
	// MaxRSS is the process's maximum resident set size from getrusage(RUSAGE_SELF) when the
	// benchmark ended (bytes): the peak since the process started, covering memory outside
	// the Go heap (e.g. a C backend) as well.
	MaxRSS uint64
}

// memSampler polls runtime.MemStats in the background and keeps the maxima.
type memSampler struct {
	mu   sync.Mutex
	peak MemoryPeak
	stop chan struct{}
	done chan struct{}
}

// startMemSampler samples every interval until stop is called.
func startMemSampler(interval time.Duration) *memSampler {
	s := &memSampler{stop: make(chan struct{}), done: make(chan struct{})}
	s.sample()
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

func (s *memSampler) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peak.HeapInuse = max(s.peak.HeapInuse, m.HeapInuse)
	s.peak.HeapSys = max(s.peak.HeapSys, m.HeapSys)
	s.peak.Sys = max(s.peak.Sys, m.Sys)
}

// finish stops sampling and returns the maxima with the process's max RSS.
func (s *memSampler) finish() MemoryPeak {
	close(s.stop)
	<-s.done
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.peak
	p.MaxRSS = maxRSS()
	return p
}
