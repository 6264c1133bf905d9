package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	TrainerOfficial = probe.TrainerOfficial
	TrainerOurs     = probe.TrainerOurs
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
	for i := range runs {
		if isTrainer(TrainerOfficial)(&runs[i].Record) {
			return true
		}
	}
	return false
}

func isTrainer(name string) func(*probe.Record) bool {
	return func(r *probe.Record) bool { return r.Backbone.Init == InitPretrained && r.Backbone.Trainer == name }
}

// ReferenceLoss reads each trainer's pretraining loss from the committed copy
// <refDir>/<trainer>/train_log.csv that `task reference` makes (both trainers write the step and
// loss columns). A trainer without a log is left out.
func ReferenceLoss(refDir string) (map[string]Series, error) {
	out := map[string]Series{}
	for _, tr := range referenceTrainers {
		path := filepath.Join(refDir, tr.name, pretrainStepLog)
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

// writeReference is the official-vs-ours section: per data set, each configuration probed on
// an official-trained backbone next to the comparable vjepa-go configuration (same data,
// protocol, probe and encoder entry) that shares the most seeds, and their paired difference
// ("—" without one). Our configurations with no official counterpart (e.g. the context encoder)
// appear in the summary only.
func (p *page) writeReference(b *strings.Builder) error {
	official := func(g *Group) bool { return isTrainer(TrainerOfficial)(g.Latest()) }
	ours := func(g *Group) bool { return isTrainer(TrainerOurs)(g.Latest()) }
	var sets []string
	for _, g := range p.groups {
		if official(g) && !slices.Contains(sets, g.Latest().Dataset) {
			sets = append(sets, g.Latest().Dataset)
		}
	}
	if len(sets) == 0 {
		return nil
	}
	b.WriteString("## Official trainer vs vjepa-go (same data and budget)\n\n" +
		"Backbones pretrained by the official PyTorch loop (facebookresearch/jepa `app/vjepa/train.py`, run by\n" +
		"`task reference`) and by `vjepa pretrain` on the same clips, recipe and steps, probed alike. Each row\n" +
		"pairs the same encoder entry; configurations of ours with no official record (e.g. the context\n" +
		"encoder) are in the summary only. The loss curves of both trainers are under Figures.\n\n")
	for _, ds := range sets {
		t := mdtable.New("probe", "encoder", "official", "vjepa-go", "vjepa-go − official, 95% CI (n)", "records").
			AlignRight(2, 3, 4)
		for _, g := range p.groups {
			if g.Latest().Dataset != ds || !official(g) {
				continue
			}
			o := bestCounterpart(g, p.groups, ours)
			recs := g.Sources()
			if o != nil {
				recs = append(recs, o.Sources()...)
			}
			d := pairGroups(o, g)
			if o == nil {
				d.Reason = "no vjepa-go record"
			}
			t.Add(probeLabel(g.Latest()), encoderLabel(g.Latest()), top1Cell(g), top1Cell(o), d.Cell(), p.links.refs(recs))
		}
		md, err := t.Markdown()
		if err != nil {
			return fmt.Errorf("reference table: %w", err)
		}
		fmt.Fprintf(b, "### %s\n\n%s\n", datasetTitle(ds), md)
	}
	return nil
}
