package datasets

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// findFFmpeg resolves the ffmpeg program (default "ffmpeg" in PATH).
func findFFmpeg(program string) (string, error) {
	if program == "" {
		program = "ffmpeg"
	}
	path, err := exec.LookPath(program)
	if err != nil {
		return "", fmt.Errorf("ffmpeg program %q not found (install it, e.g. `apt-get install -y ffmpeg`): %w",
			program, err)
	}
	return path, nil
}

// encodeH264 encodes frames as an H.264 mp4 file at path, in the given pixel format, by
// piping raw RGB24 frames into the ffmpeg program. The file appears under its final name only once complete.
func encodeH264(ctx context.Context, ffmpeg, path string, f *media.Frames, fps int, pixelFormat string) error {
	tmp := path + ".tmp.mp4"
	cmd := exec.CommandContext(ctx, ffmpeg,
		"-hide_banner", "-loglevel", "error", "-y",
		"-f", "rawvideo", "-pix_fmt", "rgb24",
		"-video_size", strconv.Itoa(f.W)+"x"+strconv.Itoa(f.H),
		"-framerate", strconv.Itoa(fps),
		"-i", "pipe:0",
		"-c:v", "libx264", "-preset", "veryfast", "-crf", "15",
		"-pix_fmt", pixelFormat, "-movflags", "+faststart",
		tmp)
	cmd.Stdin = bytes.NewReader(f.Pix)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		_ = os.Remove(tmp)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("ffmpeg encode %s: %w: %s", path, err, strings.TrimSpace(exportTail(stderr.String(), 2000)))
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// exportTail returns the last n bytes of s.
func exportTail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
