package benchmarks

import (
	"math/rand/v2"
	"testing"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/probe"
)

// BenchmarkProbeStep times one training step of the built-in evaluations' attentive probe
// (CPUDefaultProbeCase) on random features.
func BenchmarkProbeStep(b *testing.B) {
	pc, err := CPUDefaultProbeCase()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	init := make([]backbone.HostParams, pc.Heads)
	hp := make([]probe.HParams, pc.Heads)
	for i := range init {
		init[i] = pc.Model.Init(rng)
		hp[i] = probe.HParams{LR: 1e-3, WeightDecay: 0.01}
	}
	tr, err := probe.NewTrainer(testutil.Backend(b), probe.TrainerOptions{Model: pc.Model, NumHeads: pc.Heads, ClipGrad: 1}, init)
	if err != nil {
		b.Fatal(err)
	}
	d := pc.Model.EmbedDim
	x := backbone.HostTensor{Shape: []int{pc.Batch, pc.Tokens, d}, F32: make([]float32, pc.Batch*pc.Tokens*d)}
	for i := range x.F32 {
		x.F32[i] = float32(rng.NormFloat64())
	}
	labels := make([]int32, pc.Batch)
	for i := range labels {
		labels[i] = int32(i % pc.Model.NumClasses)
	}
	if _, err := tr.Step(x, labels, hp); err != nil { // compile
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Step(x, labels, hp); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(pc.Batch)*float64(b.N)/b.Elapsed().Seconds(), "clips/s")
}
