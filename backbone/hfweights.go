package backbone

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vjepa-go/vjepa/internal/safetensors"
)

// HFWeights is an open Hugging Face VJEPA2 model.safetensors (VJEPA2Model, or the backbone
// of VJEPA2ForVideoClassification under "vjepa2.").
type HFWeights struct {
	f      *safetensors.File
	prefix string // "" or "vjepa2."
}

// OpenHFWeights opens a VJEPA2 model.safetensors.
func OpenHFWeights(path string) (*HFWeights, error) {
	f, err := safetensors.Open(path)
	if err != nil {
		return nil, err
	}
	w := &HFWeights{f: f}
	for _, n := range f.Names() {
		if strings.HasPrefix(n, "vjepa2.encoder.") {
			w.prefix = "vjepa2."
			break
		}
	}
	return w, nil
}

// Close releases the file.
func (w *HFWeights) Close() error { return w.f.Close() }

// Path is the file's name.
func (w *HFWeights) Path() string { return w.f.Path() }

// Has reports whether the file holds the weights of key ("encoder", "target_encoder" — the
// same single encoder — or "predictor").
func (w *HFWeights) Has(key string) bool {
	section, err := hfSection(key)
	if err != nil {
		return false
	}
	for _, n := range w.f.Names() {
		if strings.HasPrefix(n, w.prefix+section) {
			return true
		}
	}
	return false
}

// MaskTokens is the number of stacked predictor mask tokens (0 without a predictor).
func (w *HFWeights) MaskTokens() int {
	info, ok := w.f.Info(w.prefix + hfMaskTokens)
	if !ok || len(info.Shape) == 0 {
		return 0
	}
	return info.Shape[0]
}

// ReadParams reads the encoder or predictor weights under their official bare names and
// checks them against specs as [Checkpoint.ReadParams] does: the fused qkv is rebuilt from
// query, key and value, mask token i is row i of the stacked tokens, and any missing,
// unexpected or mis-shaped tensor is one error. VJEPA2 models are RoPE models: a sin-cos
// config (cfg.UseRoPE false) is an error, whatever replaceTables says.
func (w *HFWeights) ReadParams(key string, specs []ParamSpec, cfg Config, _ bool) (HostParams, error) {
	section, err := hfSection(key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.Path(), err)
	}
	if !cfg.UseRoPE {
		return nil, fmt.Errorf("%s: Hugging Face VJEPA2 weights are a V-JEPA 2 (RoPE) model but the config describes a sin-cos one: set use_rope: true", w.Path())
	}
	used := map[string]bool{}
	var missing, missized []string
	out := HostParams{}
	for _, s := range specs {
		src, err := hfSourceOf(s.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", w.Path(), err)
		}
		v, problem, err := w.read(src, s.Shape, used)
		if err != nil {
			return nil, err
		}
		switch {
		case problem == "" && v != nil:
			out[s.Name] = v
		case problem == "missing":
			missing = append(missing, s.Name)
		default:
			missized = append(missized, fmt.Sprintf("%s (model %v, %s)", s.Name, s.Shape, problem))
		}
	}
	var unexpected []string
	for _, n := range w.f.Names() {
		bare, ok := strings.CutPrefix(n, w.prefix+section)
		if !ok || used[n] || strings.HasSuffix(n, "position_embeddings") && cfg.UseRoPE {
			continue
		}
		unexpected = append(unexpected, section+bare)
	}
	if info, ok := w.f.Info(w.prefix + hfMaskTokens); ok && used[w.prefix+hfMaskTokens] && info.Shape[0] != cfg.NumMaskTokens {
		missized = append(missized, fmt.Sprintf("%s (model %d mask tokens, file %v)", hfMaskTokens, cfg.NumMaskTokens, info.Shape))
	}
	sort.Strings(missized)
	if err := mismatchError(missing, unexpected, missized); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", w.Path(), key, err)
	}
	return out, nil
}

// read assembles one official tensor of shape want from src. problem is "missing" or a
// shape description when the file does not fit; used collects the HF names consumed.
func (w *HFWeights) read(src hfSource, want []int, used map[string]bool) (v []float32, problem string, err error) {
	if src.maskIndex >= 0 {
		name := w.prefix + src.names[0]
		info, ok := w.f.Info(name)
		if !ok {
			return nil, "missing", nil
		}
		if len(info.Shape) != 4 || info.Shape[1] != 1 || info.Shape[2] != 1 || len(want) != 3 || info.Shape[3] != want[2] {
			return nil, fmt.Sprintf("file %s %v", src.names[0], info.Shape), nil
		}
		if src.maskIndex >= info.Shape[0] {
			return nil, "missing", nil
		}
		all, _, err := w.f.Float32(name)
		if err != nil {
			return nil, "", err
		}
		p := info.Shape[3]
		used[name] = true
		return append([]float32(nil), all[src.maskIndex*p:(src.maskIndex+1)*p]...), "", nil
	}
	// One tensor, or query/key/value stacked on axis 0.
	part := append([]int(nil), want...)
	if len(src.names) == 3 {
		if len(part) == 0 || part[0]%3 != 0 {
			return nil, "not a fused qkv", nil
		}
		part[0] /= 3
	}
	for _, n := range src.names {
		info, ok := w.f.Info(w.prefix + n)
		if !ok {
			return nil, "missing", nil
		}
		if !slices.Equal(info.Shape, part) {
			return nil, fmt.Sprintf("file %s %v", n, info.Shape), nil
		}
	}
	for _, n := range src.names {
		x, _, err := w.f.Float32(w.prefix + n)
		if err != nil {
			return nil, "", err
		}
		used[w.prefix+n] = true
		v = append(v, x...)
	}
	return v, "", nil
}
