package probe

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// toyFeatures makes n samples of [tokens, d] features where the class is carried by one
// token out of many (so average pooling dilutes it and attention can find it).
func toyFeatures(n, tokens, d, classes int, rng *rand.Rand) (backbone.HostTensor, []int32) {
	x := backbone.HostTensor{Shape: []int{n, tokens, d}, F32: make([]float32, n*tokens*d)}
	labels := make([]int32, n)
	for i := 0; i < n; i++ {
		labels[i] = int32(i % classes)
		for j := 0; j < tokens*d; j++ {
			x.F32[i*tokens*d+j] = float32(rng.NormFloat64())
		}
		tok := rng.IntN(tokens)
		x.F32[(i*tokens+tok)*d+int(labels[i])] += 4
		x.F32[(i*tokens+tok)*d+d-1] += 4 // marks the informative token
	}
	return x, labels
}

func TestTrainerLearns(t *testing.T) {
	backend := testutil.Backend(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kind := range []Kind{Attentive, Attentive4, AvgPoolLinear} {
		t.Run(string(kind), func(t *testing.T) {
			m := Model{Kind: kind, EmbedDim: 16, NumHeads: 4, NumClasses: 4}
			init := []backbone.HostParams{m.Init(rng), m.Init(rng)}
			tr, err := NewTrainer(backend, TrainerOptions{Model: m, SweepSize: 2, ClipGrad: 1}, init)
			require.NoError(t, err)
			x, labels := toyFeatures(64, 8, 16, 4, rng)
			hp := []HParams{{LR: 3e-3, WeightDecay: 0.01}, {LR: 1e-3, WeightDecay: 0.01}}
			first, err := tr.Step(x, labels, hp)
			require.NoError(t, err)
			var last []StepStats
			for i := 0; i < 60; i++ {
				last, err = tr.Step(x, labels, hp)
				require.NoError(t, err)
			}
			require.Less(t, last[0].Loss, first[0].Loss*0.9, "loss must fall")
			probs, err := tr.Probs(x)
			require.NoError(t, err)
			require.Len(t, probs, 2)
			require.Len(t, probs[0], 64*4)
			sum := 0.0
			for c := 0; c < 4; c++ {
				sum += float64(probs[0][c])
			}
			require.InDelta(t, 1, sum, 1e-5)
			if kind != AvgPoolLinear {
				require.GreaterOrEqual(t, last[0].Correct, 48, "an attentive probe finds the informative token")
			}
		})
	}
}

func TestTrainerRejectsBadInput(t *testing.T) {
	backend := testutil.Backend(t)
	m := Model{Kind: Attentive, EmbedDim: 8, NumHeads: 2, NumClasses: 3}
	tr, err := NewTrainer(backend, TrainerOptions{Model: m, SweepSize: 1}, []backbone.HostParams{m.Init(rand.New(rand.NewPCG(1, 1)))})
	require.NoError(t, err)
	x := backbone.HostTensor{Shape: []int{2, 4, 8}, F32: make([]float32, 64)}
	_, err = tr.Step(x, []int32{0, 3}, []HParams{{LR: 1e-3}})
	require.ErrorContains(t, err, "out of range")
	_, err = tr.Step(backbone.HostTensor{Shape: []int{2, 4, 7}, F32: make([]float32, 56)}, []int32{0, 1}, []HParams{{LR: 1e-3}})
	require.ErrorContains(t, err, "features must be")
	_, err = NewTrainer(backend, TrainerOptions{Model: Model{Kind: "mlp", EmbedDim: 8, NumHeads: 2, NumClasses: 3}, SweepSize: 1}, nil)
	require.ErrorContains(t, err, "unknown probe type")
}
