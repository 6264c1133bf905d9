package probe

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/atomicfile"
	"github.com/vjepa-go/vjepa/internal/safetensors"
)

// Classifier is a whole video classifier: a frozen V-JEPA encoder, an attentive probe on its
// tokens and the names of the probe's classes. [LoadHFClassifier] reads one from a Hugging
// Face VJEPA2ForVideoClassification folder, [Classifier.WriteHF] writes one.
type Classifier struct {
	Backbone backbone.Config
	Encoder  backbone.HostParams // official bare names
	Probe    Model
	Head     backbone.HostParams // the probe's parameters, official names (see [Model.Specs])
	Labels   []string            // class names, by class index
}

// IsHFClassifier reports whether path is a folder holding a VJEPA2ForVideoClassification:
// model.safetensors with a classifier head, recognised by its tensors.
func IsHFClassifier(path string) bool {
	f, err := safetensors.Open(filepath.Join(path, backbone.HFWeightsFile))
	if err != nil {
		return false
	}
	defer f.Close()
	_, ok := f.Info(hfClassifierWeight)
	return ok
}

// hfClassifierWeight is the linear classifier's weight in a VJEPA2ForVideoClassification.
const hfClassifierWeight = "classifier.weight"

// LoadHFClassifier reads a Hugging Face VJEPA2ForVideoClassification folder (model.safetensors
// and config.json): the encoder (the predictor, unused by classification, is not read), the
// attentive pooler and the classifier as a [Attentive4] probe whose depth is
// num_pooler_layers + 1, with the pooler's LayerNorm eps set to config.layer_norm_eps as HF
// computes it, and the class names of id2label.
func LoadHFClassifier(dir string) (*Classifier, error) {
	cfgPath := filepath.Join(dir, backbone.HFConfigFile)
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("%s: not a Hugging Face classifier folder: %w", dir, err)
	}
	bc, info, err := backbone.ParseHFClassifierConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	if bc.MLPRatio != poolerMLPRatio {
		return nil, fmt.Errorf("%s: mlp_ratio %g: the attentive pooler supports only 4", cfgPath, bc.MLPRatio)
	}
	c := &Classifier{Backbone: bc, Labels: info.Labels, Probe: Model{Kind: Attentive4, EmbedDim: bc.EmbedDim,
		NumHeads: info.NumHeads, NumClasses: len(info.Labels), Depth: info.PoolerLayers + 1, NormEps: info.NormEps}}
	if err := c.Probe.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	weights := filepath.Join(dir, backbone.HFWeightsFile)
	f, err := safetensors.Open(weights)
	if err != nil {
		return nil, fmt.Errorf("not a VJEPA2ForVideoClassification: %w", err)
	}
	defer f.Close()
	if _, ok := f.Info(hfClassifierWeight); !ok {
		return nil, fmt.Errorf("%s: not a VJEPA2ForVideoClassification: no %s (a VJEPA2Model holds no classifier)", weights, hfClassifierWeight)
	}
	hw, err := backbone.OpenHFWeights(weights)
	if err != nil {
		return nil, err
	}
	defer hw.Close()
	if c.Encoder, err = hw.ReadParams("encoder", backbone.EncoderSpecs(bc), bc, false); err != nil {
		return nil, err
	}
	if c.Head, err = readHFHead(f, c.Probe); err != nil {
		return nil, err
	}
	return c, nil
}

// readHFHead reads the pooler and classifier of m from a VJEPA2ForVideoClassification
// safetensors file f under the official probe names, rebuilding the fused qkv and kv.
func readHFHead(f *safetensors.File, m Model) (backbone.HostParams, error) {
	out := backbone.HostParams{}
	used := map[string]bool{}
	var problems []string
	for _, s := range m.Specs() {
		names, part := hfHeadTensors(s)
		var v []float32
		for _, n := range names {
			info, ok := f.Info(n)
			if !ok {
				problems = append(problems, "missing "+n)
				continue
			}
			if !slices.Equal(info.Shape, part) {
				problems = append(problems, fmt.Sprintf("%s has shape %v, the config needs %v", n, info.Shape, part))
				continue
			}
			x, _, err := f.Float32(n)
			if err != nil {
				return nil, err
			}
			used[n] = true
			v = append(v, x...)
		}
		out[s.Name] = v
	}
	for _, n := range f.Names() {
		if (strings.HasPrefix(n, "pooler.") || strings.HasPrefix(n, "classifier.")) && !used[n] {
			problems = append(problems, "unexpected "+n)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("%s: the pooler and classifier do not fit config.json: %s", f.Path(), strings.Join(problems, "; "))
	}
	return out, nil
}

// hfHeadNames maps an official probe parameter to its VJEPA2ForVideoClassification tensors
// (transformers' convert_vjepa2_classifier_to_hf.py): one tensor, or the row blocks of a fused
// qkv (q, k, v) or kv (k, v) in order.
func hfHeadNames(name string) []string {
	if rest, ok := strings.CutPrefix(name, "linear."); ok {
		return []string{"classifier." + rest}
	}
	var prefix, field string
	if rest, ok := strings.CutPrefix(name, "pooler.blocks."); ok {
		i, f, _ := strings.Cut(rest, ".")
		prefix, field = "pooler.self_attention_layers."+i+".", f
	} else if f, ok := strings.CutPrefix(name, "pooler.cross_attention_block."); ok {
		prefix, field = "pooler.cross_attention_layer.", f
	} else {
		return []string{name} // pooler.query_tokens
	}
	param := field[strings.LastIndex(field, ".")+1:]
	projections := func(attn string, parts ...string) []string {
		names := make([]string, len(parts))
		for i, p := range parts {
			names[i] = prefix + attn + "." + p + "_proj." + param
		}
		return names
	}
	switch strings.TrimSuffix(field, "."+param) {
	case "attn.qkv":
		return projections("self_attn", "q", "k", "v")
	case "attn.proj":
		return projections("self_attn", "out")
	case "xattn.q":
		return projections("cross_attn", "q")
	case "xattn.kv":
		return projections("cross_attn", "k", "v")
	}
	field = strings.Replace(field, "norm1.", "layer_norm1.", 1)
	field = strings.Replace(field, "norm2.", "layer_norm2.", 1)
	return []string{prefix + field}
}

// hfHeadTensors is the VJEPA2ForVideoClassification tensors of probe parameter s
// ([hfHeadNames]) and the shape of each: s's rows split evenly among them.
func hfHeadTensors(s backbone.ParamSpec) (names []string, shape []int) {
	names = hfHeadNames(s.Name)
	shape = slices.Clone(s.Shape)
	shape[0] /= len(names)
	return names, shape
}

// checkHFExportable reports a classifier that has no VJEPA2ForVideoClassification layout.
func (c *Classifier) checkHFExportable() error {
	switch {
	case !c.Backbone.UseRoPE:
		return fmt.Errorf("model %q is a V-JEPA 1 model (sin-cos position tables): a Hugging Face VJEPA2ForVideoClassification holds only V-JEPA 2 (RoPE) encoders", c.Backbone.Name)
	case c.Probe.Kind != Attentive4:
		return fmt.Errorf("probe type %q: a Hugging Face VJEPA2ForVideoClassification holds the V-JEPA 2 probe (%s)", c.Probe.Kind, Attentive4)
	case c.Backbone.MLPRatio != poolerMLPRatio:
		return fmt.Errorf("encoder mlp_ratio %g: the Hugging Face pooler shares it, and the probe's MLP is 4 wide", c.Backbone.MLPRatio)
	case len(c.Labels) != c.Probe.NumClasses:
		return fmt.Errorf("%d class names for a probe of %d classes", len(c.Labels), c.Probe.NumClasses)
	}
	return c.Head.CheckAgainst(c.Probe.Specs())
}

// WriteHF writes c as a Hugging Face VJEPA2ForVideoClassification folder dir (created if
// needed) that transformers' from_pretrained loads: the encoder and predictor (VJEPA2Model
// holds one; pred are its official parameters), the pooler, the classifier and id2label. HF
// runs the pooler's LayerNorms with the encoder's eps (1e-6), not the official probe's 1e-5:
// the logits move by about 1e-5 relative.
func (c *Classifier) WriteHF(dir string, pred backbone.HostParams) error {
	if err := c.checkHFExportable(); err != nil {
		return err
	}
	js, err := backbone.HFClassifierConfigJSON(c.Backbone, backbone.HFClassifierInfo{
		PoolerLayers: c.Probe.depth() - 1, NumHeads: c.Probe.NumHeads, NormEps: backbone.LayerNormEps, Labels: c.Labels})
	if err != nil {
		return err
	}
	ts, err := backbone.HFTensors(c.Backbone, c.Encoder, pred)
	if err != nil {
		return err
	}
	for i := range ts {
		ts[i].Name = "vjepa2." + ts[i].Name
	}
	for _, s := range c.Probe.Specs() {
		names, part := hfHeadTensors(s)
		v := c.Head[s.Name]
		n := len(v) / len(names)
		for i, name := range names {
			ts = append(ts, safetensors.Tensor{Name: name, Shape: part, F32: v[i*n : (i+1)*n]})
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := safetensors.WriteFile(filepath.Join(dir, backbone.HFWeightsFile), ts, map[string]string{"format": "pt"}); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, backbone.HFConfigFile), js)
}
