package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/datasets/media"
	"github.com/vjepa-go/vjepa/datasets/transform"
	"github.com/vjepa-go/vjepa/internal/progress"
	"github.com/vjepa-go/vjepa/probe"
)

// Defaults of the video protocol when the classifier comes without an eval config (a Hugging
// Face folder): vjepa2:configs/eval/vitl/ssv2.yaml, the evaluation of the released SSv2
// classifier (frames_per_clip and the resolution come from the model's config.json).
const (
	defaultSegments  = 2 // num_segments
	defaultViews     = 3 // num_views_per_segment
	defaultFrameStep = 4 // frame_step
)

// videoExtensions are the files a folder given to --video is searched for.
var videoExtensions = []string{".mp4", ".avi", ".mkv", ".webm", ".mov", ".m4v", ".mpg", ".mpeg"}

// videoOptions are the flags of `vjepa classify --video`.
type videoOptions struct {
	topK, segments, views, frames, frameStep int
	json                                     bool
}

func (o *videoOptions) register(fs *flag.FlagSet) {
	fs.IntVar(&o.topK, "top-k", 5, "with --video: print the k most probable classes")
	fs.BoolVar(&o.json, "json", false, "with --video: print one JSON object per video instead of text lines")
	fs.IntVar(&o.segments, "segments", 0, "with --video: temporal segments per video (default: the eval config's num_segments, else 2)")
	fs.IntVar(&o.views, "views", 0, "with --video: spatial views per segment (default: the eval config's num_views_per_segment, else 3)")
	fs.IntVar(&o.frames, "frames", 0, "with --video: frames per clip (default: the eval config's, else the model's frames_per_clip)")
	fs.IntVar(&o.frameStep, "frame-step", 0, "with --video: stride between sampled frames (default: the eval config's, else 4)")
}

// protocol is the evaluation protocol: the flags over the eval config (or the defaults).
func (o videoOptions) protocol(c *probe.Classifier, fromConfig *probe.Protocol) (probe.Protocol, error) {
	p := probe.Protocol{FramesPerClip: c.Backbone.NumFrames, FrameStep: defaultFrameStep, NumSegments: defaultSegments,
		NumViews: defaultViews, Resolution: c.Backbone.CropSize, AttendAcrossSegments: true}
	if fromConfig != nil {
		p = *fromConfig
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
	if o.topK < 1 {
		return p, fmt.Errorf("--top-k must be positive, got %d", o.topK)
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
				if err == nil && !d.IsDir() && slices.Contains(videoExtensions, strings.ToLower(filepath.Ext(p))) {
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

// openVideos is the videos as a data set that decodes them with protocol p: p.NumSegments
// clips of p.FramesPerClip frames each, p.NumViews spatial views of each (the official eval).
func openVideos(paths []string, p probe.Protocol) (*datasets.VideoList, func(), error) {
	f, err := os.CreateTemp("", "vjepa-classify-*.csv")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.Remove(f.Name()) }
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		fmt.Fprintf(f, "%s 0\n", abs)
	}
	if err := f.Close(); err != nil {
		cleanup()
		return nil, nil, err
	}
	mv, err := transform.NewEvalVideo(p.Resolution, p.NumViews)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	ds, err := datasets.NewVideoList(datasets.VideoListOptions{Lists: []string{f.Name()}, MultiView: mv,
		Sampling: datasets.SamplingParams{FramesPerClip: p.FramesPerClip, FrameStep: p.FrameStep,
			NumClips: p.NumSegments, AllowClipOverlap: true}})
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return ds, cleanup, nil
}

// sampleBatch arranges one video's clips [view][segment] as a batch of one.
func sampleBatch(s *media.Sample) *datasets.Batch {
	b := &datasets.Batch{Clips: make([][]backbone.HostTensor, len(s.Views)), Labels: []int32{0}, Sources: []string{s.Source}}
	for v, segs := range s.Views {
		for _, c := range segs {
			b.Clips[v] = append(b.Clips[v], backbone.HostTensor{Shape: []int{1, 3, c.T, c.H, c.W}, F32: c.Data})
		}
	}
	return b
}

// classifyVideos classifies every video and prints or writes its top classes.
func classifyVideos(ctx context.Context, bf *backendFlags, src classifierSource, args []string, o videoOptions, out string) error {
	paths, batch, err := videoInputs(args)
	if err != nil {
		return err
	}
	c, fromConfig, err := src.load()
	if err != nil {
		return err
	}
	p, err := o.protocol(c, fromConfig)
	if err != nil {
		return err
	}
	sink, err := openResultSink(out, o.json, os.Stdout, len(paths) > 1)
	if err != nil {
		return err
	}
	defer sink.Close()
	ds, cleanup, err := openVideos(paths, p)
	if err != nil {
		return err
	}
	defer cleanup()
	backend, err := bf.open()
	if err != nil {
		return err
	}
	r, err := probe.NewClassifierRunner(backend, c)
	if err != nil {
		return err
	}
	run := videoRun{ds: ds, runner: r, labels: c.Labels, topK: o.topK, sink: sink, batch: batch, log: os.Stderr}
	return run.all(ctx, paths)
}

// videoRun classifies the videos of one command.
type videoRun struct {
	ds     *datasets.VideoList
	runner *probe.ClassifierRunner
	labels []string
	topK   int
	sink   *resultSink
	batch  bool // skip and count bad videos instead of stopping at the first
	log    io.Writer
}

// all classifies paths (the data set's videos, in order), leaving out those the sink
// already holds.
func (v videoRun) all(ctx context.Context, paths []string) error {
	var bar *progress.Bar
	if v.batch {
		bar = progress.New(v.log, "classify", int64(len(paths)), progress.Options{Unit: "videos/s"})
	}
	var done, resumed, skipped int
	rng := rand.New(rand.NewPCG(0, 0)) // the eval sampling and transform draw nothing
	for i, path := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if v.sink.Done(path) {
			resumed++
			bar.Add(1)
			continue
		}
		preds, err := v.one(ctx, i, rng)
		if err != nil && (!v.batch || ctx.Err() != nil) {
			return err
		}
		if err != nil {
			fmt.Fprintf(v.log, "skipped %v\n", err)
			skipped++
		} else if err := v.sink.Write(path, preds); err != nil {
			return err
		}
		done++
		bar.Add(1)
	}
	bar.Done()
	if v.batch {
		fmt.Fprintf(v.log, "classified %d video(s), %d already in the results, %d skipped (unreadable)\n", done-skipped, resumed, skipped)
		if skipped > 0 && done == skipped && resumed == 0 {
			return fmt.Errorf("no video could be classified (%d skipped)", skipped)
		}
	}
	return nil
}

// one classifies video i of the data set.
func (v videoRun) one(ctx context.Context, i int, rng *rand.Rand) ([]probe.Prediction, error) {
	s, err := v.ds.Sample(ctx, i, rng)
	if err != nil {
		return nil, err
	}
	probs, err := v.runner.Probabilities(sampleBatch(s))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Source, err)
	}
	return probe.TopClasses(probs[0], v.labels, v.topK), nil
}
