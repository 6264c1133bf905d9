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
	root.str("folder", &c.Launch.Folder)
	root.int("cpus_per_task", &c.Launch.CPUsPerTask)
	root.str("mem_per_gpu", &c.Launch.MemPerGPU)
	root.int("num_workers", &c.Launch.NumWorkers)
	root.int("max_workers", &c.Launch.MaxWorkers)
	root.bool("val_only", &c.Launch.ValOnly)
	if exp := root.sub("experiment"); exp != nil {
		if s := exp.sub("classifier"); s != nil {
			s.int("num_heads", &c.Classifier.NumHeads)
			s.int("num_probe_blocks", &c.Classifier.NumProbeBlocks)
			s.finish()
		}
		if s := exp.sub("data"); s != nil {
			// Read by the V-JEPA 2 evals from this section (the V-JEPA video eval read them
			// from "pretrain"); normalization keeps the ImageNet mean and std when null.
			s.optFloat("clip_duration", &c.Pretrain.ClipDuration)
			s.value("normalization")
			decodeEvalData(s, &c.Data)
		}
		if s := exp.sub("optimization"); s != nil {
			s.bool("use_pos_embed", &c.Optimization.UsePosEmbed)
			decodeEvalOptimization(s, &c.Optimization)
		}
		exp.finish()
	}
	if mk := root.sub("model_kwargs"); mk != nil {
		mk.str("checkpoint", &c.Pretrain.Checkpoint)
		mk.str("module_name", &c.Wrapper.ModuleName)
		if pk := mk.sub("pretrain_kwargs"); pk != nil {
			if s := pk.sub("encoder"); s != nil {
				decodeEncoderKwargs(s, &c.Pretrain)
			}
			pk.finish()
		}
		if s := mk.sub("wrapper_kwargs"); s != nil {
			s.int("max_frames", &c.Wrapper.MaxFrames)
			s.bool("use_pos_embed", &c.Wrapper.UsePosEmbed)
			s.ints("out_layers", &c.Wrapper.OutLayers)
			s.int("img_as_video_nframes", &c.Wrapper.ImgAsVideoNFrames)
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
	s.str("model_name", &p.ModelName)
	s.str("checkpoint_key", &p.CheckpointKey)
	s.int("patch_size", &p.PatchSize)
	s.int("tubelet_size", &p.TubeletSize)
	s.bool("uniform_power", &p.UniformPower)
	s.bool("use_rope", &p.UseRoPE)
	s.optInt("img_temporal_dim_size", &p.ImgTemporalDimSize)
	s.bool("use_sdpa", &p.UseSDPA)
	s.bool("use_silu", &p.UseSiLU)
	s.int("embed_dim", &p.EmbedDim)
	s.int("depth", &p.Depth)
	s.int("num_heads", &p.NumHeads)
	s.float("mlp_ratio", &p.MLPRatio)
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
