package officialcfg

import (
	"fmt"
)

// V-JEPA 2 defaults that differ from the V-JEPA layout's.
const (
	defaultV2ProbeHeads = 16  // experiment.classifier.num_heads
	defaultV2MaxFrames  = 128 // wrapper_kwargs.max_frames
	defaultV2NumWorkers = 12  // num_workers of the video eval
)

// decodeEvalV2 reads the V-JEPA 2 layout (vjepa2:configs/eval/*/*.yaml) into c, after the
// top-level keys both layouts share.
func decodeEvalV2(root *mapping, c *EvalConfig) {
	c.Layout = LayoutVJEPA2
	c.Classifier = EvalClassifier{NumHeads: defaultV2ProbeHeads, NumProbeBlocks: 1}
	c.Launch.NumWorkers = defaultV2NumWorkers
	c.Wrapper.MaxFrames = defaultV2MaxFrames
	root.read(fields{
		{"folder", &c.Launch.Folder},
		{"cpus_per_task", &c.Launch.CPUsPerTask},
		{"mem_per_gpu", &c.Launch.MemPerGPU},
		{"num_workers", &c.Launch.NumWorkers},
		{"max_workers", &c.Launch.MaxWorkers},
		{"val_only", &c.Launch.ValOnly},
	})
	if exp := root.sub("experiment"); exp != nil {
		if s := exp.sub("classifier"); s != nil {
			s.read(fields{
				{"num_heads", &c.Classifier.NumHeads},
				{"num_probe_blocks", &c.Classifier.NumProbeBlocks},
			})
			s.finish()
		}
		if s := exp.sub("data"); s != nil {
			// Read by the V-JEPA 2 evals from this section (the V-JEPA video eval read them
			// from "pretrain"); normalization keeps the ImageNet mean and std when null.
			s.read(fields{{"clip_duration", &c.Pretrain.ClipDuration}})
			s.value("normalization")
			decodeEvalData(s, &c.Data)
		}
		if s := exp.sub("optimization"); s != nil {
			s.read(fields{{"use_pos_embed", &c.Optimization.UsePosEmbed}})
			decodeEvalOptimization(s, &c.Optimization)
		}
		exp.finish()
	}
	if mk := root.sub("model_kwargs"); mk != nil {
		mk.read(fields{
			{"checkpoint", &c.Pretrain.Checkpoint},
			{"module_name", &c.Wrapper.ModuleName},
		})
		if pk := mk.sub("pretrain_kwargs"); pk != nil {
			if s := pk.sub("encoder"); s != nil {
				decodeEncoderKwargs(s, &c.Pretrain)
			}
			pk.finish()
		}
		if s := mk.sub("wrapper_kwargs"); s != nil {
			s.read(fields{
				{"max_frames", &c.Wrapper.MaxFrames},
				{"use_pos_embed", &c.Wrapper.UsePosEmbed},
				{"out_layers", &c.Wrapper.OutLayers},
				{"img_as_video_nframes", &c.Wrapper.ImgAsVideoNFrames},
			})
			s.finish()
		}
		mk.finish()
	}
	// Where the V-JEPA 2 evals read them: the encoder is built for the eval clip
	// (data.frames_per_clip frames, or an image repeated img_as_video_nframes times) at
	// data.resolution, clips are sampled with data.frame_step, and the clips of one video
	// are always concatenated before the probe.
	c.Pretrain.FramesPerClip = c.Data.FramesPerClip
	if c.EvalName == ImageEval && c.Wrapper.ImgAsVideoNFrames > 0 {
		c.Pretrain.FramesPerClip = c.Wrapper.ImgAsVideoNFrames
	}
	c.Pretrain.FrameStep = c.Data.FrameStep
	if _, ok := c.pos.lines["experiment.data.frame_step"]; !ok {
		c.Pretrain.FrameStep = 4
	}
	c.Optimization.Resolution = c.Data.Resolution
	c.Optimization.AttendAcrossSegments = true
}

// decodeEncoderKwargs reads model_kwargs.pretrain_kwargs.encoder: the keyword arguments of
// the V-JEPA 2 vision_transformer constructor, plus checkpoint_key and model_name.
func decodeEncoderKwargs(s *mapping, p *EvalPretrain) {
	s.read(fields{
		{"model_name", &p.ModelName},
		{"checkpoint_key", &p.CheckpointKey},
		{"patch_size", &p.PatchSize},
		{"tubelet_size", &p.TubeletSize},
		{"uniform_power", &p.UniformPower},
		{"use_rope", &p.UseRoPE},
		{"img_temporal_dim_size", &p.ImgTemporalDimSize},
		{"use_sdpa", &p.UseSDPA},
		{"use_silu", &p.UseSiLU},
		{"embed_dim", &p.EmbedDim},
		{"depth", &p.Depth},
		{"num_heads", &p.NumHeads},
		{"mlp_ratio", &p.MLPRatio},
	})
	s.finish()
}

// checkV2 reports what the V-JEPA 2 evals need and would fail without: the sections they
// index unconditionally, at least one multihead_kwargs entry, and a valid probe structure.
func checkV2(c *EvalConfig) error {
	for _, key := range []string{"experiment", "experiment.classifier", "experiment.data", "experiment.optimization", "model_kwargs"} {
		if _, ok := c.pos.lines[key]; !ok {
			return fmt.Errorf("%s: %s is missing (the V-JEPA 2 eval layout needs it)", c.File, key)
		}
	}
	if len(c.Optimization.MultiHead) == 0 {
		return fmt.Errorf("%s: experiment.optimization.multihead_kwargs must list at least one probe head", c.pos.at("experiment.optimization.multihead_kwargs"))
	}
	if c.Classifier.NumHeads < 1 {
		return fmt.Errorf("%s: experiment.classifier.num_heads must be positive, got %d", c.pos.at("experiment.classifier.num_heads"), c.Classifier.NumHeads)
	}
	if c.Classifier.NumProbeBlocks < 1 {
		return fmt.Errorf("%s: experiment.classifier.num_probe_blocks must be positive, got %d", c.pos.at("experiment.classifier.num_probe_blocks"), c.Classifier.NumProbeBlocks)
	}
	return nil
}
