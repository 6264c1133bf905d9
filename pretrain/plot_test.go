package pretrain

import (
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeSyntheticRun logs a plausible run of n steps with the official schedules scaled to
// 2,000 steps.
func writeSyntheticRun(t *testing.T, dir string, n int64, withDiagnostics bool) {
	t.Helper()
	cfg := OfficialScheduleConfig()
	cfg.IPE, cfg.Epochs, cfg.WarmupEpochs = 20, 100, 10
	sch, err := NewSchedules(cfg)
	require.NoError(t, err)
	l, err := OpenRunLog(dir, 0)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 1))
	for s := int64(1); s <= n; s++ {
		loss := 0.2 + 0.6*math.Exp(-float64(s)/400) + 0.03*rng.NormFloat64()
		if s == 1500 {
			loss = math.NaN() // a bad step must not break the plot
		}
		require.NoError(t, l.LogStep(StepRecord{
			Step: s, Epoch: int((s - 1) / 20), Loss: loss, LR: sch.LR.LR(s), WD: sch.WD.WD(s),
			Momentum: sch.Momentum.Momentum(s - 1), GradNormEnc: 2 + rng.Float64(), GradNormPred: 1 + rng.Float64(),
			StepTimeS: 0.5 + 0.05*rng.Float64(), DataTimeS: 0.02 * rng.Float64(),
		}))
		if withDiagnostics && s%100 == 0 {
			require.NoError(t, l.LogDiagnostics(DiagnosticsRecord{
				Step: s, FeatureStd: 0.3 + 0.1*math.Exp(-float64(s)/800), EffectiveRank: 40 + 100*(1-math.Exp(-float64(s)/600)),
			}))
		}
	}
	require.NoError(t, l.Close())
}

func TestPlotRun(t *testing.T) {
	for _, tc := range []struct {
		steps    int64
		withDiag bool
	}{{2000, true}, {30, false}} {
		withDiag := tc.withDiag
		dir := t.TempDir()
		writeSyntheticRun(t, dir, tc.steps, withDiag)
		if !withDiag {
			require.NoError(t, os.Remove(filepath.Join(dir, DiagnosticsLogName)))
		}
		require.NoError(t, PlotRun(dir))
		f, err := os.Open(filepath.Join(dir, CurvesPlotName))
		require.NoError(t, err)
		img, err := png.Decode(f)
		require.NoError(t, f.Close())
		require.NoError(t, err)
		require.Equal(t, 1152, img.Bounds().Dx())
		require.Equal(t, 1152, img.Bounds().Dy())
		if out := os.Getenv("VJEPA_PLOT_OUT"); out != "" && withDiag {
			data, err := os.ReadFile(filepath.Join(dir, CurvesPlotName))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(out, data, 0o644))
		}
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			require.NotContains(t, e.Name(), ".tmp", "temporary file left behind")
		}
	}
}

func TestPlotRunErrors(t *testing.T) {
	require.ErrorContains(t, PlotRun(t.TempDir()), StepLogName)
}

func TestSmooth(t *testing.T) {
	got := smooth([]float64{1, 2, math.NaN(), 4, 5}, 1)
	require.Equal(t, []float64{1.5, 1.5, 3, 4.5, 4.5}, got)
	require.Equal(t, []float64{1, 2}, smooth([]float64{1, 2}, 0))
}
