package benchmarks

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/membudget"
)

// Options configures Run. Start from DefaultOptions; tests pass tiny cases instead.
type Options struct {
	// Backend runs every graph (required).
	Backend compute.Backend
	// Command is the command line recorded in the report.
	Command string
	// Quick skips the Heavy cases and times fewer iterations.
	Quick bool
	// Progress receives one line per benchmark; nil discards them.
	Progress io.Writer

	// MatMulSizes are the n of the n×n×n products of the peak; MatMulReps the repetitions
	// of each (best kept).
	MatMulSizes []int
	MatMulReps  int

	Encoders []EncoderCase
	Steps    []StepCase
	// Budget bounds the timed calls of every encoder, forward and step benchmark.
	Budget Budget
	// Memory is what the backend's device has available (membudget.For): every encoder and
	// step case's batch is planned against it (backbone.PlanBatch), a larger one reduced to
	// fit. Unknown (the zero value) disables the check.
	Memory membudget.Budget
	// FixedBatch marks batches fixed by the user (--batch): a case whose batch does not fit
	// stops the run before allocating instead of being reduced.
	FixedBatch bool
	// DataBatches is the number of loader batches timed for the data phase of a step, and
	// MaskDraws the number of mask draws timed for its mask phase.
	DataBatches, MaskDraws int

	// Probes are the probe step benchmarks (the OnRequest ones run only when selected).
	Probes []ProbeCase

	// Exec is how every encoder and step case computes its transformer blocks (gradient
	// checkpointing, bfloat16 matrix products); the zero value is float32 without
	// checkpointing.
	Exec backbone.Execution

	// Reference runs the official PyTorch code on the measured encoder and step cases after
	// ours (nil: the report quotes the fallback figures of References instead).
	Reference *ReferenceKit

	// LoaderOnly marks the reduced set of LoaderCases, whose report is merged into an
	// existing one (Report.MergeLoading).
	LoaderOnly bool

	// Video is the loader benchmark on video files; Synthetic the one on built-in data.
	Video     VideoLoaderCase
	Synthetic SyntheticLoaderCase
}

// Budget bounds how often a benchmark is called after its first (compiling) call: at least
// MinIters times and until MinTime has passed, but at most MaxIters times and, once one
// timed call is done, not past MaxTime (0: no limit). A benchmark whose first call took
// longer than LongCall (0: no limit) is timed on one more call only.
type Budget struct {
	MinIters, MaxIters int
	MinTime, MaxTime   time.Duration
	LongCall           time.Duration
}

// VideoLoaderCase is the loader benchmark on real video files made with the ffmpeg CLI: one
// row per codec and decoder.
type VideoLoaderCase struct {
	Skip           bool
	Videos         int     // number of files generated
	Seconds        float64 // duration of each file
	Width, Height  int     // size of the files
	FPS            int
	Frames, Crop   int // clip: frames (frame step 4) and crop of the pretraining transform
	Batch, Workers int // Workers 0: one per core (runtime.NumCPU)
	Clips          int // clips loaded in the timed run
	// Source is the video transcoded into the benchmark files; empty means RealVideoSource,
	// and the lavfi test pattern when that is not installed.
	Source string
	// Codecs are the encodings measured, "h264" (MP4) and "vp9" (WebM); empty means h264.
	Codecs []string
	// Decoders are the decoders measured (decode.New names, "" for the default);
	// empty means every decoder built in. Each decodes with one thread, so that the rate
	// per core is the rate per worker.
	Decoders []string
}

// LoaderCases lists the benchmarks of a `vjepa bench --cases loader` run: every loader row
// and, for the model's consumption next to them, the 16×224 encoder forwards (and a token
// matmul peak).
func (o Options) LoaderCases() Options {
	o.LoaderOnly = true
	o.MatMulSizes, o.MatMulReps = []int{64}, 1
	var enc []EncoderCase
	for _, e := range o.Encoders {
		if e.Config.NumFrames == 16 && e.Config.CropSize == 224 && !e.Heavy {
			enc = append(enc, e)
		}
	}
	o.Encoders, o.Steps, o.Probes = enc, nil, nil
	return o
}

// SyntheticLoaderCase is the loader benchmark on the built-in synthetic-motion set.
type SyntheticLoaderCase struct {
	Skip           bool
	Frames, Size   int
	Batch, Workers int
	Batches        int // batches loaded in the timed run
}

// DefaultOptions are the benchmarks of the issues for backend; quick gives the fast smoke
// run (no ViT-B forward, no ViT-S step, fewer iterations).
func DefaultOptions(backend compute.Backend, quick bool) (Options, error) {
	enc, err := DefaultEncoderCases()
	if err != nil {
		return Options{}, err
	}
	steps, err := DefaultStepCases()
	if err != nil {
		return Options{}, err
	}
	cpu, err := CPUDefaultStepCase()
	if err != nil {
		return Options{}, err
	}
	pc, err := CPUDefaultProbeCase()
	if err != nil {
		return Options{}, err
	}
	official, err := OfficialEncoderCases()
	if err != nil {
		return Options{}, err
	}
	officialProbe, err := OfficialProbeCase()
	if err != nil {
		return Options{}, err
	}
	o := Options{
		Backend:     backend,
		Quick:       quick,
		MatMulSizes: DefaultMatMulSizes(),
		MatMulReps:  5,
		Encoders:    append(enc, official...),
		Steps:       steps,
		Budget:      Budget{MinIters: 3, MaxIters: 20, MinTime: 5 * time.Second, MaxTime: 40 * time.Second, LongCall: LongCall},
		DataBatches: 4,
		MaskDraws:   20,
		Memory:      membudget.For(backend),
		Probes:      []ProbeCase{pc, officialProbe},
		Video: VideoLoaderCase{Videos: 4, Seconds: 10, Width: 340, Height: 256, FPS: 30,
			Frames: 16, Crop: 224, Batch: 2, Clips: 64, Codecs: []string{"h264", "vp9"}},
		Synthetic: SyntheticLoaderCase{Frames: cpu.Config.NumFrames, Size: cpu.Config.CropSize,
			Batch: cpu.Batch, Workers: 2, Batches: 8},
	}
	if quick {
		o.MatMulReps = 2
		o.Budget = Budget{MinIters: 1, MaxIters: 1, LongCall: LongCall}
		o.DataBatches, o.MaskDraws = 2, 5
		o.Video.Videos, o.Video.Clips = 2, 4
		o.Video.Codecs = []string{"h264"}
		o.Synthetic.Batches = 2
	}
	return o, nil
}

// FixBatch sets every case's batch to batch (--batch): the batch is then never reduced to
// fit memory; a case it does not fit stops the run with one line.
func (o *Options) FixBatch(batch int) error {
	if batch < 1 {
		return fmt.Errorf("--batch %d: want at least 1", batch)
	}
	for i := range o.Encoders {
		o.Encoders[i].Batch = batch
	}
	for i := range o.Steps {
		o.Steps[i].Batch = batch
	}
	for i := range o.Probes {
		o.Probes[i].Batch = batch
	}
	o.FixedBatch = true
	return nil
}

// validate reports the first unusable option.
func (o Options) validate() error {
	switch {
	case o.Backend == nil:
		return errors.New("bench: no backend")
	case o.MatMulReps < 1 || len(o.MatMulSizes) == 0:
		return fmt.Errorf("bench: matmul peak needs sizes and at least one repetition (got %v, %d)", o.MatMulSizes, o.MatMulReps)
	case o.Budget.MinIters < 1 || o.Budget.MaxIters < o.Budget.MinIters:
		return fmt.Errorf("bench: iterations %d..%d: want 1 ≤ min ≤ max", o.Budget.MinIters, o.Budget.MaxIters)
	case o.DataBatches < 1 || o.MaskDraws < 1:
		return fmt.Errorf("bench: data batches %d and mask draws %d must be positive", o.DataBatches, o.MaskDraws)
	case !o.Video.Skip && (o.Video.Videos < 1 || o.Video.Clips < 1 || o.Video.Batch < 1):
		return fmt.Errorf("bench: video loader needs videos, clips and a batch size (got %+v)", o.Video)
	case !o.Synthetic.Skip && (o.Synthetic.Batches < 1 || o.Synthetic.Batch < 1):
		return fmt.Errorf("bench: synthetic loader needs batches and a batch size (got %+v)", o.Synthetic)
	}
	for _, c := range o.Encoders {
		if c.Batch < 1 {
			return fmt.Errorf("bench: encoder case %s: batch %d < 1", c.Name, c.Batch)
		}
		if why := gpuRefusal(c, o.Backend); why != "" && !c.OnRequest {
			return fmt.Errorf("bench: case %s: %s", c.ID(), why)
		}
	}
	for _, c := range o.Steps {
		if c.Batch < 1 || len(c.Masks) == 0 {
			return fmt.Errorf("bench: step case %s: batch %d and %d masks", c.Name, c.Batch, len(c.Masks))
		}
	}
	return o.checkFixedBatches()
}

// checkFixedBatches refuses, before anything runs, a batch fixed by --batch that a selected
// case cannot fit (the planner would stop there later, after the cases before it).
func (o Options) checkFixedBatches() error {
	if !o.FixedBatch {
		return nil
	}
	for _, c := range o.Encoders {
		if !c.OnRequest && !(c.Heavy && o.Quick) {
			c.Config.Exec = o.Exec
			if _, _, err := planEncoderBatch(c, o); err != nil {
				return err
			}
		}
	}
	for _, c := range o.Probes {
		if !c.OnRequest {
			c.Model.Exec = probeExecution(o.Exec)
			if _, _, err := planProbeBatch(c, o); err != nil {
				return err
			}
		}
	}
	return nil
}
