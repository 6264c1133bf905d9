package main

import (
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunDataCheck(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"train/a/x.png", "train/b/y.png", "val/a/x.png", "val/b/y.png"} {
		path := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		f, err := os.Create(path)
		require.NoError(t, err)
		require.NoError(t, png.Encode(f, image.NewGray(image.Rect(0, 0, 4, 4))))
		require.NoError(t, f.Close())
	}
	ctx := context.Background()
	require.NoError(t, runDataCheck(ctx, []string{"-progress=false", root}))

	require.NoError(t, os.WriteFile(filepath.Join(root, "val", "b", "z.png"), []byte("broken"), 0o644))
	err := runDataCheck(ctx, []string{"-progress=false", "-split", "val", root})
	var ee *exitError
	require.True(t, errors.As(err, &ee), "%v", err)
	require.Equal(t, 1, ee.code)

	err = runDataCheck(ctx, []string{"-progress=false"})
	require.True(t, errors.As(err, &ee))
	require.Equal(t, 2, ee.code)
	require.Error(t, runDataCheck(ctx, []string{"-decoder", "vlc", root}))
}

// The report: OpenCV's tree.avi (Cinepak, 444-frame header, 68 coded frames) and
// vtest.avi are valid videos and pass, with every decoder.
func TestRunDataCheckRealVideos(t *testing.T) {
	data := "/usr/share/doc/opencv-doc/examples/data"
	for _, f := range []string{"tree.avi", "vtest.avi"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Fatalf("%v: install the Debian package opencv-doc (see .ci/run)", err)
		}
	}
	list := filepath.Join(t.TempDir(), "real.csv")
	require.NoError(t, os.WriteFile(list, []byte(data+"/tree.avi 0\r\n"+data+"/vtest.avi 1\r\n"), 0o644))
	ctx := context.Background()
	for _, dec := range []string{"", "ffmpeg"} {
		require.NoError(t, runDataCheck(ctx, []string{"-progress=false", "-decoder", dec, "-timeout", "1m", list}), dec)
	}
	require.Error(t, runDataCheck(ctx, []string{"-timeout", "soon", list}))
}
