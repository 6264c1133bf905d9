package datasets

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"

	"github.com/vjepa-go/vjepa/datasets/media"
	"github.com/vjepa-go/vjepa/datasets/synthetic"
	"github.com/vjepa-go/vjepa/internal/atomicfile"
)

// Defaults of ExportOptions.
const (
	// DefaultExportFPS is the frame rate written into exported videos.
	DefaultExportFPS = 30
	// DefaultExportPixelFormat is the pixel format of exported H.264 videos (4:4:4, decoded
	// by every ffmpeg-based reader).
	DefaultExportPixelFormat = "yuv444p"
)

// ExportOptions configures ExportSynthetic.
type ExportOptions struct {
	// Dir is the output folder; it is created if needed.
	Dir string
	// Splits lists the splits to write (default synthetic.SplitTrain and synthetic.SplitVal).
	Splits []string
	// Images writes still images (the first frame of each clip) as PNG files in an ImageFolder
	// layout instead of videos. It is implied when the data set has one frame per clip.
	Images bool
	// FPS is the frame rate of the videos (default DefaultExportFPS).
	FPS int
	// Workers is the number of clips rendered and encoded at once (default GOMAXPROCS).
	Workers int
	// PixelFormat is the pixel format of the H.264 stream (default DefaultExportPixelFormat).
	// "yuv444p" keeps full colour resolution, which matters at 64x64 where the usual 4:2:0
	// subsampling blurs colour edges by about 10 grey levels on average; "yuv420p" is the most
	// widely playable and needs an even frame size.
	PixelFormat string
	// FFmpeg is the ffmpeg program (default "ffmpeg", looked up in PATH).
	FFmpeg string
	// Progress, if set, is called with 1 after each written file, from a single goroutine.
	Progress func(n int)
}

// ExportCount is the number of files ExportSynthetic writes for ds with opts.
func ExportCount(ds *synthetic.Dataset, opts ExportOptions) int {
	n := 0
	for _, split := range exportSplits(opts) {
		n += ds.SplitLen(split)
	}
	return n
}

func exportSplits(opts ExportOptions) []string {
	if len(opts.Splits) == 0 {
		return []string{synthetic.SplitTrain, synthetic.SplitVal}
	}
	return opts.Splits
}

// exportJob is one file to write.
type exportJob struct {
	split string
	index int
	rel   string // path relative to the output folder, with forward slashes
}

// ExportSynthetic writes the built-in data set ds as real files, so that the file-based
// pipeline can read it:
//
//   - videos (default): Dir/<split>/<class>/<index>.mp4, H.264 encoded by the ffmpeg program,
//     and the official list files Dir/<split>.csv with one line "<path> <label>" per clip,
//     paths relative to Dir;
//   - still images (opts.Images, or one frame per clip): Dir/<split>/<class>/<index>.png in an
//     ImageFolder layout (class folders sort in label order).
func ExportSynthetic(ctx context.Context, ds *synthetic.Dataset, opts ExportOptions) error {
	cfg := ds.Config()
	images := opts.Images || cfg.Frames == 1
	if opts.FPS <= 0 {
		opts.FPS = DefaultExportFPS
	}
	if opts.PixelFormat == "" {
		opts.PixelFormat = DefaultExportPixelFormat
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Dir == "" {
		return fmt.Errorf("export %s: no output folder given", ds.Name())
	}
	var ffmpeg string
	if !images {
		if cfg.Size%2 != 0 && opts.PixelFormat != "yuv444p" {
			return fmt.Errorf("export %s: pixel format %s needs an even frame size, got %d",
				ds.Name(), opts.PixelFormat, cfg.Size)
		}
		var err error
		if ffmpeg, err = findFFmpeg(opts.FFmpeg); err != nil {
			return fmt.Errorf("export %s: %w", ds.Name(), err)
		}
	}
	classes := ds.ClassNames()
	splits := exportSplits(opts)
	var jobs []exportJob
	for _, split := range splits {
		if split != synthetic.SplitTrain && split != synthetic.SplitVal {
			return fmt.Errorf("export %s: split %q: want %q or %q", ds.Name(), split, synthetic.SplitTrain, synthetic.SplitVal)
		}
		for _, class := range classes {
			dir := filepath.Join(opts.Dir, split, class)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("export %s: %w", ds.Name(), err)
			}
		}
		ext := ".mp4"
		if images {
			ext = ".png"
		}
		for i := range ds.SplitLen(split) {
			name := fmt.Sprintf("%06d%s", i, ext)
			jobs = append(jobs, exportJob{split: split, index: i, rel: split + "/" + classes[ds.Label(i)] + "/" + name})
		}
	}

	write := func(ctx context.Context, job exportJob) error {
		path := filepath.Join(opts.Dir, filepath.FromSlash(job.rel))
		if images {
			f, _ := ds.RenderImage(job.split, job.index)
			return writeFramePNG(path, f)
		}
		f, _ := ds.RenderFrames(job.split, job.index)
		return encodeH264(ctx, ffmpeg, path, f, opts.FPS, opts.PixelFormat)
	}
	if err := runExportJobs(ctx, jobs, opts.Workers, write, opts.Progress); err != nil {
		return fmt.Errorf("export %s to %s: %w", ds.Name(), opts.Dir, err)
	}
	if images {
		return nil
	}
	for _, split := range splits {
		var list bytes.Buffer
		for _, job := range jobs {
			if job.split == split {
				list.WriteString(job.rel + " " + strconv.Itoa(ds.Label(job.index)) + "\n")
			}
		}
		path := filepath.Join(opts.Dir, split+".csv")
		if err := atomicfile.WriteFile(path, list.Bytes()); err != nil {
			return fmt.Errorf("export %s: %w", ds.Name(), err)
		}
	}
	return nil
}

// runExportJobs runs write on every job with the given number of workers, stopping at the first
// error, and reports each finished job to progress.
func runExportJobs(ctx context.Context, jobs []exportJob, workers int,
	write func(context.Context, exportJob) error, progress func(int)) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	todo := make(chan exportJob)
	done := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for job := range todo {
				if err := write(ctx, job); err != nil {
					cancel(fmt.Errorf("%s: %w", job.rel, err))
					return
				}
				done <- struct{}{}
			}
		})
	}
	go func() {
		defer close(todo)
		for _, job := range jobs {
			select {
			case todo <- job:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(done)
	}()
	for range done {
		if progress != nil {
			progress(1)
		}
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// writeFramePNG writes the first frame of f as an RGB PNG file.
func writeFramePNG(path string, f *media.Frames) error {
	img := image.NewNRGBA(image.Rect(0, 0, f.W, f.H))
	for i := range f.W * f.H {
		copy(img.Pix[i*4:i*4+3], f.Pix[i*3:i*3+3])
		img.Pix[i*4+3] = 255
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}
