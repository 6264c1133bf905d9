package datasets

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/synthetic"
)

func TestConcat(t *testing.T) {
	a, err := synthetic.Builtin(synthetic.Motion, synthetic.Config{TrainSize: 3, Frames: 2, Size: 16})
	require.NoError(t, err)
	b, err := synthetic.Builtin(synthetic.Appearance, synthetic.Config{TrainSize: 5, Frames: 2, Size: 16})
	require.NoError(t, err)
	c, err := NewConcat(a, b)
	require.NoError(t, err)
	require.Equal(t, 8, c.Len())
	require.Equal(t, max(a.NumClasses(), b.NumClasses()), c.NumClasses())
	rng := func() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
	for i, want := range []struct {
		ds  Dataset
		idx int
	}{{a, 0}, {a, 2}, {b, 0}, {b, 4}} {
		global := []int{0, 2, 3, 7}[i]
		got, err := c.Sample(context.Background(), global, rng())
		require.NoError(t, err)
		exp, err := want.ds.Sample(context.Background(), want.idx, rng())
		require.NoError(t, err)
		require.Equal(t, exp, got)
	}
	_, err = c.Sample(context.Background(), 8, rng())
	require.Error(t, err)
	_, err = NewConcat()
	require.Error(t, err)
}
