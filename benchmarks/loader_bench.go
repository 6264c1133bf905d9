package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vjepa-go/vjepa/datasets"
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
func syntheticMotion(frames, size, n int) (*datasets.Synthetic, error) {
	return datasets.Builtin(datasets.SyntheticMotion, datasets.SyntheticConfig{Seed: 1, Split: datasets.SplitTrain,
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

// benchVideoLoader writes c.Videos H.264 files with the ffmpeg CLI into a temporary folder
// and measures the loader on them with the pretraining sampling (16 frames, step 4) and
// transform, decoding with the ffmpeg decoder.
func benchVideoLoader(ctx context.Context, c VideoLoaderCase) (LoaderResult, error) {
	res := LoaderResult{Batch: c.Batch, Workers: c.Workers, Clip: fmt.Sprintf("%d×%d×%d", c.Frames, c.Crop, c.Crop),
		Name: fmt.Sprintf("%d-s %d×%d H.264 videos (%d fps), ffmpeg decoder, pretraining sampling and transform", int(c.Seconds), c.Width, c.Height, c.FPS)}
	for _, prog := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(prog); err != nil {
			return res, errNoFFmpeg
		}
	}
	dir, err := os.MkdirTemp("", "vjepa-bench-videos-")
	if err != nil {
		return res, fmt.Errorf("video loader: %w", err)
	}
	defer os.RemoveAll(dir)
	var list strings.Builder
	for i := range c.Videos {
		path := filepath.Join(dir, fmt.Sprintf("v%d.mp4", i))
		if err := writeTestVideo(ctx, path, c); err != nil {
			return res, err
		}
		fmt.Fprintf(&list, "%s %d\n", path, i)
	}
	listPath := filepath.Join(dir, "list.csv")
	if err := os.WriteFile(listPath, []byte(list.String()), 0o644); err != nil {
		return res, fmt.Errorf("video loader: %w", err)
	}
	tc := datasets.DefaultPretrainTransformConfig()
	tc.CropSize = c.Crop
	tr, err := datasets.NewPretrainTransform(tc)
	if err != nil {
		return res, fmt.Errorf("video loader: %w", err)
	}
	sampling := datasets.PretrainSampling()
	sampling.FramesPerClip = c.Frames
	ds, err := datasets.NewVideoList(datasets.VideoListOptions{Lists: []string{listPath}, Sampling: sampling,
		Transform: tr, Decoder: &datasets.FFmpegDecoder{}})
	if err != nil {
		return res, fmt.Errorf("video loader: %w", err)
	}
	batches := (c.Clips + c.Batch - 1) / c.Batch
	perBatch, clips, err := loaderRate(ctx, ds, c.Batch, c.Workers, batches)
	if err != nil {
		return res, fmt.Errorf("video loader: %w", err)
	}
	res.Clips, res.ClipsPerSec = clips, rate(float64(c.Batch), perBatch)
	return res, nil
}

// writeTestVideo encodes the lavfi test pattern as H.264 (yuv420p) into path.
func writeTestVideo(ctx context.Context, path string, c VideoLoaderCase) error {
	src := fmt.Sprintf("testsrc=size=%dx%d:rate=%d", c.Width, c.Height, c.FPS)
	cmd := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src,
		"-t", strconv.FormatFloat(c.Seconds, 'f', -1, 64), "-c:v", "libx264", "-pix_fmt", "yuv420p", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ffmpeg writing %s: %w: %s", path, err, strings.TrimSpace(string(out)))
	}
	return nil
}
