package probe

import (
	"github.com/vjepa-go/vjepa/internal/officialcfg"
)

// ModelFromEvalConfig is the probe an official eval config (V-JEPA or V-JEPA 2 layout)
// trains: Attentive with the encoder's heads for V-JEPA, Attentive4 of depth
// num_probe_blocks with experiment.classifier.num_heads for V-JEPA 2. The width is the
// encoder's (embed_dim, else the size of model_name).
func ModelFromEvalConfig(cfg *officialcfg.EvalConfig) (Model, error) {
	s, err := cfg.ProbeStructure()
	if err != nil {
		return Model{}, err
	}
	kind := Attentive
	if s.Layout == officialcfg.LayoutVJEPA2 {
		kind = Attentive4
	}
	m := Model{Kind: kind, EmbedDim: s.EmbedDim, NumHeads: s.NumHeads, NumClasses: s.NumClasses, Depth: s.Depth}
	return m, m.Validate()
}
