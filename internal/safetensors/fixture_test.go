package safetensors_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/safetensors"
)

func TestFixtureFile(t *testing.T) {
	f := fixtures.MustLoad(t, "v2_small")
	sf, err := safetensors.Open(f.Path("model.safetensors"))
	require.NoError(t, err)
	defer sf.Close()
	info, ok := sf.Info("predictor.embeddings.mask_tokens")
	require.True(t, ok)
	require.Equal(t, []int{2, 1, 1, 48}, info.Shape)
	v, shape, err := sf.Float32("encoder.layer.0.attention.query.weight")
	require.NoError(t, err)
	require.Equal(t, []int{48, 48}, shape)
	require.Len(t, v, 48*48)
}
