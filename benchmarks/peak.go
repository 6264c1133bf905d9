package benchmarks

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
)

// MatMulResult is the fastest of several n×n×n float32 matrix products on a backend.
type MatMulResult struct {
	Size    int     // n
	Seconds float64 // best time of one product
	GFLOPs  float64 // 2·n³ / Seconds / 1e9
	// CoresBusy is process CPU time ÷ wall time over the timed products.
	CoresBusy float64
}

// DefaultMatMulSizes are the square sizes measured for the matmul peak.
func DefaultMatMulSizes() []int { return []int{512, 1024, 2048} }

// MatMulPeak times float32 products of n×n matrices for each size in sizes through backend
// (a GoMLX graph of one MatMul, the operation the models use), best of reps after one
// untimed call that compiles the graph.
func MatMulPeak(backend compute.Backend, sizes []int, reps int) ([]MatMulResult, error) {
	if reps < 1 {
		return nil, fmt.Errorf("matmul peak: %d repetitions < 1", reps)
	}
	exec, err := NewExec(backend, func(a, b *Node) *Node { return MatMul(a, b) })
	if err != nil {
		return nil, fmt.Errorf("matmul peak: %w", err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	out := make([]MatMulResult, 0, len(sizes))
	for _, n := range sizes {
		if n < 1 {
			return nil, fmt.Errorf("matmul peak: size %d < 1", n)
		}
		a := randomMatrix(rng, n)
		b := randomMatrix(rng, n)
		best := 0.0
		var wall, cpu time.Duration
		for i := -1; i < reps; i++ { // i = -1 compiles and is not timed
			start, cpuStart := time.Now(), processCPUTime()
			res, err := exec.Call(a, b)
			if err != nil {
				return nil, fmt.Errorf("matmul %d×%d: %w", n, n, err)
			}
			sec := time.Since(start).Seconds()
			if i >= 0 {
				wall, cpu = wall+time.Since(start), cpu+processCPUTime()-cpuStart
			}
			for _, r := range res {
				_ = r.FinalizeAll()
			}
			if i >= 0 && (best == 0 || sec < best) {
				best = sec
			}
		}
		_ = a.FinalizeAll()
		_ = b.FinalizeAll()
		out = append(out, MatMulResult{Size: n, Seconds: best, GFLOPs: 2 * float64(n) * float64(n) * float64(n) / best / 1e9,
			CoresBusy: coresBusy(cpu, wall)})
	}
	return out, nil
}

// PeakResult is the result with the best GFLOP/s (the zero value for none).
func PeakResult(results []MatMulResult) MatMulResult {
	var best MatMulResult
	for _, r := range results {
		if r.GFLOPs > best.GFLOPs {
			best = r
		}
	}
	return best
}

// PeakGFLOPs is the best GFLOP/s of results (0 for none).
func PeakGFLOPs(results []MatMulResult) float64 {
	peak := 0.0
	for _, r := range results {
		peak = max(peak, r.GFLOPs)
	}
	return peak
}

func randomMatrix(rng *rand.Rand, n int) *tensors.Tensor {
	v := make([]float32, n*n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, n, n)
}
