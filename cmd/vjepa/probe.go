package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/probe"
)

func runProbe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	dataset := fs.String("dataset", "", "k400, ssv2, in1k, "+strings.Join(probe.BuiltinNames(), ", ")+", or an official eval preset name")
	config := fs.String("config", "", "official frozen-evaluation YAML (default: the one for --dataset)")
	checkpoint := fs.String("checkpoint", "", "backbone checkpoint (default: the config's pretrain folder/checkpoint)")
	encoder := fs.String("encoder", "", "checkpoint key of the backbone: target_encoder (default, as the official evals) or encoder")
	probes := fs.String("probe", "", "probe types, comma-separated: attentive, attentive4, avgpool-linear, knn (training-free k-NN on mean-pooled features) (default: the config's, attentive for V-JEPA and attentive4 for V-JEPA 2 layouts)")
	compare := fs.Bool("compare", false, "also probe a random-init backbone of the same size (and avgpool-linear when not listed): the paper's Table 3 comparison, reported as the paired difference pretrained − random with its 95% confidence interval over --seeds (paired t-test) (default on for the built-in data sets)")
	randomOnly := fs.Bool("random-only", false, "probe only a random-init backbone (no checkpoint needed)")
	epochs := fs.Int("epochs", 0, "override the config's num_epochs")
	batch := fs.Int("batch-size", 0, "override the config's batch_size")
	dataDir := fs.String("data-dir", os.Getenv("VJEPA_DATA"), "root of the real data sets: DIR/<dataset>/{train,val}.csv or DIR/<dataset>/{train,val}/ (default $VJEPA_DATA)")
	out := fs.String("out", "", "folder for probe checkpoints (default runs/probe/<dataset>)")
	records := fs.String("records", filepath.Join("results", "runs"), "folder for the JSON run records")
	resume := fs.Bool("resume", false, "continue probe training from the last epoch checkpoint")
	evalOnly := fs.Bool("eval-only", false, "evaluate a saved probe (--probe-checkpoint) instead of training")
	probeCkpt := fs.String("probe-checkpoint", "", "probe checkpoint for --eval-only (ours, or official k400-probe.pth.tar …)")
	trainSize := fs.Int("train-size", 0, "built-in data sets: number of training clips (default 2000)")
	valSize := fs.Int("val-size", 0, "built-in data sets: number of validation clips (default 500)")
	cacheDir := fs.String("feature-cache", filepath.Join("runs", "features"), "folder keeping frozen features between runs (empty: no cache)")
	workers := fs.Int("workers", 2, "data loading workers")
	seed := fs.Uint64("seed", 0, "first seed of the probe initialisation and training order; for the built-in data sets also of their clips and of a random-init backbone (other data: features fixed, random-init backbone from seed 0); one probe run varies by several points, so use --seeds")
	seeds := fs.Int("seeds", 1, "number of probe seeds (--seed, --seed+1, …): each trains a new probe initialisation on the same cached features (and, for the built-in sets, a new draw of clips); records and summaries give mean ± std over the seeds and, with --compare, the paired pretrained − random difference with its 95% confidence interval (paired t-test)")
	knnK := fs.Int("knn-k", probe.DefaultKNN().K, "knn probe: neighbours that vote")
	knnT := fs.Float64("knn-temperature", probe.DefaultKNN().Temperature, "knn probe: vote weight exp(similarity / T)")
	knnLabels := fs.String("knn-labels", "1,5,10", "knn probe: few-label regimes, labelled training clips per class drawn per seed, comma-separated (empty: all labels only)")
	trainer := fs.String("trainer", "", "who pretrained --checkpoint, for the side-by-side tables: vjepa-go or official (default vjepa-go for the built-in sets)")
	augment := fs.Bool("augment", false, "augment the training clips anew every epoch, as the official evaluations (RandAugment, random resized crop, random erasing; AutoAugment for images): the backbone then runs every epoch and no training features are cached (default on for k400, ssv2, in1k and the official presets; built-in data sets have no training augmentation)")
	var bf backendFlags
	bf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	name := *dataset
	if name == "" && *config == "" {
		return errors.New("--dataset or --config is required")
	}
	src := *config
	if src == "" {
		src = name
	}
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(*config), ".yaml")
	}
	cfg, warnings, err := probe.LoadEvalConfig(src)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "warning: %s\n", w)
	}
	dataRoot := *dataDir
	if slices.Contains(probe.BuiltinNames(), name) || *config != "" {
		dataRoot = "" // built-in and explicit configs use their own data paths
	}
	e, err := probe.ExperimentFromConfig(name, cfg, dataRoot)
	if err != nil {
		return err
	}
	if err := e.CheckData(); err != nil {
		return err
	}
	switch {
	case *randomOnly:
	case *checkpoint != "":
		e.Checkpoint = *checkpoint
	default:
		if e.Checkpoint, err = probe.ConfigCheckpoint(cfg); err != nil {
			return err
		}
	}
	if *encoder != "" {
		e.EncoderKey = *encoder
	}
	if *probes != "" {
		e.Probes = strings.Split(*probes, ",")
	}
	compareSet, augmentSet := false, false
	fs.Visit(func(f *flag.Flag) {
		compareSet = compareSet || f.Name == "compare"
		augmentSet = augmentSet || f.Name == "augment"
	})
	builtin := slices.Contains(datasets.BuiltinNames(), e.Data.Train)
	if !augmentSet {
		// The official protocol for the real benchmarks; the small local sets train on cached
		// features to stay within minutes on a CPU (a documented deviation).
		*augment = !builtin && name != "fashion-mnist"
	}
	if *augment && builtin {
		return fmt.Errorf("--augment: the built-in data set %s has no training augmentation (its clips are rendered, not decoded)", e.Data.Train)
	}
	e.Data.Augment = *augment && !*evalOnly
	if !compareSet && slices.Contains(probe.BuiltinNames(), name) && !*evalOnly && !*randomOnly {
		*compare = true
	}
	if *compare {
		e.CompareRandom = true
		if !slices.Contains(e.Probes, probe.AvgPoolLinear) {
			e.Probes = append(e.Probes, probe.AvgPoolLinear)
		}
	}
	if *epochs > 0 {
		e.Epochs = *epochs
	}
	if *batch > 0 {
		e.BatchSize = *batch
	}
	if *evalOnly {
		if *probeCkpt == "" {
			return errors.New("--eval-only needs --probe-checkpoint")
		}
		e.EvalOnly = *probeCkpt
		e.CompareRandom = false
	}
	e.OutDir = *out
	if e.OutDir == "" {
		e.OutDir = filepath.Join("runs", "probe", name)
	}
	e.RecordsDir, e.Resume, e.Workers, e.Seed, e.Progress = *records, *resume, *workers, *seed, os.Stderr
	e.Cache = probe.FeatureCache{Dir: *cacheDir}
	if *seeds < 1 {
		return fmt.Errorf("--seeds %d: need at least one seed", *seeds)
	}
	e.Seeds = *seeds
	e.KNN = probe.KNNSettings{K: *knnK, Temperature: *knnT}
	if slices.Contains(e.Probes, probe.KNN) {
		if err := e.KNN.Validate(); err != nil {
			return err
		}
		if e.KNNLabelsPerClass, err = parseInts(*knnLabels); err != nil {
			return fmt.Errorf("--knn-labels: %w", err)
		}
	}
	switch *trainer {
	case "", "vjepa-go", "official":
	default:
		return fmt.Errorf("--trainer %q: want vjepa-go or official", *trainer)
	}
	e.Trainer = *trainer
	e.Data.SyntheticTrain, e.Data.SyntheticVal, e.Data.Seed = *trainSize, *valSize, *seed
	if builtin && e.Checkpoint != "" && e.Trainer == "" {
		e.Trainer = "vjepa-go"
	}
	backend, err := bf.open()
	if err != nil {
		return err
	}
	recs, err := e.Run(ctx, backend)
	if err != nil {
		return err
	}
	printProbeSummary(os.Stderr, recs)
	fmt.Fprintf(os.Stderr, "records written to %s (run `vjepa results` to update the tables)\n", *records)
	return nil
}
