package benchmarks

import (
	"fmt"
	"strings"
	"time"

	"github.com/vjepa-go/vjepa/internal/mdtable"
)

// Section headings of the report, in order.
const (
	SectionMachine = "## Machine"
	SectionPeak    = "## Matrix-multiply peak"
	SectionEncoder = "## Encoder forward"
	SectionStep    = "## Pretraining step"
	SectionPhases  = "### Where a step's time goes"
	SectionProbe   = "## Probe step"
	SectionLoading = "## Data loading"
	SectionMemory  = "## Peak memory"
	SectionCommand = "## Command"
)

// Sections lists every section heading Markdown writes.
func Sections() []string {
	return []string{SectionMachine, SectionPeak, SectionEncoder, SectionStep, SectionPhases, SectionProbe,
		SectionLoading, SectionMemory, SectionCommand}
}

// Markdown renders the report (results/benchmarks.md).
func (r *Report) Markdown() (string, error) {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	fmt.Fprintf(&b, "Measured by `%s` on %s in %s.", r.Command, r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Duration.Round(time.Second))
	if r.Quick {
		b.WriteString(" This is a quick smoke run (`--quick`): fewer iterations, heavy rows skipped; do not quote its numbers.")
	}
	b.WriteString(" Every time is the median of the timed calls that follow one untimed call (which compiles the graph); " +
		"FLOP counts are matrix products only (multiply and add counted as 2 FLOPs).")
	fmt.Fprintf(&b, " Transformer blocks: %s (weights, optimiser state and loss float32).\n\n", orUnknown(r.Exec))
	for _, s := range []struct {
		heading string
		write   func(*strings.Builder) error
	}{
		{SectionMachine, r.writeMachine}, {SectionPeak, r.writePeak}, {SectionEncoder, r.writeEncoder},
		{SectionStep, r.writeStep}, {SectionPhases, r.writePhases}, {SectionProbe, r.writeProbe},
		{SectionLoading, r.writeLoading}, {SectionMemory, r.writeMemory},
	} {
		if err := writeSection(&b, s.heading, s.write); err != nil {
			return "", err
		}
	}
	fmt.Fprintf(&b, "%s\n\n```\n%s\n```\n", SectionCommand, r.Command)
	return b.String(), nil
}

func (r *Report) writeMachine(b *strings.Builder) error {
	m := r.Machine
	fmt.Fprintf(b, "- CPU: %s, %d cores (runtime.NumCPU), %.1f GiB memory\n", orUnknown(m.CPU), m.Cores, m.MemoryGiB)
	fmt.Fprintf(b, "- OS: %s/%s\n", m.OS, m.Arch)
	fmt.Fprintf(b, "- Go: %s, GOEXPERIMENT=%s\n", m.GoVersion, orUnknown(m.GOEXPERIMENT))
	fmt.Fprintf(b, "- Backend: %s\n", orUnknown(m.Backend))
	fmt.Fprintf(b, "- Load average (1, 5, 15 min): %s at the start, %s at the end (other processes slow the timings down)\n\n",
		orUnknown(m.LoadStart), orUnknown(m.LoadEnd))
	return nil
}

func (r *Report) writePeak(b *strings.Builder) error {
	fmt.Fprintf(b, "Float32 products of two n×n matrices through the same backend (a GoMLX graph of one MatMul), best of "+
		"the timed calls. The best size, **%s GFLOP/s**, is the denominator of every \"share of peak\" below. **Cores busy** "+
		"is the process's CPU time ÷ wall time over the timed calls (%d cores here).", num(r.Peak), r.Machine.Cores)
	if len(r.RefMatMul) == 0 {
		b.WriteString("\n\n")
		t := newMDTable("n", "best time (ms)", "GFLOP/s", "cores busy")
		for _, m := range r.MatMul {
			t.Add(fmt.Sprint(m.Size), num(m.Seconds*1e3), num(m.GFLOPs), busy(m.CoresBusy))
		}
		return writeTable(b, t)
	}
	fmt.Fprintf(b, " Beside it, torch's float32 product (the BLAS sgemm torch links) timed by the reference kit in the "+
		"same run, alternating with ours, two rounds, best of each: **%s GFLOP/s** at best, ours ÷ torch %s.\n\n",
		num(PeakGFLOPs(r.RefMatMul)), ratio(r.Peak, PeakGFLOPs(r.RefMatMul)))
	t := newMDTable("n", "best time (ms)", "GFLOP/s", "cores busy", "torch sgemm GFLOP/s", "torch cores busy", "ours ÷ torch")
	for _, m := range r.MatMul {
		ref := MatMulResult{}
		for _, x := range r.RefMatMul {
			if x.Size == m.Size {
				ref = x
			}
		}
		t.Add(fmt.Sprint(m.Size), num(m.Seconds*1e3), num(m.GFLOPs), busy(m.CoresBusy), num(ref.GFLOPs), busy(ref.CoresBusy),
			ratio(m.GFLOPs, ref.GFLOPs))
	}
	return writeTable(b, t)
}

// ratio is ours ÷ theirs as "1.23×", or a dash when theirs is unknown.
func ratio(ours, theirs float64) string {
	if theirs <= 0 || ours <= 0 {
		return dash
	}
	return fmt.Sprintf("%.2f×", ours/theirs)
}

// busy formats a cores-busy figure (a dash when unknown).
func busy(v float64) string {
	if v <= 0 {
		return dash
	}
	return fmt.Sprintf("%.2f", v)
}

func (r *Report) writeEncoder(b *strings.Builder) error {
	b.WriteString("No-grad forward of a randomly initialised encoder on a random clip. FLOPs: tubelet " +
		"embedding 2·N·(3·t·p²)·D plus, per block, 24·N·D² (qkv, projection, 4× MLP) + 4·N²·D (attention scores and " +
		"weighted sum). " + r.referenceText() + ". The ratio is our clips/s over PyTorch's.\n\n")
	t := newMDTable("model", "batch", "tokens", "GFLOP/batch", "s/batch", "clips/s", "GFLOP/s", "share of peak", "cores busy",
		"PyTorch clips/s", "PyTorch GFLOP/s", "clips/s vs PyTorch", "GFLOP/s vs PyTorch", "first call (s)", "note")
	for _, e := range r.Encoder {
		ref, hasRef := referenceFor("encoder", e.Case.Name, e.Case.Batch, e.Ref)
		row := []string{e.Case.Name, fmt.Sprint(e.Case.Batch), fmt.Sprint(e.Case.Config.NumTokens()),
			num(float64(e.Case.Batch) * EncoderForwardFLOPs(e.Case.Config, e.Case.Config.NumTokens()) / 1e9)}
		if e.Skipped != "" {
			row = append(row, dash, dash, dash, dash, dash)
		} else {
			row = append(row, num(e.Time.Median), num(e.ClipsPerSec()), num(e.GFLOPs()), share(e.GFLOPs(), r.Peak), busy(e.CoresBusy()))
		}
		t.Add(append(row, comparedCells(ref, hasRef, e.ClipsPerSec(), e.GFLOPs(), e.Time, e.Skipped, e.Note)...)...)
	}
	return writeTable(b, t)
}

func (r *Report) writeStep(b *strings.Builder) error {
	b.WriteString("One full optimiser step of `pretrain.Stepper` on a fixed batch: target encoder on the whole clip, " +
		"context encoder and predictor for each mask configuration, L1 loss, backward, AdamW and the EMA update of the " +
		"target encoder. Masks are one draw of the official multi-block sampler (Kc/Kp: context/target tokens per mask " +
		"configuration). **The FLOP count** (`PretrainStepFLOPs`) includes the target-encoder forward on all N tokens " +
		"(no backward), and per mask configuration the context encoder on Kc tokens and the predictor on Kc+Kp tokens " +
		"(with its D→D_pred embedding of the context and D_pred→D projection of the targets), each forward and backward " +
		"with backward counted as 2× forward; AdamW, the EMA, normalisations, softmax, GELU and the loss are not counted. " +
		"clips/s is the step alone (data and masks are in the next table). " + r.referenceText() + ".\n\n")
	t := newMDTable("model", "batch", "Kc/Kp", "GFLOP/step", "s/step", "clips/s", "GFLOP/s", "share of peak", "cores busy",
		"PyTorch clips/s", "PyTorch GFLOP/s", "clips/s vs PyTorch", "GFLOP/s vs PyTorch", "first step (s)", "note")
	var work []string
	for _, s := range r.Step {
		ref, hasRef := referenceFor("step", s.Case.Name, s.Batch, s.Ref)
		row := []string{s.Case.Name, batchCell(s)}
		if s.Skipped != "" {
			row = append(row, dash, dash, dash, dash, dash, dash, dash)
		} else {
			row = append(row, maskSizes(s.Kc, s.Kp), num(s.FLOPs/1e9), num(s.Step.Median), num(s.ClipsPerSec()),
				num(s.GFLOPs()), share(s.GFLOPs(), r.Peak), busy(s.CoresBusy()))
		}
		t.Add(append(row, comparedCells(ref, hasRef, s.ClipsPerSec(), s.GFLOPs(), s.Step, s.Skipped, s.Note)...)...)
		if hasRef && !ref.Measured && s.Skipped == "" && ref.ClipsPerSec > 0 {
			refPerClip := ref.GFLOPs / ref.ClipsPerSec
			encPerClip := EncoderForwardFLOPs(s.Case.Config, s.Case.Config.NumTokens()) / 1e9
			work = append(work, fmt.Sprintf("%s: PyTorch's figures imply %s GFLOP per clip (%s× the encoder forward on "+
				"the full clip); our count is %s GFLOP per clip.", s.Case.Name, num(refPerClip), num(refPerClip/encPerClip),
				num(s.FLOPs/1e9/float64(s.Batch))))
		}
	}
	if err := writeTable(b, t); err != nil {
		return err
	}
	if len(work) > 0 {
		b.WriteString("Work per clip behind the quoted PyTorch step figures (their GFLOP/s ÷ clips/s) against ours: " +
			strings.Join(work, " ") + " Where the two differ, the clips/s ratio compares different amounts of work " +
			"and the GFLOP/s ratio is the like-for-like comparison of efficiency.\n\n")
	}
	return nil
}

// batchCell is the measured batch, with the intended one when it had to be reduced.
func batchCell(s StepResult) string {
	if s.Skipped == "" && s.Batch != s.Case.Batch {
		return fmt.Sprintf("%d (of %d)", s.Batch, s.Case.Batch)
	}
	return fmt.Sprint(s.Case.Batch)
}

// quotedNote marks a row whose PyTorch figures are the quoted fallback.
func quotedNote(ref Reference, ok bool) string {
	if ok && !ref.Measured {
		return "PyTorch quoted, not measured here"
	}
	return ""
}

func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}

func (r *Report) writePhases(b *strings.Builder) error {
	b.WriteString("Time per training iteration if its phases ran one after the other (share of their sum). How each " +
		"is measured: **data** — a fresh `datasets.Loader` (2 workers, prefetch 2) over built-in synthetic-motion clips " +
		"rendered at the model's clip size, wall time per batch (in training it overlaps the step); **masks** — " +
		"`pretrain.MaskSampler.Sample` for the batch, mean of fresh draws; **forward** — a separate graph of the step's " +
		"forward alone (target encoder, context encoder and predictor per mask, loss; no gradients), timed like the " +
		"step; **backward + optimiser** — step − forward (backward, gradient norms, AdamW and EMA).\n\n")
	t := newMDTable("model", "batch", "data", "masks", "forward", "backward + optimiser", "serial total")
	for _, s := range r.Step {
		if s.Skipped != "" {
			t.Add(s.Case.Name, batchCell(s), dash, dash, dash, dash, s.Skipped)
			continue
		}
		total := s.Total()
		t.Add(s.Case.Name, batchCell(s), phase(s.Data, total), phase(s.Masks, total),
			phase(s.Forward.Median, total), phase(s.BackwardOptimizer(), total), ms(total))
	}
	return writeTable(b, t)
}

func (r *Report) writeProbe(b *strings.Builder) error {
	b.WriteString("`probe.Trainer.Step` on random cached features [batch, tokens, D]: forward, backward and AdamW of " +
		"every probe head of the sweep (the frozen encoder's feature extraction is not included).\n\n")
	t := newMDTable("probe", "batch", "tokens", "heads", "s/step", "clips/s", "cores busy", "first step (s)", "note")
	if len(r.Probes) == 0 {
		t.Add("attentive probe step", dash, dash, dash, dash, dash, dash, dash, "not measured")
	}
	for _, p := range r.Probes {
		if p.Skipped != "" {
			t.Add(p.Name, dash, dash, dash, dash, dash, dash, dash, p.Skipped)
			continue
		}
		t.Add(p.Name, fmt.Sprint(p.Batch), fmt.Sprint(p.Case.Tokens), fmt.Sprint(p.Case.Heads), num(p.Time.Median),
			num(p.ClipsPerSec()), busy(p.Time.CoresBusy), num(p.Time.First), fmt.Sprintf("%d timed", p.Time.Iters))
	}
	return writeTable(b, t)
}

func (r *Report) writeLoading(b *strings.Builder) error {
	if r.LoaderOnly {
		fmt.Fprintf(b, "Measured separately by `%s` on %s in %s, %d cores, load average (1, 5, 15 min) %s at the "+
			"start and %s at the end (other processes slow the timings down; the other sections come from the full run).\n\n",
			r.Command, r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Duration.Round(time.Second), r.Machine.Cores,
			orUnknown(r.Machine.LoadStart), orUnknown(r.Machine.LoadEnd))
	}
	b.WriteString("A fresh `datasets.Loader` per run (shuffled, prefetch 2), clips/s over the whole run including the " +
		"pipeline start (synthetic data: median of three runs; clips counts all of them). Video files are generated with " +
		"the ffmpeg CLI (stretches of OpenCV's `vtest.avi` street footage when opencv-doc is installed, else the lavfi " +
		"test pattern; libx264 yuv420p MP4, or libvpx-vp9 realtime WebM) into a temporary folder; " +
		"clips use the official pretraining sampling (frame step 4) and transform (random resized crop, flip, " +
		"normalisation). Video rows run one worker per core and decode with one thread per worker, so **clips/s per " +
		"core** is what each added core buys.\n\n")
	t := newMDTable("data", "clip (T×H×W)", "batch", "workers", "clips", "clips/s", "clips/s per core", "note")
	for _, l := range r.Loading {
		if l.Skipped != "" {
			t.Add(l.Name, orDash(l.Clip), dash, dash, dash, dash, dash, l.Skipped)
			continue
		}
		perCore := dash
		if l.Cores > 0 {
			perCore = num(l.PerCore())
		}
		t.Add(l.Name, l.Clip, fmt.Sprint(l.Batch), fmt.Sprint(l.Workers), fmt.Sprint(l.Clips), num(l.ClipsPerSec), perCore, "")
	}
	if err := writeTable(b, t); err != nil {
		return err
	}
	var consume []string
	for _, e := range r.Encoder {
		if e.Skipped == "" && e.Case.Config.NumFrames == 16 && e.Case.Config.CropSize == 224 {
			consume = append(consume, fmt.Sprintf("%s forward (batch %d) consumes **%s clips/s**", e.Case.Name,
				e.Case.Batch, num(e.ClipsPerSec())))
		}
	}
	if len(consume) > 0 {
		fmt.Fprintf(b, "The model on this machine, for comparison: %s (encoder forward table). A GPU encoder "+
			"consumes hundreds of 16×224 clips/s: feeding it takes about that rate divided by the clips/s per core "+
			"in loader cores.\n\n", strings.Join(consume, "; "))
	}
	return nil
}

func (r *Report) writeMemory(b *strings.Builder) error {
	b.WriteString("Sampled every 100 ms while each benchmark ran (after a GC that returns freed memory to the OS). **Go heap in use** is the largest " +
		"`runtime.MemStats.HeapInuse`: the benchmark's own working set. **HeapSys** and **Sys** are the largest " +
		"`runtime.MemStats` values of memory obtained from the OS; the runtime never returns address space, so they " +
		"include earlier rows. **Max RSS** is the process's `ru_maxrss` from `getrusage(RUSAGE_SELF)` at the end of the " +
		"benchmark: the resident peak since the process started (it covers non-Go memory too).\n\n")
	t := newMDTable("benchmark", "Go heap in use (MiB)", "HeapSys (MiB)", "Sys (MiB)", "max RSS (MiB)")
	for _, m := range r.Memory {
		t.Add(m.Name, mib(m.HeapInuse), mib(m.HeapSys), mib(m.Sys), mib(m.MaxRSS))
	}
	return writeTable(b, t)
}

const dash = "—"

// writeSection writes a section's heading, then its body.
func writeSection(b *strings.Builder, heading string, body func(*strings.Builder) error) error {
	fmt.Fprintf(b, "%s\n\n", heading)
	return body(b)
}

func writeTable(b *strings.Builder, t *mdtable.Table) error {
	s, err := t.Markdown()
	if err != nil {
		return err
	}
	b.WriteString(s)
	b.WriteString("\n")
	return nil
}

// comparedCells are the cells an encoder or step row ends with: PyTorch's clips/s and GFLOP/s
// with our ratios to them (refCells), then the first call's time and the note (notes, the
// number of timed calls, whether PyTorch's figures are quoted), or a dash and the reason the
// row was skipped.
func comparedCells(ref Reference, hasRef bool, clips, gflops float64, t Timing, skipped string, notes ...string) []string {
	cells := refCells(ref, hasRef, clips, gflops, skipped == "")
	if skipped != "" {
		return append(cells, dash, skipped)
	}
	notes = append(notes, fmt.Sprintf("%d timed", t.Iters), quotedNote(ref, hasRef))
	return append(cells, num(t.First), joinNotes(notes...))
}

// refCells are the PyTorch clips/s and GFLOP/s and our ratios to them.
func refCells(ref Reference, ok bool, clips, gflops float64, measured bool) []string {
	if !ok {
		return []string{dash, dash, dash, dash}
	}
	ratio := func(ours, theirs float64) string {
		if !measured || theirs <= 0 {
			return dash
		}
		return fmt.Sprintf("%.2f×", ours/theirs)
	}
	return []string{num(ref.ClipsPerSec), num(ref.GFLOPs), ratio(clips, ref.ClipsPerSec), ratio(gflops, ref.GFLOPs)}
}

func maskSizes(kc, kp []int) string {
	parts := make([]string, len(kc))
	for i := range kc {
		parts[i] = fmt.Sprintf("%d/%d", kc[i], kp[i])
	}
	return strings.Join(parts, ", ")
}

// num formats v with about three significant digits, without exponents.
func num(v float64) string {
	switch a := max(v, -v); {
	case a == 0:
		return "0"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	case a >= 0.01:
		return fmt.Sprintf("%.3f", v)
	default:
		return fmt.Sprintf("%.2g", v)
	}
}

func share(gflops, peak float64) string {
	if peak <= 0 {
		return dash
	}
	return fmt.Sprintf("%.0f%%", 100*gflops/peak)
}

func ms(sec float64) string { return num(sec*1e3) + " ms" }

func phase(sec, total float64) string {
	if total <= 0 {
		return ms(sec)
	}
	return fmt.Sprintf("%s (%.0f%%)", ms(sec), 100*sec/total)
}

func mib(bytes uint64) string {
	if bytes == 0 {
		return dash
	}
	return fmt.Sprintf("%.0f", float64(bytes)/(1<<20))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return dash
	}
	return s
}
