package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Run measures everything Options asks for, in order: the matmul peak, the encoder
// forwards, the pretraining steps with their phases, the probe steps and data loading. With
// a reference kit, each of the peak, forward and step measurements alternates with the
// official code's, two rounds, keeping each side's best (referenceRounds). It stops at the
// first error or when ctx is cancelled.
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
	kit := startReference(ctx, o.Reference, o.Quick, logf)

	if err := runPeak(r, o, kit, logf); err != nil {
		return nil, err
	}
	if err := runEncoders(ctx, r, o, kit, logf); err != nil {
		return nil, err
	}
	if err := runSteps(ctx, r, o, kit, logf); err != nil {
		return nil, err
	}
	if err := runProbes(ctx, r, o, logf); err != nil {
		return nil, err
	}
	if err := runLoading(ctx, r, o, logf); err != nil {
		return nil, err
	}
	if kit != nil {
		run := kit.finish()
		r.Reference = &run
	}
	r.Duration = time.Since(r.Started)
	r.Machine.LoadEnd = loadAverage()
	return r, nil
}

// rounds is how often each side of a comparison is measured: twice, alternating, when the
// official code runs beside ours (the host's share of the cores drifts over minutes, so
// neither side may own a quiet or a busy stretch), else once.
func rounds(kit *referenceSession) int {
	if kit == nil || !kit.ready {
		return 1
	}
	return referenceRounds
}

// referenceRounds is the number of alternating rounds of a side-by-side run.
const referenceRounds = 2

// runPeak measures the matmul peak (and the kit's sgemm beside it), keeping the best of each
// size over the rounds.
func runPeak(r *Report, o Options, kit *referenceSession, logf func(string, ...any)) error {
	dev := deviceMemory(o.Backend)
	for range rounds(kit) {
		matmul, mem, err := tracked(dev, func() ([]MatMulResult, error) {
			return MatMulPeak(o.Backend, o.MatMulSizes, o.MatMulReps)
		})
		if err != nil {
			return err
		}
		r.MatMul = bestMatMul(r.MatMul, matmul)
		r.Memory = upsertMemory(r.Memory, MemoryRow{Name: "matmul peak", MemoryPeak: mem})
		if kit != nil && kit.ready {
			r.RefMatMul = bestMatMul(r.RefMatMul, kit.sgemm(o.MatMulSizes, o.MatMulReps))
		}
	}
	r.Peak = PeakGFLOPs(r.MatMul)
	p := PeakResult(r.MatMul)
	logf("matmul peak: %.1f GFLOP/s, %.2f cores busy", r.Peak, p.CoresBusy)
	if len(r.RefMatMul) > 0 {
		logf("reference sgemm peak: %.1f GFLOP/s", PeakGFLOPs(r.RefMatMul))
	}
	return nil
}

// bestMatMul keeps, per size, the faster of the results in a and b (a may be empty).
func bestMatMul(a, b []MatMulResult) []MatMulResult {
	if len(a) == 0 {
		return b
	}
	out := append([]MatMulResult(nil), a...)
	for _, nb := range b {
		found := false
		for i := range out {
			if out[i].Size == nb.Size {
				found = true
				if nb.GFLOPs > out[i].GFLOPs {
					out[i] = nb
				}
			}
		}
		if !found {
			out = append(out, nb)
		}
	}
	return out
}

// upsertMemory replaces the row of the same name (a later round) or appends m.
func upsertMemory(rows []MemoryRow, m MemoryRow) []MemoryRow {
	for i := range rows {
		if rows[i].Name == m.Name {
			rows[i].MemoryPeak = maxPeak(rows[i].MemoryPeak, m.MemoryPeak)
			return rows
		}
	}
	return append(rows, m)
}

func maxPeak(a, b MemoryPeak) MemoryPeak {
	return MemoryPeak{HeapInuse: max(a.HeapInuse, b.HeapInuse), HeapSys: max(a.HeapSys, b.HeapSys),
		Sys: max(a.Sys, b.Sys), MaxRSS: max(a.MaxRSS, b.MaxRSS), Device: max(a.Device, b.Device)}
}

func runEncoders(ctx context.Context, r *Report, o Options, kit *referenceSession, logf func(string, ...any)) error {
	for _, ec := range o.Encoders {
		if ec.OnRequest {
			continue
		}
		ec.Config.Exec = o.Exec
		if ec.Heavy && o.Quick {
			r.Encoder = append(r.Encoder, EncoderResult{Case: ec, Skipped: "skipped (--quick)",
				Attention: encoderAttention(o.Backend, ec.Config, ec.Batch)})
			continue
		}
		batch, note, err := planEncoderBatch(ec, o)
		if err != nil {
			return err
		}
		if batch == 0 {
			r.Encoder = append(r.Encoder, EncoderResult{Case: ec, Skipped: "skipped: " + note,
				Attention: encoderAttention(o.Backend, ec.Config, ec.Batch)})
			continue
		}
		ec.Batch = batch
		var best EncoderResult
		for round := range rounds(kit) {
			res, mem, err := benchCase(deviceMemory(o.Backend), r, "encoder forward "+ec.Name, ec.Batch, logf, func() (EncoderResult, error) { return benchEncoder(ctx, o.Backend, ec, o.Budget) })
			if err != nil {
				return err
			}
			res.Mem, res.Note = mem, note
			res.Attention = encoderAttention(o.Backend, ec.Config, ec.Batch)
			if round == 0 || res.ClipsPerSec() > best.ClipsPerSec() {
				res.Ref = best.Ref
				best = res
			}
			if kit != nil && ec.Ref != "" {
				best.Ref = bestRef(best.Ref, kit.encoder(ec, res.Time.Iters))
			}
		}
		r.Encoder = append(r.Encoder, best)
	}
	return nil
}

func runSteps(ctx context.Context, r *Report, o Options, kit *referenceSession, logf func(string, ...any)) error {
	for _, sc := range o.Steps {
		sc.Config.Exec = o.Exec
		if sc.Heavy && o.Quick {
			r.Step = append(r.Step, StepResult{Case: sc, Skipped: "skipped (--quick)",
				Attention: encoderAttention(o.Backend, sc.Config, sc.Batch)})
			continue
		}
		var best StepResult
		for round := range rounds(kit) {
			res, mem, err := benchCase(deviceMemory(o.Backend), r, "pretraining step "+sc.Name, sc.Batch, logf, func() (StepResult, error) { return benchStep(ctx, o.Backend, sc, o) })
			if err != nil {
				return err
			}
			res.Mem = mem
			batch := res.Batch // 0 where the step was skipped before planning
			if batch == 0 {
				batch = sc.Batch
			}
			res.Attention = encoderAttention(o.Backend, sc.Config, batch)
			if res.Skipped != "" {
				best = res
				break
			}
			if round == 0 || res.ClipsPerSec() > best.ClipsPerSec() {
				res.Ref = best.Ref
				best = res
			}
			if kit != nil && sc.Ref != "" {
				best.Ref = bestRef(best.Ref, kit.step(res))
			}
		}
		r.Step = append(r.Step, best)
	}
	return nil
}

// bestRef keeps the faster of two measurements of the official code (nil: not measured).
func bestRef(a, b *MeasuredReference) *MeasuredReference {
	if a == nil || (b != nil && b.ClipsPerSec > a.ClipsPerSec) {
		return b
	}
	return a
}

func runProbes(ctx context.Context, r *Report, o Options, logf func(string, ...any)) error {
	dev := deviceMemory(o.Backend)
	for _, pc := range o.Probes {
		if pc.OnRequest {
			continue
		}
		pc.Model.Exec = probeExecution(o.Exec)
		batch, note, err := planProbeBatch(pc, o)
		if err != nil {
			return err
		}
		if batch == 0 {
			r.Probes = append(r.Probes, ProbeResult{Case: pc, Name: pc.Name, Batch: pc.Batch, Skipped: "skipped: " + note,
				Attention: probeAttention(o.Backend, pc)})
			continue
		}
		pc.Batch = batch
		res, mem, err := tracked(dev, func() (ProbeResult, error) { return benchProbe(ctx, o.Backend, pc, o.Budget) })
		if err != nil {
			return err
		}
		res.Mem, res.Attention = mem, probeAttention(o.Backend, pc)
		r.Probes = append(r.Probes, res)
		r.Memory = append(r.Memory, MemoryRow{Name: "probe step " + pc.Name, MemoryPeak: mem})
		logf("probe step %s b%d: %.2f clips/s, %.2f cores busy", pc.Name, pc.Batch, res.ClipsPerSec(), res.Time.CoresBusy)
	}
	return nil
}

func runLoading(ctx context.Context, r *Report, o Options, logf func(string, ...any)) error {
	dev := deviceMemory(o.Backend)
	if o.Video.Skip {
		r.Loading = append(r.Loading, LoaderResult{Name: "videos", Skipped: "skipped"})
	} else {
		res, mem, err := tracked(dev, func() ([]LoaderResult, error) { return benchVideoLoaders(ctx, o.Video) })
		switch {
		case errors.Is(err, errNoFFmpeg):
			res = []LoaderResult{{Name: "videos", Skipped: "skipped: " + err.Error()}}
		case err != nil:
			return err
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
		return nil
	}
	res, mem, err := tracked(dev, func() (LoaderResult, error) { return benchSyntheticLoader(ctx, o.Synthetic) })
	if err != nil {
		return err
	}
	r.Loading = append(r.Loading, res)
	r.Memory = append(r.Memory, MemoryRow{Name: "data loading, synthetic", MemoryPeak: mem})
	logf("data loading, synthetic: %.2f clips/s", res.ClipsPerSec)
	return nil
}

// throughput is a measured row of the encoder forward or pretraining step table.
type throughput interface {
	ClipsPerSec() float64
	GFLOPs() float64
	CoresBusy() float64
}

// benchCase runs bench under the memory sampler, records the memory row of the benchmark
// named name in r and logs its throughput on batch clips.
func benchCase[R throughput](dev func() uint64, r *Report, name string, batch int, logf func(string, ...any), bench func() (R, error)) (R, MemoryPeak, error) {
	res, mem, err := tracked(dev, bench)
	if err != nil {
		return res, mem, err
	}
	r.Memory = upsertMemory(r.Memory, MemoryRow{Name: name, MemoryPeak: mem})
	logf("%s b%d: %.3f clips/s, %.1f GFLOP/s, %.2f cores busy", name, batch, res.ClipsPerSec(), res.GFLOPs(), res.CoresBusy())
	return res, mem, nil
}
