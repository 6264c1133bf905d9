//go:build cgo && !noastiav

package decode

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/media"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

func extraTestDecoders() []Decoder { return []Decoder{&Astiav{}} }

// The in-process decoder gives the same pixels as the ffmpeg tool.
func TestAstiavMatchesFFmpeg(t *testing.T) {
	dir := t.TempDir()
	path := testutil.MakeTestVideo(t, dir, "x.mp4", "64x48", 30, 2, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "12")
	ctx := context.Background()
	idx := []int{0, 7, 13, 13, 40, 59}
	var frames []*media.Frames
	for _, dec := range []Decoder{&FFmpeg{}, &Astiav{}} {
		v, err := dec.Open(ctx, path)
		require.NoError(t, err)
		f, err := v.Frames(ctx, idx)
		require.NoError(t, err)
		require.NoError(t, v.Close())
		frames = append(frames, f)
	}
	assert.Equal(t, frames[0].Pix, frames[1].Pix)
}
