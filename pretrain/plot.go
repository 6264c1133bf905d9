package pretrain

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
)

// CurvesPlotName is the file PlotRun writes inside the run directory.
const CurvesPlotName = "curves.png"

// series is one named curve of a panel.
type series struct {
	name  string
	xs    []int64
	ys    []float64
	color color.Color
	width vg.Length
}

// panel is one subplot.
type panel struct {
	title, ylabel string
	curves        []series
}

var (
	colorRaw    = color.RGBA{R: 160, G: 190, B: 230, A: 255}
	colorMain   = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	colorSecond = color.RGBA{R: 214, G: 39, B: 40, A: 255}
)

// PlotRun reads the logs of the run in dir (see [OpenRunLog]) and writes dir/curves.png: a
// grid of panels with the loss (raw and smoothed), learning rate, weight decay, EMA
// momentum, gradient norms, step and data time, feature std and effective rank. The
// diagnostics log may be missing or empty; the step log must exist. The image is written to
// a temporary file and renamed, so readers never see a partial PNG.
func PlotRun(dir string) error {
	steps, err := ReadStepLog(filepath.Join(dir, StepLogName))
	if err != nil {
		return fmt.Errorf("plot run: %w", err)
	}
	diags, err := ReadDiagnosticsLog(filepath.Join(dir, DiagnosticsLogName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("plot run: %w", err)
	}
	png, err := renderCurves(steps, diags)
	if err != nil {
		return fmt.Errorf("plot run %s: %w", dir, err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, CurvesPlotName), png); err != nil {
		return fmt.Errorf("plot run: %w", err)
	}
	return nil
}

// renderCurves draws the panels of a run into a PNG image.
func renderCurves(steps []StepRecord, diags []DiagnosticsRecord) ([]byte, error) {
	xs := make([]int64, len(steps))
	col := func(get func(StepRecord) float64) []float64 {
		out := make([]float64, len(steps))
		for i, r := range steps {
			out[i] = get(r)
		}
		return out
	}
	for i, r := range steps {
		xs[i] = r.Step
	}
	loss := col(func(r StepRecord) float64 { return r.Loss })
	dxs := make([]int64, len(diags))
	std := make([]float64, len(diags))
	rank := make([]float64, len(diags))
	posShare := make([]float64, len(diags))
	for i, d := range diags {
		dxs[i], std[i], rank[i], posShare[i] = d.Step, d.FeatureStd, d.EffectiveRank, d.PositionShare
	}

	panels := []panel{
		{"Loss", "L1", []series{
			{"raw", xs, loss, colorRaw, 0.5},
			{"smoothed", xs, smooth(loss, max(1, len(loss)/50)), colorMain, 1.5},
		}},
		{"Learning rate", "lr", []series{{"", xs, col(func(r StepRecord) float64 { return r.LR }), colorMain, 1.5}}},
		{"Weight decay", "wd", []series{{"", xs, col(func(r StepRecord) float64 { return r.WD }), colorMain, 1.5}}},
		{"EMA momentum", "m", []series{{"", xs, col(func(r StepRecord) float64 { return r.Momentum }), colorMain, 1.5}}},
		{"Gradient norm (before clipping)", "norm", []series{
			{"encoder", xs, col(func(r StepRecord) float64 { return r.GradNormEnc }), colorMain, 1},
			{"predictor", xs, col(func(r StepRecord) float64 { return r.GradNormPred }), colorSecond, 1},
		}},
		{"Time per step", "s", []series{
			{"step", xs, col(func(r StepRecord) float64 { return r.StepTimeS }), colorMain, 1},
			{"data wait", xs, col(func(r StepRecord) float64 { return r.DataTimeS }), colorSecond, 1},
		}},
		{"Target features: std and share of variance from position", "", []series{
			{"feature std", dxs, std, colorMain, 1.5},
			{"position share", dxs, posShare, colorSecond, 1.5},
		}},
		{"Target effective rank", "rank", []series{{"", dxs, rank, colorMain, 1.5}}},
	}

	const cols = 2
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, pn := range panels {
		p, err := newPanel(pn)
		if err != nil {
			return nil, fmt.Errorf("panel %q: %w", pn.title, err)
		}
		grid[i/cols][i%cols] = p
	}

	img := vgimg.New(vg.Length(cols)*6*vg.Inch, vg.Length(rows)*3*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for c, p := range grid[r] {
			if p != nil {
				p.Draw(canvases[r][c])
			}
		}
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// newPanel builds one subplot; non-finite points are skipped and an empty panel says so.
func newPanel(pn panel) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = pn.title
	p.X.Label.Text = "step"
	p.Y.Label.Text = pn.ylabel
	p.Add(plotter.NewGrid())
	legend := false
	points := 0
	for _, s := range pn.curves {
		xys := make(plotter.XYs, 0, len(s.ys))
		for i, y := range s.ys {
			if !math.IsNaN(y) && !math.IsInf(y, 0) {
				xys = append(xys, plotter.XY{X: float64(s.xs[i]), Y: y})
			}
		}
		if len(xys) == 0 {
			continue
		}
		points += len(xys)
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.Color = s.color
		line.Width = s.width
		p.Add(line)
		if s.name != "" {
			p.Legend.Add(s.name, line)
			legend = true
		}
	}
	if points == 0 {
		p.Title.Text += " (no data)"
	}
	if legend {
		p.Legend.Top = true
	}
	return p, nil
}

// smooth returns the centred moving average of ys over a window of 2*half+1 points (shrunk
// at the ends); non-finite values are left out of the averages.
func smooth(ys []float64, half int) []float64 {
	// Prefix sums of the finite values and of their count make each average O(1).
	sum := make([]float64, len(ys)+1)
	cnt := make([]int, len(ys)+1)
	for i, y := range ys {
		sum[i+1], cnt[i+1] = sum[i], cnt[i]
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			sum[i+1] += y
			cnt[i+1]++
		}
	}
	out := make([]float64, len(ys))
	for i := range ys {
		lo, hi := max(0, i-half), min(len(ys), i+half+1)
		out[i] = math.NaN()
		if n := cnt[hi] - cnt[lo]; n > 0 {
			out[i] = (sum[hi] - sum[lo]) / float64(n)
		}
	}
	return out
}
