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
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
)

// Experiment is one frozen evaluation: a backbone, a data set and protocol, and the probe
// types to train on the same frozen features.
type Experiment struct {
	// Dataset names the benchmark in the records (k400, ssv2, in1k, synthetic-motion, …).
	Dataset string
	Data    DataSpec
	// Model is the frozen backbone; Model.Exec says how its blocks and the probes' are
	// computed (the feature cache keys the precision, not the attention algorithm).
	Model backbone.Config
	// ConfigDType is the eval config's meta.dtype ("" without one): the precision that
	// `--precision auto` picks on a GPU.
	ConfigDType string
	// Checkpoint is the backbone checkpoint; EncoderKey picks target_encoder (the official
	// evaluations' choice) or encoder.
	Checkpoint, EncoderKey string
	// PretrainData and PretrainRun describe where the checkpoint came from (for the tables).
	PretrainData, PretrainRun string
	// Probes are the probe types to train (Attentive, Attentive4, AvgPoolLinear).
	Probes []Kind
	// ConfigProbe is the probe the eval config describes ([ModelFromEvalConfig]): probes of
	// its kind get its heads and depth, other kinds the encoder's heads and their default
	// depth. Zero: every probe is built the latter way.
	ConfigProbe Model
	// CompareRandom also evaluates a random-init backbone of the same size.
	CompareRandom bool
	Training
	// ExtractBatchSize is the number of clips per encoder call when features are extracted
	// (0: Training.BatchSize). The features do not depend on it, so it is chosen to fit
	// memory.
	ExtractBatchSize int
	// OutDir receives the probe checkpoints; RecordsDir the JSON run records.
	OutDir, RecordsDir string
	Resume             bool
	// EvalOnly evaluates a saved probe checkpoint instead of training.
	EvalOnly string
	// Cache, when its Dir is set, keeps the frozen features on disk between runs.
	Cache   FeatureCache
	Workers int
	// Seed is the first probe seed; Seeds (default 1) probes Seed, Seed+1, … on the same
	// frozen features (new clips per seed with the built-in data sets).
	Seed  uint64
	Seeds int
	// KNN configures the "knn" probe type (zero: DINO's k 20, T 0.07); KNNLabelsPerClass
	// lists the few-label regimes evaluated besides all labels (e.g. 1, 5, 10).
	KNN               KNNSettings
	KNNLabelsPerClass []int
	// Trainer names who pretrained the checkpoint ("vjepa-go", or "official" for the
	// PyTorch reference trainer), for the side-by-side tables.
	Trainer  string
	Progress io.Writer

	// Extraction shards the feature extraction, stops after it, or banks augmented passes.
	Extraction Extraction
}

// Run evaluates the experiment over its seeds and writes one record per (backbone init,
// probe type): per-seed results, their mean ± std and, for a pretrained backbone compared
// with a random-init one, the paired difference.
func (e *Experiment) Run(ctx context.Context, backend compute.Backend) ([]*Record, error) {
	if err := e.Data.Protocol.Validate(); err != nil {
		return nil, err
	}
	if e.Extraction.Only {
		return nil, e.extractOnly(ctx, backend)
	}
	seeds := e.seedList()
	if e.EvalOnly != "" && len(seeds) > 1 {
		return nil, fmt.Errorf("evaluating a saved probe takes one seed, not %d", len(seeds))
	}
	inits := []string{InitPretrained}
	if e.Checkpoint == "" {
		inits = []string{InitRandom}
	} else if e.CompareRandom {
		inits = append(inits, InitRandom)
	}
	slots, err := e.slots(inits)
	if err != nil {
		return nil, err
	}
	trials := make([][]trial, len(slots))
	shared := map[string]*sharedFeatures{} // per init: the features of the last seed
	var trainDS, valDS datasets.Dataset
	for _, seed := range seeds {
		fseed := e.featureSeed(seed)
		data := e.Data
		data.Seed = fseed
		if trainDS == nil || e.builtinData() {
			// The built-in sets draw new clips per seed; other data is opened once.
			if trainDS, err = openSplit(data, true); err != nil && e.EvalOnly == "" {
				return nil, err
			}
			if valDS, err = openSplit(data, false); err != nil {
				return nil, err
			}
		}
		for _, init := range inits {
			start := time.Now()
			sf, err := e.sharedFeatures(ctx, backend, shared, init, fseed, data, trainDS, valDS)
			if err != nil {
				return nil, err
			}
			extractTime := time.Since(start)
			for i, sl := range slots {
				if sl.init != init {
					continue
				}
				t0 := time.Now()
				tr, err := e.runTrial(ctx, backend, sl, seed, len(seeds), sf)
				if err != nil {
					return nil, fmt.Errorf("%s probe on %s backbone, seed %d: %w", sl.label(), init, seed, err)
				}
				tr.wall = time.Since(t0) + extractTime
				extractTime = 0
				trials[i] = append(trials[i], *tr)
				if e.Progress != nil {
					fmt.Fprintf(e.Progress, "%s / %s backbone / %s / seed %d: top-1 %.2f%%  top-5 %.2f%%\n", e.Dataset, init,
						sl.label(), seed, tr.out.Heads[tr.out.Best].Top1, tr.out.Heads[tr.out.Best].Top5)
				}
			}
		}
	}
	records, err := e.aggregate(slots, trials, backend.Name())
	if err != nil {
		return nil, err
	}
	for _, r := range records {
		if dt := e.Model.Exec.ComputeDType; dt != dtypes.InvalidDType {
			r.Precision = strings.ToLower(dt.String())
		}
		if _, err := WriteRecord(e.RecordsDir, r); err != nil {
			return nil, err
		}
	}
	return records, nil
}

// features extracts (or loads from the cache) the frozen features of one split. The cache
// key holds what the features depend on (backbone, data, protocol, split and the feature
// seed), never the probe seed.
func (e *Experiment) features(ctx context.Context, enc *Encoder, ds datasets.Dataset, info BackboneInfo, data DataSpec, fseed uint64, split string) (*FeatureSet, error) {
	key := e.featureKey(info, data, fseed, split, ds)
	if fs, err := e.Cache.Load(key); err != nil || fs != nil {
		if fs != nil && e.Progress != nil {
			fmt.Fprintf(e.Progress, "%s %s features (%s): %d from the cache %s\n", e.Dataset, split, info.Init, fs.Len(), e.Cache.Dir)
		}
		return fs, err
	}
	return e.cachedFeatures(ctx, e.extraction(enc, ds, key, fmt.Sprintf("%s %s features (%s)", e.Dataset, split, info.Init), fseed, 0))
}

// featureKey is the cache key of a split's features.
func (e *Experiment) featureKey(info BackboneInfo, data DataSpec, fseed uint64, split string, ds datasets.Dataset) string {
	// The data's fingerprint (where it has one) keeps features of an older version of a data
	// set from being reused.
	var fingerprint string
	if f, ok := ds.(datasets.Fingerprinter); ok {
		fingerprint = f.Fingerprint()
	}
	return e.Cache.Key(info.Init, info.CheckpointSHA256, info.EncoderKey, fseed, featureModel(e.Model), data, split, ds.Len(), fingerprint)
}

// Init values of BackboneInfo: how the probed backbone's weights were made. The one
// definition; results reads them from here.
const (
	InitPretrained = "pretrained" // read from a checkpoint
	InitRandom     = "random"     // the official init of a fresh model
)

// PretrainedEncoder reads the frozen encoder of the experiment's checkpoint, as the probes
// do: the EncoderKey entry (target_encoder by default, falling back to encoder as the
// official loader does), checked against the experiment's model.
func (e *Experiment) PretrainedEncoder() (backbone.HostParams, error) {
	p, _, err := e.backboneParams(InitPretrained, e.Seed)
	return p, err
}

// backboneParams loads the pretrained backbone, or draws a random-init one from seed.
func (e *Experiment) backboneParams(init string, seed uint64) (backbone.HostParams, BackboneInfo, error) {
	c := e.Model
	info := BackboneInfo{Model: c.Name, EmbedDim: c.EmbedDim, Depth: c.Depth, PatchSize: c.PatchSize, Tubelet: c.Tubelet, Init: init,
		Trainer: e.Trainer}
	if init == InitRandom {
		info.Trainer = ""
		p, err := backbone.InitEncoder(c, rand.New(rand.NewPCG(seed, 0x72616e64)))
		return p, info, err
	}
	ck, hfCfg, err := backbone.OpenParamSource(e.Checkpoint)
	if err != nil {
		return nil, info, err
	}
	defer ck.Close()
	if hfCfg != nil && hfCfg.UseRoPE != c.UseRoPE {
		if hfCfg.UseRoPE {
			return nil, info, fmt.Errorf("%s is a V-JEPA 2 (RoPE) model but the evaluation config describes a sin-cos one: set pretrain.use_rope: true", e.Checkpoint)
		}
		return nil, info, fmt.Errorf("%s is a sin-cos (V-JEPA) model but the evaluation config sets pretrain.use_rope: true", e.Checkpoint)
	}
	key := backbone.EncoderKey(ck, e.EncoderKey)
	p, err := ck.ReadParams(key, backbone.EncoderSpecs(c), c, true)
	if err != nil {
		return nil, info, err
	}
	info.Checkpoint, info.EncoderKey = e.Checkpoint, key
	info.PretrainData, info.PretrainRun = e.PretrainData, e.PretrainRun
	if tc, ok := ck.(*backbone.Checkpoint); ok {
		run, described, err := tc.RunInfo()
		if err != nil {
			return nil, info, err
		}
		if described && info.PretrainData == "" {
			// Our own checkpoints name the data they were trained on.
			info.PretrainData = strings.Join(run.Data, "+")
			info.PretrainRun = filepath.Dir(e.Checkpoint)
		}
	}
	if info.CheckpointSHA256, err = fileSHA256(ck.Path()); err != nil { // the weights file of a folder
		return nil, info, err
	}
	return p, info, nil
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

// extractBatch is the number of clips per encoder call of feature extraction.
func (e *Experiment) extractBatch() int {
	if e.ExtractBatchSize > 0 {
		return e.ExtractBatchSize
	}
	return e.BatchSize
}
