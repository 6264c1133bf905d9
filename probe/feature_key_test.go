package probe

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/stretchr/testify/assert"

	"github.com/vjepa-go/vjepa/backbone"
)

// TestFeatureKeyPrecisionNotAttention: features computed in float16 or bfloat16 get keys of
// their own, never a float32 run's; the attention algorithm and checkpointing share one.
// The default execution keeps the key the cache had before these settings existed (a
// Config with the zero Execution).
func TestFeatureKeyPrecisionNotAttention(t *testing.T) {
	info := BackboneInfo{Init: InitPretrained, CheckpointSHA256: "abc"}
	data := DataSpec{Train: "/data/k400/train.csv", Val: "/data/k400/val.csv"}
	key := func(exec backbone.Execution) string {
		e := &Experiment{Data: data, Model: backbone.Config{Name: "vit_tiny", EmbedDim: 192, Exec: exec}}
		return e.featureKey(info, data, 0, "train", fixedLen{})
	}
	float32Key := key(backbone.Execution{})
	for _, tc := range []struct {
		name string
		exec backbone.Execution
		same bool
	}{
		{"full", backbone.Execution{Attention: backbone.AttentionFull}, true},
		{"chunked", backbone.Execution{Attention: backbone.AttentionChunked, AttentionChunk: 64}, true},
		{"fused", backbone.Execution{Attention: backbone.AttentionFused}, true},
		{"checkpointing", backbone.Execution{GradCheckpointing: true}, true},
		{"float16", backbone.Execution{ComputeDType: dtypes.Float16}, false},
		{"bfloat16 chunked", backbone.Execution{ComputeDType: dtypes.BFloat16, Attention: backbone.AttentionChunked}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.same {
				assert.Equal(t, float32Key, key(tc.exec))
			} else {
				assert.NotEqual(t, float32Key, key(tc.exec))
			}
		})
	}
	assert.NotEqual(t, key(backbone.Execution{ComputeDType: dtypes.Float16}), key(backbone.Execution{ComputeDType: dtypes.BFloat16}))
	assert.Equal(t, key(backbone.Execution{ComputeDType: dtypes.Float16}),
		key(backbone.Execution{ComputeDType: dtypes.Float16, Attention: backbone.AttentionChunked, AttentionChunk: 32}))
}
