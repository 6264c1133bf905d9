package benchmarks

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/probe"
)

// ProbeCase is one attentive-probe training step benchmark on cached encoder features.
type ProbeCase struct {
	Name   string
	Ref    string // the case name after the kind, e.g. "cpu-default" (see ID)
	Model  probe.Model
	Tokens int // N of the features [B,N,D]
	Batch  int
	Heads  int // probe heads trained together (the hyper-parameter sweep)
	// OnRequest cases (the official shapes) run only when named in --cases.
	OnRequest bool
}

// CPUDefaultProbeCase is the built-in probe evaluations' step: an attentive probe on the
// cpu-default encoder's features (all its tokens), batch 64, two heads, 8 classes.
func CPUDefaultProbeCase() (ProbeCase, error) {
	sc, err := CPUDefaultStepCase()
	if err != nil {
		return ProbeCase{}, err
	}
	c := sc.Config
	m := probe.Model{Kind: probe.Attentive, EmbedDim: c.EmbedDim, NumHeads: c.NumHeads, NumClasses: 8}
	return ProbeCase{Name: fmt.Sprintf("attentive probe on %s features", sc.Name), Ref: sc.Ref, Model: m, Tokens: c.NumTokens(),
		Batch: 64, Heads: 2}, nil
}

// benchProbe times probe.Trainer.Step (forward, backward and AdamW of every head) on random
// features.
func benchProbe(ctx context.Context, backend compute.Backend, pc ProbeCase, budget Budget) (ProbeResult, error) {
	res := ProbeResult{Case: pc, Name: pc.Name, Batch: pc.Batch}
	wrap := func(err error) error { return fmt.Errorf("probe %s: %w", pc.Name, err) }
	step, err := newProbeStep(backend, pc)
	if err != nil {
		return res, wrap(err)
	}
	if res.Time, err = measure(ctx, budget, step); err != nil {
		return res, wrap(err)
	}
	return res, nil
}

// newProbeStep builds the trainer of pc's heads and returns one training step on a fixed
// batch of random features, as benchProbe and BenchmarkProbeStep time it.
func newProbeStep(backend compute.Backend, pc ProbeCase) (func() error, error) {
	rng := rand.New(rand.NewPCG(11, 12))
	init := make([]backbone.HostParams, pc.Heads)
	hp := make([]probe.HParams, pc.Heads)
	for i := range init {
		init[i] = pc.Model.Init(rng)
		hp[i] = probe.HParams{LR: 1e-3, WeightDecay: 0.01}
	}
	tr, err := probe.NewTrainer(backend, probe.TrainerOptions{Model: pc.Model, SweepSize: pc.Heads, ClipGrad: 1}, init)
	if err != nil {
		return nil, err
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
	return func() error {
		_, err := tr.Step(x, labels, hp)
		return err
	}, nil
}
