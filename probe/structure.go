package probe

import (
	"fmt"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
)

// ModelFromEvalConfig is the probe an official eval config (V-JEPA or V-JEPA 2 layout)
// trains: Attentive with the encoder's heads for V-JEPA, Attentive4 of depth
// num_probe_blocks with experiment.classifier.num_heads for V-JEPA 2. The width is the
// encoder's (embed_dim, else the size of model_name); the file must set num_classes.
func ModelFromEvalConfig(cfg *officialcfg.EvalConfig) (Model, error) {
	m, err := configProbe(cfg)
	if err != nil {
		return Model{}, err
	}
	if m.NumClasses == 0 {
		return Model{}, fmt.Errorf("%s: num_classes is missing (the probe's output size)", cfg.File)
	}
	return m, m.Validate()
}

// configProbe is [ModelFromEvalConfig] that allows a config without num_classes (the
// experiment then takes the number of classes from the data).
func configProbe(cfg *officialcfg.EvalConfig) (Model, error) {
	s, err := cfg.ProbeStructure(encoderSize)
	if err != nil {
		return Model{}, err
	}
	var kind Kind = Attentive
	if s.Layout == officialcfg.LayoutVJEPA2 {
		kind = Attentive4
	}
	return Model{Kind: kind, EmbedDim: s.EmbedDim, NumHeads: s.NumHeads, NumClasses: s.NumClasses, Depth: s.Depth}, nil
}

// ProbeModel is the probe of the given kind for the experiment's encoder: the config's heads
// and depth when kind is the config's probe type ([Experiment.ConfigProbe]), else the
// encoder's heads and the kind's default depth; its blocks run with the encoder's execution
// settings.
func (e *Experiment) ProbeModel(kind Kind, numClasses int) Model {
	m := Model{Kind: kind, EmbedDim: e.Model.EmbedDim, NumHeads: e.Model.NumHeads, NumClasses: numClasses, Exec: e.Model.Exec}
	if kind == e.ConfigProbe.Kind && kind.traits().pooler {
		m.NumHeads, m.Depth = e.ConfigProbe.NumHeads, e.ConfigProbe.Depth
	}
	return m
}

// encoderSize resolves an official encoder name with the backbone presets.
func encoderSize(name string) (embedDim, numHeads int, ok bool) {
	if c, err := backbone.Preset(name); err == nil {
		return c.EmbedDim, c.NumHeads, true
	}
	return 0, 0, false
}
