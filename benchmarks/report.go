package benchmarks

import (
	"time"

	"github.com/vjepa-go/vjepa/backbone"
)

// Report is the outcome of one `vjepa bench` run; Markdown renders it.
type Report struct {
	Machine Machine
	Command string // the exact command line that produced the report
	Quick   bool
	Exec    string // how the transformer blocks were computed, e.g. "float32"
	// LoaderOnly marks a `--cases loader` run: only its data loading section is meant to be
	// merged into an existing report (MergeLoading).
	LoaderOnly bool
	Started    time.Time
	Duration   time.Duration

	MatMul []MatMulResult
	Peak   float64 // best matmul GFLOP/s: the denominator of "share of peak"
	// RefMatMul is the reference kit's torch sgemm on the same sizes, best of the rounds
	// (nil: the kit did not run).
	RefMatMul []MatMulResult

	Encoder []EncoderResult
	Step    []StepResult
	Probes  []ProbeResult
	Loading []LoaderResult
	Memory  []MemoryRow

	// Reference is how the official PyTorch code ran beside ours (nil: not asked for).
	Reference *ReferenceRun
}

// Timing summarises repeated calls of one benchmark.
type Timing struct {
	First  float64 // seconds of the first, untimed call (includes graph compilation)
	Median float64 // median seconds of the timed calls
	Iters  int     // number of timed calls
	// CoresBusy is the process's CPU time ÷ wall time over the timed calls: how many cores
	// the backend kept busy (0: unknown).
	CoresBusy float64
}

// EncoderResult is one row of the encoder forward table.
type EncoderResult struct {
	Case    EncoderCase
	Skipped string // non-empty: why the row was not measured
	Note    string // why the batch differs from the case's, when it does
	Time    Timing
	FLOPs   float64 // matrix-product FLOPs of one batch
	Mem     MemoryPeak
	// Attention is how the encoder computed attention at the measured batch.
	Attention backbone.AttentionPlan
	// Ref is the official PyTorch code on the same case in the same run (nil: not measured).
	Ref *MeasuredReference
}

// ClipsPerSec is the forward throughput.
func (r EncoderResult) ClipsPerSec() float64 { return rate(float64(r.Case.Batch), r.Time.Median) }

// GFLOPs is the achieved matrix-product throughput.
func (r EncoderResult) GFLOPs() float64 { return rate(r.FLOPs/1e9, r.Time.Median) }

// CoresBusy is the process CPU time ÷ wall time over the timed calls.
func (r EncoderResult) CoresBusy() float64 { return r.Time.CoresBusy }

// StepResult is one pretraining step benchmark with its phase breakdown.
type StepResult struct {
	Case    StepCase
	Skipped string
	// Batch is the batch actually measured: Case.Batch unless the step would not fit in
	// memory (Note then says why it was reduced).
	Batch   int
	Note    string
	Step    Timing  // the whole Stepper.Step: forward, backward, AdamW and EMA
	Forward Timing  // target encoder + context encoder + predictor + loss, forward only
	Data    float64 // seconds per batch of the loader alone (synthetic-motion at the case's resolution)
	Masks   float64 // seconds per batch of MaskSampler.Sample
	FLOPs   float64 // PretrainStepFLOPs of the benchmark batch
	Kc, Kp  []int   // context and target lengths of the benchmark batch, per mask
	Mem     MemoryPeak
	// Attention is how the target encoder computed attention at the measured batch.
	Attention backbone.AttentionPlan
	// Ref is the official PyTorch step on the same case in the same run (nil: not measured).
	Ref *MeasuredReference
}

// ClipsPerSec is the step throughput (step only, without data loading and masks).
func (r StepResult) ClipsPerSec() float64 { return rate(float64(r.Batch), r.Step.Median) }

// GFLOPs is the achieved matrix-product throughput of the step.
func (r StepResult) GFLOPs() float64 { return rate(r.FLOPs/1e9, r.Step.Median) }

// CoresBusy is the process CPU time ÷ wall time over the timed steps.
func (r StepResult) CoresBusy() float64 { return r.Step.CoresBusy }

// BackwardOptimizer is step − forward: backward, AdamW and EMA (seconds).
func (r StepResult) BackwardOptimizer() float64 { return max(0, r.Step.Median-r.Forward.Median) }

// Total is the seconds of a training iteration done serially: data + masks + step.
func (r StepResult) Total() float64 { return r.Data + r.Masks + r.Step.Median }

// ProbeResult is the attentive-probe step row.
type ProbeResult struct {
	Case    ProbeCase
	Skipped string
	Name    string
	Batch   int
	Time    Timing
	Mem     MemoryPeak
	// Attention is how the probe computed its largest attention at the measured batch.
	Attention backbone.AttentionPlan
}

// ClipsPerSec is the probe step's throughput.
func (r ProbeResult) ClipsPerSec() float64 { return rate(float64(r.Batch), r.Time.Median) }

// LoaderResult is one data loading row.
type LoaderResult struct {
	Name        string // what was loaded
	Clip        string // e.g. "16×224×224"
	Batch       int
	Workers     int
	Clips       int // clips loaded in the timed run
	ClipsPerSec float64
	// Cores is the number of cores the loader could use (min(workers, runtime.NumCPU)) for
	// the per-core rate; 0 when not meaningful (synthetic data).
	Cores   int
	Skipped string
}

// PerCore is the clips/s per core the loader used.
func (l LoaderResult) PerCore() float64 {
	if l.Cores <= 0 {
		return 0
	}
	return l.ClipsPerSec / float64(l.Cores)
}

// MemoryRow is the memory high-water mark of one benchmark.
type MemoryRow struct {
	Name string
	MemoryPeak
}

func rate(amount, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return amount / seconds
}
