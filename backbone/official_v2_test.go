package backbone_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// TestPretrainModelV2 reads the V-JEPA 2 layout: model.use_rope, data.dataset_fpcs instead of
// num_frames (the model is built for the longest clip, with one mask token per clip length
// and mask configuration), mask.full_complement.
func TestPretrainModelV2(t *testing.T) {
	text, _ := testutil.ReplaceLine(t, tinyPretrain, "  num_frames: 8", "  dataset_fpcs: [16, 8, 16]")
	text, _ = testutil.ReplaceLine(t, text, "  pred_num_heads: 3", "  pred_num_heads: 3\n  use_rope: true")
	text = strings.Replace(text, "num_blocks: 8,", "num_blocks: 8, full_complement: false,", 1)
	c, warnings, err := officialcfg.LoadPretrain(testutil.WriteFile(t, "v2.yaml", text))
	require.NoError(t, err)
	assert.Empty(t, warnings)
	m, err := backbone.FromPretrainConfig(c)
	require.NoError(t, err)
	assert.True(t, m.UseRoPE)
	assert.Equal(t, 16, m.NumFrames)
	assert.Equal(t, 6, m.NumMaskTokens)

	for _, tc := range []struct{ fpcs, want string }{
		{"[16, 0]", "data.dataset_fpcs.1 must be a positive integer"},
		{"[16, 2.5]", "dataset_fpcs"},
	} {
		bad, _ := testutil.ReplaceLine(t, tinyPretrain, "  num_frames: 8", "  dataset_fpcs: "+tc.fpcs)
		c, _, err := officialcfg.LoadPretrain(testutil.WriteFile(t, "bad.yaml", bad))
		if err == nil {
			_, err = backbone.FromPretrainConfig(c)
		}
		require.ErrorContains(t, err, tc.want)
	}
}
