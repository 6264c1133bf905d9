package probe_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/probe"
)

// TestVideosDecode decodes real videos several at a time: in order, a bad video's error in
// its place naming it, every clip of the protocol's views × segments, and an early stop.
func TestVideosDecode(t *testing.T) {
	const data = "/usr/share/doc/opencv-doc/examples/data/"
	tree, vtest := data+"tree.avi", data+"vtest.avi"
	for _, p := range []string{tree, vtest} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is missing: install the Debian package opencv-doc", p)
		}
	}
	broken := filepath.Join(t.TempDir(), "broken.mp4")
	require.NoError(t, os.WriteFile(broken, []byte(strings.Repeat("not a video ", 200)), 0o644))
	videos, err := probe.OpenVideos([]string{tree, broken, vtest, tree},
		probe.Protocol{FramesPerClip: 4, FrameStep: 2, NumSegments: 2, NumViews: 3, Resolution: 48})
	require.NoError(t, err)
	defer videos.Close()
	require.Equal(t, 4, videos.Len())

	var got []int
	for d := range videos.Decode(context.Background(), []int{0, 1, 2, 3}, 2) {
		got = append(got, d.Index)
		if d.Index == 1 {
			require.ErrorContains(t, d.Err, "broken.mp4")
			continue
		}
		require.NoError(t, d.Err)
		require.Len(t, d.Batch.Clips, 3)
		require.Len(t, d.Batch.Clips[0], 2)
		require.Equal(t, []int{1, 3, 4, 48, 48}, d.Batch.Clips[2][1].Shape)
		require.True(t, strings.HasSuffix(d.Batch.Sources[0], filepath.Base([]string{tree, "", vtest, tree}[d.Index])))
	}
	require.Equal(t, []int{0, 1, 2, 3}, got)

	for d := range videos.Decode(context.Background(), []int{3, 2, 0}, 3) {
		require.Equal(t, 3, d.Index)
		break
	}
}
