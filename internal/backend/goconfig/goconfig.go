package goconfig

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
)

// GoExecutors is the number of graph executors the project gives GoMLX's pure-Go backend
// for gomaxprocs logical CPUs.
//
// Why it is set at all: the backend has one worker pool of 2×GOMAXPROCS slots, shared by
// its graph executors and by the workers an operation fans out (a matrix product splits
// into row/column panels). It starts min(8, 2×GOMAXPROCS) executors per call, and each
// executor but the caller's holds a slot for the whole call, even while it waits for a ready
// node. On 2 cores that is 3 of 4 slots held, so a large matrix product gets one worker and
// one core stays idle (matmul peak 160–210 GFLOP/s with 1.05 cores busy; with this setting
// 320–390 GFLOP/s and 1.7 cores busy, docs/performance.md). GOMAXPROCS ≥ 5 happened to
// leave ≥ 2 slots free, which is why setting GOMAXPROCS=8 by hand "fixed" it.
//
// The rule keeps at least GOMAXPROCS slots free for operation workers: at most
// GOMAXPROCS/2 executors (one when there are fewer than 4 CPUs), capped at the backend's
// default of 8. Inter-operation parallelism matters little for ViT graphs, whose time is in
// large products that parallelise internally.
func GoExecutors(gomaxprocs int) int { return max(1, min(8, gomaxprocs/2)) }

// GoConfig is the configuration string the project passes to the pure-Go backend: the
// executor count of GoExecutors for this process's GOMAXPROCS, then any options of the user's
// own (from "go:OPTIONS" in --backend or $GOMLX_BACKEND), which take precedence.
func GoConfig(userOptions string) string {
	cfg := fmt.Sprintf("num_executors=%d", GoExecutors(runtime.GOMAXPROCS(0)))
	if userOptions = strings.TrimSpace(userOptions); userOptions != "" {
		cfg += "," + userOptions
	}
	return cfg
}

// New returns GoMLX's pure-Go backend configured by GoConfig(userOptions).
func New(userOptions string) (compute.Backend, error) {
	b, err := gobackend.New(GoConfig(userOptions))
	if err != nil {
		return nil, fmt.Errorf("go backend: %w", err)
	}
	return b, nil
}
