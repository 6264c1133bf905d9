package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/vjepa-go/vjepa/internal/mdtable"
	"github.com/vjepa-go/vjepa/probe"
)

// Trainers recorded in probe.BackboneInfo.Trainer.
const (
	TrainerOfficial = "official"
	TrainerOurs     = "vjepa-go"
)

// referenceTrainers are the curves of the side-by-side figure, in legend order.
var referenceTrainers = []struct{ name, title string }{
	{TrainerOfficial, "official (PyTorch, train_reference.py)"},
	{TrainerOurs, "vjepa-go (vjepa pretrain)"},
}

// lossTail is how many final steps the legend's final loss averages.
const lossTail = 10

// hasReference reports whether the runs hold a probe of an official-trained backbone.
func hasReference(runs []Run) bool {
	return latestRecord(runs, isTrainer(TrainerOfficial)) != nil
}

func isTrainer(name string) func(*probe.Record) bool {
	return func(r *probe.Record) bool { return r.Backbone.Init == InitPretrained && r.Backbone.Trainer == name }
}

// ReferenceLoss reads each trainer's pretraining loss: <refDir>/<trainer>/train_log.csv (the
// committed copy `task reference` makes), else the train_log.csv of the pretraining run
// folder of that trainer's latest record (resolved against baseDir). Both trainers write
// the step and loss columns. A trainer without a log is left out.
func ReferenceLoss(runs []Run, refDir, baseDir string) (map[string]Series, error) {
	out := map[string]Series{}
	for _, tr := range referenceTrainers {
		var dirs []string
		if refDir != "" {
			dirs = append(dirs, filepath.Join(refDir, tr.name))
		}
		if r := latestRecord(runs, isTrainer(tr.name)); r != nil && r.Backbone.PretrainRun != "" {
			d := r.Backbone.PretrainRun
			if !filepath.IsAbs(d) && baseDir != "" {
				d = filepath.Join(baseDir, d)
			}
			dirs = append(dirs, d)
		}
		for _, d := range dirs {
			path := filepath.Join(d, pretrainStepLog)
			if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
				continue
			}
			s, err := readCSVSeries(path, "step", "loss")
			if err != nil {
				return nil, err
			}
			if len(s[0].Steps) == 0 {
				return nil, fmt.Errorf("%s: no loss rows", path)
			}
			s[0].Name = tr.title
			out[tr.name] = s[0]
			break
		}
	}
	return out, nil
}

// referenceFigure draws both trainers' loss against the step in one plot; nil without curves.
func referenceFigure(curves map[string]Series) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "Pretraining loss: official trainer vs vjepa-go (same data, recipe and steps)"
	p.X.Label.Text = "step"
	p.Y.Label.Text = "loss"
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	n := 0
	for i, tr := range referenceTrainers {
		s, ok := curves[tr.name]
		if !ok {
			continue
		}
		xy := finitePoints(s.Steps, s.Value)
		if len(xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("%s loss curve: %w", tr.name, err)
		}
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(1.2)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s: last %d steps %.3f", tr.title, lossTail, tailMean(s.Value, lossTail)), l)
		n++
	}
	if n == 0 {
		return nil, nil
	}
	return renderPNG([]*plot.Plot{p}, 7*vg.Inch, 4*vg.Inch)
}

// tailMean is the mean of the last n values.
func tailMean(v []float64, n int) float64 {
	v = v[max(0, len(v)-n):]
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// writeReference is the official-vs-ours section: per data set and probe, the latest probe
// of the official-trained backbone, the latest of ours and of a random-init backbone, each
// as mean ± std over seeds, and the paired differences.
func writeReference(b *strings.Builder, runs []Run, _ Paper, figs Figures) error {
	if !hasReference(runs) {
		return nil
	}
	b.WriteString("## Official trainer vs vjepa-go (same data and budget)\n\n")
	b.WriteString("Backbones pretrained by the official PyTorch training loop (`train_reference.py` of the\n" +
		"refbench kit, facebookresearch/jepa's `app/vjepa/train.py`) and by `vjepa pretrain` on the same\n" +
		"exported clips, recipe and number of steps, then probed with the same probes and seeds as a\n" +
		"random-init backbone (`task reference`). Differences are paired by seed (same probe\n" +
		"initialisation and, on the built-in sets, the same clips); intervals are 95 %, paired t-test.\n\n")
	if figs.Reference != "" {
		fmt.Fprintf(b, "![pretraining loss of both trainers](%s)\n\n", figs.Reference)
	}
	t := mdtable.New("data set", "probe", "official-trained", "vjepa-go-trained", "random init",
		"vjepa-go − official", "official − random", "vjepa-go − random", "runs").AlignRight(2, 3, 4, 5, 6, 7)
	var sets []string
	seen := map[string]bool{}
	for i := range runs {
		r := &runs[i].Record
		if isTrainer(TrainerOfficial)(r) && !seen[r.Dataset] {
			seen[r.Dataset] = true
			sets = append(sets, r.Dataset)
		}
	}
	sortDatasets(sets)
	for _, ds := range sets {
		onSet := func(r *probe.Record) bool { return r.Dataset == ds }
		for _, label := range probeLabels(runs, func(r *probe.Record) bool { return onSet(r) && isTrainer(TrainerOfficial)(r) }) {
			pick := func(keep func(*probe.Record) bool) *probe.Record {
				return latestRecord(runs, func(r *probe.Record) bool { return onSet(r) && probeLabel(r) == label && keep(r) })
			}
			off := pick(isTrainer(TrainerOfficial))
			ours := pick(isTrainer(TrainerOurs))
			rnd := pick(func(r *probe.Record) bool { return r.Backbone.Init == InitRandom })
			cells := []string{"`" + ds + "`", label}
			var ids []string
			for _, r := range []*probe.Record{off, ours, rnd} {
				if r == nil {
					cells = append(cells, "—")
					continue
				}
				cells, ids = append(cells, top1Cell(r)), append(ids, "`"+r.ID+"`")
			}
			cells = append(cells, diffCell(ours, off), diffCell(off, rnd), diffCell(ours, rnd), strings.Join(ids, ", "))
			t.Add(cells...)
		}
	}
	md, err := t.Markdown()
	if err != nil {
		return fmt.Errorf("reference table: %w", err)
	}
	b.WriteString(md + "\n")
	return nil
}
