package benchmarks

import (
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/internal/membudget"
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
	// Device is the largest GPU memory this process held while the benchmark ran (bytes,
	// sampled with nvidia-smi; 0 when the backend computes on the CPU or it is unknown).
	Device uint64
}

// memSampler polls runtime.MemStats (and, when device is set, the GPU memory of the
// process) in the background and keeps the maxima.
type memSampler struct {
	device func() uint64 // nil: no device memory
	mu     sync.Mutex
	peak   MemoryPeak
	stop   chan struct{}
	done   chan struct{}
}

// deviceEvery is how many host samples pass between two device samples: nvidia-smi takes
// tens of milliseconds a call.
const deviceEvery = 10

// startMemSampler samples every interval until stop is called; device, when not nil, reads
// the process's device memory (every deviceEvery samples).
func startMemSampler(interval time.Duration, device func() uint64) *memSampler {
	s := &memSampler{device: device, stop: make(chan struct{}), done: make(chan struct{})}
	s.sample()
	s.sampleDevice()
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for i := 1; ; i++ {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.sample()
				if i%deviceEvery == 0 {
					s.sampleDevice()
				}
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

func (s *memSampler) sampleDevice() {
	if s.device == nil {
		return
	}
	d := s.device()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peak.Device = max(s.peak.Device, d)
}

// finish stops sampling and returns the maxima with the process's max RSS.
func (s *memSampler) finish() MemoryPeak {
	close(s.stop)
	<-s.done
	s.sample()
	s.sampleDevice()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.peak
	p.MaxRSS = maxRSS()
	return p
}

// deviceMemory reads this process's GPU memory when backend computes on a GPU (nil
// otherwise).
func deviceMemory(backend compute.Backend) func() uint64 {
	if !membudget.OnGPU(backend) {
		return nil
	}
	pid := os.Getpid()
	return func() uint64 {
		b, _ := membudget.GPUProcessMemory(pid)
		return uint64(b)
	}
}
