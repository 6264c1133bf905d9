package pretrain

import (
	"errors"
	"fmt"
	"math"

	"github.com/vjepa-go/vjepa/internal/optim"
)

// ScheduleConfig holds the optimisation keys of the official pretraining config that the
// schedules are built from (`jepa:configs/pretrain/*.yaml`, `optimization:` section).
type ScheduleConfig struct {
	IPE          int     // iterations per epoch (ipe)
	Epochs       int     // epochs
	IPEScale     float64 // ipe_scale: the schedules run over ipe_scale*epochs*ipe steps
	WarmupEpochs float64 // warmup, in epochs
	StartLR      float64 // start_lr
	RefLR        float64 // lr
	FinalLR      float64 // final_lr
	RefWD        float64 // weight_decay
	FinalWD      float64 // final_weight_decay
	EMA          [2]float64
	// LinearDecay selects V-JEPA 2's cooldown lr schedule (optimization.is_anneal): a linear
	// decay from lr to final_lr over the T_max steps, no warmup.
	LinearDecay bool
}

// OfficialScheduleConfig returns the values shared by all released V-JEPA configs
// (vitl16, vith16, vith16_384): 300 epochs of 300 iterations, ipe_scale 1.25, 40 warmup
// epochs, lr 2e-4 -> 6.25e-4 -> 1e-6, weight decay 0.04 -> 0.4, EMA 0.998 -> 1.0.
func OfficialScheduleConfig() ScheduleConfig {
	return ScheduleConfig{
		IPE: 300, Epochs: 300, IPEScale: 1.25, WarmupEpochs: 40,
		StartLR: 2e-4, RefLR: 6.25e-4, FinalLR: 1e-6,
		RefWD: 0.04, FinalWD: 0.4,
		EMA: [2]float64{0.998, 1.0},
	}
}

// Schedules bundles the learning-rate, weight-decay and EMA-momentum schedules of one run.
type Schedules struct {
	LR       optim.LRSchedule
	WD       optim.CosineWDSchedule
	Momentum optim.MomentumSchedule
}

// NewSchedules builds the three schedules exactly as `jepa:app/vjepa/train.py` and
// `jepa:app/vjepa/utils.py` (init_opt) do: warmup = int(warmup*ipe) steps and
// T_max = int(ipe_scale*epochs*ipe) steps for both cosine schedules, and the momentum
// denominator ipe*epochs*ipe_scale (not truncated).
func NewSchedules(c ScheduleConfig) (Schedules, error) {
	if c.IPE < 1 || c.Epochs < 1 {
		return Schedules{}, fmt.Errorf("schedules: ipe %d, epochs %d: both must be >= 1", c.IPE, c.Epochs)
	}
	if !(c.IPEScale > 0) || c.WarmupEpochs < 0 || math.IsNaN(c.WarmupEpochs) {
		return Schedules{}, fmt.Errorf("schedules: ipe_scale %g, warmup %g: want ipe_scale > 0, warmup >= 0",
			c.IPEScale, c.WarmupEpochs)
	}
	total := int64(c.IPEScale * float64(c.Epochs) * float64(c.IPE))
	if total < 1 {
		return Schedules{}, errors.New("schedules: ipe_scale*epochs*ipe rounds to 0 steps")
	}
	var lr optim.LRSchedule = optim.WarmupCosineSchedule{
		StartLR: c.StartLR, RefLR: c.RefLR, FinalLR: c.FinalLR,
		WarmupSteps: int64(c.WarmupEpochs * float64(c.IPE)),
		TMax:        total,
	}
	if c.LinearDecay {
		lr = optim.LinearDecaySchedule{RefLR: c.RefLR, FinalLR: c.FinalLR, TMax: total}
	}
	return Schedules{
		LR: lr,
		WD: optim.CosineWDSchedule{RefWD: c.RefWD, FinalWD: c.FinalWD, TMax: total},
		Momentum: optim.MomentumSchedule{
			Start: c.EMA[0], End: c.EMA[1],
			Denominator: float64(c.IPE) * float64(c.Epochs) * c.IPEScale,
		},
	}, nil
}
