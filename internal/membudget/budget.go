package membudget

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/gomlx/compute"
)

// Budget is the memory a run may use and where the figure comes from.
type Budget struct {
	// Bytes is the memory available; 0 means unknown (no planning is possible).
	Bytes float64
	// Source names where Bytes was read, for the one-line refusal, e.g.
	// "MemAvailable of /proc/meminfo".
	Source string
}

// Known reports whether the budget was read.
func (b Budget) Known() bool { return b.Bytes > 0 }

// String is e.g. "23.1 GiB available (MemAvailable of /proc/meminfo)".
func (b Budget) String() string {
	if !b.Known() {
		return "available memory unknown"
	}
	return fmt.Sprintf("%.1f GiB available (%s)", b.Bytes/(1<<30), b.Source)
}

// For is the budget of backend: the GPU's free memory for an XLA backend on CUDA (from
// nvidia-smi, the first visible device), the host's MemAvailable otherwise (the pure-Go
// backend and XLA on the CPU compute in host memory). Unknown when neither can be read.
func For(backend compute.Backend) Budget {
	if OnGPU(backend) {
		return GPU(os.Getenv("CUDA_VISIBLE_DEVICES"))
	}
	return Host()
}

// OnGPU reports whether backend computes on an NVIDIA GPU: XLA with its CUDA plugin (the
// XLA backend says so through IsCUDA; "xla:cuda" in the description otherwise).
func OnGPU(backend compute.Backend) bool {
	if backend == nil {
		return false
	}
	if b, ok := backend.(interface{ IsCUDA() bool }); ok {
		return b.IsCUDA()
	}
	return strings.Contains(strings.ToLower(backend.Description()), "cuda")
}

// Host is MemAvailable of /proc/meminfo: what the kernel can give a new allocation without
// swapping (free memory plus reclaimable page cache).
func Host() Budget {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return Budget{}
	}
	return Budget{Bytes: MeminfoField(string(data), "MemAvailable:"), Source: "MemAvailable of /proc/meminfo"}
}

// MeminfoField is a field of /proc/meminfo's text (given in KiB) in bytes, or 0 if absent.
func MeminfoField(meminfo, key string) float64 {
	for _, line := range strings.Split(meminfo, "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				if kib, err := strconv.ParseFloat(f[0], 64); err == nil {
					return kib * 1024
				}
			}
		}
	}
	return 0
}

// GPU is the free memory of the first device in visible (CUDA_VISIBLE_DEVICES; empty: device
// 0) as nvidia-smi reports it, or unknown without nvidia-smi.
func GPU(visible string) Budget {
	device := "0"
	if first, _, _ := strings.Cut(visible, ","); strings.TrimSpace(first) != "" {
		device = strings.TrimSpace(first)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "nvidia-smi", "--query-gpu=memory.free", "--format=csv,noheader,nounits", "-i", device).Output()
	if err != nil {
		return Budget{}
	}
	mib, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		return Budget{}
	}
	return Budget{Bytes: mib * (1 << 20), Source: "free memory of GPU " + device + " (nvidia-smi)"}
}

// GPUProcessMemory is the GPU memory process pid holds, summed over the devices nvidia-smi
// lists it on (bytes), and false when nvidia-smi cannot tell. XLA's CUDA client preallocates
// a share of the device unless told not to (GOMLX_BACKEND="xla:cuda,preallocate=false"), so
// only without preallocation is this the memory the graphs need.
func GPUProcessMemory(pid int) (float64, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "nvidia-smi", "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits").Output()
	if err != nil {
		return 0, false
	}
	return ProcessMemoryFromCSV(string(out), pid), true
}

// ProcessMemoryFromCSV sums the used_memory (MiB) of pid's rows in nvidia-smi's
// "pid, used_memory" CSV, in bytes.
func ProcessMemoryFromCSV(csv string, pid int) float64 {
	total := 0.0
	for _, line := range strings.Split(csv, "\n") {
		p, mem, ok := strings.Cut(line, ",")
		if !ok || strings.TrimSpace(p) != strconv.Itoa(pid) {
			continue
		}
		if mib, err := strconv.ParseFloat(strings.TrimSpace(mem), 64); err == nil {
			total += mib * (1 << 20)
		}
	}
	return total
}
