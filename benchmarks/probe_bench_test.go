package benchmarks

import (
	"testing"

	"github.com/vjepa-go/vjepa/internal/testutil"
)

// BenchmarkProbeStep times one training step of the built-in evaluations' attentive probe
// (CPUDefaultProbeCase) on random features.
func BenchmarkProbeStep(b *testing.B) {
	pc, err := CPUDefaultProbeCase()
	if err != nil {
		b.Fatal(err)
	}
	step, err := newProbeStep(testutil.Backend(b), pc)
	if err != nil {
		b.Fatal(err)
	}
	if err := step(); err != nil { // compile
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(pc.Batch)*float64(b.N)/b.Elapsed().Seconds(), "clips/s")
}
