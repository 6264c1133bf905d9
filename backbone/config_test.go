package backbone_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
)

// TestEveryPreset builds every model preset and checks its sizes against the official
// vision_transformer.py table and its trainable parameter count against a closed form.
func TestEveryPreset(t *testing.T) {
	official := map[string]struct{ dim, depth, heads, mlpHidden int }{
		"vit_tiny":     {192, 12, 3, 768},
		"vit_small":    {384, 12, 6, 1536},
		"vit_base":     {768, 12, 12, 3072},
		"vit_large":    {1024, 24, 16, 4096},
		"vit_huge":     {1280, 32, 16, 5120},
		"vit_giant":    {1408, 40, 16, 6144},
		"vit_gigantic": {1664, 48, 16, 8192},
	}
	for _, name := range backbone.PresetNames() {
		t.Run(name, func(t *testing.T) {
			c, err := backbone.Preset(name)
			require.NoError(t, err)
			require.NoError(t, c.Validate())
			if want, ok := official[name]; ok {
				assert.Equal(t, want.dim, c.EmbedDim)
				assert.Equal(t, want.depth, c.Depth)
				assert.Equal(t, want.heads, c.NumHeads)
				assert.Equal(t, want.mlpHidden, c.MLPHidden())
			}
			assert.Zero(t, c.EmbedDim%c.NumHeads, "head dim is whole")

			d, h := c.EmbedDim, c.MLPHidden()
			block := 3*d*d + 3*d + d*d + d + d*h + h + h*d + d + 4*d
			want := 3*c.Tubelet*c.PatchSize*c.PatchSize*d + d + c.Depth*block + 2*d
			got := 0
			for _, s := range backbone.EncoderSpecs(c) {
				if !s.Frozen {
					got += s.Size()
				}
			}
			assert.Equal(t, want, got, "trainable encoder parameters")
		})
	}
	_, err := backbone.Preset("vit_enormous")
	assert.ErrorContains(t, err, `unknown model "vit_enormous" (valid: `)
}
