package pretrain

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// v2ScheduleConfig is configs/train/vitl16/pretrain-256px-16f.yaml of V-JEPA 2: lr equal to
// final_lr (constant after warm-up) and a constant EMA.
func v2ScheduleConfig() ScheduleConfig {
	return ScheduleConfig{IPE: 300, Epochs: 10, IPEScale: 1.25, WarmupEpochs: 40, StartLR: 1e-4, RefLR: 5.25e-4,
		FinalLR: 5.25e-4, RefWD: 0.04, FinalWD: 0.04, EMA: [2]float64{0.99925, 0.99925}}
}

func TestV2Schedules(t *testing.T) {
	s, err := NewSchedules(v2ScheduleConfig())
	require.NoError(t, err)
	assert.InDelta(t, 1e-4+(5.25e-4-1e-4)/12000, s.LR.LR(1), 1e-15, "warm-up from start_lr")
	for _, step := range []int64{12000, 12001, 20000, 3750, 100000} {
		if step >= 12000 {
			assert.InDelta(t, 5.25e-4, s.LR.LR(step), 1e-15, "constant after warm-up, step %d", step)
		}
		assert.Equal(t, 0.99925, s.Momentum.Momentum(step))
		assert.Equal(t, 0.04, s.WD.WD(step))
	}

	// Cooldown (cooldown-256px-64f.yaml): is_anneal, 40 epochs, lr 5.25e-4 -> 1e-6 linearly.
	c := v2ScheduleConfig()
	c.Epochs, c.WarmupEpochs, c.FinalLR, c.LinearDecay = 40, 0, 1e-6, true
	s, err = NewSchedules(c)
	require.NoError(t, err)
	total := int64(1.25 * 40 * 300)
	assert.InDelta(t, 5.25e-4+(1e-6-5.25e-4)/float64(total), s.LR.LR(1), 1e-15)
	assert.InDelta(t, (5.25e-4+1e-6)/2, s.LR.LR(total/2), 1e-12)
	assert.InDelta(t, 1e-6, s.LR.LR(total), 1e-15)
}
