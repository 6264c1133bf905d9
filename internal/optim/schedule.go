package optim

import "math"

// The schedules both training loops share. Pretraining builds them from the official
// optimisation keys (pretrain.NewSchedules); the probes build one per head.

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
