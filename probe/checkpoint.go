package probe

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/npy"
	"github.com/vjepa-go/vjepa/internal/torchckpt"
)

// Checkpoint is a saved probe: every head's parameters, and for resuming the AdamW moments,
// the step and epoch counts and the curves so far.
type Checkpoint struct {
	Heads   []backbone.HostParams
	Moments []map[string][2][]float32
	Step    int64
	Epoch   int
	Curves  [][]EpochPoint
}

// unusedKey reports parameters of official probe checkpoints that the official forward never
// uses (the V-JEPA cross-attention's output projection).
func unusedKey(name string) bool {
	return strings.HasPrefix(name, "pooler.cross_attention_block.xattn.proj.")
}

func classifierDict(p backbone.HostParams, specs []backbone.ParamSpec) *torchckpt.OrderedDict {
	d := torchckpt.NewOrderedDict()
	for _, s := range specs {
		d.Set("module."+s.Name, npy.NewFloat32(s.Shape, p[s.Name]))
	}
	return d
}

// saveTrainer writes the trainer's heads in the official probe layout (key "classifiers",
// one state dict per head as the V-JEPA 2 evals save them, and "classifier" with the first
// head for V-JEPA loaders), plus the resume state under "vjepa_go".
func saveTrainer(path string, tr *Trainer, out *Outcome, epoch int) error {
	specs := tr.opts.Model.Specs()
	var heads, opts []any
	for i := 0; i < tr.SweepSize(); i++ {
		heads = append(heads, classifierDict(tr.Params(i), specs))
		mom := tr.Moments(i)
		m, v := torchckpt.NewOrderedDict(), torchckpt.NewOrderedDict()
		for _, s := range specs {
			m.Set(s.Name, npy.NewFloat32(s.Shape, mom[s.Name][0]))
			v.Set(s.Name, npy.NewFloat32(s.Shape, mom[s.Name][1]))
		}
		o := torchckpt.NewDict()
		o.Set("exp_avg", m)
		o.Set("exp_avg_sq", v)
		opts = append(opts, o)
	}
	curves := make([][]EpochPoint, len(out.Heads))
	for i, h := range out.Heads {
		curves[i] = h.Curve
	}
	curvesJSON, err := json.Marshal(curves)
	if err != nil {
		return err
	}
	meta := torchckpt.NewDict()
	meta.Set("step", tr.StepCount())
	meta.Set("kind", string(tr.opts.Model.Kind))
	meta.Set("curves", string(curvesJSON))
	top := torchckpt.NewDict()
	top.Set("classifiers", &torchckpt.List{Items: heads})
	top.Set("classifier", heads[0])
	top.Set("opt", &torchckpt.List{Items: opts})
	top.Set("epoch", int64(epoch))
	top.Set("world_size", int64(1))
	top.Set("vjepa_go", meta)
	if err := torchckpt.Write(path, top); err != nil {
		return fmt.Errorf("save probe checkpoint: %w", err)
	}
	return nil
}

// resumeTrainer restores the heads, AdamW moments, step count and curves of
// opts.CheckpointPath into tr and out when opts.Resume is set and the file exists, and
// returns the number of epochs it holds (0 otherwise).
func resumeTrainer(opts TrainOptions, tr *Trainer, out *Outcome) (int, error) {
	if !opts.Resume || opts.CheckpointPath == "" {
		return 0, nil
	}
	if _, err := os.Stat(opts.CheckpointPath); err != nil {
		return 0, nil // nothing saved yet: a fresh start
	}
	ck, err := LoadCheckpoint(opts.CheckpointPath, opts.Model)
	if err != nil {
		return 0, err
	}
	if len(ck.Heads) != len(opts.Sweep) {
		return 0, fmt.Errorf("%s holds %d heads, the run has %d", opts.CheckpointPath, len(ck.Heads), len(opts.Sweep))
	}
	for i := range ck.Heads {
		if err := tr.SetState(i, ck.Heads[i], ck.Moments[i], ck.Step); err != nil {
			return 0, fmt.Errorf("%s: head %d: %w", opts.CheckpointPath, i, err)
		}
		out.Heads[i].Curve = ck.Curves[i]
	}
	fmt.Fprintf(progressOr(opts.Progress), "resuming probe from %s (epoch %d)\n", opts.CheckpointPath, ck.Epoch)
	return ck.Epoch, nil
}

// checkpointDepth is the pooler depth of a probe's parameters: one more than the number of
// self-attention blocks pooler.blocks.<i>.
func checkpointDepth(p backbone.HostParams) int {
	blocks := map[string]bool{}
	for name := range p {
		if rest, ok := strings.CutPrefix(name, "pooler.blocks."); ok {
			i, _, _ := strings.Cut(rest, ".")
			blocks[i] = true
		}
	}
	return len(blocks) + 1
}

// LoadCheckpoint reads a probe checkpoint: ours, an official V-JEPA probe (key "classifier",
// e.g. k400-probe.pth.tar) or a V-JEPA 2 one (key "classifiers"). Names are matched after
// removing "module."; the unused xattn.proj tensors of V-JEPA probes are ignored.
func LoadCheckpoint(path string, m Model) (*Checkpoint, error) {
	f, err := torchckpt.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var keys []string
	if v, err := f.Lookup("classifiers"); err == nil {
		if l, ok := v.(*torchckpt.List); ok {
			for i := range l.Items {
				keys = append(keys, fmt.Sprintf("classifiers[%d]", i))
			}
		}
	}
	if len(keys) == 0 {
		keys = []string{"classifier"}
	}
	ck := &Checkpoint{}
	specs := m.Specs()
	for i, key := range keys {
		sd, err := f.StateDict(key)
		if err != nil {
			return nil, fmt.Errorf("%s: no probe found (want key classifier or classifiers): %w", path, err)
		}
		p := backbone.HostParams{}
		for _, name := range sd.Names() {
			bare := strings.TrimPrefix(name, "module.")
			if unusedKey(bare) {
				continue
			}
			v, _, err := sd.Read(name)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", path, name, err)
			}
			p[bare] = v
		}
		if d := checkpointDepth(p); m.Kind.traits().pooler && d != m.depth() {
			return nil, fmt.Errorf("%s: %s holds a probe of depth %d (%d self-attention blocks), the config describes depth %d (probe type %s; V-JEPA 2 probes set experiment.classifier.num_probe_blocks)",
				path, key, d, d-1, m.depth(), m.Kind)
		}
		if err := p.CheckAgainst(specs); err != nil {
			return nil, fmt.Errorf("%s: %s: %w (probe type %s, embed dim %d, %d classes)", path, key, err, m.Kind, m.EmbedDim, m.NumClasses)
		}
		ck.Heads = append(ck.Heads, p)
		mom := map[string][2][]float32{}
		for _, s := range specs {
			mv, _ := f.StateDict(fmt.Sprintf("opt[%d]/exp_avg", i))
			vv, _ := f.StateDict(fmt.Sprintf("opt[%d]/exp_avg_sq", i))
			if mv == nil || vv == nil {
				break
			}
			a, _, err1 := mv.Read(s.Name)
			b, _, err2 := vv.Read(s.Name)
			if err1 == nil && err2 == nil {
				mom[s.Name] = [2][]float32{a, b}
			}
		}
		ck.Moments = append(ck.Moments, mom)
	}
	if e, err := f.Int("epoch"); err == nil {
		ck.Epoch = int(e)
	}
	if s, err := f.Int("vjepa_go/step"); err == nil {
		ck.Step = s
	}
	ck.Curves = make([][]EpochPoint, len(ck.Heads))
	if v, err := f.Lookup("vjepa_go/curves"); err == nil {
		if s, ok := v.(string); ok {
			_ = json.Unmarshal([]byte(s), &ck.Curves)
		}
	}
	if len(ck.Curves) != len(ck.Heads) {
		ck.Curves = make([][]EpochPoint, len(ck.Heads))
	}
	return ck, nil
}
