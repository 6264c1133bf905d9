package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Run measures everything Options asks for, in order: the matmul peak, the encoder
// forwards, the pretraining steps with their phases, the probe step and data loading. It
// stops at the first error or when ctx is cancelled.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	logf := func(format string, args ...any) { fmt.Fprintf(progress, format+"\n", args...) }
	r := &Report{Machine: describeMachine(o.Backend), Command: o.Command, Quick: o.Quick, LoaderOnly: o.LoaderOnly, Started: time.Now(), Exec: o.Exec.String()}

	matmul, mem, err := tracked(func() ([]MatMulResult, error) {
		return MatMulPeak(o.Backend, o.MatMulSizes, o.MatMulReps)
	})
	if err != nil {
		return nil, err
	}
	r.MatMul = matmul
	r.Peak = PeakGFLOPs(r.MatMul)
	r.Memory = append(r.Memory, MemoryRow{Name: "matmul peak", MemoryPeak: mem})
	logf("matmul peak: %.1f GFLOP/s", r.Peak)

	for _, ec := range o.Encoders {
		ec.Config.Exec = o.Exec
		if ec.Heavy && o.Quick {
			r.Encoder = append(r.Encoder, EncoderResult{Case: ec, Skipped: "skipped (--quick)"})
			continue
		}
		res, mem, err := benchCase(r, "encoder forward "+ec.Name, ec.Batch, logf, func() (EncoderResult, error) { return benchEncoder(ctx, o.Backend, ec, o.Budget) })
		if err != nil {
			return nil, err
		}
		res.Mem = mem
		r.Encoder = append(r.Encoder, res)
	}

	for _, sc := range o.Steps {
		sc.Config.Exec = o.Exec
		if sc.Heavy && o.Quick {
			r.Step = append(r.Step, StepResult{Case: sc, Skipped: "skipped (--quick)"})
			continue
		}
		res, mem, err := benchCase(r, "pretraining step "+sc.Name, sc.Batch, logf, func() (StepResult, error) { return benchStep(ctx, o.Backend, sc, o) })
		if err != nil {
			return nil, err
		}
		res.Mem = mem
		r.Step = append(r.Step, res)
	}

	if o.Probe == nil {
		r.Probe = ProbeResult{Name: "attentive probe step", Skipped: "not measured"}
	} else {
		res, mem, err := tracked(func() (ProbeResult, error) { return benchProbe(ctx, o.Backend, *o.Probe, o.Budget) })
		if err != nil {
			return nil, err
		}
		r.Probe = res
		r.Memory = append(r.Memory, MemoryRow{Name: "probe step", MemoryPeak: mem})
		logf("probe step %s b%d: %.1f clips/s", o.Probe.Name, o.Probe.Batch, rate(float64(o.Probe.Batch), r.Probe.Time.Median))
	}

	if o.Video.Skip {
		r.Loading = append(r.Loading, LoaderResult{Name: "videos", Skipped: "skipped"})
	} else {
		res, mem, err := tracked(func() ([]LoaderResult, error) { return benchVideoLoaders(ctx, o.Video) })
		switch {
		case errors.Is(err, errNoFFmpeg):
			res = []LoaderResult{{Name: "videos", Skipped: "skipped: " + err.Error()}}
		case err != nil:
			return nil, err
		default:
			r.Memory = append(r.Memory, MemoryRow{Name: "data loading, videos", MemoryPeak: mem})
		}
		r.Loading = append(r.Loading, res...)
		for _, l := range res {
			logf("data loading, %s: %.2f clips/s %s", l.Name, l.ClipsPerSec, l.Skipped)
		}
	}
	if o.Synthetic.Skip {
		r.Loading = append(r.Loading, LoaderResult{Name: "built-in synthetic-motion", Skipped: "skipped"})
	} else {
		res, mem, err := tracked(func() (LoaderResult, error) { return benchSyntheticLoader(ctx, o.Synthetic) })
		if err != nil {
			return nil, err
		}
		r.Loading = append(r.Loading, res)
		r.Memory = append(r.Memory, MemoryRow{Name: "data loading, synthetic", MemoryPeak: mem})
		logf("data loading, synthetic: %.2f clips/s", res.ClipsPerSec)
	}

	// The official code runs after ours, never beside it: the two would share the cores.
	if o.Reference != nil {
		ref := runReferences(ctx, *o.Reference, r, logf)
		r.Reference = &ref
	}

	r.Duration = time.Since(r.Started)
	r.Machine.LoadEnd = loadAverage()
	return r, nil
}

// throughput is a measured row of the encoder forward or pretraining step table.
type throughput interface {
	ClipsPerSec() float64
	GFLOPs() float64
}

// benchCase runs bench under the memory sampler, adds the memory row of the benchmark named
// name to r and logs its throughput on batch clips.
func benchCase[R throughput](r *Report, name string, batch int, logf func(string, ...any), bench func() (R, error)) (R, MemoryPeak, error) {
	res, mem, err := tracked(bench)
	if err != nil {
		return res, mem, err
	}
	r.Memory = append(r.Memory, MemoryRow{Name: name, MemoryPeak: mem})
	logf("%s b%d: %.3f clips/s, %.1f GFLOP/s", name, batch, res.ClipsPerSec(), res.GFLOPs())
	return res, mem, nil
}
