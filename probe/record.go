package probe

import (
	"fmt"
	"os"
	"time"
)

// RecordSchema identifies the JSON layout of a [Record].
const RecordSchema = "vjepa-go/probe-run/v1"

// Record is the JSON record of one probe run, written to results/runs/<id>.json. The results
// generator (package results) builds every table from these records.
type Record struct {
	Schema  string    `json:"schema"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`

	// Dataset is k400, ssv2, in1k, synthetic-motion, synthetic-appearance, fashion-mnist, or
	// a user name for another list file / ImageFolder.
	Dataset    string   `json:"dataset"`
	NumClasses int      `json:"num_classes"`
	ClassNames []string `json:"class_names,omitempty"`
	NumTrain   int      `json:"num_train"`
	NumVal     int      `json:"num_val"`

	Backbone BackboneInfo `json:"backbone"`
	Protocol Protocol     `json:"protocol"`
	Probe    ProbeInfo    `json:"probe"`

	// Heads are the probe heads trained together on the same frozen features (a sweep).
	Heads    []HeadResult `json:"heads"`
	BestHead int          `json:"best_head"` // index into Heads, chosen on validation top-1

	// Top1 and Top5 are the best head's validation accuracies in percent; with several seeds,
	// their mean over the seeds (Heads, PerClassAcc and Confusion are then the first seed's).
	Top1 float64 `json:"top1"`
	Top5 float64 `json:"top5"`
	// Seeds are the per-seed results and SeedStats their summary (absent in records written
	// before multi-seed runs: those are one seed, Probe.Seed).
	Seeds     []SeedResult `json:"seeds,omitempty"`
	SeedStats *SeedStats   `json:"seed_stats,omitempty"`
	// VsRandom is the paired difference of this (pretrained) backbone against the random-init
	// backbone probed the same way on the same seeds.
	VsRandom *PairedDifference `json:"vs_random,omitempty"`
	// PerClassAcc (percent) and Confusion ([true][predicted] counts) are for the best head.
	PerClassAcc []float64 `json:"per_class_acc,omitempty"`
	Confusion   [][]int   `json:"confusion,omitempty"`

	WallTimeS float64 `json:"wall_time_s"`
	Backend   string  `json:"backend"` // e.g. "go", "xla:cuda"
	// Precision is the compute type of the encoder's and the probe's matrix products when
	// it was not float32 (--precision float16 or bfloat16; empty: float32).
	Precision string `json:"precision,omitempty"`
	Host      string `json:"host,omitempty"`
}

// NewRecord fills the common fields of a run record.
func NewRecord(dataset string, info BackboneInfo, proto Protocol, probe ProbeInfo, train TrainSource, val *FeatureSet, out *Outcome, wall time.Duration, backend string) *Record {
	r := &Record{Schema: RecordSchema, Created: time.Now().UTC().Truncate(time.Second), Dataset: dataset,
		NumClasses: val.NumClasses, ClassNames: val.ClassNames, NumTrain: train.Len(), NumVal: val.Len(),
		Backbone: info, Protocol: proto, Probe: probe, Heads: out.Heads, BestHead: out.Best,
		Top1: out.Heads[out.Best].Top1, Top5: out.Heads[out.Best].Top5, PerClassAcc: out.PerClassAcc,
		Confusion: out.Confusion, WallTimeS: wall.Seconds(), Backend: backend}
	if h, err := os.Hostname(); err == nil {
		r.Host = h
	}
	r.ID = fmt.Sprintf("%s-%s-%s-%s-%s", r.Created.Format("20060102-150405"), dataset, info.Init, probe.Label(), shortModel(info.Model))
	return r
}

// shortModel is the model part of a record ID: the model name, "model" when there is none.
func shortModel(m string) string {
	if m == "" {
		return "model"
	}
	return m
}

// BackboneInfo says which frozen features were probed.
type BackboneInfo struct {
	Model      string `json:"model"` // vit_large, vit_tiny, custom…
	EmbedDim   int    `json:"embed_dim"`
	Depth      int    `json:"depth"`
	PatchSize  int    `json:"patch_size"`
	Tubelet    int    `json:"tubelet"`
	Checkpoint string `json:"checkpoint,omitempty"` // path as given; empty for random init
	// CheckpointSHA256 is the hex SHA-256 of the checkpoint file.
	CheckpointSHA256 string `json:"checkpoint_sha256,omitempty"`
	EncoderKey       string `json:"encoder_key,omitempty"` // target_encoder or encoder
	// Init is "pretrained" or "random".
	Init string `json:"init"`
	// PretrainData names the pretraining data (e.g. "VideoMix2M", "synthetic-motion+synthetic-appearance").
	PretrainData string `json:"pretrain_data,omitempty"`
	// PretrainRun is the run folder of our own pretraining that produced the checkpoint (holds
	// log.csv and diagnostics.csv), empty for official weights.
	PretrainRun string `json:"pretrain_run,omitempty"`
	// Trainer is who pretrained the checkpoint: "vjepa-go", "official" (the PyTorch
	// reference trainer on the same data and budget), or empty when unknown.
	Trainer string `json:"trainer,omitempty"`
}

// Protocol is the evaluation protocol (frames × segments × views).
type Protocol struct {
	FramesPerClip        int  `json:"frames_per_clip"`
	FrameStep            int  `json:"frame_step"`
	NumSegments          int  `json:"num_segments"`
	NumViews             int  `json:"num_views"`
	Resolution           int  `json:"resolution"`
	AttendAcrossSegments bool `json:"attend_across_segments"`
	// Image is true for image data sets (images repeated along time).
	Image bool `json:"image,omitempty"`
}

// ProbeInfo describes the probe that was trained.
type ProbeInfo struct {
	// Type is "attentive" (V-JEPA, 1 cross-attention block), "attentive4" (V-JEPA 2, 3
	// self-attention blocks + cross-attention), "avgpool-linear" (average pooling + linear) or
	// "knn" (training-free k nearest neighbours on mean-pooled features).
	Type      string  `json:"type"`
	Epochs    int     `json:"epochs"`
	BatchSize int     `json:"batch_size"`
	NumHeads  int     `json:"num_heads"` // attention heads of the probe
	Warmup    float64 `json:"warmup_epochs"`
	// Checkpoint is the saved probe (all heads).
	Checkpoint string `json:"checkpoint,omitempty"`
	// Seed drew the probe initialisation, the training order and (for a random-init
	// backbone) its weights; with the built-in data sets it also selects their clips. With
	// several seeds it is the first; Record.Seeds lists them all.
	Seed uint64 `json:"seed"`
	// LabelsPerClass is the few-label regime of a k-NN evaluation (0: every training label).
	LabelsPerClass int `json:"labels_per_class,omitempty"`
	// KNN holds the k-NN settings when Type is "knn".
	KNN *KNNSettings `json:"knn,omitempty"`
	// TrainAugmentation is true when the training clips were augmented anew every epoch (the
	// official protocol); false when the probe trained on cached features of un-augmented clips.
	TrainAugmentation bool `json:"train_augmentation"`
	// FeaturePasses is the number of augmented passes of the training set the probe trained
	// on from a feature bank (0: augmented and encoded anew every epoch, or no augmentation).
	FeaturePasses int `json:"feature_passes,omitempty"`
}

// HeadResult is one probe head of a sweep.
type HeadResult struct {
	LR          float64      `json:"lr"`
	StartLR     float64      `json:"start_lr"`
	FinalLR     float64      `json:"final_lr"`
	WeightDecay float64      `json:"weight_decay"`
	FinalWD     float64      `json:"final_weight_decay"`
	Top1        float64      `json:"top1"`
	Top5        float64      `json:"top5"`
	Curve       []EpochPoint `json:"curve,omitempty"`
}

// EpochPoint is one epoch of probe training.
type EpochPoint struct {
	Epoch     int     `json:"epoch"`
	TrainLoss float64 `json:"train_loss"`
	TrainTop1 float64 `json:"train_top1"`
	ValTop1   float64 `json:"val_top1"`
}
