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

	"github.com/vjepa-go/vjepa/probe"
	"github.com/vjepa-go/vjepa/results"
)

func runProbe(ctx context.Context, args []string) error {
	fs := newFlagSet("probe", "")
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
	seeds := fs.Int("seeds", 0, "number of probe seeds (--seed, --seed+1, …; default 3 for the built-in data sets, so that their comparison carries an interval, 1 otherwise): each trains a new probe initialisation on the same cached features (and, for the built-in sets, a new draw of clips); records and summaries give mean ± std over the seeds and, with --compare, the paired pretrained − random difference with its 95% confidence interval (paired t-test)")
	knnK := fs.Int("knn-k", probe.DefaultKNN().K, "knn probe: neighbours that vote")
	knnT := fs.Float64("knn-temperature", probe.DefaultKNN().Temperature, "knn probe: vote weight exp(similarity / T)")
	knnLabels := fs.String("knn-labels", "1,5,10", "knn probe: few-label regimes, labelled training clips per class drawn per seed, comma-separated (empty: all labels only)")
	trainer := fs.String("trainer", "", "who pretrained --checkpoint, for the side-by-side tables: vjepa-go or official (default vjepa-go for the built-in sets)")
	augment := fs.Bool("augment", false, "augment the training clips anew every epoch, as the official evaluations (RandAugment, random resized crop, random erasing; AutoAugment for images): the backbone then runs every epoch and no training features are cached (default on for k400, ssv2, in1k and the official presets; built-in data sets have no training augmentation)")
	extractOnly := fs.Bool("extract-only", false, "encode the frozen features into --feature-cache and train no probe (with --shard: only that shard's slice); then run the same command without --extract-only/--shard to train the probes on the cache")
	shard := fs.String("shard", "", "I/N (I from 0 to N-1): with --extract-only, encode only slice I of N of every split, so N processes (one per GPU, on hosts sharing the cache folder) extract together; a killed shard resumes where it stopped")
	featurePasses := fs.Int("feature-passes", 0, "with --augment: extract E augmented passes of the training set once into --feature-cache (a feature bank) and train epoch k on pass k mod E, instead of augmenting and encoding anew every epoch (0); E = epochs gives each clip as many augmented views as the official protocol")
	featureDType := fs.String("feature-dtype", probe.FeatureFloat32, "storage of cached features: float32 or float16 (half the disk)")
	var xf executionFlags
	xf.register(fs)
	bf, err := parseWithBackend(fs, args)
	if err != nil {
		return err
	}
	if err := xf.validate(); err != nil {
		return err
	}
	if *dataset == "" && *config == "" {
		return errors.New("--dataset or --config is required")
	}
	if *evalOnly && *probeCkpt == "" {
		return errors.New("--eval-only needs --probe-checkpoint")
	}
	if *trainer != "" && !slices.Contains(probe.Trainers(), *trainer) {
		return fmt.Errorf("--trainer %q: want %s", *trainer, strings.Join(probe.Trainers(), " or "))
	}
	if *seeds < 0 {
		return fmt.Errorf("--seeds %d: need at least one seed", *seeds)
	}
	req := probe.Request{
		Dataset: *dataset, Config: *config, Checkpoint: *checkpoint, RandomOnly: *randomOnly,
		EncoderKey: *encoder, Trainer: *trainer, Epochs: *epochs, BatchSize: *batch,
		DataDir: *dataDir, TrainSize: *trainSize, ValSize: *valSize, Resume: *resume,
		OutDir: *out, RecordsDir: *records, CacheDir: *cacheDir, Workers: *workers,
		Seed: *seed, Seeds: *seeds, KNN: probe.KNNSettings{K: *knnK, Temperature: *knnT},
		Progress: os.Stderr,
	}
	req.Extraction = probe.Extraction{Only: *extractOnly, FeaturePasses: *featurePasses, DType: *featureDType}
	if *shard != "" {
		if req.Extraction.Shard, err = probe.ParseShard(*shard); err != nil {
			return fmt.Errorf("--shard: %w", err)
		}
	}
	if *probes != "" {
		if req.Probes, err = probe.ParseKinds(*probes); err != nil {
			return fmt.Errorf("--probe: %w", err)
		}
	}
	if *evalOnly {
		req.EvalOnly = *probeCkpt
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "compare":
			req.Compare = compare
		case "augment":
			req.Augment = augment
		}
	})
	if req.KNNLabelsPerClass, err = parseInts(*knnLabels); err != nil {
		return fmt.Errorf("--knn-labels: %w", err)
	}
	return runExperiment(ctx, bf, xf, req)
}

// runExperiment resolves and runs the probe experiment req asks for, its blocks computed as
// xf says, then prints its summary and copies what the results need next to the records.
func runExperiment(ctx context.Context, bf *backendFlags, xf executionFlags, req probe.Request) error {
	e, warnings, err := probe.NewExperiment(req)
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "warning: %s\n", w)
	}
	switch {
	case errors.Is(err, probe.ErrNoCheckpoint):
		return fmt.Errorf("%w: pass --checkpoint FILE, or --random-only", err)
	case err != nil:
		return err
	}
	backend, err := bf.open()
	if err != nil {
		return err
	}
	// The encoder and the probes compute their blocks as the flags say; the feature cache
	// keeps features of each precision apart (see probe.Experiment.Model).
	if e.Model.Exec, err = xf.execution(backend, e.ConfigDType); err != nil {
		return err
	}
	if err := planProbeExtraction(e, backend); err != nil {
		return err
	}
	recs, err := e.Run(ctx, backend)
	if err != nil {
		return err
	}
	if req.Extraction.Only {
		fmt.Fprintf(os.Stderr, "features extracted into %s; run the command without --extract-only/--shard to train the probes\n", req.CacheDir)
		return nil
	}
	printProbeSummary(os.Stderr, recs)
	// What the results' figures need from the local pretraining run goes next to the records.
	copied, err := results.SavePretrainLogs(filepath.Dir(req.RecordsDir), recs)
	if err != nil {
		return err
	}
	for _, c := range copied {
		fmt.Fprintf(os.Stderr, "copied %s (commit it with the records)\n", c)
	}
	fmt.Fprintf(os.Stderr, "records written to %s (run `vjepa results` to update the tables)\n", req.RecordsDir)
	return nil
}
