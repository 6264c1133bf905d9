package pretrain

import (
	"errors"
	"fmt"
	"math"
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
	LR       LRSchedule
	WD       CosineWDSchedule
	Momentum MomentumSchedule
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
	var lr LRSchedule = WarmupCosineSchedule{
		StartLR: c.StartLR, RefLR: c.RefLR, FinalLR: c.FinalLR,
		WarmupSteps: int64(c.WarmupEpochs * float64(c.IPE)),
		TMax:        total,
	}
	if c.LinearDecay {
		lr = LinearDecaySchedule{RefLR: c.RefLR, FinalLR: c.FinalLR, TMax: total}
	}
	return Schedules{
		LR: lr,
		WD: CosineWDSchedule{RefWD: c.RefWD, FinalWD: c.FinalWD, TMax: total},
		Momentum: MomentumSchedule{
			Start: c.EMA[0], End: c.EMA[1],
			Denominator: float64(c.IPE) * float64(c.Epochs) * c.IPEScale,
		},
	}, nil
}

// LRSchedule gives the learning rate of step s (1-based, as the official schedulers' step()).
type LRSchedule interface {
	LR(s int64) float64
}

// LinearDecaySchedule is V-JEPA 2's cooldown schedule (vjepa2:src/utils/schedulers.py,
// LinearDecaySchedule): RefLR + (s/TMax)·(FinalLR − RefLR), not clamped past TMax.
type LinearDecaySchedule struct {
	RefLR, FinalLR float64
	TMax           int64
}

// LR returns the learning rate of step s.
func (c LinearDecaySchedule) LR(s int64) float64 {
	progress := float64(s) / float64(max(1, c.TMax))
	return c.RefLR + progress*(c.FinalLR-c.RefLR)
}

// WarmupCosineSchedule is the official learning-rate schedule (`jepa:src/utils/schedulers.py`):
// linear warmup from StartLR to RefLR over WarmupSteps, then a cosine from RefLR to FinalLR
// reaching FinalLR at step TMax (the total, warmup included). The result is clamped to
// FinalLR from below but, as in the official code, the cosine rises again past TMax (the
// official run stops at epochs*ipe < TMax).
type WarmupCosineSchedule struct {
	StartLR, RefLR, FinalLR float64
	WarmupSteps             int64
	TMax                    int64
}

// LR returns the learning rate of step s. The official scheduler's step() is called at the
// start of every iteration, so the first iteration (s = 1) uses LR(1), iteration s uses LR(s).
func (c WarmupCosineSchedule) LR(s int64) float64 {
	step := float64(s)
	if s < c.WarmupSteps {
		progress := step / float64(max(1, c.WarmupSteps))
		return c.StartLR + progress*(c.RefLR-c.StartLR)
	}
	progress := (step - float64(c.WarmupSteps)) / float64(max(1, c.TMax-c.WarmupSteps))
	return math.Max(c.FinalLR, c.FinalLR+(c.RefLR-c.FinalLR)*0.5*(1+math.Cos(math.Pi*progress)))
}

// CosineWDSchedule is the official weight-decay schedule: a cosine from RefWD (s = 0) to
// FinalWD (s = TMax), clamped so it never passes FinalWD (past TMax it moves back towards
// RefWD, as the official one does). It applies only to the parameter
// groups without WD_exclude (biases and 1-D parameters keep weight decay 0).
type CosineWDSchedule struct {
	RefWD, FinalWD float64
	TMax           int64
}

// WD returns the weight decay of step s (1-based, like [WarmupCosineSchedule.LR]).
func (c CosineWDSchedule) WD(s int64) float64 {
	progress := float64(s) / float64(max(1, c.TMax))
	wd := c.FinalWD + (c.RefWD-c.FinalWD)*0.5*(1+math.Cos(math.Pi*progress))
	if c.FinalWD <= c.RefWD {
		return math.Max(c.FinalWD, wd)
	}
	return math.Min(c.FinalWD, wd)
}

// MomentumSchedule is the official EMA momentum generator
// m_i = Start + i*(End-Start)/Denominator, i = 0, 1, ..., int(Denominator).
type MomentumSchedule struct {
	Start, End  float64
	Denominator float64 // ipe*epochs*ipe_scale
}

// Momentum returns m_i. The official loop draws one value after every optimizer step, so the
// EMA update of iteration s (1-based) uses Momentum(s-1); a resumed run continues from
// i = start_epoch*ipe. The official generator ends at i = int(Denominator); past it (which
// the official code never reaches) the last value is returned, and i < 0 gives m_0.
func (c MomentumSchedule) Momentum(i int64) float64 {
	last := int64(c.Denominator)
	i = min(max(i, 0), last)
	if c.Denominator <= 0 {
		return c.Start
	}
	return c.Start + float64(i)*(c.End-c.Start)/c.Denominator
}
