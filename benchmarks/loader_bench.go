package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/datasets/decode"
	"github.com/vjepa-go/vjepa/datasets/synthetic"
	"github.com/vjepa-go/vjepa/datasets/transform"
)

// loaderRate loads batches batches of ds in order (epochs repeat if needed) with a fresh
// Loader and returns the wall seconds per batch and the clips loaded. The time includes
// filling the prefetch pipeline, as the first batches of a training run do.
func loaderRate(ctx context.Context, ds datasets.Dataset, batch, workers, batches int) (perBatch float64, clips int, err error) {
	l, err := datasets.NewLoader(ds, datasets.LoaderOptions{BatchSize: batch, Workers: workers, Seed: 1, Shuffle: true, DropLast: true})
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	n := 0
	for epoch := 0; n < batches; epoch++ {
		for b, err := range l.Epoch(ctx, datasets.State{Epoch: epoch}) {
			if err != nil {
				return 0, 0, err
			}
			n++
			clips += b.Size()
			if n >= batches {
				break
			}
		}
	}
	return time.Since(start).Seconds() / float64(n), clips, nil
}

// syntheticMotion is the built-in synthetic-motion training split rendered at frames×size
// with exactly n clips.
func syntheticMotion(frames, size, n int) (*synthetic.Dataset, error) {
	return synthetic.Builtin(synthetic.Motion, synthetic.Config{Seed: 1, Split: synthetic.SplitTrain,
		TrainSize: n, Frames: frames, Size: size})
}

// benchSyntheticLoader measures the loader on built-in synthetic-motion clips.
func benchSyntheticLoader(ctx context.Context, c SyntheticLoaderCase) (LoaderResult, error) {
	res := LoaderResult{Name: "built-in synthetic-motion (rendered on the fly)", Batch: c.Batch, Workers: c.Workers,
		Clip: fmt.Sprintf("%d×%d×%d", c.Frames, c.Size, c.Size)}
	ds, err := syntheticMotion(c.Frames, c.Size, c.Batch*c.Batches)
	if err != nil {
		return res, err
	}
	// Rendering is cheap, so the run is short and noisy: keep the median of three.
	var rates []float64
	for range 3 {
		perBatch, clips, err := loaderRate(ctx, ds, c.Batch, c.Workers, c.Batches)
		if err != nil {
			return res, fmt.Errorf("synthetic loader: %w", err)
		}
		res.Clips += clips
		rates = append(rates, rate(float64(c.Batch), perBatch))
	}
	res.ClipsPerSec = median(rates)
	return res, nil
}

// errNoFFmpeg marks a skipped video benchmark.
var errNoFFmpeg = errors.New("ffmpeg or ffprobe not found on PATH")

// videoCodecs are the encodings the video loader benchmark can write: file extension and
// ffmpeg output options.
var videoCodecs = map[string]struct {
	label, ext string
	args       []string
}{
	"h264": {"H.264", ".mp4", []string{"-c:v", "libx264", "-pix_fmt", "yuv420p"}},
	"vp9": {"VP9", ".webm", []string{"-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-deadline", "realtime",
		"-cpu-used", "8", "-b:v", "1M"}},
}

// videoDecoders returns the decoders a video loader case measures, each with one thread.
func videoDecoders(names []string) ([]decode.Decoder, error) {
	if len(names) == 0 {
		names = []string{"astiav", "ffmpeg"}
		if _, err := decode.New("astiav"); err != nil {
			names = []string{"ffmpeg"}
		}
	}
	var out []decode.Decoder
	for _, n := range names {
		d, err := decode.New(n)
		if err != nil {
			return nil, err
		}
		out = append(out, decode.WithThreads(d, 1))
	}
	return out, nil
}

// benchVideoLoaders writes c.Videos files per codec with the ffmpeg CLI into a temporary
// folder and measures the loader on them with the pretraining sampling (16 frames, step 4)
// and transform, once per decoder, with one worker per core.
func benchVideoLoaders(ctx context.Context, c VideoLoaderCase) ([]LoaderResult, error) {
	for _, prog := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(prog); err != nil {
			return nil, errNoFFmpeg
		}
	}
	codecs := c.Codecs
	if len(codecs) == 0 {
		codecs = []string{"h264"}
	}
	decoders, err := videoDecoders(c.Decoders)
	if err != nil {
		return nil, fmt.Errorf("video loader: %w", err)
	}
	workers := c.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	var out []LoaderResult
	for _, codec := range codecs {
		vc, ok := videoCodecs[codec]
		if !ok {
			return nil, fmt.Errorf("video loader: unknown codec %q (want h264 or vp9)", codec)
		}
		dir, err := os.MkdirTemp("", "vjepa-bench-videos-")
		if err != nil {
			return nil, fmt.Errorf("video loader: %w", err)
		}
		defer os.RemoveAll(dir)
		listPath, content, err := writeTestVideos(ctx, dir, c, vc.ext, vc.args)
		if err != nil {
			return nil, err
		}
		for _, dec := range decoders {
			res := LoaderResult{Batch: c.Batch, Workers: workers, Cores: min(workers, runtime.NumCPU()),
				Clip: fmt.Sprintf("%d×%d×%d", c.Frames, c.Crop, c.Crop),
				Name: fmt.Sprintf("%d-s %d×%d %s videos (%d fps, %s), %s decoder (1 thread per worker)",
					int(c.Seconds), c.Width, c.Height, vc.label, c.FPS, content, dec.Name())}
			if err := measureVideoLoader(ctx, c, listPath, dec, workers, &res); err != nil {
				return nil, err
			}
			out = append(out, res)
		}
	}
	return out, nil
}

// measureVideoLoader times the loader over the list with one decoder.
func measureVideoLoader(ctx context.Context, c VideoLoaderCase, listPath string, dec decode.Decoder, workers int, res *LoaderResult) error {
	tc := transform.DefaultPretrainConfig()
	tc.CropSize = c.Crop
	tr, err := transform.NewPretrain(tc)
	if err != nil {
		return fmt.Errorf("video loader: %w", err)
	}
	sampling := datasets.PretrainSampling()
	sampling.FramesPerClip = c.Frames
	ds, err := datasets.NewVideoList(datasets.VideoListOptions{Lists: []string{listPath}, Sampling: sampling,
		Transform: tr, Decoder: dec})
	if err != nil {
		return fmt.Errorf("video loader: %w", err)
	}
	batches := (c.Clips + c.Batch - 1) / c.Batch
	perBatch, clips, err := loaderRate(ctx, ds, c.Batch, workers, batches)
	if err != nil {
		return fmt.Errorf("video loader (%s): %w", dec.Name(), err)
	}
	res.Clips, res.ClipsPerSec = clips, rate(float64(c.Batch), perBatch)
	return nil
}

// RealVideoSource is real footage the video loader benchmark transcodes when it is installed
// (Debian's opencv-doc: 795 frames of a street scene, 768×576): played at the case's frame
// rate, each benchmark file is a different 10-s stretch of it, so the decoder works on real
// content rather than on a synthetic pattern.
const RealVideoSource = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// videoSource returns the ffmpeg input options of video i of case c and a description of the
// content: a stretch of c.Source (default RealVideoSource) when it exists, else the lavfi test
// pattern.
func videoSource(c VideoLoaderCase, i int) (args []string, content string) {
	src := c.Source
	if src == "" {
		src = RealVideoSource
	}
	if _, err := os.Stat(src); err == nil {
		// Read the file as if it ran at the case's rate, starting i·Seconds/2 later for each video.
		start := strconv.FormatFloat(float64(i)*c.Seconds/2, 'f', -1, 64)
		return []string{"-r", strconv.Itoa(c.FPS), "-i", src, "-ss", start, "-vf",
			fmt.Sprintf("scale=%d:%d", c.Width, c.Height)}, "real footage from " + filepath.Base(src)
	}
	return []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc=size=%dx%d:rate=%d", c.Width, c.Height, c.FPS)},
		"lavfi test pattern"
}

// writeTestVideos encodes c.Videos files from videoSource with the given ffmpeg output
// options into dir and returns the path of their list file and a description of their
// content.
func writeTestVideos(ctx context.Context, dir string, c VideoLoaderCase, ext string, args []string) (string, string, error) {
	var list strings.Builder
	content := ""
	for i := range c.Videos {
		path := filepath.Join(dir, fmt.Sprintf("v%d%s", i, ext))
		in, what := videoSource(c, i)
		content = what
		cmdArgs := append(append([]string{"-nostdin", "-v", "error", "-y"}, in...),
			"-t", strconv.FormatFloat(c.Seconds, 'f', -1, 64), "-an", "-r", strconv.Itoa(c.FPS))
		cmdArgs = append(cmdArgs, args...)
		cmd := exec.CommandContext(ctx, "ffmpeg", append(cmdArgs, path)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("ffmpeg writing %s: %w: %s", path, err, strings.TrimSpace(string(out)))
		}
		fmt.Fprintf(&list, "%s %d\n", path, i)
	}
	listPath := filepath.Join(dir, "list.csv")
	if err := os.WriteFile(listPath, []byte(list.String()), 0o644); err != nil {
		return "", "", fmt.Errorf("video loader: %w", err)
	}
	return listPath, content, nil
}
