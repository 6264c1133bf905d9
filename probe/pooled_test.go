package probe

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
)

// TestMeanTokensTrainsTheSameProbe: an avgpool-linear probe trained on the averaged tokens
// ends with the same parameters, bit for bit, and the same accuracy as on all tokens.
func TestMeanTokensTrainsTheSameProbe(t *testing.T) {
	backend := testutil.Backend(t)
	rng := rand.New(rand.NewPCG(3, 4))
	set := func(n int) *FeatureSet {
		fs := &FeatureSet{Tokens: 256, Dim: 192, Views: 2, NumClasses: 3} // the built-in sets' feature shape
		for i := 0; i < n; i++ {
			row := make([]float32, fs.Views*fs.Tokens*fs.Dim)
			for j := range row {
				row[j] = float32(rng.NormFloat64())
			}
			fs.Data, fs.Labels = append(fs.Data, row), append(fs.Labels, int32(i%3))
		}
		return fs
	}
	train, val := set(37), set(19)
	const batch = 8
	pooledTrain, err := meanTokens(backend, train, batch)
	require.NoError(t, err)
	pooledVal, err := meanTokens(backend, val, batch)
	require.NoError(t, err)
	require.Equal(t, 1, pooledTrain.Tokens)
	require.Len(t, pooledTrain.Data[0], train.Views*train.Dim)

	opts := TrainOptions{Model: Model{Kind: AvgPoolLinear, EmbedDim: 192, NumClasses: 3}, Seed: 5,
		Training: Training{Sweep: []HeadConfig{{LR: 1e-2, StartLR: 1e-2, WeightDecay: 0.01}}, Epochs: 3, BatchSize: batch}}
	all, err := TrainAndEvaluate(context.Background(), backend, train, val, opts)
	require.NoError(t, err)
	pooled, err := TrainAndEvaluate(context.Background(), backend, pooledTrain, pooledVal, opts)
	require.NoError(t, err)
	require.Equal(t, all.Params, pooled.Params)
	require.Equal(t, all.Heads, pooled.Heads)
	require.Equal(t, all.Confusion, pooled.Confusion)
}
