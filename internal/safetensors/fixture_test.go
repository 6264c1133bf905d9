package safetensors_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/safetensors"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// TestFixtureFile reads the model.safetensors that transformers wrote for the v2_small
// fixture.
func TestFixtureFile(t *testing.T) {
	sf, err := safetensors.Open(filepath.Join(testutil.FixturesDir(t), "v2_small", "model.safetensors"))
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
