package pretrain

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/optim"
)

func officialSchedules(t *testing.T) Schedules {
	t.Helper()
	s, err := NewSchedules(OfficialScheduleConfig())
	require.NoError(t, err)
	return s
}

func TestNewSchedulesDerivedLengths(t *testing.T) {
	s := officialSchedules(t)
	lr, ok := s.LR.(optim.WarmupCosineSchedule)
	require.True(t, ok)
	assert.Equal(t, int64(12000), lr.WarmupSteps)
	assert.Equal(t, int64(112500), lr.TMax)
	assert.Equal(t, int64(112500), s.WD.TMax)
	assert.Equal(t, 112500.0, s.Momentum.Denominator)
}

func TestNewSchedulesErrors(t *testing.T) {
	for _, modify := range []func(*ScheduleConfig){
		func(c *ScheduleConfig) { c.IPE = 0 },
		func(c *ScheduleConfig) { c.Epochs = -1 },
		func(c *ScheduleConfig) { c.IPEScale = 0 },
		func(c *ScheduleConfig) { c.WarmupEpochs = -1 },
		func(c *ScheduleConfig) { c.IPE, c.Epochs, c.IPEScale = 1, 1, 0.5 },
	} {
		c := OfficialScheduleConfig()
		modify(&c)
		_, err := NewSchedules(c)
		assert.Error(t, err, "%+v", c)
	}
}

// The official values of docs/training.md#schedules (derived, rounded to 3 significant digits).
func TestScheduleSpecValues(t *testing.T) {
	s := officialSchedules(t)
	for _, tc := range []struct {
		step   int64
		lr, wd float64
	}{
		{1, 2.0e-4, 0.04},
		{12000, 6.25e-4, 0.0500},
		{30000, 5.77e-4, 0.0996},
		{60000, 3.35e-4, 0.239},
		{90000, 7.5e-5, 0.366},
	} {
		assert.InEpsilon(t, tc.lr, s.LR.LR(tc.step), 5e-3, "lr at %d", tc.step)
		assert.InEpsilon(t, tc.wd, s.WD.WD(tc.step), 5e-3, "wd at %d", tc.step)
	}
	assert.Equal(t, 0.00020003541666666668, s.LR.LR(1), "bit-exact with the official float64 arithmetic")
	assert.Equal(t, 6.25e-4, s.LR.LR(12000), "cosine starts at ref_lr")
	assert.Equal(t, 1e-6, s.LR.LR(112500))
	assert.InDelta(t, 0.4, s.WD.WD(112500), 1e-15)
	// Past T_max the official cosine rises again (the official loop stops at 90,000 first).
	assert.InDelta(t, s.LR.LR(112500-1000), s.LR.LR(112500+1000), 1e-15)
	assert.InDelta(t, s.WD.WD(112500-1000), s.WD.WD(112500+1000), 1e-15)

	assert.Equal(t, 0.998, s.Momentum.Momentum(0))
	assert.InDelta(t, 0.9996, s.Momentum.Momentum(89999), 1e-7)
	assert.InDelta(t, 1.0, s.Momentum.Momentum(112500), 1e-15)
	assert.Equal(t, s.Momentum.Momentum(112500), s.Momentum.Momentum(500000), "generator end")
	assert.Equal(t, 0.998, s.Momentum.Momentum(-3))
}

func TestScheduleMonotone(t *testing.T) {
	s := officialSchedules(t)
	prevLR, prevWD, prevM := 0.0, 0.0, 0.0
	for step := int64(1); step <= 112500; step += 97 {
		lr, wd, m := s.LR.LR(step), s.WD.WD(step), s.Momentum.Momentum(step-1)
		if step < 12000 {
			assert.Greater(t, lr, prevLR, "warmup at %d", step)
		} else if step > 12000+97 {
			assert.Less(t, lr, prevLR, "cosine at %d", step)
		}
		assert.GreaterOrEqual(t, wd, prevWD, "wd at %d", step)
		assert.Greater(t, m, prevM, "momentum at %d", step)
		prevLR, prevWD, prevM = lr, wd, m
	}
}

// TestScheduleFixture reproduces the lr and weight decay of the official first optimizer
// step recorded in fixtures/small_both/reference.json (ipe 300, 300 epochs, ipe_scale 1.25,
// warmup 40: the official ViT-L schedule at s = 1).
func TestScheduleFixture(t *testing.T) {
	fixtures.Run(t, fixtures.Names, func(t *testing.T, f *fixtures.Fixture) {
		ref := f.Ref.TrainStep
		s := officialSchedules(t)
		assert.InEpsilon(t, ref.LR, s.LR.LR(1), 1e-12)
		assert.InEpsilon(t, ref.WeightDecay, s.WD.WD(1), 1e-12)
		assert.Equal(t, ref.EMA, s.Momentum.Momentum(0))
	})
}
