package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/datasets/synthetic"
	"github.com/vjepa-go/vjepa/internal/progress"
)

// parseSplits turns the --split flag value into split names.
func parseSplits(s string) ([]string, error) {
	switch s {
	case "both":
		return []string{synthetic.SplitTrain, synthetic.SplitVal}, nil
	case synthetic.SplitTrain, synthetic.SplitVal:
		return []string{s}, nil
	}
	return nil, fmt.Errorf("--split %q: want train, val or both", s)
}

// newProgressBar returns a progress bar on stderr counting total items.
func newProgressBar(total int, description string) *progress.Bar {
	return progress.New(os.Stderr, description, int64(total), progress.Options{})
}

// runDataExport implements "vjepa data export": it writes a built-in data set as real files
// (H.264 videos with list files, or PNG images in an ImageFolder layout).
func runDataExport(ctx context.Context, args []string) error {
	fs := newFlagSet("data export", fmt.Sprintf("Usage: vjepa data export --dataset NAME --out DIR [flags]\n\n"+
		"Writes a built-in data set (%s) as real files: H.264 videos DIR/<split>/<class>/<i>.mp4\n"+
		"with list files DIR/train.csv and DIR/val.csv (\"<path> <label>\", paths relative to DIR),\n"+
		"or, with --images or --frames 1, PNG images DIR/<split>/<class>/<i>.png (ImageFolder).\n"+
		"Exported clips are short: to sample 16 frames with frame step 4 export --frames 64.\n\nFlags:\n",
		strings.Join(synthetic.BuiltinNames(), ", ")))
	name := fs.String("dataset", "", "built-in data set: "+strings.Join(synthetic.BuiltinNames(), ", "))
	out := fs.String("out", "", "output folder")
	split := fs.String("split", "both", "splits to write: train, val or both")
	n := fs.Int("n", synthetic.DefaultTrainSize, "number of training clips")
	nVal := fs.Int("n-val", 0, "number of validation clips (default n/4, at least 1)")
	frames := fs.Int("frames", synthetic.DefaultFrames, "frames per clip T")
	size := fs.Int("size", synthetic.DefaultSize, "frame height and width in pixels")
	seed := fs.Uint64("seed", 0, "data set seed")
	images := fs.Bool("images", false, "write the first frame of each clip as a PNG image (ImageFolder)")
	fps := fs.Int("fps", datasets.DefaultExportFPS, "frame rate of the videos")
	pixFmt := fs.String("pix-fmt", datasets.DefaultExportPixelFormat, "H.264 pixel format (yuv444p or yuv420p)")
	workers := fs.Int("workers", 0, "clips encoded at once (default: number of CPUs)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *name == "" || *out == "" {
		fs.Usage()
		return errors.New("--dataset and --out are required")
	}
	splits, err := parseSplits(*split)
	if err != nil {
		return err
	}
	if *n < 1 || *nVal < 0 {
		return fmt.Errorf("--n %d, --n-val %d: want at least one clip", *n, *nVal)
	}
	if *nVal == 0 {
		*nVal = max(1, *n/4)
	}
	ds, err := synthetic.Builtin(*name, synthetic.Config{
		Seed: *seed, TrainSize: *n, ValSize: *nVal, Frames: *frames, Size: *size,
	})
	if err != nil {
		return err
	}
	opts := datasets.ExportOptions{
		Dir: *out, Splits: splits, Images: *images, FPS: *fps, PixelFormat: *pixFmt, Workers: *workers,
	}
	bar := newProgressBar(datasets.ExportCount(ds, opts), "export "+ds.Name())
	opts.Progress = bar.Add
	if err := datasets.ExportSynthetic(ctx, ds, opts); err != nil {
		return err
	}
	bar.Done()
	if *images || *frames == 1 {
		fmt.Fprintf(os.Stderr, "wrote ImageFolder %s\n", filepath.Join(*out, "<split>"))
	} else {
		for _, s := range splits {
			fmt.Fprintf(os.Stderr, "wrote %s\n", filepath.Join(*out, s+".csv"))
		}
	}
	return nil
}

// runDataFashionMNIST implements "vjepa data fashion-mnist": it writes the Fashion-MNIST images
// of the Debian package dataset-fashion-mnist as an ImageFolder DIR/{train,val}/<class>/<i>.png.
func runDataFashionMNIST(ctx context.Context, args []string) error {
	fs := newFlagSet("data fashion-mnist", "Usage: vjepa data fashion-mnist --out DIR [flags]\n\n"+
		"Writes Fashion-MNIST (60000 train, 10000 test images; install with\n"+
		"`apt-get install -y dataset-fashion-mnist`) as an ImageFolder DIR/train/<class>/<i>.png and\n"+
		"DIR/val/<class>/<i>.png (the test set is the val split).\n\nFlags:\n")
	out := fs.String("out", "", "output folder")
	src := fs.String("src", datasets.DefaultFashionMNISTDir, "folder holding the IDX files (*-idx?-ubyte[.gz])")
	split := fs.String("split", "both", "splits to write: train, val or both")
	limit := fs.Int("limit-per-class", 0, "write at most this many images per class and split (0: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *out == "" {
		fs.Usage()
		return errors.New("--out is required")
	}
	splits, err := parseSplits(*split)
	if err != nil {
		return err
	}
	type part struct {
		split string
		data  *datasets.FashionMNIST
		keep  []int
	}
	var parts []part
	total := 0
	for _, s := range splits {
		data, err := datasets.ReadFashionMNIST(*src, s)
		if err != nil {
			return err
		}
		keep := data.Select(*limit)
		parts = append(parts, part{split: s, data: data, keep: keep})
		total += len(keep)
	}
	bar := newProgressBar(total, "fashion-mnist")
	for _, p := range parts {
		dir := filepath.Join(*out, p.split)
		if err := p.data.WriteImageFolder(ctx, dir, p.keep, bar.Add); err != nil {
			return err
		}
	}
	bar.Done()
	fmt.Fprintf(os.Stderr, "wrote %d images to %s\n", total, *out)
	return nil
}
