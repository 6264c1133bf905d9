package results

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/vjepa-go/vjepa/internal/stats"
	"github.com/vjepa-go/vjepa/probe"
)

// figureDPI is the resolution of the PNG figures.
const figureDPI = 110

// renderPNG draws a column of plots that share the canvas width into PNG bytes.
func renderPNG(plots []*plot.Plot, w, h vg.Length) ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(figureDPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	if len(plots) == 1 {
		plots[0].Draw(dc)
	} else {
		grid := make([][]*plot.Plot, len(plots))
		for i, p := range plots {
			grid[i] = []*plot.Plot{p}
		}
		tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Millimeter, PadBottom: vg.Millimeter,
			PadLeft: vg.Millimeter, PadRight: 2 * vg.Millimeter, PadY: 2 * vg.Millimeter}
		canvases := plot.Align(grid, tiles, dc)
		for i, p := range plots {
			p.Draw(canvases[i][0])
		}
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// backboneKinds colour the accuracy bars: random init, our trainer's target and context
// encoders, the official trainer, other weights.
var backboneKinds = []string{"random init", "vjepa-go, target encoder", "vjepa-go, context encoder",
	"official trainer", "other weights"}

// backboneKind indexes backboneKinds for a record.
func backboneKind(r *probe.Record) int {
	switch {
	case r.Backbone.Init == InitRandom:
		return 0
	case r.Backbone.Trainer == TrainerOurs && encoderKey(r) == contextEncoderKey:
		return 2
	case r.Backbone.Trainer == TrainerOurs:
		return 1
	case r.Backbone.Trainer == TrainerOfficial:
		return 3
	}
	return 4
}

// ci95 is the half width of the 95 % interval of a mean of n values with sample std s (0 for
// one value, which has no interval).
func ci95(s float64, n int) float64 {
	if n < 2 {
		return 0
	}
	return stats.TQuantile(0.5+probe.ConfidenceLevel/2, n-1) * s / math.Sqrt(float64(n))
}

// accuracyFigure draws, per data set, one bar per configuration: its pooled mean top-1 with the
// 95 % interval of the mean as error bar, coloured by backbone; a cross marks the paper's
// number where there is one. Nil when there are no groups.
func accuracyFigure(groups []*Group, paper Paper) ([]byte, error) {
	var plots []*plot.Plot
	widest := 0
	for _, ds := range datasetsOf(groups) {
		var gs []*Group
		for _, g := range groups {
			if g.Latest().Dataset == ds {
				gs = append(gs, g)
			}
		}
		p, err := accuracyPanel(ds, gs, paper)
		if err != nil {
			return nil, err
		}
		plots = append(plots, p)
		widest = max(widest, len(gs))
	}
	if len(plots) == 0 {
		return nil, nil
	}
	w := vg.Length(math.Max(6, 0.55*float64(widest)+1.5)) * vg.Inch
	return renderPNG(plots, w, vg.Length(3.6*float64(len(plots)))*vg.Inch)
}

// accuracyPanel is the bar chart of one data set.
func accuracyPanel(ds string, gs []*Group, paper Paper) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: top-1, mean of seeds with 95%% interval (att: attentive, avg: avgpool-linear, "+
		"knnN: N labels per class, ×N: N heads)", ds)
	p.Y.Label.Text = "top-1 (%)"
	// Headroom above 100 % for the legend.
	p.Y.Min, p.Y.Max = 0, 125
	p.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 25}, {Value: 50, Label: "50"},
		{Value: 75}, {Value: 100, Label: "100"}})
	p.X.Min, p.X.Max = -0.7, float64(len(gs))-0.3
	p.Add(plotter.NewGrid())
	names := make([]string, len(gs))
	inLegend := map[int]bool{}
	var errs plotter.XYs
	var errSizes plotter.YErrors
	var marks plotter.XYs
	for i, g := range gs {
		r, s := g.Latest(), g.Top1()
		names[i] = shortProbe(r) + "\n" + shortKind(r)
		bar, err := plotter.NewBarChart(plotter.Values{s.Mean}, vg.Points(16))
		if err != nil {
			return nil, fmt.Errorf("accuracy bar %s: %w", ds, err)
		}
		bar.XMin = float64(i)
		k := backboneKind(r)
		bar.Color, bar.LineStyle.Width = plotutil.Color(k), 0
		p.Add(bar)
		if !inLegend[k] {
			inLegend[k] = true
			p.Legend.Add(backboneKinds[k], bar)
		}
		if h := ci95(s.Std, s.N); h > 0 {
			errs = append(errs, plotter.XY{X: float64(i), Y: s.Mean})
			errSizes = append(errSizes, struct{ Low, High float64 }{h, h})
		}
		if e, ok := paper.Lookup(r); ok {
			marks = append(marks, plotter.XY{X: float64(i), Y: e.Top1})
		}
	}
	if len(errs) > 0 {
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{errs, errSizes})
		if err != nil {
			return nil, fmt.Errorf("error bars %s: %w", ds, err)
		}
		eb.LineStyle.Width = vg.Points(1.2)
		p.Add(eb)
	}
	if len(marks) > 0 {
		sc, err := plotter.NewScatter(marks)
		if err != nil {
			return nil, fmt.Errorf("paper marks %s: %w", ds, err)
		}
		sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = draw.CrossGlyph{}, vg.Points(5)
		p.Add(sc)
		p.Legend.Add("paper", sc)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.NominalX(names...)
	return p, nil
}

// shortProbe is the probe in a bar label: att, att4, avg, knn, knn5 (5 labels per class), and
// ×N for a sweep of N heads.
func shortProbe(r *probe.Record) string {
	name := map[string]string{probe.Attentive: "att", probe.Attentive4: "att4", probe.AvgPoolLinear: "avg",
		probe.KNN: "knn"}[r.Probe.Type]
	if name == "" {
		name = r.Probe.Type
	}
	if r.Probe.LabelsPerClass > 0 {
		name += fmt.Sprint(r.Probe.LabelsPerClass)
	}
	if len(r.Heads) > 1 {
		name += fmt.Sprintf(" ×%d", len(r.Heads))
	}
	return name
}

// shortKind is the second line of a bar's label.
func shortKind(r *probe.Record) string {
	switch backboneKind(r) {
	case 0:
		return "random"
	case 1:
		return "ours\ntarget"
	case 2:
		return "ours\ncontext"
	case 3:
		return "official\ntarget"
	}
	return checkpointShort(r.Backbone)
}

// datasetsOf lists the data sets of the groups in table order.
func datasetsOf(groups []*Group) []string {
	var names []string
	for _, g := range groups {
		if d := g.Latest().Dataset; !slices.Contains(names, d) {
			names = append(names, d)
		}
	}
	sortDatasets(names)
	return names
}

// pretrainFigure stacks loss, feature std, effective rank and position share against the step.
func pretrainFigure(c PretrainCurves) ([]byte, error) {
	panels := []struct {
		s      Series
		ylabel string
	}{
		{c.Loss, "loss"},
		{c.FeatureStd, "feature std"},
		{c.EffectiveRank, "effective rank"},
		{c.PositionShare, "position share"},
	}
	var plots []*plot.Plot
	for i, pn := range panels {
		xy := finitePoints(pn.s.Steps, pn.s.Value)
		if len(xy) == 0 {
			continue
		}
		p := plot.New()
		p.Y.Label.Text = pn.ylabel
		p.X.Label.Text = "step"
		if len(plots) == 0 {
			p.Title.Text = "Pretraining " + c.Dir
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("%s curve of %s: %w", pn.ylabel, c.Dir, err)
		}
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(1.2)
		p.Add(plotter.NewGrid(), l)
		plots = append(plots, p)
	}
	if len(plots) == 0 {
		return nil, nil
	}
	return renderPNG(plots, 7*vg.Inch, vg.Length(2.3*float64(len(plots)))*vg.Inch)
}

// maxLabeledHeads is how many heads get their own legend entry; with more, only the best does.
const maxLabeledHeads = 6

// probeFigure plots validation top-1 per epoch of every head of a run. Nil when there is no curve.
func probeFigure(r *probe.Record) ([]byte, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Probe %s (%s, %s)", r.ID, r.Dataset, r.Probe.Type)
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "val top-1 (%)"
	p.Y.Min = 0
	p.Add(plotter.NewGrid())
	p.Legend.Top = false
	p.Legend.Left = false
	n := 0
	for i, h := range r.Heads {
		xs := make([]float64, len(h.Curve))
		ys := make([]float64, len(h.Curve))
		for j, e := range h.Curve {
			xs[j], ys[j] = float64(e.Epoch), e.ValTop1
		}
		xy := finitePoints(xs, ys)
		if len(xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("probe curve %s head %d: %w", r.ID, i, err)
		}
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(1)
		label := fmt.Sprintf("head %d: lr %s, wd %s", i, hyper(h.LR), hyper(h.WeightDecay))
		if i == r.BestHead {
			l.Width = vg.Points(2.2)
			label += " (best)"
		}
		p.Add(l)
		if len(r.Heads) <= maxLabeledHeads || i == r.BestHead {
			p.Legend.Add(label, l)
		}
		n++
	}
	if n == 0 {
		return nil, nil
	}
	return renderPNG([]*plot.Plot{p}, 7*vg.Inch, 4*vg.Inch)
}

// finitePoints pairs xs and ys, dropping NaN and infinite values (diverged runs).
func finitePoints(xs, ys []float64) plotter.XYs {
	var out plotter.XYs
	for i := range min(len(xs), len(ys)) {
		x, y := xs[i], ys[i]
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
			continue
		}
		out = append(out, plotter.XY{X: x, Y: y})
	}
	return out
}
