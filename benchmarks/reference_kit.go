package benchmarks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// ReferenceKit runs the official PyTorch code's benchmarks (the refbench kit,
// `bench_reference.py`) beside ours, in the same `vjepa bench` invocation, so the report's
// PyTorch columns are measured on this machine rather than quoted.
type ReferenceKit struct {
	// Dir holds bench_reference.py and refcommon.py.
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

const refScript = "bench_reference.py"

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
	probe := "import sys; sys.path.insert(0, sys.argv[1]); import torch, refcommon; refcommon.setup_jepa_path()"
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
	case quick:
		a = append(a, "--repeats", "1")
	case c.repeats > 0:
		a = append(a, "--repeats", strconv.Itoa(c.repeats))
	}
	return a
}

// run times c with the kit's child process and returns its result.
func (k ReferenceKit) run(ctx context.Context, python string, c refCase, quick bool) (MeasuredReference, ReferenceEnv, error) {
	dir, err := os.MkdirTemp("", "vjepa-refbench-")
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

// runReferences runs the kit on every measured case of r, one case per kit invocation (so
// each step gets our batch and mask token counts), and attaches the results.
func runReferences(ctx context.Context, k ReferenceKit, r *Report, logf func(string, ...any)) ReferenceRun {
	run := ReferenceRun{Dir: k.Dir}
	python, err := k.resolvePython(ctx)
	if err != nil {
		run.Note = "PyTorch reference not run (" + err.Error() + ")"
		logf("reference: %s", run.Note)
		return run
	}
	run.Python = python
	var failed []string
	attach := func(c refCase) *MeasuredReference {
		m, env, err := k.run(ctx, python, c, r.Quick)
		switch {
		case err != nil:
			failed = append(failed, err.Error())
			return nil
		case m.Error != "":
			failed = append(failed, fmt.Sprintf("%s:%s: %s", c.kind, c.config, m.Error))
			return nil
		}
		if run.Env == nil {
			run.Env = &env
		}
		logf("reference %s:%s b%d: %.3f clips/s, %.1f GFLOP/s", c.kind, c.config, m.Batch, m.ClipsPerSec, m.GFLOPs)
		return &m
	}
	for i := range r.Encoder {
		e := &r.Encoder[i]
		if e.Skipped != "" || e.Case.Ref == "" || ctx.Err() != nil {
			continue
		}
		e.Ref = attach(refCase{kind: KindEncoderForward, config: e.Case.Ref, batch: e.Case.Batch, repeats: kitRepeats(e.Time.Iters)})
	}
	for i := range r.Step {
		s := &r.Step[i]
		if s.Skipped != "" || s.Case.Ref == "" || ctx.Err() != nil {
			continue
		}
		c := s.Case.Config
		s.Ref = attach(refCase{kind: KindPretrainStep, config: s.Case.Ref, batch: s.Batch,
			predDepth: c.PredDepth, pred: c.PredEmbedDim, kc: s.Kc, kp: s.Kp, repeats: kitRepeats(s.Step.Iters)})
	}
	if len(failed) > 0 {
		run.Note = "PyTorch reference failed for " + strings.Join(failed, "; ")
	}
	return run
}

// kitRepeats is the kit's number of timed calls for a case we timed iters times: the same,
// between 2 (a median needs more than one) and the kit's default of 5.
func kitRepeats(iters int) int { return min(max(iters, 2), 5) }
