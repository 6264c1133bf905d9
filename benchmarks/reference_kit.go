package benchmarks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// DefaultReferenceDir is the project's reference kit (benchmarks/reference/README.md),
// relative to the repository root.
const DefaultReferenceDir = "benchmarks/reference"

// ReferenceKit runs the official PyTorch code's benchmarks (the project's reference kit,
// benchmarks/reference/bench_official.py) beside ours, in the same `vjepa bench` invocation,
// so the report's PyTorch columns are measured on this machine rather than quoted.
type ReferenceKit struct {
	// Dir holds the kit (DefaultReferenceDir).
	Dir string
	// Python is the interpreter; empty means "python3" on PATH and, when that one cannot
	// import torch, /usr/bin/python3 (the kit's README: a pyenv python3 often has no torch).
	Python string
}

// ReferenceRun records how the reference kit ran (or why it did not).
type ReferenceRun struct {
	Dir    string
	Python string // the interpreter that ran the kit
	// Note is one line for the report: why the kit did not run, or which cases failed.
	Note string
	Env  *ReferenceEnv // the PyTorch side's environment, when at least one case ran
}

const refScript = "bench_official.py"

// resolvePython finds an interpreter that imports torch and the official code ($JEPA_SRC),
// or says in one line why there is none.
func (k ReferenceKit) resolvePython(ctx context.Context) (string, error) {
	if _, err := os.Stat(filepath.Join(k.Dir, refScript)); err != nil {
		return "", fmt.Errorf("no %s in %s", refScript, k.Dir)
	}
	candidates := []string{k.Python}
	if k.Python == "" {
		candidates = []string{"python3", "/usr/bin/python3"}
	}
	// The kit's own check of $JEPA_SRC (default ./jepa-src), after importing torch.
	probe := "import sys; sys.path.insert(0, sys.argv[1]); import torch; from refkit import official; official.import_source()"
	var why []string
	for _, py := range candidates {
		path, err := exec.LookPath(py)
		if err != nil {
			why = append(why, fmt.Sprintf("%s: not found", py))
			continue
		}
		out, err := exec.CommandContext(ctx, path, "-c", probe, k.Dir).CombinedOutput()
		if err == nil {
			return path, nil
		}
		why = append(why, fmt.Sprintf("%s: %s", py, lastLine(out, err)))
	}
	return "", errors.New(strings.Join(why, "; "))
}

// lastLine is the last non-empty line of a failed command's output, or its error.
func lastLine(out []byte, err error) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return err.Error()
}

// refCase is one case to run with the kit.
type refCase struct {
	kind, config    string
	batch           int
	predDepth, pred int   // step: predictor blocks and width
	kc, kp          []int // step: the token counts of our batch, for --match-masks
	// repeats is the number of timed calls (0: the kit's default, 5): as many as ours, so a
	// heavy case costs both sides about the same time.
	repeats int
}

// args are the kit's command-line arguments for c, writing its JSON to out.
func (c refCase) args(script, out string, quick bool) []string {
	a := []string{script, "--configs", c.config, "--modes", refMode(c.kind), "--batch", strconv.Itoa(c.batch), "--json", out}
	if c.kind == KindPretrainStep {
		a = append(a, "--pred-depth", strconv.Itoa(c.predDepth), "--pred-dim", strconv.Itoa(c.pred))
		if len(c.kc) == 2 { // the kit's --match-masks takes one pair per mask config of "both"
			pairs := make([]string, len(c.kc))
			for i := range c.kc {
				pairs[i] = fmt.Sprintf("%d/%d", c.kc[i], c.kp[i])
			}
			a = append(a, "--match-masks", strings.Join(pairs, ","))
		}
	}
	switch {
	case quick && c.kind != KindSGEMM:
		a = append(a, "--repeats", "1")
	case c.repeats > 0:
		a = append(a, "--repeats", strconv.Itoa(c.repeats))
	}
	return a
}

// run times c with the kit's child process and returns its result.
func (k ReferenceKit) run(ctx context.Context, python string, c refCase, quick bool) (MeasuredReference, ReferenceEnv, error) {
	dir, err := os.MkdirTemp("", "vjepa-reference-")
	if err != nil {
		return MeasuredReference{}, ReferenceEnv{}, fmt.Errorf("reference %s: %w", c.config, err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "ref.json")
	var log bytes.Buffer
	cmd := exec.CommandContext(ctx, python, c.args(filepath.Join(k.Dir, refScript), out, quick)...)
	cmd.Stdout, cmd.Stderr = &log, &log
	runErr := cmd.Run() // exit status 1 when a case failed: its error is in the JSON
	data, err := os.ReadFile(out)
	if err != nil {
		if runErr != nil {
			return MeasuredReference{}, ReferenceEnv{}, fmt.Errorf("reference %s %s: %s", c.config, refMode(c.kind), lastLine(log.Bytes(), runErr))
		}
		return MeasuredReference{}, ReferenceEnv{}, fmt.Errorf("reference %s %s: %w", c.config, refMode(c.kind), err)
	}
	results, env, err := ParseReferenceJSON(data)
	if err != nil {
		return MeasuredReference{}, ReferenceEnv{}, err
	}
	for _, r := range results {
		if r.Config == c.config && r.Mode == refMode(c.kind) {
			return r, env, nil
		}
	}
	return MeasuredReference{}, ReferenceEnv{}, fmt.Errorf("reference %s %s: not in the kit's output", c.config, refMode(c.kind))
}

// referenceSession runs the kit beside our cases in one `vjepa bench --reference` run: the
// interpreter found once, the kit's environment and the cases that failed.
type referenceSession struct {
	ready  bool // the interpreter imports torch and the official code
	ctx    context.Context
	kit    ReferenceKit
	quick  bool
	logf   func(string, ...any)
	run    ReferenceRun
	failed []string
}

// startReference finds the kit's interpreter; nil when no kit was asked for. A kit that
// cannot run is not ready: its note goes into the report, and our cases run alone.
func startReference(ctx context.Context, k *ReferenceKit, quick bool, logf func(string, ...any)) *referenceSession {
	if k == nil {
		return nil
	}
	s := &referenceSession{ctx: ctx, kit: *k, quick: quick, logf: logf, run: ReferenceRun{Dir: k.Dir}}
	python, err := k.resolvePython(ctx)
	if err != nil {
		s.run.Note = "PyTorch reference not run (" + err.Error() + ")"
		logf("reference: %s", s.run.Note)
		return s
	}
	s.run.Python, s.ready = python, true
	return s
}

// finish is the record of the session for the report.
func (s *referenceSession) finish() ReferenceRun {
	if len(s.failed) > 0 {
		s.run.Note = "PyTorch reference failed for " + strings.Join(s.failed, "; ")
	}
	return s.run
}

// measure runs one kit case, or records why it failed (nil).
func (s *referenceSession) measure(c refCase) *MeasuredReference {
	if !s.ready || s.ctx.Err() != nil {
		return nil
	}
	releaseMemory()
	m, env, err := s.kit.run(s.ctx, s.run.Python, c, s.quick)
	switch {
	case err != nil:
		s.failed = append(s.failed, err.Error())
		return nil
	case m.Error != "":
		s.failed = append(s.failed, fmt.Sprintf("%s:%s: %s", c.kind, c.config, m.Error))
		return nil
	}
	if s.run.Env == nil {
		s.run.Env = &env
	}
	s.logf("reference %s:%s b%d: %.3f clips/s, %.1f GFLOP/s", c.kind, c.config, m.Batch, m.ClipsPerSec, m.GFLOPs)
	return &m
}

// encoder times the official encoder on ec, with as many timed calls as ours had.
func (s *referenceSession) encoder(ec EncoderCase, iters int) *MeasuredReference {
	return s.measure(refCase{kind: KindEncoderForward, config: ec.Ref, batch: ec.Batch, repeats: kitRepeats(iters)})
}

// step times the official pretraining step at our measured batch and mask token counts.
func (s *referenceSession) step(res StepResult) *MeasuredReference {
	c := res.Case.Config
	return s.measure(refCase{kind: KindPretrainStep, config: res.Case.Ref, batch: res.Batch,
		predDepth: c.PredDepth, pred: c.PredEmbedDim, kc: res.Kc, kp: res.Kp, repeats: kitRepeats(res.Step.Iters)})
}

// sgemm times torch's float32 n×n products for each size, best of reps: the PyTorch side of
// the matmul peak.
func (s *referenceSession) sgemm(sizes []int, reps int) []MatMulResult {
	var out []MatMulResult
	for _, n := range sizes {
		m := s.measure(refCase{kind: KindSGEMM, config: fmt.Sprintf("sgemm-%d", n), batch: 1, repeats: max(reps, 2)})
		if m == nil {
			continue
		}
		out = append(out, MatMulResult{Size: n, Seconds: m.MinS, GFLOPs: m.GFLOPs, CoresBusy: m.CoresBusy})
	}
	return out
}

// kitRepeats is the kit's number of timed calls for a case we timed iters times: the same,
// between 2 (a median needs more than one) and the kit's default of 5.
func kitRepeats(iters int) int { return min(max(iters, 2), 5) }

// releaseMemory hands what our finished case held back to the OS before the kit's process
// starts: its device buffers are freed by finalizers, which need a collection to run and a
// second one to reclaim, and the Go heap keeps freed pages until told otherwise. Without it a
// side-by-side run on a 24 GiB machine was killed for memory: our idle process still held
// 17.8 GiB of the ViT-S 16×224 step while the kit's ViT-S step needed 6 GiB.
func releaseMemory() {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
}
