package backbone

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/vjepa-go/vjepa/internal/atomicfile"
	"github.com/vjepa-go/vjepa/internal/safetensors"
)

// HFTensors converts encoder and predictor parameters (official bare names) to the tensors
// of a Hugging Face VJEPA2Model: HF names, the fused qkv split into query, key and value, the
// mask tokens stacked [M,1,1,Dp]. The inverse of [HFWeights.ReadParams].
func HFTensors(c Config, enc, pred HostParams) ([]safetensors.Tensor, error) {
	if err := checkHFExportable(c); err != nil {
		return nil, err
	}
	if err := enc.CheckAgainst(EncoderSpecs(c)); err != nil {
		return nil, fmt.Errorf("encoder: %w", err)
	}
	if err := pred.CheckAgainst(PredictorSpecs(c)); err != nil {
		return nil, fmt.Errorf("predictor: %w", err)
	}
	var out []safetensors.Tensor
	var masks []float32
	for _, group := range []struct {
		specs  []ParamSpec
		params HostParams
	}{{EncoderSpecs(c), enc}, {PredictorSpecs(c), pred}} {
		for _, s := range group.specs {
			src, err := hfSourceOf(s.Name)
			if err != nil {
				return nil, err
			}
			v := group.params[s.Name]
			if src.maskIndex >= 0 {
				masks = append(masks, v...)
				continue
			}
			if len(src.names) == 1 {
				out = append(out, safetensors.Tensor{Name: src.names[0], Shape: s.Shape, F32: v})
				continue
			}
			part := append([]int(nil), s.Shape...)
			part[0] /= 3
			n := len(v) / 3
			for i, name := range src.names {
				out = append(out, safetensors.Tensor{Name: name, Shape: part, F32: v[i*n : (i+1)*n]})
			}
		}
	}
	out = append(out, safetensors.Tensor{Name: hfMaskTokens, Shape: []int{c.NumMaskTokens, 1, 1, c.PredEmbedDim}, F32: masks})
	return out, nil
}

// WriteHF writes a Hugging Face VJEPA2Model folder dir (created if needed): model.safetensors
// with the encoder and predictor weights and config.json describing c, so that
// transformers' VJEPA2Model.from_pretrained(dir) loads it.
func WriteHF(dir string, c Config, enc, pred HostParams) error {
	ts, err := HFTensors(c, enc, pred)
	if err != nil {
		return err
	}
	js, err := HFConfigJSON(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := safetensors.WriteFile(filepath.Join(dir, HFWeightsFile), ts, map[string]string{"format": "pt"}); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, HFConfigFile), js)
}
