package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/internal/progress"
	"github.com/vjepa-go/vjepa/probe"
)

// isVideoFile reports whether a folder given to --video holds path as a video, by its
// extension (the containers of the official data sets and the common others).
func isVideoFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mp4", ".avi", ".mkv", ".webm", ".mov", ".m4v", ".mpg", ".mpeg":
		return true
	}
	return false
}

// videoOptions are the flags of `vjepa classify --video`.
type videoOptions struct {
	topK, segments, views, frames, frameStep, workers int
	json                                              bool
}

func (o *videoOptions) register(fs *flag.FlagSet) {
	fs.IntVar(&o.topK, "top-k", 5, "with --video: print the k most probable classes")
	fs.BoolVar(&o.json, "json", false, "with --video: print one JSON object per video instead of text lines")
	fs.IntVar(&o.segments, "segments", 0, "with --video: temporal segments per video (default: the eval config's num_segments, else 2 as the official SSv2 eval)")
	fs.IntVar(&o.views, "views", 0, "with --video: spatial views per segment (default: the eval config's num_views_per_segment, else 3)")
	fs.IntVar(&o.frames, "frames", 0, "with --video: frames per clip (default: the eval config's, else the model's frames_per_clip)")
	fs.IntVar(&o.workers, "workers", 2, "with --video: videos decoded at a time, ahead of the model")
	fs.IntVar(&o.frameStep, "frame-step", 0, "with --video: stride between sampled frames (default: the eval config's, else 4)")
}

// protocol is the evaluation protocol of c: the flags over its eval config's (or the defaults).
func (o videoOptions) protocol(c loadedClassifier) (probe.Protocol, error) {
	p := c.VideoProtocol()
	if c.protocol != nil {
		p = *c.protocol
	}
	for _, f := range []struct {
		flag int
		dst  *int
	}{{o.segments, &p.NumSegments}, {o.views, &p.NumViews}, {o.frames, &p.FramesPerClip}, {o.frameStep, &p.FrameStep}} {
		if f.flag < 0 {
			return p, errors.New("--segments, --views, --frames and --frame-step must be positive")
		}
		if f.flag > 0 {
			*f.dst = f.flag
		}
	}
	if o.topK < 1 || o.workers < 1 {
		return p, fmt.Errorf("--top-k and --workers must be positive, got %d and %d", o.topK, o.workers)
	}
	if p.FramesPerClip%c.Backbone.Tubelet != 0 {
		return p, fmt.Errorf("%d frames per clip do not tile into tubelets of %d frames", p.FramesPerClip, c.Backbone.Tubelet)
	}
	return p, p.Validate()
}

// videoInputs expands the --video arguments: a folder gives its videos (recursively, sorted),
// a .txt/.csv list file its paths; either makes it a batch, where a bad video is skipped.
func videoInputs(args []string) (paths []string, batch bool, err error) {
	for _, a := range args {
		st, err := os.Stat(a)
		switch {
		case err != nil:
			return nil, false, err
		case st.IsDir():
			batch = true
			err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && isVideoFile(p) {
					paths = append(paths, p)
				}
				return err
			})
			if err != nil {
				return nil, false, err
			}
		case slices.Contains([]string{".txt", ".csv"}, strings.ToLower(filepath.Ext(a))):
			batch = true
			entries, err := datasets.ReadVideoList(a)
			if err != nil {
				return nil, false, err
			}
			for _, e := range entries {
				paths = append(paths, e.Path)
			}
		default:
			paths = append(paths, a)
		}
	}
	if len(paths) == 0 {
		return nil, false, fmt.Errorf("no videos in %s", strings.Join(args, ", "))
	}
	return paths, batch, nil
}

// classifyVideos classifies every video and prints or writes its top classes.
func classifyVideos(ctx context.Context, bf *backendFlags, src classifierSource, args []string, o videoOptions, out string) error {
	paths, batch, err := videoInputs(args)
	if err != nil {
		return err
	}
	c, err := src.load()
	if err != nil {
		return err
	}
	p, err := o.protocol(c)
	if err != nil {
		return err
	}
	sink, err := openResultSink(out, o.json, os.Stdout, len(paths) > 1)
	if err != nil {
		return err
	}
	defer sink.Close()
	videos, err := probe.OpenVideos(paths, p)
	if err != nil {
		return err
	}
	defer videos.Close()
	r, err := src.runner(bf, c)
	if err != nil {
		return err
	}
	run := videoRun{videos: videos, runner: r, labels: c.Labels, topK: o.topK, sink: sink, batch: batch, workers: o.workers, log: os.Stderr}
	return run.all(ctx, paths)
}

// videoRun classifies the videos of one command.
type videoRun struct {
	videos  *probe.Videos
	runner  *probe.ClassifierRunner
	labels  []string
	topK    int
	sink    *resultSink
	batch   bool // skip and count bad videos instead of stopping at the first
	workers int  // videos decoded at a time, ahead of the model
	log     io.Writer
}

// all classifies paths (the videos, in order), leaving out those the sink already holds;
// v.workers videos are decoded ahead of the model.
func (v videoRun) all(ctx context.Context, paths []string) error {
	var bar *progress.Bar
	if v.batch {
		bar = progress.New(v.log, "classify", int64(len(paths)), progress.Options{Unit: "videos/s"})
	}
	var todo []int
	for i, path := range paths {
		if !v.sink.Done(path) {
			todo = append(todo, i)
		}
	}
	resumed := len(paths) - len(todo)
	bar.Add(resumed)
	var classified, skipped int
	for d := range v.videos.Decode(ctx, todo, v.workers) {
		preds, err := v.classify(d)
		switch {
		case err != nil && (!v.batch || ctx.Err() != nil):
			return err
		case err != nil:
			fmt.Fprintf(v.log, "skipped %v\n", err)
			skipped++
		default:
			if err := v.sink.Write(paths[d.Index], preds); err != nil {
				return err
			}
			classified++
		}
		bar.Add(1)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	bar.Done()
	if v.batch {
		fmt.Fprintf(v.log, "classified %d video(s), %d already in the results, %d skipped (unreadable)\n", classified, resumed, skipped)
		if skipped > 0 && classified == 0 && resumed == 0 {
			return fmt.Errorf("no video could be classified (%d skipped)", skipped)
		}
	}
	return nil
}

// classify returns the top classes of a decoded video.
func (v videoRun) classify(d probe.Decoded) ([]probe.Prediction, error) {
	if d.Err != nil {
		return nil, d.Err
	}
	probs, err := v.runner.Probabilities(d.Batch)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Batch.Sources[0], err)
	}
	return probe.TopClasses(probs[0], v.labels, v.topK), nil
}
