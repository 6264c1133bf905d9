package results

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vjepa-go/vjepa/probe"
)

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"2025-04-01-motion-pre": "2025-04-01-motion-pre",
		"runs/Tiny Run//x":      "runs-tiny-run-x",
		"../abs/path/":          "abs-path",
		"///":                   "run",
		"vit_large.pth":         "vit_large.pth",
	}
	for in, want := range tests {
		assert.Equal(t, want, slug(in), in)
	}
}

func TestLabels(t *testing.T) {
	assert.Equal(t, "random init", checkpointLabel(probe.BackboneInfo{Init: InitRandom}))
	assert.Equal(t, "vitl16.pth.tar (abcdef01)", checkpointLabel(probe.BackboneInfo{
		Init: InitPretrained, Checkpoint: "/x/vitl16.pth.tar", CheckpointSHA256: "abcdef0123456789"}))
	assert.Equal(t, "a.pt (ab)", checkpointLabel(probe.BackboneInfo{Init: InitPretrained, Checkpoint: "a.pt", CheckpointSHA256: "ab"}))
	assert.Equal(t, "16×8×3", protocolLabel(probe.Protocol{FramesPerClip: 16, NumSegments: 8, NumViews: 3}))
	assert.Equal(t, "img", protocolLabel(probe.Protocol{Image: true}))
	assert.Equal(t, "2h2m2s", durationLabel(7322.4))
	assert.Equal(t, "—", durationLabel(0))

	names := []string{"zz", "fashion-mnist", "k400", "aa", "ssv2"}
	sortDatasets(names)
	assert.Equal(t, []string{"k400", "ssv2", "fashion-mnist", "aa", "zz"}, names)
}
