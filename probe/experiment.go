package probe

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
)

// Experiment is one frozen evaluation: a backbone, a data set and protocol, and the probe
// types to train on the same frozen features.
type Experiment struct {
	// Dataset names the benchmark in the records (k400, ssv2, in1k, synthetic-motion, …).
	Dataset string
	Data    DataSpec
	Model   backbone.Config
	// Checkpoint is the backbone checkpoint; EncoderKey picks target_encoder (the official
	// evaluations' choice) or encoder.
	Checkpoint, EncoderKey string
	// PretrainData and PretrainRun describe where the checkpoint came from (for the tables).
	PretrainData, PretrainRun string
	// Probes are the probe types to train (Attentive, Attentive4, AvgPoolLinear).
	Probes []string
	// CompareRandom also evaluates a random-init backbone of the same size.
	CompareRandom bool
	Heads         []HeadConfig
	Epochs        int
	BatchSize     int
	ClipGrad      float64
	DecayAll      bool
	// OutDir receives the probe checkpoints; RecordsDir the JSON run records.
	OutDir, RecordsDir string
	Resume             bool
	// EvalOnly evaluates a saved probe checkpoint instead of training.
	EvalOnly string
	// Cache, when its Dir is set, keeps the frozen features on disk between runs.
	Cache    FeatureCache
	Workers  int
	Seed     uint64
	Progress io.Writer
}

// Run evaluates the experiment and writes one record per (backbone init, probe type).
func (e *Experiment) Run(ctx context.Context, backend compute.Backend) ([]*Record, error) {
	if err := e.Data.Protocol.Validate(); err != nil {
		return nil, err
	}
	inits := []string{InitPretrained}
	if e.Checkpoint == "" {
		inits = []string{InitRandom}
	} else if e.CompareRandom {
		inits = append(inits, InitRandom)
	}
	trainDS, err := openSplit(e.Data, true)
	if err != nil && e.EvalOnly == "" {
		return nil, err
	}
	valDS, err := openSplit(e.Data, false)
	if err != nil {
		return nil, err
	}
	var records []*Record
	for _, init := range inits {
		start := time.Now()
		params, info, err := e.backboneParams(init)
		if err != nil {
			return nil, err
		}
		enc, err := NewEncoder(backend, e.Model, params)
		if err != nil {
			return nil, err
		}
		val, err := e.features(ctx, enc, valDS, info, "val")
		if err != nil {
			return nil, err
		}
		var train TrainSource
		switch {
		case e.EvalOnly != "":
		case e.Data.Augment:
			// Augmented clips change every epoch: the backbone runs inside the training loop.
			train = &AugmentedSource{Encoder: enc, Data: trainDS, Workers: e.Workers}
		default:
			if train, err = e.features(ctx, enc, trainDS, info, "train"); err != nil {
				return nil, err
			}
		}
		extractTime := time.Since(start)
		for _, kind := range e.Probes {
			t0 := time.Now()
			r, err := e.runProbe(ctx, backend, kind, init, info, train, val)
			if err != nil {
				return nil, fmt.Errorf("%s probe on %s backbone: %w", kind, init, err)
			}
			r.WallTimeS = (time.Since(t0) + extractTime).Seconds()
			if _, err := WriteRecord(e.RecordsDir, r); err != nil {
				return nil, err
			}
			records = append(records, r)
			if e.Progress != nil {
				fmt.Fprintf(e.Progress, "%s / %s backbone / %s probe: top-1 %.2f%%  top-5 %.2f%%\n", e.Dataset, init, kind, r.Top1, r.Top5)
			}
		}
	}
	return records, nil
}

// features extracts (or loads from the cache) the frozen features of one split.
func (e *Experiment) features(ctx context.Context, enc *Encoder, ds datasets.Dataset, info BackboneInfo, split string) (*FeatureSet, error) {
	// The data's fingerprint (where it has one) keeps features of an older version of a data
	// set from being reused.
	var fingerprint string
	if f, ok := ds.(datasets.Fingerprinter); ok {
		fingerprint = f.Fingerprint()
	}
	key := e.Cache.Key(info.Init, info.CheckpointSHA256, info.EncoderKey, e.Seed, e.Model, e.Data, split, ds.Len(), fingerprint)
	if fs, err := e.Cache.Load(key); err != nil || fs != nil {
		if fs != nil && e.Progress != nil {
			fmt.Fprintf(e.Progress, "%s %s features (%s): %d from the cache %s\n", e.Dataset, split, info.Init, fs.Len(), e.Cache.Dir)
		}
		return fs, err
	}
	fs, err := Extract(ctx, enc, ds, e.BatchSize, e.Workers, e.Seed, e.Progress, fmt.Sprintf("%s %s features (%s)", e.Dataset, split, info.Init))
	if err != nil {
		return nil, err
	}
	return fs, e.Cache.Save(key, fs)
}

// Init values of BackboneInfo.
const (
	InitPretrained = "pretrained"
	InitRandom     = "random"
)

func (e *Experiment) backboneParams(init string) (backbone.HostParams, BackboneInfo, error) {
	c := e.Model
	info := BackboneInfo{Model: c.Name, EmbedDim: c.EmbedDim, Depth: c.Depth, PatchSize: c.PatchSize, Tubelet: c.Tubelet, Init: init}
	if init == InitRandom {
		p, err := backbone.InitEncoder(c, rand.New(rand.NewPCG(e.Seed, 0x72616e64)))
		return p, info, err
	}
	ck, hfCfg, err := backbone.OpenParamSource(e.Checkpoint)
	if err != nil {
		return nil, info, err
	}
	defer ck.Close()
	if hfCfg != nil && !c.UseRoPE {
		return nil, info, fmt.Errorf("%s is a V-JEPA 2 (RoPE) model but the evaluation config describes a sin-cos one: set pretrain.use_rope: true", e.Checkpoint)
	}
	key := e.EncoderKey
	if key == "" {
		key = "target_encoder"
	}
	if !ck.Has(key) && key == "target_encoder" && ck.Has("encoder") {
		key = "encoder" // the official loader's fallback
	}
	p, err := ck.ReadParams(key, backbone.EncoderSpecs(c), c, true)
	if err != nil {
		return nil, info, err
	}
	info.Checkpoint, info.EncoderKey = e.Checkpoint, key
	info.PretrainData, info.PretrainRun = e.PretrainData, e.PretrainRun
	if info.CheckpointSHA256, err = fileSHA256(ck.Path()); err != nil { // the weights file of a folder
		return nil, info, err
	}
	return p, info, nil
}

func (e *Experiment) runProbe(ctx context.Context, backend compute.Backend, kind, init string, info BackboneInfo, train TrainSource, val *FeatureSet) (*Record, error) {
	m := Model{Kind: kind, EmbedDim: e.Model.EmbedDim, NumHeads: e.Model.NumHeads, NumClasses: val.NumClasses}
	if e.Data.NumClasses > 0 {
		m.NumClasses = e.Data.NumClasses
	}
	probeInfo := ProbeInfo{Type: kind, Epochs: e.Epochs, BatchSize: e.BatchSize, NumHeads: m.NumHeads,
		Seed: e.Seed, TrainAugmentation: e.Data.Augment && e.EvalOnly == ""}
	if len(e.Heads) > 0 {
		probeInfo.Warmup = e.Heads[0].WarmupEpochs
	}
	var out *Outcome
	if e.EvalOnly != "" {
		ck, err := LoadCheckpoint(e.EvalOnly, m)
		if err != nil {
			return nil, err
		}
		tr, err := NewTrainer(backend, TrainerOptions{Model: m, NumHeads: len(ck.Heads)}, ck.Heads)
		if err != nil {
			return nil, err
		}
		ev, err := evaluate(tr, val, e.BatchSize)
		if err != nil {
			return nil, err
		}
		out = &Outcome{}
		for i := range ev {
			out.Heads = append(out.Heads, HeadResult{Top1: ev[i].top1, Top5: ev[i].top5, Curve: ck.Curves[i]})
		}
		out.Best = bestHead(out.Heads)
		out.PerClassAcc, out.Confusion = ev[out.Best].perClass, ev[out.Best].confusion
		probeInfo.Checkpoint = e.EvalOnly
		train = &FeatureSet{}
	} else {
		ckpt := filepath.Join(e.OutDir, fmt.Sprintf("%s-%s-%s.pth.tar", e.Dataset, init, kind))
		if err := os.MkdirAll(e.OutDir, 0o755); err != nil {
			return nil, err
		}
		var err error
		out, err = TrainAndEvaluate(ctx, backend, train, val, TrainOptions{Model: m, Heads: e.Heads, Epochs: e.Epochs,
			BatchSize: e.BatchSize, ClipGrad: e.ClipGrad, DecayAll: e.DecayAll, Seed: e.Seed,
			CheckpointPath: ckpt, Resume: e.Resume, Progress: e.Progress})
		if err != nil {
			return nil, err
		}
		probeInfo.Checkpoint = ckpt
	}
	proto := e.Data.Protocol
	return NewRecord(e.Dataset, info, proto, probeInfo, train, val, out, 0, backend.Name()), nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
