package officialcfg

import (
	"fmt"
	"os"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"
)

// PretrainConfig is a V-JEPA pretraining configuration (jepa:configs/pretrain/*.yaml), with
// the defaults app/vjepa/train.py applies to absent keys. Keys the official script reads
// without a default (it would receive None) are left at their zero value.
type PretrainConfig struct {
	File string         // path the configuration was loaded from
	Raw  map[string]any // the whole document, untyped (including keys not decoded here)

	App          string // "app": module under app/ to run ("vjepa")
	Nodes        int    // "nodes": SLURM nodes
	TasksPerNode int    // "tasks_per_node": GPUs per node

	Meta         PretrainMeta
	Mask         []MaskConfig // "mask": one entry per mask configuration (and mask token)
	Arch         PretrainModel
	Data         PretrainData
	DataAug      PretrainDataAug
	Loss         PretrainLoss
	Optimization PretrainOptimization
	Logging      PretrainLogging

	// Source is the file's text as read, kept so that checkpoints can carry the exact
	// configuration they were trained with.
	Source []byte

	pos Positions
}

// PretrainMeta is the "meta" section.
type PretrainMeta struct {
	LoadCheckpoint bool   // load_checkpoint
	ReadCheckpoint string // read_checkpoint ("" = none)
	Seed           int    // seed (default 0)
	EvalFreq       int    // eval_freq (present in the configs, not read by train.py)
	UseSDPA        bool   // use_sdpa (default false)
	Dtype          string // dtype: "bfloat16", "float16", anything else means float32
	SaveEveryFreq  int    // save_every_freq (default -1: never)
	SkipBatches    int    // skip_batches (default -1)
}

// MaskConfig is one entry of the "mask" list (jepa:src/masks/multiblock3d.py; Ratio is
// read only by the random-tube collator).
type MaskConfig struct {
	AspectRatio     [2]float64 // aspect_ratio range
	NumBlocks       int        // num_blocks: blocks per sample
	SpatialScale    [2]float64 // spatial_scale: fraction of the H×W plane per block
	TemporalScale   [2]float64 // temporal_scale: fraction of the time axis per block
	MaxTemporalKeep float64    // max_temporal_keep (default 1.0)
	MaxKeep         *int       // max_keep (nil = no limit)
	FullComplement  bool       // full_complement (V-JEPA 2): targets = every token not in the context
	Ratio           float64    // ratio: masking ratio of the random-tube collator
}

// PretrainModel is the "model" section. EmbedDim, Depth, NumHeads, MLPRatio and PredNumHeads
// are project extensions describing a custom size; the official files do not set them.
type PretrainModel struct {
	ModelName          string // model_name: vit_large, vit_huge, ...
	PredDepth          int    // pred_depth
	PredEmbedDim       int    // pred_embed_dim
	UniformPower       bool   // uniform_power (default true)
	UseMaskTokens      bool   // use_mask_tokens (default true)
	ZeroInitMaskTokens bool   // zero_init_mask_tokens (default true)
	UseRoPE            bool   // use_rope (V-JEPA 2; default false)

	EmbedDim     int     // embed_dim (extension; 0 = from model_name)
	Depth        int     // depth (extension)
	NumHeads     int     // num_heads (extension)
	MLPRatio     float64 // mlp_ratio (extension)
	PredNumHeads int     // pred_num_heads (extension; 0 = encoder heads, the V-JEPA rule)
	// UseActivationCheckpointing (use_activation_checkpointing, the V-JEPA 2 configs' key)
	// recomputes each transformer block's activations in the backward pass to save memory.
	UseActivationCheckpointing bool
}

// PretrainData is the "data" section. Datasets may hold file paths or the names of
// built-in datasets (e.g. "synthetic-motion"); they are kept as written.
type PretrainData struct {
	DatasetType            string    // dataset_type (default "videodataset")
	MaskType               string    // mask_type (default "multiblock3d")
	Datasets               []string  // datasets
	DatasetsWeights        []float64 // datasets_weights (nil = unweighted concatenation)
	DecodeOneClip          bool      // decode_one_clip (default true)
	BatchSize              int       // batch_size (per GPU)
	NumClips               int       // num_clips
	NumFrames              int       // num_frames
	DatasetFPCs            []int     // dataset_fpcs: V-JEPA 2's frames per clip of each dataset (replaces num_frames)
	TubeletSize            int       // tubelet_size
	SamplingRate           int       // sampling_rate: frame step
	FPS                    int       // fps: V-JEPA 2's sampling rate in frames per second (replaces sampling_rate; 0 = unset)
	CropSize               int       // crop_size (default 224)
	PatchSize              int       // patch_size
	PinMem                 bool      // pin_mem (default false)
	NumWorkers             int       // num_workers (default 1)
	FilterShortVideos      bool      // filter_short_videos (default false)
	ClipDuration           *float64  // clip_duration in seconds (nil = use sampling_rate)
	LogResourceUtilization bool      // log_resource_utilization (default false)
}

// Frames is the clip length: num_frames, or the longest of V-JEPA 2's dataset_fpcs.
func (d PretrainData) Frames() int {
	if len(d.DatasetFPCs) == 0 {
		return d.NumFrames
	}
	return slices.Max(d.DatasetFPCs)
}

// PretrainDataAug is the "data_aug" section.
type PretrainDataAug struct {
	AutoAugment             bool       // auto_augment (default false)
	MotionShift             bool       // motion_shift (default false)
	RandomResizeAspectRatio [2]float64 // random_resize_aspect_ratio (default [3/4, 4/3])
	RandomResizeScale       [2]float64 // random_resize_scale (default [0.3, 1.0])
	Reprob                  float64    // reprob: random-erasing probability (default 0)
}

// PretrainLoss is the "loss" section.
type PretrainLoss struct {
	LossExp  float64 // loss_exp: exponent of the per-element |prediction - target|
	RegCoeff float64 // reg_coeff: weight of the variance regulariser
}

// PretrainOptimization is the "optimization" section.
type PretrainOptimization struct {
	IPE              int        // ipe: iterations per epoch (0 = the loader length, official None)
	IPEScale         float64    // ipe_scale: schedule stretch (default 1.0)
	ClipGrad         *float64   // clip_grad (nil = no clipping)
	WeightDecay      float64    // weight_decay
	FinalWeightDecay float64    // final_weight_decay
	Epochs           int        // epochs
	Warmup           float64    // warmup, in epochs
	StartLR          float64    // start_lr
	LR               float64    // lr
	FinalLR          float64    // final_lr
	EMA              [2]float64 // ema: momentum start and end
	Betas            [2]float64 // betas (default [0.9, 0.999])
	Eps              float64    // eps (default 1e-8)
	// V-JEPA 2 cooldown ("annealing"): start from AnnealCkpt's weights and optimiser state with
	// fresh schedules, the lr decaying linearly from lr to final_lr (vjepa2:app/vjepa/train.py).
	IsAnneal     bool   // is_anneal (default false)
	AnnealCkpt   string // anneal_ckpt
	ResumeAnneal bool   // resume_anneal: resume from the run's own latest checkpoint when there is one
	// AccumSteps (accum_steps, a project extension; default 1) accumulates the gradients of
	// that many loader batches of data.batch_size clips before each optimiser step, so the
	// effective batch is accum_steps·batch_size; ipe and the schedules count optimiser steps.
	AccumSteps int
}

// PretrainLogging is the "logging" section.
type PretrainLogging struct {
	Folder   string // folder for logs and checkpoints
	WriteTag string // write_tag: checkpoint file prefix
}

// defaultPretrain returns the defaults of app/vjepa/train.py.
func defaultPretrain() PretrainConfig {
	return PretrainConfig{
		Meta:    PretrainMeta{SaveEveryFreq: -1, SkipBatches: -1},
		Arch:    PretrainModel{UniformPower: true, UseMaskTokens: true, ZeroInitMaskTokens: true},
		Data:    PretrainData{DatasetType: "videodataset", MaskType: "multiblock3d", DecodeOneClip: true, CropSize: 224, NumWorkers: 1},
		DataAug: PretrainDataAug{RandomResizeAspectRatio: [2]float64{3.0 / 4, 4.0 / 3}, RandomResizeScale: [2]float64{0.3, 1.0}},
		Optimization: PretrainOptimization{
			IPEScale: 1.0, Betas: [2]float64{0.9, 0.999}, Eps: 1e-8, AccumSteps: 1,
		},
	}
}

// LoadPretrain reads a pretraining configuration file. Unknown keys (and numbers that the
// official PyYAML loader would read as strings) are reported as warnings; values of the
// wrong type, a missing file or invalid YAML are errors naming the file and line.
func LoadPretrain(path string) (*PretrainConfig, []Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read config: %w", err)
	}
	return ParsePretrain(path, data)
}

// ParsePretrain reads a pretraining configuration from data (e.g. an embedded file), named
// name in messages.
func ParsePretrain(name string, data []byte) (*PretrainConfig, []Warning, error) {
	top, raw, err := parseBytes(name, data)
	if err != nil {
		return nil, nil, err
	}
	c, warnings, err := decodePretrain(name, top, raw)
	if c != nil {
		c.Source = slices.Clone(data)
	}
	return c, warnings, err
}

func decodePretrain(path string, top *yaml.Node, raw map[string]any) (*PretrainConfig, []Warning, error) {
	d := newDecoder(path)
	c := defaultPretrain()
	c.File, c.Raw = path, raw
	c.pos = Positions{file: path, lines: d.lines}

	root := d.mapping("", top)
	root.read(fields{
		{"app", &c.App},
		{"nodes", &c.Nodes},
		{"tasks_per_node", &c.TasksPerNode},
	})
	if s := root.sub("meta"); s != nil {
		decodePretrainMeta(s, &c.Meta)
	}
	if items, full := root.seq("mask", "a list of mask configurations"); items != nil {
		c.Mask = make([]MaskConfig, 0, len(items))
		for i, item := range items {
			var mc MaskConfig
			mc.MaxTemporalKeep = 1.0
			if s := d.asMapping(item, joinKey(full, strconv.Itoa(i))); s != nil {
				decodeMask(s, &mc)
			}
			c.Mask = append(c.Mask, mc)
		}
	}
	if s := root.sub("model"); s != nil {
		decodePretrainModel(s, &c.Arch)
	}
	if s := root.sub("data"); s != nil {
		decodePretrainData(s, &c.Data)
	}
	if s := root.sub("data_aug"); s != nil {
		s.read(fields{
			{"auto_augment", &c.DataAug.AutoAugment},
			{"motion_shift", &c.DataAug.MotionShift},
			{"random_resize_aspect_ratio", &c.DataAug.RandomResizeAspectRatio},
			{"random_resize_scale", &c.DataAug.RandomResizeScale},
			{"reprob", &c.DataAug.Reprob},
		})
		s.finish()
	}
	if s := root.sub("loss"); s != nil {
		s.read(fields{
			{"loss_exp", &c.Loss.LossExp},
			{"reg_coeff", &c.Loss.RegCoeff},
		})
		s.finish()
	}
	if s := root.sub("optimization"); s != nil {
		decodePretrainOptimization(s, &c.Optimization)
	}
	if s := root.sub("logging"); s != nil {
		s.read(fields{
			{"folder", &c.Logging.Folder},
			{"write_tag", &c.Logging.WriteTag},
		})
		s.finish()
	}
	root.finish()

	warnings, err := d.result()
	if err != nil {
		return nil, warnings, err
	}
	return &c, warnings, nil
}

func decodePretrainMeta(s *mapping, m *PretrainMeta) {
	s.read(fields{
		{"load_checkpoint", &m.LoadCheckpoint},
		{"read_checkpoint", &m.ReadCheckpoint},
		{"seed", &m.Seed},
		{"eval_freq", &m.EvalFreq},
		{"use_sdpa", &m.UseSDPA},
		{"dtype", &m.Dtype},
		{"save_every_freq", &m.SaveEveryFreq},
		{"skip_batches", &m.SkipBatches},
	})
	s.finish()
}

func decodeMask(s *mapping, m *MaskConfig) {
	s.read(fields{
		{"aspect_ratio", &m.AspectRatio},
		{"num_blocks", &m.NumBlocks},
		{"spatial_scale", &m.SpatialScale},
		{"temporal_scale", &m.TemporalScale},
		{"max_temporal_keep", &m.MaxTemporalKeep},
		{"max_keep", &m.MaxKeep},
		{"full_complement", &m.FullComplement},
		{"ratio", &m.Ratio},
	})
	s.finish()
}

func decodePretrainModel(s *mapping, m *PretrainModel) {
	s.read(fields{
		{"model_name", &m.ModelName},
		{"pred_depth", &m.PredDepth},
		{"pred_embed_dim", &m.PredEmbedDim},
		{"uniform_power", &m.UniformPower},
		{"use_mask_tokens", &m.UseMaskTokens},
		{"zero_init_mask_tokens", &m.ZeroInitMaskTokens},
		{"use_rope", &m.UseRoPE},
		{"embed_dim", &m.EmbedDim},
		{"depth", &m.Depth},
		{"num_heads", &m.NumHeads},
		{"mlp_ratio", &m.MLPRatio},
		{"pred_num_heads", &m.PredNumHeads},
		{"use_activation_checkpointing", &m.UseActivationCheckpointing},
	})
	s.finish()
}

func decodePretrainData(s *mapping, m *PretrainData) {
	s.read(fields{
		{"dataset_type", &m.DatasetType},
		{"mask_type", &m.MaskType},
		{"datasets", &m.Datasets},
		{"datasets_weights", &m.DatasetsWeights},
		{"decode_one_clip", &m.DecodeOneClip},
		{"batch_size", &m.BatchSize},
		{"num_clips", &m.NumClips},
		{"num_frames", &m.NumFrames},
		{"dataset_fpcs", &m.DatasetFPCs},
		{"tubelet_size", &m.TubeletSize},
		{"sampling_rate", &m.SamplingRate},
		{"fps", &m.FPS},
		{"crop_size", &m.CropSize},
		{"patch_size", &m.PatchSize},
		{"pin_mem", &m.PinMem},
		{"num_workers", &m.NumWorkers},
		{"filter_short_videos", &m.FilterShortVideos},
		{"clip_duration", &m.ClipDuration},
		{"log_resource_utilization", &m.LogResourceUtilization},
	})
	s.finish()
}

func decodePretrainOptimization(s *mapping, m *PretrainOptimization) {
	s.read(fields{
		{"ipe", &m.IPE},
		{"ipe_scale", &m.IPEScale},
		{"clip_grad", &m.ClipGrad},
		{"weight_decay", &m.WeightDecay},
		{"final_weight_decay", &m.FinalWeightDecay},
		{"epochs", &m.Epochs},
		{"warmup", &m.Warmup},
		{"start_lr", &m.StartLR},
		{"lr", &m.LR},
		{"final_lr", &m.FinalLR},
		{"ema", &m.EMA},
		{"betas", &m.Betas},
		{"is_anneal", &m.IsAnneal},
		{"anneal_ckpt", &m.AnnealCkpt},
		{"resume_anneal", &m.ResumeAnneal},
		{"eps", &m.Eps},
		{"accum_steps", &m.AccumSteps},
	})
	s.finish()
}

// Positions returns where each key of the file is, for errors that name "file:line".
func (c *PretrainConfig) Positions() Positions { return c.pos }
