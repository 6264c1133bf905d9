package officialcfg

import "fmt"

// ModelSize resolves an encoder name of the official configs (vit_large, vit_giant_xformers,
// …) to its width and head count; ok is false for a name it does not know. The project's
// resolver is backbone.Preset's table; keeping it a parameter keeps this package pure data.
type ModelSize func(name string) (embedDim, numHeads int, ok bool)

// ProbeStructure is the attentive probe an eval config builds, as the official evals
// construct their AttentiveClassifier.
type ProbeStructure struct {
	// Layout is the config's [EvalConfig.Layout]: LayoutVJEPA probes run their
	// self-attention blocks (none at depth 1) on the query after the cross-attention,
	// LayoutVJEPA2 probes run them over the tokens before it.
	Layout     int
	EmbedDim   int // the encoder width
	NumHeads   int // the encoder's heads (V-JEPA) or experiment.classifier.num_heads (V-JEPA 2)
	Depth      int // 1 (V-JEPA) or experiment.classifier.num_probe_blocks (V-JEPA 2)
	NumClasses int // data.num_classes (0 when the file does not set it)
	NumProbes  int // probes trained side by side: the multihead_kwargs entries, else 1
}

// ProbeStructure returns the probe the config describes. The width is the encoder's: its
// embed_dim when set (a project extension for custom sizes), else the size of model_name
// as size resolves it.
// The V-JEPA evals give the probe the encoder's head count (num_heads, else model_name's);
// V-JEPA 2 reads experiment.classifier.
func (c *EvalConfig) ProbeStructure(size ModelSize) (ProbeStructure, error) {
	section := "pretrain"
	if c.Layout == LayoutVJEPA2 {
		section = "model_kwargs.pretrain_kwargs.encoder"
	}
	key := func(k string) string { return section + "." + k }
	p := c.Pretrain
	s := ProbeStructure{Layout: c.Layout, EmbedDim: p.EmbedDim, NumHeads: p.NumHeads, Depth: 1,
		NumClasses: c.Data.NumClasses, NumProbes: len(c.Heads())}
	if s.EmbedDim == 0 || (c.Layout == LayoutVJEPA && s.NumHeads == 0) {
		dim, heads, ok := size(p.ModelName)
		switch {
		case ok:
		case p.ModelName == "":
			return s, fmt.Errorf("%s: %s is missing (or give %s)", c.pos.at(key("model_name")), key("model_name"), key("embed_dim"))
		default:
			return s, fmt.Errorf("%s: %s %q is not a known model size, so %s is required to size the probe",
				c.pos.at(key("model_name")), key("model_name"), p.ModelName, key("embed_dim"))
		}
		if s.EmbedDim == 0 {
			s.EmbedDim = dim
		}
		if s.NumHeads == 0 {
			s.NumHeads = heads
		}
	}
	if c.Layout == LayoutVJEPA2 {
		s.NumHeads, s.Depth = c.Classifier.NumHeads, c.Classifier.NumProbeBlocks
	}
	dataKey := "data.num_classes"
	if c.Layout == LayoutVJEPA2 {
		dataKey = "experiment.data.num_classes"
	}
	switch {
	case s.EmbedDim < 1:
		return s, fmt.Errorf("%s: %s must be positive, got %d", c.pos.at(key("embed_dim")), key("embed_dim"), s.EmbedDim)
	case s.NumHeads < 1 || s.EmbedDim%s.NumHeads != 0:
		return s, fmt.Errorf("%s: the probe's %d heads do not divide the encoder width %d", c.File, s.NumHeads, s.EmbedDim)
	case s.NumClasses < 2 && (s.NumClasses != 0 || c.pos.lines[dataKey] != 0):
		return s, fmt.Errorf("%s: %s must be at least 2, got %d", c.pos.at(dataKey), dataKey, s.NumClasses)
	}
	return s, nil
}
