package backend_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/backend"
)

func TestGoExecutors(t *testing.T) {
	for _, tc := range []struct{ procs, want int }{
		{1, 1}, {2, 1}, {3, 1}, {4, 2}, {8, 4}, {16, 8}, {64, 8},
	} {
		t.Run(fmt.Sprint(tc.procs), func(t *testing.T) {
			got := backend.GoExecutors(tc.procs)
			assert.Equal(t, tc.want, got)
			// The executors other than the caller's hold pool slots; at least GOMAXPROCS of the
			// 2×GOMAXPROCS slots must stay free for an operation's workers.
			assert.GreaterOrEqual(t, 2*tc.procs-(got-1), tc.procs)
		})
	}
}

func TestGoConfigUserOptionsLast(t *testing.T) {
	cfg := backend.GoConfig("num_executors=3")
	assert.Regexp(t, `^num_executors=\d+,num_executors=3$`, cfg)
	assert.Regexp(t, `^num_executors=\d+$`, backend.GoConfig(""))
}

// processCPUSeconds is the user + system CPU time of this process so far.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// TestMatMulKeepsCoresBusy fails when a large float32 matrix product through the backend the
// commands use keeps fewer than 80 % of the machine's cores busy (1.6 of 2): the failure of
// GoMLX's default executor count on small machines (see backend.GoExecutors). The host's share
// of the cores moves, so it takes the best of three rounds of products.
func TestMatMulKeepsCoresBusy(t *testing.T) {
	cores := min(runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if cores < 2 {
		t.Skipf("needs ≥ 2 cores to measure parallelism; this process has %d", cores)
	}
	be, err := backend.NewGo("")
	require.NoError(t, err)
	defer be.Finalize()
	exec, err := graph.NewExec(be, func(a, b *graph.Node) *graph.Node { return graph.MatMul(a, b) })
	require.NoError(t, err)
	const n = 1536
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]float32, n*n)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	a := tensors.FromFlatDataAndDimensions(data, n, n)
	call := func() {
		out, err := exec.Exec(a, a)
		require.NoError(t, err)
		for _, o := range out {
			require.NoError(t, o.FinalizeAll())
		}
	}
	call() // compiles
	want := 0.8 * float64(cores)
	best := 0.0
	for round := 0; round < 3 && best < want; round++ {
		cpu0, wall0 := processCPUSeconds(), time.Now()
		for range 6 {
			call()
		}
		busy := (processCPUSeconds() - cpu0) / time.Since(wall0).Seconds()
		best = max(best, busy)
		t.Logf("round %d: %d products of %d×%d keep %.2f of %d cores busy", round, 6, n, n, busy, cores)
	}
	assert.GreaterOrEqualf(t, best, want, "a %d×%d matrix product kept %.2f of %d cores busy (want ≥ %.1f)", n, n, best, cores, want)
}
