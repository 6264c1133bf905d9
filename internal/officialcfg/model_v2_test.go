package officialcfg

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPretrainModelV2 reads the V-JEPA 2 layout: model.use_rope, data.dataset_fpcs instead of
// num_frames (the model is built for the longest clip, with one mask token per clip length
// and mask configuration), mask.full_complement.
func TestPretrainModelV2(t *testing.T) {
	text, _ := replaceLine(t, tinyPretrain, "  num_frames: 8", "  dataset_fpcs: [16, 8, 16]")
	text, _ = replaceLine(t, text, "  pred_num_heads: 3", "  pred_num_heads: 3\n  use_rope: true")
	text = replaceOnce(text, "num_blocks: 8,", "num_blocks: 8, full_complement: false,")
	c, warnings, err := LoadPretrain(writeConfig(t, "v2.yaml", text))
	require.NoError(t, err)
	assert.Empty(t, warnings)
	m, err := c.Model()
	require.NoError(t, err)
	assert.True(t, m.UseRoPE)
	assert.Equal(t, 16, m.NumFrames)
	assert.Equal(t, 6, m.NumMaskTokens)

	for _, tc := range []struct{ fpcs, want string }{
		{"[16, 0]", "data.dataset_fpcs.1 must be a positive integer"},
		{"[16, 2.5]", "dataset_fpcs"},
	} {
		bad, _ := replaceLine(t, tinyPretrain, "  num_frames: 8", "  dataset_fpcs: "+tc.fpcs)
		c, _, err := LoadPretrain(writeConfig(t, "bad.yaml", bad))
		if err == nil {
			_, err = c.Model()
		}
		require.ErrorContains(t, err, tc.want)
	}
}
