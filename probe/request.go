package probe

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vjepa-go/vjepa/internal/officialcfg"
)

// Request is what a user asks of one frozen evaluation, field for field the options of
// `vjepa probe`. Zero values select the protocol's defaults; [NewExperiment] owns those
// rules, so every front end (the CLI, a notebook, a test) gets the same experiment.
type Request struct {
	Dataset string // data set or preset name (k400, ssv2, in1k, a built-in set, an eval preset)
	Config  string // eval YAML or preset; default: the one for Dataset

	Checkpoint string // backbone weights; default: the config's pretrain folder/checkpoint
	RandomOnly bool   // probe only a random-init backbone (no checkpoint)
	EncoderKey string // target_encoder (default, as the official evals) or encoder
	Trainer    string // who pretrained Checkpoint: "vjepa-go" (default for built-in sets) or "official"

	Probes  []Kind // probe types; default: the config's (attentive / attentive4)
	Compare *bool  // also probe a random-init backbone; default on for the built-in sets
	Augment *bool  // official training augmentation; default on for k400, ssv2, in1k and presets

	Epochs, BatchSize int    // overrides of the config's values (0 keeps them)
	DataDir           string // root of the real data sets: DIR/<dataset>/…
	TrainSize         int    // built-in sets: training clips (0: the set's default)
	ValSize           int    // built-in sets: validation clips

	EvalOnly string // evaluate this saved probe checkpoint instead of training
	Resume   bool

	OutDir     string // probe checkpoints; default runs/probe/<dataset>
	RecordsDir string // JSON run records
	CacheDir   string // frozen features kept between runs ("" = no cache)
	// Extraction shards the feature extraction (--shard), stops after it (--extract-only)
	// or banks augmented training passes (--feature-passes, --feature-dtype).
	Extraction Extraction
	Workers    int

	Seed              uint64
	Seeds             int // default: BuiltinSeeds for the built-in sets, 1 otherwise
	KNN               KNNSettings
	KNNLabelsPerClass []int

	Progress io.Writer
}

// BuiltinSeeds is the default number of seeds on the built-in data sets: one probe run there
// moves by several points with its seed, so a comparison needs an interval, and three seeds
// of the built-in protocol fit the main job's 15 minutes on 2 cores.
const BuiltinSeeds = 3

// Who can have pretrained a probed checkpoint (BackboneInfo.Trainer): the one definition;
// results reads them from here.
const (
	TrainerOurs     = "vjepa-go" // this project's pretraining
	TrainerOfficial = "official" // the PyTorch reference trainer
)

// Trainers lists the trainer names.
func Trainers() []string { return []string{TrainerOurs, TrainerOfficial} }

// EncoderKeys are the checkpoint keys a probe can read the backbone from: the EMA target
// encoder (the official evaluations' default) or the context encoder.
func EncoderKeys() []string { return []string{"target_encoder", "encoder"} }

// Validate checks the values of r that name something (probe types, encoder key, trainer)
// and its counts, before any work; each error is one line listing the valid values.
func (r Request) Validate() error {
	for _, k := range r.Probes {
		if _, err := ParseKind(string(k)); err != nil {
			return err
		}
	}
	if r.EncoderKey != "" && !slices.Contains(EncoderKeys(), r.EncoderKey) {
		return fmt.Errorf("unknown encoder key %q (valid: %s)", r.EncoderKey, strings.Join(EncoderKeys(), ", "))
	}
	if r.Trainer != "" && !slices.Contains(Trainers(), r.Trainer) {
		return fmt.Errorf("trainer %q: want %s", r.Trainer, strings.Join(Trainers(), " or "))
	}
	if r.Seeds < 0 {
		return fmt.Errorf("seeds %d: need at least one seed", r.Seeds)
	}
	return nil
}

// NewExperiment resolves r into an experiment: it loads the eval config, lays out the data,
// finds the checkpoint and applies the protocol's defaults (augmentation for the real
// benchmarks, the random-init comparison and the average-pooling baseline for the built-in
// sets). The warnings are the config's unknown keys.
func NewExperiment(r Request) (*Experiment, []officialcfg.Warning, error) {
	if err := r.Validate(); err != nil {
		return nil, nil, err
	}
	e, cfg, warnings, err := r.loadConfig()
	if err != nil {
		return nil, warnings, err
	}
	builtinName := isBuiltinConfig(e.Dataset)
	if err := r.resolveBackbone(e, cfg); err != nil {
		return nil, warnings, err
	}
	if err := r.resolveProtocol(e, builtinName); err != nil {
		return nil, warnings, err
	}
	if err := r.resolveRun(e, builtinName); err != nil {
		return nil, warnings, err
	}
	return e, warnings, nil
}

// loadConfig loads the eval config r names and lays out its data.
func (r Request) loadConfig() (*Experiment, *officialcfg.EvalConfig, []officialcfg.Warning, error) {
	name := r.Dataset
	if name == "" && r.Config == "" {
		return nil, nil, nil, errors.New("a data set or an eval config is required")
	}
	src := r.Config
	if src == "" {
		src = name
	}
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(r.Config), ".yaml")
	}
	cfg, warnings, err := LoadEvalConfig(src)
	if err != nil {
		return nil, nil, nil, err
	}
	dataRoot := r.DataDir
	if isBuiltinConfig(name) || r.Config != "" {
		dataRoot = "" // built-in and explicit configs use their own data paths
	}
	e, err := ExperimentFromConfig(name, cfg, dataRoot)
	if err != nil {
		return nil, nil, warnings, err
	}
	if err := e.CheckData(); err != nil {
		return nil, nil, warnings, err
	}
	return e, cfg, warnings, nil
}

// resolveBackbone sets the checkpoint, its encoder key and the probe types.
func (r Request) resolveBackbone(e *Experiment, cfg *officialcfg.EvalConfig) error {
	switch {
	case r.RandomOnly:
	case r.Checkpoint != "":
		e.Checkpoint = r.Checkpoint
	default:
		var err error
		if e.Checkpoint, err = ConfigCheckpoint(cfg); err != nil {
			return err
		}
	}
	if r.EncoderKey != "" {
		e.EncoderKey = r.EncoderKey
	}
	if len(r.Probes) > 0 {
		e.Probes = r.Probes
	}
	return nil
}

// resolveProtocol applies the protocol's defaults: augmentation, the random-init comparison
// with its average-pooling baseline, epochs and batch size, a saved probe's evaluation.
func (r Request) resolveProtocol(e *Experiment, builtinName bool) error {
	// The official protocol for the real benchmarks; the small local sets train on cached
	// features to stay within minutes on a CPU (a documented deviation).
	renderedData := isRendered(e.Data.Train)
	augment := !renderedData && !builtinName // the built-in sets (Fashion-MNIST too) train on cached features
	if r.Augment != nil {
		augment = *r.Augment
	}
	if augment && renderedData {
		return fmt.Errorf("augment: the built-in data set %s has no training augmentation (its clips are rendered, not decoded)", e.Data.Train)
	}
	e.Data.Augment = augment && r.EvalOnly == ""

	compare := builtinName && r.EvalOnly == "" && !r.RandomOnly
	if r.Compare != nil {
		compare = *r.Compare
	}
	if compare {
		e.CompareRandom = true
		if !slices.Contains(e.Probes, AvgPoolLinear) {
			e.Probes = append(e.Probes, AvgPoolLinear)
		}
	}
	if r.Epochs > 0 {
		e.Epochs = r.Epochs
	}
	if r.BatchSize > 0 {
		e.BatchSize = r.BatchSize
	}
	if r.EvalOnly != "" {
		e.EvalOnly = r.EvalOnly
		e.CompareRandom = false
	}
	return nil
}

// resolveRun sets the run's folders, seeds, k-NN settings and trainer name.
func (r Request) resolveRun(e *Experiment, builtinName bool) error {
	e.OutDir = r.OutDir
	if e.OutDir == "" {
		e.OutDir = filepath.Join("runs", "probe", e.Dataset)
	}
	e.RecordsDir, e.Resume, e.Workers, e.Seed, e.Progress = r.RecordsDir, r.Resume, r.Workers, r.Seed, r.Progress
	e.Cache = FeatureCache{Dir: r.CacheDir}
	switch {
	case r.Seeds > 0:
		e.Seeds = r.Seeds
	case builtinName && r.EvalOnly == "":
		e.Seeds = BuiltinSeeds
	default:
		e.Seeds = 1
	}
	e.KNN = r.KNN
	if slices.Contains(e.Probes, KNN) {
		if e.KNN == (KNNSettings{}) {
			e.KNN = DefaultKNN()
		}
		if err := e.KNN.Validate(); err != nil {
			return err
		}
		e.KNNLabelsPerClass = r.KNNLabelsPerClass
	}
	e.Trainer = r.Trainer
	e.Data.SyntheticTrain, e.Data.SyntheticVal, e.Data.Seed = r.TrainSize, r.ValSize, r.Seed
	if isRendered(e.Data.Train) && e.Checkpoint != "" && e.Trainer == "" {
		e.Trainer = TrainerOurs
	}
	if err := r.Extraction.Validate(e.Cache.Dir, e.Data.Augment); err != nil {
		return err
	}
	e.Extraction = r.Extraction
	return nil
}
