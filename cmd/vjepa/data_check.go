package main

import (
	"context"
	"os"

	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/datasets/decode"
)

// runDataCheck implements `vjepa data check [flags] LIST_OR_FOLDER`: it decodes every sample
// with the sampling it would get in training, prints `path: reason` per failed sample and
// the summary line, and fails (exit status 1) when a sample failed.
func runDataCheck(ctx context.Context, args []string) error {
	fs := newFlagSet("vjepa data check", "usage: vjepa data check [flags] LIST.csv[,LIST2.csv...] | IMAGE_FOLDER\n\n"+
		"Decodes every sample of a video list or image folder (train/<class>/..., val/<class>/...)\n"+
		"with the clip sampling of training, prints one line per failed sample and a summary.\n\nflags:\n")
	p := datasets.PretrainSampling()
	split := fs.String("split", "", "image folder split to check (train or val; default both)")
	numClasses := fs.Int("num-classes", 0, "labels must lie in [0, N) (0: any non-negative label)")
	fs.IntVar(&p.FramesPerClip, "frames-per-clip", p.FramesPerClip, "frames per clip")
	fs.IntVar(&p.FrameStep, "frame-step", p.FrameStep, "frame step between sampled frames")
	fs.Float64Var(&p.Duration, "duration", 0, "clip duration in seconds (replaces -frame-step when > 0)")
	fs.IntVar(&p.NumClips, "num-clips", p.NumClips, "temporal segments (clips) per video")
	fs.BoolVar(&p.AllowClipOverlap, "allow-clip-overlap", p.AllowClipOverlap, "let clips of short videos overlap")
	fs.BoolVar(&p.FilterShortVideos, "filter-short-videos", false, "count videos shorter than a clip as failed")
	decoder := fs.String("decoder", "", "video decoder: astiav (in-process libav, the default of cgo builds) or ffmpeg (the command-line programs)")
	full := fs.Bool("full", false, "also decode every frame of each video, not only the sampled clips (finds damage anywhere; slower)")
	timeout := fs.Duration("timeout", decode.DefaultTimeout, "fail a video whose opening or decoding takes longer (a stalled decoder)")
	workers := fs.Int("workers", 2, "samples decoded in parallel")
	seed := fs.Uint64("seed", 0, "seed of the random clip windows")
	progress := fs.Bool("progress", true, "show a progress bar on standard error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return &exitError{code: 2, msg: "want exactly one LIST_OR_FOLDER argument"}
	}
	dec, err := decode.New(*decoder)
	if err != nil {
		return err
	}
	opts := datasets.CheckOptions{Split: *split, NumClasses: *numClasses, Sampling: p, Decoder: dec,
		Workers: *workers, Seed: *seed, DecodeTimeout: *timeout, Full: *full}
	if *progress {
		opts.Progress = os.Stderr
	}
	_, failed, err := datasets.Check(ctx, fs.Arg(0), opts, os.Stdout)
	if err != nil {
		return err
	}
	if failed > 0 {
		// The failures and the summary line are already printed.
		return &exitError{code: 1}
	}
	return nil
}
