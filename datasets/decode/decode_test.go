package decode

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
)

func TestDecodersExactFrames(t *testing.T) {
	dir := t.TempDir()
	videos := []struct {
		name   string
		path   string
		frames int
	}{
		{"h264 mp4 with b-frames", testutil.MakeTestVideo(t, dir, "x.mp4", "64x48", 30, 2,
			"-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "12"), 60},
		{"mpeg4 mkv", testutil.MakeTestVideo(t, dir, "x.mkv", "32x24", 25, 1.2,
			"-c:v", "mpeg4", "-g", "7", "-bf", "2"), 30},
		{"h264 mpeg-ts with a start offset", testutil.MakeTestVideo(t, dir, "x.ts", "48x32", 25, 1.6,
			"-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10"), 40},
	}
	ctx := context.Background()
	for _, dec := range testDecoders() {
		for _, vid := range videos {
			t.Run(dec.Name()+"/"+vid.name, func(t *testing.T) {
				v, err := dec.Open(ctx, vid.path)
				require.NoError(t, err)
				defer v.Close()
				info := v.Info()
				require.Equal(t, vid.frames, info.NumFrames)
				all := make([]int, info.NumFrames)
				for i := range all {
					all[i] = i
				}
				full, err := v.Frames(ctx, all)
				require.NoError(t, err)
				require.Equal(t, info.NumFrames, full.T)
				size := full.H * full.W * 3
				// testsrc frames differ from one another.
				require.NotEqual(t, full.Pix[:size], full.Pix[size:2*size])
				for _, idx := range [][]int{
					{0}, {info.NumFrames - 1}, {13, 5, 5, 29}, {1, 2, 3}, {25, 26, 27, 28, 29, 29, 29},
					{17, 21, 25, 29}, {info.NumFrames - 2, info.NumFrames - 1},
				} {
					got, err := v.Frames(ctx, idx)
					require.NoError(t, err, "indices %v", idx)
					require.Equal(t, len(idx), got.T)
					for k, i := range idx {
						require.Equal(t, full.Pix[i*size:(i+1)*size], got.Pix[k*size:(k+1)*size],
							"indices %v: frame %d differs from the full decode", idx, i)
					}
				}
				_, err = v.Frames(ctx, []int{info.NumFrames})
				require.Error(t, err)
			})
		}
	}
}

func TestDecodersInfo(t *testing.T) {
	dir := t.TempDir()
	path := testutil.MakeTestVideo(t, dir, "x.mp4", "40x30", 25, 1, "-c:v", "libx264", "-pix_fmt", "yuv420p")
	for _, dec := range testDecoders() {
		t.Run(dec.Name(), func(t *testing.T) {
			v, err := dec.Open(context.Background(), path)
			require.NoError(t, err)
			defer v.Close()
			require.Equal(t, VideoInfo{NumFrames: 25, FPS: 25, Width: 40, Height: 30}, v.Info())
		})
	}
}

func TestDecodersBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := testutil.MakeTestVideo(t, dir, "good.mp4", "64x48", 30, 2, "-c:v", "libx264", "-pix_fmt", "yuv420p")
	data, err := os.ReadFile(good)
	require.NoError(t, err)
	garbage := filepath.Join(dir, "garbage.mp4")
	require.NoError(t, os.WriteFile(garbage, []byte("this is not a video at all"), 0o644))
	for _, dec := range testDecoders() {
		t.Run(dec.Name()+"/missing", func(t *testing.T) {
			_, err := dec.Open(context.Background(), filepath.Join(dir, "missing.mp4"))
			require.Error(t, err)
		})
		t.Run(dec.Name()+"/garbage", func(t *testing.T) {
			_, err := dec.Open(context.Background(), garbage)
			require.Error(t, err)
		})
		t.Run(dec.Name()+"/truncated", func(t *testing.T) {
			// Cut the file in the middle: either opening fails or decoding the last frames does.
			trunc := filepath.Join(dir, "trunc-"+dec.Name()+".mp4")
			require.NoError(t, os.WriteFile(trunc, data[:len(data)/2], 0o644))
			v, err := dec.Open(context.Background(), trunc)
			if err != nil {
				return
			}
			defer v.Close()
			_, err = v.Frames(context.Background(), []int{v.Info().NumFrames - 1, 59})
			require.Error(t, err)
		})
	}
}

func TestParseRational(t *testing.T) {
	require.InDelta(t, 29.97002997, parseRational("30000/1001"), 1e-6)
	require.Equal(t, 25.0, parseRational("25"))
	require.Equal(t, 0.0, parseRational("0/0"))
	require.Equal(t, 0.0, parseRational("N/A"))
}

func TestFrameSizeLimits(t *testing.T) {
	tests := []struct {
		w, h int
		want string
	}{
		{320, 240, ""},
		{7680, 4320, ""},
		{0, 240, "invalid frame size 0x240"},
		{-2, 2, "invalid frame size -2x2"},
		{7681, 4320, "exceeds the limit"},
		{1 << 17, 2, "exceeds the limit"},
	}
	for _, tt := range tests {
		err := checkFrameSize(tt.w, tt.h)
		if tt.want == "" {
			require.NoError(t, err, "%dx%d", tt.w, tt.h)
		} else {
			require.ErrorContains(t, err, tt.want, "%dx%d", tt.w, tt.h)
		}
	}
}

func TestScaledSize(t *testing.T) {
	tests := []struct{ w, h, short, ww, wh int }{
		{1920, 1080, 256, 455, 256},
		{1080, 1920, 256, 256, 455},
		{340, 256, 256, 340, 256},
		{340, 256, 0, 340, 256},
		{100, 50, 200, 400, 200}, // upscaling, as decord's width/height do
	}
	for _, tt := range tests {
		w, h := scaledSize(tt.w, tt.h, tt.short)
		require.Equal(t, [2]int{tt.ww, tt.wh}, [2]int{w, h}, "%dx%d to %d", tt.w, tt.h, tt.short)
	}
}

func TestStillImageFormats(t *testing.T) {
	for format, still := range map[string]bool{"image2": true, "jpeg_pipe": true, "png_pipe": true,
		"mov,mp4,m4a,3gp,3g2,mj2": false, "matroska,webm": false, "avi": false, "mpeg": false, "gif": false} {
		require.Equal(t, still, checkNotStillImage(format) != nil, format)
	}
}
