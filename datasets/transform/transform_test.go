package transform

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vjepa-go/vjepa/datasets/media"
)

func TestRepeatTimeTiles(t *testing.T) {
	img := media.Clip{T: 1, H: 1, W: 2, Data: []float32{1, 2, 3, 4, 5, 6}}
	got := RepeatTime(img, 3)
	assert.Equal(t, 3, got.T)
	assert.Equal(t, []float32{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 5, 6, 5, 6, 5, 6}, got.Data)

	clip := media.Clip{T: 2, H: 1, W: 1, Data: []float32{1, 2, 3, 4, 5, 6}} // [c][t]
	got = RepeatTime(clip, 2)
	assert.Equal(t, 4, got.T)
	assert.Equal(t, []float32{1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6}, got.Data)

	assert.Equal(t, 0, RepeatTime(img, 0).T)
}

func TestCheckFrames(t *testing.T) {
	tests := []struct {
		name string
		f    *media.Frames
		ok   bool
	}{
		{"nil", nil, false},
		{"zero size", &media.Frames{T: 1, H: 0, W: 2}, false},
		{"short buffer", &media.Frames{T: 1, H: 2, W: 2, Pix: make([]uint8, 11)}, false},
		{"ok", &media.Frames{T: 1, H: 2, W: 2, Pix: make([]uint8, 12)}, true},
	}
	for _, tc := range tests {
		err := checkFrames(tc.f)
		assert.Equal(t, tc.ok, err == nil, tc.name)
	}
	assert.Error(t, checkImage(&media.Frames{T: 2, H: 1, W: 1, Pix: make([]uint8, 6)}))
}
