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
	// OutDir receives README.md and figures/; default "results".
	OutDir string
	// BaseDir resolves relative Backbone.PretrainRun folders; default the working directory.
	BaseDir string
	// ReferenceDir holds the committed pretraining logs of the side-by-side comparison,
	// <ReferenceDir>/{official,vjepa-go}/train_log.csv; default <OutDir>/reference.
	ReferenceDir string
}

// Summary says what [Generate] wrote and what it noticed.
type Summary struct {
	Runs     int      // records used
	Readme   string   // path of the README written
	Figures  []string // paths of the figures written, sorted
	Warnings []string // problems that did not stop generation (e.g. a missing pretraining log)
}

// figuresDir is the folder of the figures inside the output folder.
const figuresDir = "figures"

// Generate reads every run record and writes <OutDir>/README.md and <OutDir>/figures/*.png.
// If any record is invalid nothing is written and the returned *LoadError names every bad file.
// Figures of earlier generations that are no longer produced are removed.
func Generate(ctx context.Context, opts Options) (*Summary, error) {
	if opts.RunsDir == "" {
		opts.RunsDir = filepath.Join("results", "runs")
	}
	if opts.OutDir == "" {
		opts.OutDir = "results"
	}
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
	figs := Figures{Pretrain: map[string]string{}, Probe: map[string]string{}}
	names := map[string]bool{}
	write := func(name string, data []byte) (string, error) {
		name = uniqueName(names, name)
		if err := atomicfile.WriteFile(filepath.Join(figDir, name), data); err != nil {
			return "", err
		}
		sum.Figures = append(sum.Figures, filepath.Join(figDir, name))
		return figuresDir + "/" + name, nil
	}

	if bars := accuracyBars(runs, paper); len(bars) > 0 {
		png, err := accuracyFigure(bars)
		if err != nil {
			return nil, err
		}
		if figs.Accuracy, err = write("accuracy.png", png); err != nil {
			return nil, err
		}
	}
	if opts.ReferenceDir == "" {
		opts.ReferenceDir = filepath.Join(opts.OutDir, "reference")
	}
	if hasReference(runs) {
		curves, err := ReferenceLoss(runs, opts.ReferenceDir, opts.BaseDir)
		if err != nil {
			return nil, err
		}
		png, err := referenceFigure(curves)
		if err != nil {
			return nil, err
		}
		if png == nil {
			sum.Warnings = append(sum.Warnings, fmt.Sprintf("official-vs-ours comparison: no train_log.csv in %s/{official,vjepa-go} nor in the records' pretraining runs", opts.ReferenceDir))
		} else if figs.Reference, err = write("reference-loss.png", png); err != nil {
			return nil, err
		}
	}
	for _, dir := range pretrainRuns(runs) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path := dir
		if !filepath.IsAbs(path) && opts.BaseDir != "" {
			path = filepath.Join(opts.BaseDir, path)
		}
		curves, err := ReadPretrainCurves(path)
		if err != nil {
			sum.Warnings = append(sum.Warnings, fmt.Sprintf("pretraining run %s: %v", dir, err))
			continue
		}
		png, err := pretrainFigure(curves)
		if err != nil {
			return nil, err
		}
		if png == nil {
			sum.Warnings = append(sum.Warnings, fmt.Sprintf("pretraining run %s: no train_log.csv or diagnostics.csv data in %s", dir, path))
			continue
		}
		if figs.Pretrain[dir], err = write("pretrain-"+slug(dir)+".png", png); err != nil {
			return nil, err
		}
	}
	for _, run := range sortedByID(runs) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		png, err := probeFigure(&run.Record)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", run.File, err)
		}
		if png == nil {
			continue
		}
		if figs.Probe[run.Record.ID], err = write("probe-"+slug(run.Record.ID)+".png", png); err != nil {
			return nil, err
		}
	}

	md, err := RenderReadme(runs, paper, figs)
	if err != nil {
		return nil, err
	}
	sum.Readme = filepath.Join(opts.OutDir, "README.md")
	if err := atomicfile.WriteFile(sum.Readme, []byte(md)); err != nil {
		return nil, err
	}
	if err := removeStaleFigures(figDir, names); err != nil {
		sum.Warnings = append(sum.Warnings, err.Error())
	}
	sort.Strings(sum.Figures)
	return sum, nil
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

// removeStaleFigures deletes figures this generator made earlier (accuracy.png, pretrain-*.png,
// probe-*.png) that were not produced now. Other files are left alone.
func removeStaleFigures(dir string, keep map[string]bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	var errs []error
	for _, e := range entries {
		n := e.Name()
		ours := n == "accuracy.png" || n == "reference-loss.png" || strings.HasSuffix(n, ".png") &&
			(strings.HasPrefix(n, "pretrain-") || strings.HasPrefix(n, "probe-"))
		if e.Type().IsRegular() && ours && !keep[n] {
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
