package benchmarks

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/gomlx/compute"
)

// Machine describes where the benchmarks ran.
type Machine struct {
	CPU          string  `json:"cpu"`   // model name from /proc/cpuinfo
	Cores        int     `json:"cores"` // runtime.NumCPU
	MemoryGiB    float64 `json:"memory_gib"`
	OS           string  `json:"os"`
	Arch         string  `json:"arch"`
	GoVersion    string  `json:"go_version"`
	GOEXPERIMENT string  `json:"goexperiment"` // from the binary's build settings
	Backend      string  `json:"backend"`      // name and description of the compute backend
	// LoadStart and LoadEnd are the 1-, 5- and 15-minute load averages (/proc/loadavg)
	// when the run started and ended: other work on the machine skews the timings.
	LoadStart string `json:"load_start"`
	LoadEnd   string `json:"load_end"`
}

// describeMachine collects the machine facts; unknown values stay empty.
func describeMachine(backend compute.Backend) Machine {
	m := Machine{Cores: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version(),
		CPU: cpuModel(), MemoryGiB: memTotalGiB(), LoadStart: loadAverage()}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "GOEXPERIMENT" {
				m.GOEXPERIMENT = s.Value
			}
		}
	}
	if backend != nil {
		m.Backend = backend.Name()
		if d := backend.Description(); d != "" && d != m.Backend {
			m.Backend += " (" + d + ")"
		}
	}
	return m
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// memTotalGiB is MemTotal of /proc/meminfo in GiB.
func memTotalGiB() float64 { return meminfoField("MemTotal:") / (1 << 30) }

// meminfoField is a field of /proc/meminfo (given in KiB) in bytes, or 0 if unknown.
func meminfoField(key string) float64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
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

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
