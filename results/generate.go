package results

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
)

// Options configure [Generate].
type Options struct {
	// RunsDir holds the probe run records (*.json); default "results/runs".
	RunsDir string
	// OutDir receives README.md, runs.md, figures/ and the copied pretraining logs in
	// pretrain/; default "results".
	OutDir string
	// InputDir holds the committed inputs besides the records: pretrain/<name>/ (pretraining
	// logs), reference/ (both trainers' loss logs) and figures/pretrain-*.png kept from runs whose
	// logs were never committed; default OutDir.
	InputDir string
	// BaseDir resolves relative Backbone.PretrainRun folders, read only to copy their logs into
	// <OutDir>/pretrain/ when no copy is committed yet; default the working directory.
	BaseDir string
	// ReferenceDir holds the committed pretraining logs of the side-by-side comparison,
	// <ReferenceDir>/{official,vjepa-go}/train_log.csv; default <InputDir>/reference.
	ReferenceDir string
}

// Summary says what [Generate] wrote and what it noticed.
type Summary struct {
	Runs     int      // records used
	Readme   string   // path of the README written
	RunsPage string   // path of runs.md
	Figures  []string // paths of the figures written, sorted
	Kept     []string // committed figures linked but not redrawn (their logs are not committed)
	Copied   []string // pretraining logs copied into <OutDir>/pretrain/
	Warnings []string // problems that did not stop generation (e.g. a missing pretraining log)
}

// withDefaults fills the empty folders of o with their documented defaults.
func (o Options) withDefaults() Options {
	if o.RunsDir == "" {
		o.RunsDir = filepath.Join("results", "runs")
	}
	if o.OutDir == "" {
		o.OutDir = "results"
	}
	if o.InputDir == "" {
		o.InputDir = o.OutDir
	}
	if o.ReferenceDir == "" {
		o.ReferenceDir = filepath.Join(o.InputDir, "reference")
	}
	return o
}

// figuresDir is the folder of the figures inside the output folder.
const figuresDir = "figures"

// Generate reads every run record and writes <OutDir>/README.md, runs.md and figures/*.png.
// Everything it draws comes from committed inputs (the records and the logs under InputDir),
// so a fresh clone regenerates the same bytes. It never deletes a committed file: a figure
// whose logs are absent is kept and linked; only probe-<id>.png of records that no longer
// exist are removed. If any record is invalid nothing is written and the returned *LoadError
// names every bad file.
func Generate(ctx context.Context, opts Options) (*Summary, error) {
	opts = opts.withDefaults()
	paper, err := LoadPaper()
	if err != nil {
		return nil, err
	}
	runs, err := LoadRuns(opts.RunsDir)
	if err != nil {
		return nil, err
	}
	sum := &Summary{Runs: len(runs)}
	for _, r := range runs {
		sum.Warnings = append(sum.Warnings, recordWarnings(r)...)
	}
	figDir := filepath.Join(opts.OutDir, figuresDir)
	if err := os.MkdirAll(figDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", figDir, err)
	}
	w := &figureWriter{dir: figDir, sum: sum, names: map[string]bool{}}
	figs := Figures{Pretrain: map[string]string{}, Probe: map[string]string{}}
	groups := groupRuns(runs)
	if figs.Accuracy, err = w.draw("accuracy.png", func() ([]byte, error) { return accuracyFigure(groups, paper) }); err != nil {
		return nil, err
	}
	if hasReference(runs) {
		curves, err := ReferenceLoss(opts.ReferenceDir)
		if err != nil {
			return nil, err
		}
		if figs.Reference, err = w.draw("reference-loss.png", func() ([]byte, error) { return referenceFigure(curves) }); err != nil {
			return nil, err
		}
		if figs.Reference == "" {
			sum.Warnings = append(sum.Warnings, fmt.Sprintf("official-vs-ours comparison: no train_log.csv in %s/{official,vjepa-go}", opts.ReferenceDir))
		}
	}
	for _, dir := range pretrainRuns(runs) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := w.pretrain(dir, opts, figs.Pretrain); err != nil {
			return nil, err
		}
	}
	for _, run := range sortedByID(runs) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := &run.Record
		if figs.Probe[r.ID], err = w.draw("probe-"+slug(r.ID)+".png", func() ([]byte, error) { return probeFigure(r) }); err != nil {
			return nil, fmt.Errorf("%s: %w", run.File, err)
		}
		if figs.Probe[r.ID] == "" {
			delete(figs.Probe, r.ID)
		}
	}
	if err := writePages(opts.OutDir, runs, paper, figs, sum); err != nil {
		return nil, err
	}
	if err := removeStaleProbeFigures(figDir, runs, w.names); err != nil {
		sum.Warnings = append(sum.Warnings, err.Error())
	}
	sort.Strings(sum.Figures)
	return sum, nil
}

// writePages renders and writes README.md and runs.md.
func writePages(outDir string, runs []Run, paper Paper, figs Figures, sum *Summary) error {
	readme, err := RenderReadme(runs, paper, figs)
	if err != nil {
		return err
	}
	runsPage, err := RenderRuns(runs, paper, figs)
	if err != nil {
		return err
	}
	sum.Readme, sum.RunsPage = filepath.Join(outDir, "README.md"), filepath.Join(outDir, "runs.md")
	if err := atomicfile.WriteFile(sum.Readme, []byte(readme)); err != nil {
		return err
	}
	return atomicfile.WriteFile(sum.RunsPage, []byte(runsPage))
}

// figureWriter writes figures under unique names and records them in the summary.
type figureWriter struct {
	dir   string
	sum   *Summary
	names map[string]bool // figure names taken so far
}

// draw renders a figure and writes it as name; "" (and nothing written) when render has
// nothing to draw. It returns the path relative to the pages.
func (w *figureWriter) draw(name string, render func() ([]byte, error)) (string, error) {
	png, err := render()
	if err != nil || png == nil {
		return "", err
	}
	name = uniqueName(w.names, name)
	if err := atomicfile.WriteFile(filepath.Join(w.dir, name), png); err != nil {
		return "", err
	}
	w.sum.Figures = append(w.sum.Figures, filepath.Join(w.dir, name))
	return figuresDir + "/" + name, nil
}

// pretrain draws the curves of one pretraining run from its committed logs,
// <InputDir>/pretrain/<name>/. When no copy is committed but the run folder is here, its logs
// are copied first; when neither exists, a committed figure of that run is kept and linked.
func (w *figureWriter) pretrain(dir string, opts Options, out map[string]string) error {
	name := slug(dir)
	committed := filepath.Join(opts.InputDir, pretrainLogsDir, name)
	if !hasLogs(committed) {
		local := dir
		if !filepath.IsAbs(local) && opts.BaseDir != "" {
			local = filepath.Join(opts.BaseDir, local)
		}
		copied, err := copyPretrainLogs(local, filepath.Join(opts.OutDir, pretrainLogsDir, name))
		if err != nil {
			return err
		}
		w.sum.Copied = append(w.sum.Copied, copied...)
		if len(copied) > 0 {
			committed = filepath.Join(opts.OutDir, pretrainLogsDir, name)
		}
	}
	figName := "pretrain-" + name + ".png"
	if !hasLogs(committed) {
		kept := filepath.Join(opts.InputDir, figuresDir, figName)
		if fileExists(kept) {
			w.names[figName] = true
			w.sum.Kept = append(w.sum.Kept, kept)
			out[dir] = figuresDir + "/" + figName
			return nil
		}
		w.sum.Warnings = append(w.sum.Warnings, fmt.Sprintf("pretraining run %s: no committed logs in %s and no run folder here", dir, committed))
		return nil
	}
	curves, err := ReadPretrainCurves(committed)
	if err != nil {
		return fmt.Errorf("pretraining run %s: %w", dir, err)
	}
	curves.Dir = dir
	fig, err := w.draw(figName, func() ([]byte, error) { return pretrainFigure(curves) })
	if fig != "" {
		out[dir] = fig
	}
	return err
}

// uniqueName returns name, or name with a numeric suffix if it was taken, and records it.
func uniqueName(taken map[string]bool, name string) string {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s-%d%s", base, i, ext)
	}
	taken[name] = true
	return name
}

// removeStaleProbeFigures deletes probe-*.png figures that belong to no record any more (a
// record removed from results/runs). Every other file, committed figures included, is left alone.
func removeStaleProbeFigures(dir string, runs []Run, keep map[string]bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	ids := map[string]bool{}
	for _, r := range runs {
		ids["probe-"+slug(r.Record.ID)+".png"] = true
	}
	var errs []error
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, "probe-") && strings.HasSuffix(n, ".png") && !ids[n] && !keep[n] {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				errs = append(errs, fmt.Errorf("remove stale figure: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

// recordWarnings are inconsistencies in a valid record worth telling the user about.
func recordWarnings(run Run) []string {
	r := &run.Record
	var w []string
	if len(r.Heads) > 0 {
		// With several seeds Top1 is their mean and the heads are the first seed's.
		top1 := r.SeedValues()[0].Top1
		if len(r.Seeds) < 2 {
			top1 = r.Top1
		}
		if h := r.Heads[r.BestHead]; math.Abs(h.Top1-top1) > 0.05 {
			w = append(w, fmt.Sprintf("%s: top1 %.2f differs from best head %d's top1 %.2f", run.File, top1, r.BestHead, h.Top1))
		}
	}
	if s := r.SeedStats; s != nil && (s.N != len(r.SeedValues()) || math.Abs(s.Top1Mean-r.Top1) > 0.05) {
		w = append(w, fmt.Sprintf("%s: seed_stats (n %d, mean %.2f) disagree with the %d seeds (top1 %.2f)", run.File, s.N, s.Top1Mean, len(r.SeedValues()), r.Top1))
	}
	if r.Backbone.Init == InitPretrained && r.Backbone.Checkpoint == "" {
		w = append(w, fmt.Sprintf("%s: pretrained backbone without a checkpoint path", run.File))
	}
	return w
}
