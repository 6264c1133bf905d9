package probe

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets/synthetic"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
)

//go:embed configs/*.yaml
var builtinConfigs embed.FS

// Benchmarks maps the short data-set names of `task probe DATASET=…` to the official
// evaluation config used for them (ViT-L/16 protocols; pass --config for others).
var Benchmarks = map[string]string{
	"k400": "vitl16_k400_16x8x3",
	"ssv2": "vitl16_ssv2_16x2x3",
	"in1k": "vitl16_in1k",
}

// FashionMNIST is the built-in image set whose files `vjepa data fashion-mnist` makes.
const FashionMNIST = "fashion-mnist"

// isBuiltinConfig reports whether name is a built-in evaluation config ([BuiltinNames]).
func isBuiltinConfig(name string) bool { return slices.Contains(BuiltinNames(), name) }

// isRendered reports whether a data path names a data set datasets/synthetic draws (no
// files): a narrower set than the built-in configs, which include Fashion-MNIST.
func isRendered(path string) bool { return slices.Contains(synthetic.BuiltinNames(), path) }

// BuiltinNames lists the built-in evaluation configs (data sets that need no download, and
// Fashion-MNIST from a Debian package).
func BuiltinNames() []string {
	entries, _ := builtinConfigs.ReadDir("configs")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// LoadEvalConfig resolves a data set name (built-in, k400/ssv2/in1k, or an official preset
// name) or a YAML file to an evaluation config.
func LoadEvalConfig(nameOrPath string) (*officialcfg.EvalConfig, []officialcfg.Warning, error) {
	if strings.HasSuffix(nameOrPath, ".yaml") || strings.ContainsAny(nameOrPath, `/\`) {
		return officialcfg.LoadEval(nameOrPath)
	}
	if data, err := builtinConfigs.ReadFile("configs/" + nameOrPath + ".yaml"); err == nil {
		return officialcfg.ParseEval(nameOrPath, data)
	}
	if preset, ok := Benchmarks[nameOrPath]; ok {
		nameOrPath = preset
	}
	if slices.Contains(officialcfg.EvalPresets(), nameOrPath) {
		return officialcfg.LoadEvalPreset(nameOrPath)
	}
	return nil, nil, fmt.Errorf("unknown data set or config %q (built-in: %s; benchmarks: k400, ssv2, in1k; official: %s)",
		nameOrPath, strings.Join(BuiltinNames(), ", "), strings.Join(officialcfg.EvalPresets(), ", "))
}

// ExperimentFromConfig builds an experiment from an evaluation config. dataDir (if not
// empty) overrides the config's data paths with the standard layout under it:
// <dataDir>/<dataset>/train.csv and val.csv for videos, <dataDir>/<dataset>/{train,val}/ for
// images. The checkpoint is left empty: set it, e.g. from [ConfigCheckpoint], and check the
// data with [Experiment.CheckData].
func ExperimentFromConfig(name string, cfg *officialcfg.EvalConfig, dataDir string) (*Experiment, error) {
	model, err := backbone.FromEvalConfig(cfg)
	if err != nil {
		return nil, err
	}
	pm, err := configProbe(cfg)
	if err != nil {
		return nil, err
	}
	e := &Experiment{Dataset: name, Model: model, ConfigDType: backbone.EvalDType(cfg), EncoderKey: cfg.Pretrain.CheckpointKey,
		Probes: []Kind{pm.Kind}, ConfigProbe: pm,
		Training: Training{Epochs: cfg.Optimization.NumEpochs, BatchSize: cfg.Optimization.BatchSize,
			ClipGrad: 1.0}, // the official evals clip every probe's gradient at 1.0 (clip_grad_norm_)
		Seed: 0}
	for _, h := range cfg.Heads() {
		e.Sweep = append(e.Sweep, HeadConfig{LR: h.LR, StartLR: h.StartLR, FinalLR: h.FinalLR,
			WeightDecay: h.WeightDecay, FinalWD: h.FinalWeightDecay, WarmupEpochs: h.Warmup})
	}
	p := Protocol{FramesPerClip: cfg.Pretrain.FramesPerClip, FrameStep: cfg.FrameStep(), NumSegments: cfg.Data.NumSegments,
		NumViews: cfg.Data.NumViewsPerSegment, Resolution: cfg.Resolution(), AttendAcrossSegments: cfg.Optimization.AttendAcrossSegments}
	spec := DataSpec{NumClasses: cfg.Data.NumClasses, Protocol: p}
	if cfg.IsVideo() {
		if !cfg.Optimization.AttendAcrossSegments && p.NumSegments > 1 {
			return nil, fmt.Errorf("%s: attend_across_segments false is not implemented (all official configs use true)", cfg.File)
		}
		spec.Train, spec.Val = cfg.Data.DatasetTrain, cfg.Data.DatasetVal
		if dataDir != "" {
			spec.Train, spec.Val = filepath.Join(dataDir, name, "train.csv"), filepath.Join(dataDir, name, "val.csv")
		}
	} else {
		spec.Protocol.Image, spec.Protocol.NumSegments, spec.Protocol.NumViews = true, 1, 1
		root := filepath.Join(cfg.Data.RootPath, cfg.Data.ImageFolder)
		if dataDir != "" {
			root = filepath.Join(dataDir, name)
		}
		spec.Train, spec.Val = root, root
	}
	e.Data = spec
	return e, nil
}

// ConfigCheckpoint is the backbone checkpoint the config's pretrain section names.
func ConfigCheckpoint(cfg *officialcfg.EvalConfig) (string, error) {
	path, err := resolveCheckpoint(cfg.Pretrain.Folder, cfg.Pretrain.Checkpoint)
	if err != nil {
		return "", fmt.Errorf("%s: %w", cfg.File, err)
	}
	return path, nil
}

// CheckData explains, when the data is missing, which files were expected and how to get them.
func (e *Experiment) CheckData() error {
	return checkData(e.Dataset, e.Data, !e.Data.Protocol.Image)
}

// ErrNoCheckpoint is returned when the eval config's pretrained checkpoint cannot be found.
var ErrNoCheckpoint = errors.New("no backbone checkpoint")

// resolveCheckpoint finds folder/name; name "latest" means the newest checkpoint of one of
// our pretraining runs in folder.
func resolveCheckpoint(folder, name string) (string, error) {
	if name == "latest" {
		cks, err := backbone.ListCheckpoints(folder)
		if err != nil {
			return "", err
		}
		if len(cks) == 0 {
			return "", fmt.Errorf("%w: no pretraining checkpoint in %s (run `task pretrain` first)", ErrNoCheckpoint, folder)
		}
		return cks[len(cks)-1], nil
	}
	path := filepath.Join(folder, name)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%w: pretrained checkpoint %s not found (e.g. the released vitl16.pth.tar from https://dl.fbaipublicfiles.com/jepa/vitl16/vitl16.pth.tar)", ErrNoCheckpoint, path)
	}
	return path, nil
}

// checkData explains, when the data is missing, which files were expected and how to get them.
func checkData(name string, spec DataSpec, video bool) error {
	if isRendered(spec.Train) {
		return nil
	}
	var missing []string
	for _, p := range []string{spec.Train, spec.Val} {
		if video {
			if _, err := os.Stat(p); err != nil {
				missing = append(missing, p)
			}
		}
	}
	if !video {
		for _, split := range []string{"train", "val"} {
			if _, err := os.Stat(filepath.Join(spec.Train, split)); err != nil {
				missing = append(missing, filepath.Join(spec.Train, split)+"/")
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var how string
	switch {
	case name == FashionMNIST:
		how = "create it with: apt-get install -y dataset-fashion-mnist && vjepa data fashion-mnist --out data/fashion-mnist --limit-per-class 150"
	case video:
		how = "lay out the official video lists: one line per video, \"<path> <label>\" separated by one space, paths absolute or relative to the list file; a data root DIR holds DIR/" + name + "/train.csv and DIR/" + name + "/val.csv (Kinetics-400: 400 classes in the official label order; Something-Something-v2: 174 classes)"
	default:
		how = "lay out an ImageFolder: <root>/train/<class>/*.JPEG and <root>/val/<class>/*.JPEG (class index = sorted folder order); a data root DIR holds DIR/" + name + "/"
	}
	return fmt.Errorf("data for %s not found (missing: %s): %s", name, strings.Join(missing, ", "), how)
}
