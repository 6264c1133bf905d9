package backbone

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// HFClassifierArchitecture is the transformers class of a V-JEPA 2 video classifier folder.
const HFClassifierArchitecture = "VJEPA2ForVideoClassification"

// HFClassifierInfo is what the config.json of a VJEPA2ForVideoClassification adds to its
// VJEPA2Model's (transformers: configuration_vjepa2.py and PretrainedConfig).
type HFClassifierInfo struct {
	// PoolerLayers is num_pooler_layers: the self-attention blocks of the attentive pooler
	// before its cross-attention (the official probe depth − 1).
	PoolerLayers int
	// NumHeads is num_attention_heads: HF has one head count for the encoder and the pooler.
	NumHeads int
	// NormEps is layer_norm_eps, which HF's pooler LayerNorms use too (the official probe
	// uses PyTorch's default 1e-5).
	NormEps float64
	// Labels are the class names of id2label, in id order.
	Labels []string
}

// hfClassifierFields are the config.json fields of a classifier beyond hfConfig.
type hfClassifierFields struct {
	ID2Label  map[string]string `json:"id2label"`
	Label2ID  map[string]int    `json:"label2id"`
	NumLabels int               `json:"num_labels"`
}

// hfClassifierConfig is the config.json of a classifier: the backbone's fields and its own.
type hfClassifierConfig struct {
	hfConfig
	hfClassifierFields
}

// ParseHFClassifierConfig parses the config.json of a VJEPA2ForVideoClassification: the
// backbone it describes (as [ParseHFConfig]) and the pooler and labels. Without id2label the
// labels are transformers' defaults LABEL_0 … LABEL_{num_labels−1}.
func ParseHFClassifierConfig(raw []byte) (Config, HFClassifierInfo, error) {
	file := hfClassifierConfig{hfConfig: hfDefaults()}
	if err := json.Unmarshal(raw, &file); err != nil {
		return Config{}, HFClassifierInfo{}, fmt.Errorf("not a Hugging Face config.json: %w", err)
	}
	h, extra := file.hfConfig, file.hfClassifierFields
	c, err := configFromHF(h)
	if err != nil {
		return Config{}, HFClassifierInfo{}, err
	}
	info := HFClassifierInfo{PoolerLayers: h.NumPoolerLayers, NumHeads: h.NumHeads, NormEps: h.LayerNormEps}
	if info.PoolerLayers < 0 {
		return Config{}, HFClassifierInfo{}, fmt.Errorf("num_pooler_layers must not be negative, got %d", info.PoolerLayers)
	}
	n := len(extra.ID2Label)
	if n == 0 {
		// PretrainedConfig's default is two labels.
		n = max(extra.NumLabels, 2)
	}
	if extra.NumLabels != 0 && extra.NumLabels != n {
		return Config{}, HFClassifierInfo{}, fmt.Errorf("num_labels %d but id2label has %d entries", extra.NumLabels, n)
	}
	info.Labels = make([]string, n)
	for i := range info.Labels {
		name, ok := extra.ID2Label[strconv.Itoa(i)]
		switch {
		case len(extra.ID2Label) == 0:
			name = fmt.Sprintf("LABEL_%d", i)
		case !ok:
			return Config{}, HFClassifierInfo{}, fmt.Errorf("id2label has %d entries but no id %d (ids must be 0..%d)", n, i, n-1)
		}
		info.Labels[i] = name
	}
	return c, info, nil
}

// HFClassifierConfigJSON returns the config.json of a VJEPA2ForVideoClassification whose
// backbone is c and whose pooler and labels info describes. The pooler shares the encoder's
// head count and LayerNorm epsilon: info.NumHeads must equal c.NumHeads and info.NormEps the
// encoder's.
func HFClassifierConfigJSON(c Config, info HFClassifierInfo) ([]byte, error) {
	if err := checkHFExportable(c); err != nil {
		return nil, err
	}
	switch {
	case info.NumHeads != c.NumHeads:
		return nil, fmt.Errorf("the probe has %d heads, the encoder %d: a Hugging Face classifier has one num_attention_heads for both", info.NumHeads, c.NumHeads)
	case info.NormEps != LayerNormEps:
		return nil, fmt.Errorf("pooler LayerNorm eps %g: a Hugging Face classifier's pooler uses the encoder's layer_norm_eps %g", info.NormEps, LayerNormEps)
	case info.PoolerLayers < 0:
		return nil, fmt.Errorf("num_pooler_layers must not be negative, got %d", info.PoolerLayers)
	case len(info.Labels) < 2:
		return nil, fmt.Errorf("a classifier needs at least 2 labels, got %d", len(info.Labels))
	}
	h := hfDefaults()
	fillHFConfig(&h, c)
	h.Architectures = []string{HFClassifierArchitecture}
	h.NumPoolerLayers = info.PoolerLayers
	extra := hfClassifierFields{ID2Label: map[string]string{}, Label2ID: map[string]int{}, NumLabels: len(info.Labels)}
	for i, name := range info.Labels {
		extra.ID2Label[strconv.Itoa(i)] = name
		extra.Label2ID[name] = i
	}
	out, err := json.MarshalIndent(hfClassifierConfig{h, extra}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
