package officialcfg

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Names of the official frozen evaluations (the "eval_name" key).
const (
	VideoEval = "video_classification_frozen"
	ImageEval = "image_classification_frozen"
)

// EvalConfig is a frozen-evaluation configuration, with the defaults of the official
// evals/video_classification_frozen/eval.py or evals/image_classification_frozen/eval.py,
// depending on EvalName. Two layouts are read (see [EvalConfig.Layout]):
//
//   - V-JEPA (jepa:configs/evals/*.yaml): sections pretrain, data and optimization. Two
//     official quirks are kept: the video eval reads frame_step and clip_duration from the
//     "pretrain" section (so "data: frame_step" is ignored; see [EvalConfig.FrameStep]), and
//     the two evals read the resolution from different sections (see [EvalConfig.Resolution]).
//   - V-JEPA 2 (vjepa2:configs/eval/*/*.yaml): sections experiment.{classifier, data,
//     optimization} and model_kwargs.{checkpoint, module_name, pretrain_kwargs.encoder,
//     wrapper_kwargs}. Its evals read frames, frame step, clip duration and resolution from
//     experiment.data; the decoder copies them into Pretrain.FramesPerClip, Pretrain.FrameStep,
//     Pretrain.ClipDuration and Optimization.Resolution, so the accessors and [EvalConfig.Model]
//     give the effective values for both layouts. The encoder keys
//     (model_kwargs.pretrain_kwargs.encoder) fill Pretrain, model_kwargs.checkpoint fills
//     Pretrain.Checkpoint, and segments always attend to each other (AttendAcrossSegments).
type EvalConfig struct {
	File string         // path the configuration was loaded from
	Raw  map[string]any // the whole document, untyped

	EvalName         string // eval_name: VideoEval or ImageEval
	Tag              string // tag: sub-folder of the eval outputs
	ResumeCheckpoint bool   // resume_checkpoint (default false)
	Nodes            int    // nodes
	TasksPerNode     int    // tasks_per_node

	// Layout is LayoutVJEPA or LayoutVJEPA2: which generation's file layout was read.
	Layout int
	// Launch holds the V-JEPA 2 launcher and loader settings (cluster resources, output
	// folder); zero for the V-JEPA layout.
	Launch EvalLaunch
	// Classifier is the V-JEPA 2 "experiment.classifier" section. The V-JEPA layout has none:
	// its probe is always one cross-attention block with the encoder's head count, which
	// Classifier then records (NumProbeBlocks 1, NumHeads 0 = the encoder's).
	Classifier EvalClassifier
	// Wrapper is the V-JEPA 2 "model_kwargs" module and "wrapper_kwargs" (how the encoder
	// output is assembled for the probe); zero for the V-JEPA layout.
	Wrapper EvalWrapper

	Pretrain     EvalPretrain
	Data         EvalData
	Optimization EvalOptimization

	pos Positions
}

// EvalPretrain is the "pretrain" section: the frozen encoder and where its checkpoint is.
// EmbedDim, Depth, NumHeads and MLPRatio are project extensions for custom sizes.
type EvalPretrain struct {
	ModelName     string   // model_name
	CheckpointKey string   // checkpoint_key (default "target_encoder")
	ClipDuration  *float64 // clip_duration (video eval; nil = use the frame step)
	FramesPerClip int      // frames_per_clip: frames the encoder is built for (default 1)
	TubeletSize   int      // tubelet_size (default 2)
	UniformPower  bool     // uniform_power (default false!)
	UseRoPE       bool     // use_rope (V-JEPA 2; default false)
	UseSDPA       bool     // use_sdpa (default true)
	UseSiLU       bool     // use_silu (default false)
	TightSiLU     bool     // tight_silu (default true)
	PatchSize     int      // patch_size (no default in the official code)
	Folder        string   // folder holding the pretrained checkpoint
	Checkpoint    string   // checkpoint: file name inside Folder
	WriteTag      string   // write_tag
	// FrameStep is "pretrain: frame_step" (default 4), the value the official video eval
	// actually samples clips with.
	FrameStep int

	EmbedDim int     // embed_dim (extension)
	Depth    int     // depth (extension)
	NumHeads int     // num_heads (extension)
	MLPRatio float64 // mlp_ratio (extension)

	// ImgTemporalDimSize is V-JEPA 2's img_temporal_dim_size (nil in every official config).
	ImgTemporalDimSize *int
}

// File layouts of [EvalConfig.Layout].
const (
	LayoutVJEPA  = 1 // jepa: pretrain, data, optimization
	LayoutVJEPA2 = 2 // vjepa2: experiment.{classifier, data, optimization}, model_kwargs
)

// EvalLaunch holds the V-JEPA 2 top-level settings read by the launcher (evals/main*.py)
// and the data loaders; they do not change the result.
type EvalLaunch struct {
	Folder      string // folder: where the eval writes its logs and latest.pt
	CPUsPerTask int    // cpus_per_task
	MemPerGPU   string // mem_per_gpu
	NumWorkers  int    // num_workers (data-loader processes, default 12)
	MaxWorkers  int    // max_workers
	ValOnly     bool   // val_only: evaluate the saved probe, no training
}

// EvalClassifier is the attentive probe's structure.
type EvalClassifier struct {
	NumHeads       int // num_heads (V-JEPA 2 default 16; 0 in the V-JEPA layout = the encoder's)
	NumProbeBlocks int // num_probe_blocks (default 1): depth−1 self-attention blocks, then the cross-attention
}

// EvalWrapper is how V-JEPA 2 wraps the encoder for the probe.
type EvalWrapper struct {
	ModuleName        string // model_kwargs.module_name, e.g. evals.video_classification_frozen.modelcustom.vit_encoder_multiclip
	MaxFrames         int    // wrapper_kwargs.max_frames (default 128)
	UsePosEmbed       bool   // wrapper_kwargs.use_pos_embed: 1-D temporal sin-cos added to the tokens (false in every official config)
	OutLayers         []int  // wrapper_kwargs.out_layers: encoder blocks whose outputs are concatenated along the tokens (multilevel)
	ImgAsVideoNFrames int    // wrapper_kwargs.img_as_video_nframes: frames an image is repeated to (image eval)
}

// EvalData is the "data" section.
type EvalData struct {
	DatasetTrain       string // dataset_train (video)
	DatasetVal         string // dataset_val (video)
	DatasetType        string // dataset_type (default "VideoDataset")
	DatasetName        string // dataset_name (image: ImageNet, Places205, iNat21)
	NumClasses         int    // num_classes
	FramesPerClip      int    // frames_per_clip (default 16)
	NumSegments        int    // num_segments: clips per video (default 1)
	NumViewsPerSegment int    // num_views_per_segment: spatial views (default 1)
	// FrameStep is "data: frame_step" as written. The official video eval never reads it;
	// use [EvalConfig.FrameStep] for the effective value.
	FrameStep   int
	Resolution  int    // resolution: read by the image eval only (default 224)
	RootPath    string // root_path (image)
	ImageFolder string // image_folder (image)
}

// EvalOptimization is the "optimization" section.
type EvalOptimization struct {
	AttendAcrossSegments bool    // attend_across_segments (default false)
	NumEpochs            int     // num_epochs
	Resolution           int     // resolution: read by the video eval only (default 224)
	BatchSize            int     // batch_size (per GPU)
	WeightDecay          float64 // weight_decay
	LR                   float64 // lr
	StartLR              float64 // start_lr
	Warmup               float64 // warmup, in epochs
	UseBfloat16          bool    // use_bfloat16 (the official autocast dtype is float16)
	FinalLR              float64 // final_lr
	// FinalWeightDecay is not read by the V-JEPA evals, whose weight-decay schedule always
	// ends at 1e-6 (the default kept here); setting it is a project extension.
	FinalWeightDecay float64
	// MultiHead holds the V-JEPA 2 style "multihead_kwargs" list: one probe per entry.
	MultiHead []HeadOptimization
	// UsePosEmbed is V-JEPA 2's experiment.optimization.use_pos_embed, which the evals never
	// read (wrapper_kwargs.use_pos_embed is the effective one).
	UsePosEmbed bool
}

// HeadOptimization is the optimizer schedule of one probe head.
type HeadOptimization struct {
	LR               float64 // lr
	StartLR          float64 // start_lr
	FinalLR          float64 // final_lr
	WeightDecay      float64 // weight_decay
	FinalWeightDecay float64 // final_weight_decay
	Warmup           float64 // warmup, in epochs
}

// defaultEvalFinalWD is the final weight decay hard-coded in the official evals' init_opt.
const defaultEvalFinalWD = 1e-6

func defaultEval() EvalConfig {
	return EvalConfig{
		Pretrain: EvalPretrain{CheckpointKey: "target_encoder", FramesPerClip: 1, TubeletSize: 2,
			UseSDPA: true, TightSiLU: true, FrameStep: 4},
		Data:         EvalData{DatasetType: "VideoDataset", FramesPerClip: 16, NumSegments: 1, NumViewsPerSegment: 1, Resolution: 224},
		Optimization: EvalOptimization{Resolution: 224, FinalWeightDecay: defaultEvalFinalWD},
		Layout:       LayoutVJEPA,
		Classifier:   EvalClassifier{NumProbeBlocks: 1},
	}
}

// IsVideo reports whether the configuration is for the video classification eval.
func (c *EvalConfig) IsVideo() bool { return c.EvalName == VideoEval }

// FrameStep is the frame step the official video eval samples clips with: the value of
// "pretrain: frame_step" (default 4). "data: frame_step", present in the official files,
// is ignored by eval.py.
func (c *EvalConfig) FrameStep() int { return c.Pretrain.FrameStep }

// ClipDuration is the effective clip duration of the video eval ("pretrain: clip_duration").
func (c *EvalConfig) ClipDuration() *float64 { return c.Pretrain.ClipDuration }

// Resolution is the input side the eval uses: "optimization: resolution" for the video
// eval, "data: resolution" for the image eval (both default 224).
func (c *EvalConfig) Resolution() int {
	if c.IsVideo() {
		return c.Optimization.Resolution
	}
	return c.Data.Resolution
}

// Heads returns the optimizer settings of every probe to train: the multihead_kwargs
// entries when present, otherwise the single probe of the optimization section.
func (c *EvalConfig) Heads() []HeadOptimization {
	if len(c.Optimization.MultiHead) > 0 {
		return append([]HeadOptimization(nil), c.Optimization.MultiHead...)
	}
	o := c.Optimization
	return []HeadOptimization{{LR: o.LR, StartLR: o.StartLR, FinalLR: o.FinalLR,
		WeightDecay: o.WeightDecay, FinalWeightDecay: o.FinalWeightDecay, Warmup: o.Warmup}}
}

// LoadEval reads a frozen-evaluation configuration file. Unknown keys, and settings the
// official eval would silently ignore with a different value than the effective one, are
// reported as warnings; values of the wrong type, an eval_name other than [VideoEval] or
// [ImageEval], a missing file or invalid YAML are errors naming the file and line.
func LoadEval(path string) (*EvalConfig, []Warning, error) {
	top, raw, err := parseFile(path)
	if err != nil {
		return nil, nil, err
	}
	return decodeEval(path, top, raw)
}

// ParseEval reads a frozen-evaluation configuration from data (e.g. an embedded file), named
// name in messages.
func ParseEval(name string, data []byte) (*EvalConfig, []Warning, error) {
	top, raw, err := parseBytes(name, data)
	if err != nil {
		return nil, nil, err
	}
	return decodeEval(name, top, raw)
}

func decodeEval(path string, top *yaml.Node, raw map[string]any) (*EvalConfig, []Warning, error) {
	d := newDecoder(path)
	c := defaultEval()
	c.File, c.Raw = path, raw
	c.pos = Positions{file: path, lines: d.lines}

	root := d.mapping("", top)
	root.read(fields{
		{"eval_name", &c.EvalName},
		{"tag", &c.Tag},
		{"resume_checkpoint", &c.ResumeCheckpoint},
		{"nodes", &c.Nodes},
		{"tasks_per_node", &c.TasksPerNode},
	})
	if root.has("experiment") || root.has("model_kwargs") {
		decodeEvalV2(root, &c)
	} else {
		if s := root.sub("pretrain"); s != nil {
			decodeEvalPretrain(s, &c.Pretrain)
		}
		if s := root.sub("data"); s != nil {
			decodeEvalData(s, &c.Data)
		}
		if s := root.sub("optimization"); s != nil {
			decodeEvalOptimization(s, &c.Optimization)
		}
	}
	root.finish()

	warnings, err := d.result()
	if err != nil {
		return nil, warnings, err
	}
	switch c.EvalName {
	case VideoEval, ImageEval:
	default:
		return nil, warnings, fmt.Errorf("%s: eval_name %q is not supported (want %s or %s)",
			c.pos.at("eval_name"), c.EvalName, VideoEval, ImageEval)
	}
	if c.Layout == LayoutVJEPA2 {
		if err := checkV2(&c); err != nil {
			return nil, warnings, err
		}
	}
	warnings = append(warnings, ignoredSettings(&c)...)
	return &c, warnings, nil
}

// ignoredSettings warns when a file sets a value the official eval ignores to something other
// than the effective one (so the official files, which agree, give no warning).
func ignoredSettings(c *EvalConfig) []Warning {
	var ws []Warning
	add := func(key, format string, args ...any) {
		ws = append(ws, Warning{File: c.File, Line: c.pos.lines[key], Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	if c.Layout == LayoutVJEPA2 {
		if l, ok := c.pos.lines["experiment.optimization.use_pos_embed"]; ok && c.Optimization.UsePosEmbed != c.Wrapper.UsePosEmbed {
			ws = append(ws, Warning{File: c.File, Line: l, Key: "experiment.optimization.use_pos_embed",
				Msg: fmt.Sprintf("experiment.optimization.use_pos_embed %t is ignored by the official eval; the effective value is model_kwargs.wrapper_kwargs.use_pos_embed = %t",
					c.Optimization.UsePosEmbed, c.Wrapper.UsePosEmbed)})
		}
		return ws
	}
	_, hasDataStep := c.pos.lines["data.frame_step"]
	_, hasDataRes := c.pos.lines["data.resolution"]
	_, hasOptRes := c.pos.lines["optimization.resolution"]
	if c.IsVideo() {
		if hasDataStep && c.Data.FrameStep != c.FrameStep() {
			add("data.frame_step", "data.frame_step %d is ignored by the official video eval; the effective frame step is pretrain.frame_step = %d",
				c.Data.FrameStep, c.FrameStep())
		}
		if hasDataRes && c.Data.Resolution != c.Resolution() {
			add("data.resolution", "data.resolution %d is ignored by the official video eval; the effective resolution is optimization.resolution = %d",
				c.Data.Resolution, c.Resolution())
		}
	} else if hasOptRes && c.Optimization.Resolution != c.Resolution() {
		add("optimization.resolution", "optimization.resolution %d is ignored by the official image eval; the effective resolution is data.resolution = %d",
			c.Optimization.Resolution, c.Resolution())
	}
	return ws
}

func decodeEvalPretrain(s *mapping, p *EvalPretrain) {
	s.read(fields{
		{"model_name", &p.ModelName},
		{"checkpoint_key", &p.CheckpointKey},
		{"clip_duration", &p.ClipDuration},
		{"frames_per_clip", &p.FramesPerClip},
		{"tubelet_size", &p.TubeletSize},
		{"uniform_power", &p.UniformPower},
		{"use_rope", &p.UseRoPE},
		{"use_sdpa", &p.UseSDPA},
		{"use_silu", &p.UseSiLU},
		{"tight_silu", &p.TightSiLU},
		{"patch_size", &p.PatchSize},
		{"folder", &p.Folder},
		{"checkpoint", &p.Checkpoint},
		{"write_tag", &p.WriteTag},
		{"frame_step", &p.FrameStep},
		{"embed_dim", &p.EmbedDim},
		{"depth", &p.Depth},
		{"num_heads", &p.NumHeads},
		{"mlp_ratio", &p.MLPRatio},
	})
	s.finish()
}

func decodeEvalData(s *mapping, p *EvalData) {
	s.read(fields{
		{"dataset_train", &p.DatasetTrain},
		{"dataset_val", &p.DatasetVal},
		{"dataset_type", &p.DatasetType},
		{"dataset_name", &p.DatasetName},
		{"num_classes", &p.NumClasses},
		{"frames_per_clip", &p.FramesPerClip},
		{"num_segments", &p.NumSegments},
		{"num_views_per_segment", &p.NumViewsPerSegment},
		{"frame_step", &p.FrameStep},
		{"resolution", &p.Resolution},
		{"root_path", &p.RootPath},
		{"image_folder", &p.ImageFolder},
	})
	s.finish()
}

func decodeEvalOptimization(s *mapping, p *EvalOptimization) {
	s.read(fields{
		{"attend_across_segments", &p.AttendAcrossSegments},
		{"num_epochs", &p.NumEpochs},
		{"resolution", &p.Resolution},
		{"batch_size", &p.BatchSize},
		{"weight_decay", &p.WeightDecay},
		{"lr", &p.LR},
		{"start_lr", &p.StartLR},
		{"warmup", &p.Warmup},
		{"use_bfloat16", &p.UseBfloat16},
		{"final_lr", &p.FinalLR},
		{"final_weight_decay", &p.FinalWeightDecay},
	})
	if items, full := s.seq("multihead_kwargs", "a list of per-head settings"); items != nil {
		p.MultiHead = make([]HeadOptimization, 0, len(items))
		for i, item := range items {
			var h HeadOptimization
			if m := s.d.asMapping(item, joinKey(full, strconv.Itoa(i))); m != nil {
				m.read(fields{
					{"lr", &h.LR},
					{"start_lr", &h.StartLR},
					{"final_lr", &h.FinalLR},
					{"weight_decay", &h.WeightDecay},
					{"final_weight_decay", &h.FinalWeightDecay},
					{"warmup", &h.Warmup},
				})
				m.finish()
			}
			p.MultiHead = append(p.MultiHead, h)
		}
	}
	s.finish()
}

// Positions returns where each key of the file is, for errors that name "file:line".
func (c *EvalConfig) Positions() Positions { return c.pos }
