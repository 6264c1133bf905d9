package pretrain

import (
	"fmt"
	"os"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/optim"
	"github.com/vjepa-go/vjepa/internal/torchckpt"
)

// keyPrefix is the prefix the official DDP(MultiMaskWrapper(...)) modules give every key.
const keyPrefix = "module.backbone."

// RunPosition is where a run stands, saved in every checkpoint under the extra key "vjepa_go"
// (the official code ignores unknown keys).
type RunPosition struct {
	Step        int64          // optimiser steps taken
	Loader      datasets.State // position of the next batch
	Epoch       int            // epochs finished (the official "epoch" key)
	LastLoss    float64
	ConfigName  string
	ConfigText  string   // the pretraining YAML as read (carried by every checkpoint)
	Data        []string // the data sets trained on, as the YAML names them
	Seed        uint64
	BatchSize   int
	LR          float64 // reference lr of the config (the official "lr" key)
	SkipSamples int64   // samples replaced after a decode failure so far
}

// optimizerOrder lists the AdamW parameters in the official optimiser's order: the decayed
// encoder parameters, the decayed predictor parameters, the excluded encoder parameters, the
// excluded predictor parameters, each in state-dict order (jepa:app/vjepa/utils.py init_opt).
// Frozen sin-cos tables take an index but never get state, as in the official optimiser.
func optimizerOrder(c backbone.Config) (groups [4][]string) {
	for gi, model := range []struct {
		prefix string
		specs  []backbone.ParamSpec
	}{{"encoder/", backbone.EncoderSpecs(c)}, {"predictor/", backbone.PredictorSpecs(c)}} {
		for _, s := range model.specs {
			g := gi
			if !Decayed(s) {
				g += 2
			}
			groups[g] = append(groups[g], model.prefix+s.Name)
		}
	}
	return groups
}

func stateDict(params backbone.HostParams, specs []backbone.ParamSpec) *torchckpt.OrderedDict {
	d := torchckpt.NewOrderedDict()
	for _, s := range specs {
		d.Set(keyPrefix+s.Name, npy.NewFloat32(s.Shape, params[s.Name]))
	}
	return d
}

// SaveCheckpoint writes st and p to path in the official training-checkpoint format
// (torch.save zip: encoder, predictor, opt, scaler, target_encoder, epoch, loss, batch_size,
// world_size, lr), atomically. PyTorch users can load it with the official code and resume
// training from it; our own resume reads the extra "vjepa_go" entry.
func SaveCheckpoint(path string, c backbone.Config, st *State, p RunPosition, hp HParams) error {
	encSpecs, predSpecs := backbone.EncoderSpecs(c), backbone.PredictorSpecs(c)
	shapes := map[string][]int{}
	for _, s := range encSpecs {
		shapes["encoder/"+s.Name] = s.Shape
	}
	for _, s := range predSpecs {
		shapes["predictor/"+s.Name] = s.Shape
	}
	state := torchckpt.NewDict()
	var groupList []any
	idx := 0
	for gi, names := range optimizerOrder(c) {
		var ids []any
		for _, n := range names {
			ids = append(ids, int64(idx))
			if mv, ok := st.Moments[n]; ok {
				ps := torchckpt.NewDict()
				ps.Set("step", npy.NewFloat32([]int{}, []float32{float32(st.Step)}))
				ps.Set("exp_avg", npy.NewFloat32(shapes[n], mv[0]))
				ps.Set("exp_avg_sq", npy.NewFloat32(shapes[n], mv[1]))
				state.Set(int64(idx), ps)
			}
			idx++
		}
		g := torchckpt.NewDict()
		wd := hp.WeightDecay
		if gi >= 2 {
			wd = 0
		}
		g.Set("lr", hp.LR)
		g.Set("betas", torchckpt.Tuple{optim.Beta1, optim.Beta2})
		g.Set("eps", optim.Eps)
		g.Set("weight_decay", wd)
		g.Set("amsgrad", false)
		g.Set("foreach", nil)
		g.Set("maximize", false)
		g.Set("capturable", false)
		if gi >= 2 {
			g.Set("WD_exclude", true)
		}
		g.Set("params", &torchckpt.List{Items: ids})
		groupList = append(groupList, g)
	}
	opt := torchckpt.NewDict()
	opt.Set("state", state)
	opt.Set("param_groups", &torchckpt.List{Items: groupList})

	meta := torchckpt.NewDict()
	meta.Set("step", p.Step)
	meta.Set("loader_epoch", int64(p.Loader.Epoch))
	meta.Set("loader_step", int64(p.Loader.Step))
	meta.Set("seed", int64(p.Seed))
	meta.Set("skipped_samples", p.SkipSamples)
	info := backbone.RunInfo{Model: c, ConfigName: p.ConfigName, ConfigSource: p.ConfigText, Data: p.Data}
	if err := info.Set(meta); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}

	top := torchckpt.NewDict()
	top.Set("encoder", stateDict(st.Encoder, encSpecs))
	top.Set("predictor", stateDict(st.Predictor, predSpecs))
	top.Set("opt", opt)
	top.Set("scaler", nil)
	top.Set("target_encoder", stateDict(st.Target, encSpecs))
	top.Set("epoch", int64(p.Epoch))
	top.Set("loss", p.LastLoss)
	top.Set("batch_size", int64(p.BatchSize))
	top.Set("world_size", int64(1))
	top.Set("lr", p.LR)
	top.Set("vjepa_go", meta)
	if err := torchckpt.Write(path, top); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

// LoadCheckpoint reads a training checkpoint (ours or an official one) into a State. For
// official checkpoints without the "vjepa_go" entry the step is taken from the optimiser state
// and the loader position from "epoch".
func LoadCheckpoint(path string, c backbone.Config) (*State, RunPosition, error) {
	ck, err := backbone.OpenCheckpoint(path)
	if err != nil {
		return nil, RunPosition{}, err
	}
	defer ck.Close()
	st := &State{Moments: map[string][2][]float32{}}
	if st.Encoder, err = ck.ReadParams("encoder", backbone.EncoderSpecs(c), c, false); err != nil {
		return nil, RunPosition{}, err
	}
	if st.Predictor, err = ck.ReadParams("predictor", backbone.PredictorSpecs(c), c, false); err != nil {
		return nil, RunPosition{}, err
	}
	if st.Target, err = ck.ReadParams("target_encoder", backbone.EncoderSpecs(c), c, false); err != nil {
		return nil, RunPosition{}, err
	}
	f := ck.File()
	var p RunPosition
	if epoch, err := f.Int("epoch"); err == nil {
		p.Epoch = int(epoch)
	}
	if loss, err := f.Scalar("loss"); err == nil {
		p.LastLoss = loss
	}
	if opt, err := f.Optimizer("opt"); err == nil {
		order := optimizerOrder(c)
		var flat []string
		for _, g := range order {
			flat = append(flat, g...)
		}
		for i, ps := range opt.Params {
			if i < 0 || i >= len(flat) {
				return nil, RunPosition{}, fmt.Errorf("%s: optimizer state for parameter %d, but the model has %d", path, i, len(flat))
			}
			m, mok := ps.Tensors["exp_avg"]
			v, vok := ps.Tensors["exp_avg_sq"]
			if !mok || !vok {
				return nil, RunPosition{}, fmt.Errorf("%s: optimizer state of %s lacks exp_avg/exp_avg_sq", path, flat[i])
			}
			mv, err := f.ReadFloat32(m)
			if err != nil {
				return nil, RunPosition{}, err
			}
			vv, err := f.ReadFloat32(v)
			if err != nil {
				return nil, RunPosition{}, err
			}
			st.Moments[flat[i]] = [2][]float32{mv, vv}
			st.Step = max(st.Step, int64(ps.Step))
		}
	}
	if _, err := f.Lookup("vjepa_go"); err == nil {
		get := func(k string) int64 { v, _ := f.Int("vjepa_go/" + k); return v }
		p.Step = get("step")
		p.Loader = datasets.State{Epoch: int(get("loader_epoch")), Step: int(get("loader_step"))}
		p.Seed = uint64(get("seed"))
		p.SkipSamples = get("skipped_samples")
		info, ok, err := ck.RunInfo()
		if err != nil {
			return nil, RunPosition{}, err
		}
		if ok {
			p.ConfigName, p.ConfigText, p.Data = info.ConfigName, info.ConfigSource, info.Data
		} else if v, err := f.Lookup("vjepa_go/config"); err == nil {
			p.ConfigName, _ = v.(string) // written before checkpoints described their run
		}
		if st.Step == 0 {
			st.Step = p.Step
		}
		// Otherwise keep the optimiser's own count: after a V-JEPA 2 cooldown (is_anneal) the
		// run position restarts at 0 while AdamW continues from the annealed checkpoint.
	} else {
		p.Step = st.Step
	}
	return st, p, nil
}

// pruneCheckpoints keeps the newest keep checkpoints of dir (keep ≤ 0 keeps all).
func pruneCheckpoints(dir string, keep int) error {
	if keep <= 0 {
		return nil
	}
	cks, err := backbone.ListCheckpoints(dir)
	if err != nil {
		return err
	}
	for i := 0; i < len(cks)-keep; i++ {
		if err := os.Remove(cks[i]); err != nil {
			return err
		}
	}
	return nil
}
