package results

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

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

// accuracyBar is one group of the accuracy chart.
type accuracyBar struct {
	label    string
	ours     float64
	paper    float64 // 0 when the paper has no number
	hasPaper bool
}

// accuracyBars picks, per data set, model, probe type and initialization, the run with the best
// top-1 (ties: the smaller id), in table order.
func accuracyBars(runs []Run, paper Paper) []accuracyBar {
	type key struct{ dataset, model, probe, init string }
	best := map[key]*probe.Record{}
	for i := range runs {
		r := &runs[i].Record
		k := key{r.Dataset, modelLabel(r.Backbone), probeLabel(r), r.Backbone.Init}
		if b, ok := best[k]; !ok || r.Top1 > b.Top1 || r.Top1 == b.Top1 && r.ID < b.ID {
			best[k] = r
		}
	}
	keys := make([]key, 0, len(best))
	for k := range best {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if ra, rb := datasetRank(a.dataset), datasetRank(b.dataset); ra != rb {
			return ra < rb
		}
		return strings.Join([]string{a.dataset, a.model, a.probe, a.init}, "\x00") <
			strings.Join([]string{b.dataset, b.model, b.probe, b.init}, "\x00")
	})
	bars := make([]accuracyBar, len(keys))
	for i, k := range keys {
		r := best[k]
		label := fmt.Sprintf("%s\n%s\n%s", k.dataset, k.model, k.probe)
		if k.init == InitRandom {
			label += "\n(random)"
		}
		bars[i] = accuracyBar{label: label, ours: r.Top1}
		if p, ok := paper.Lookup(r); ok {
			bars[i].paper, bars[i].hasPaper = p.Top1, true
		}
	}
	return bars
}

// accuracyFigure is a grouped bar chart: ours next to the paper's number.
func accuracyFigure(bars []accuracyBar) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "Frozen-evaluation top-1 (best run per group)"
	p.Y.Label.Text = "top-1 (%)"
	// Headroom above 100 % for the legend; margins on both sides for the group labels.
	p.Y.Min, p.Y.Max = 0, 112
	p.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 25}, {Value: 50, Label: "50"},
		{Value: 75}, {Value: 100, Label: "100"}})
	p.X.Min, p.X.Max = -0.8, float64(len(bars))-0.2
	ours := make(plotter.Values, len(bars))
	theirs := make(plotter.Values, len(bars))
	names := make([]string, len(bars))
	anyPaper := false
	for i, b := range bars {
		ours[i], theirs[i], names[i] = b.ours, b.paper, b.label
		anyPaper = anyPaper || b.hasPaper
	}
	width := vg.Points(14)
	ob, err := plotter.NewBarChart(ours, width)
	if err != nil {
		return nil, fmt.Errorf("accuracy bars: %w", err)
	}
	ob.Color = plotutil.Color(0)
	ob.LineStyle.Width = 0
	p.Add(ob)
	p.Legend.Add("ours", ob)
	if anyPaper {
		ob.Offset = -width / 2
		pb, err := plotter.NewBarChart(theirs, width)
		if err != nil {
			return nil, fmt.Errorf("paper bars: %w", err)
		}
		pb.Color = plotutil.Color(1)
		pb.LineStyle.Width = 0
		pb.Offset = width / 2
		p.Add(pb)
		p.Legend.Add("paper", pb)
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Millimeter
	p.NominalX(names...)
	w := vg.Length(math.Max(5, 1.25*float64(len(bars))+1)) * vg.Inch
	return renderPNG([]*plot.Plot{p}, w, 4.5*vg.Inch)
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
