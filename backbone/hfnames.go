package backbone

import (
	"fmt"
	"strconv"
	"strings"
)

// hfSource says where the Hugging Face layout keeps one official parameter: in one tensor,
// in three (the fused qkv split into query, key and value, concatenated on axis 0 to
// rebuild it), or as row maskIndex of the stacked mask tokens [M,1,1,Dp].
type hfSource struct {
	names     []string
	maskIndex int // ≥ 0 for mask_tokens.<i>
}

// hfMaskTokens is the stacked mask-token tensor of the HF predictor.
const hfMaskTokens = "predictor.embeddings.mask_tokens"

// hfSourceOf maps an official bare parameter name to the HF VJEPA2Model names (the key map
// of transformers' convert_vjepa2_to_hf.py).
func hfSourceOf(bare string) (hfSource, error) {
	if rest, ok := strings.CutPrefix(bare, "mask_tokens."); ok {
		i, err := strconv.Atoi(rest)
		if err != nil || i < 0 {
			return hfSource{}, fmt.Errorf("no Hugging Face name for %q", bare)
		}
		return hfSource{names: []string{hfMaskTokens}, maskIndex: i}, nil
	}
	rules := []struct{ from, to string }{
		{"patch_embed.", "encoder.embeddings.patch_embeddings."},
		{"blocks.", "encoder.layer."},
		{"norm.", "encoder.layernorm."},
		{"pos_embed", "encoder.embeddings.position_embeddings"},
		{"predictor_embed.", "predictor.embeddings.predictor_embeddings."},
		{"predictor_blocks.", "predictor.layer."},
		{"predictor_norm.", "predictor.layernorm."},
		{"predictor_proj.", "predictor.proj."},
		{"predictor_pos_embed", "predictor.embeddings.position_embeddings"},
	}
	for _, r := range rules {
		rest, ok := strings.CutPrefix(bare, r.from)
		if !ok {
			continue
		}
		name := r.to + strings.Replace(rest, ".attn.", ".attention.", 1)
		if prefix, suffix, ok := strings.Cut(name, ".attention.qkv."); ok {
			return hfSource{names: []string{
				prefix + ".attention.query." + suffix,
				prefix + ".attention.key." + suffix,
				prefix + ".attention.value." + suffix,
			}, maskIndex: -1}, nil
		}
		return hfSource{names: []string{name}, maskIndex: -1}, nil
	}
	return hfSource{}, fmt.Errorf("no Hugging Face name for %q", bare)
}

// hfSection is the HF name prefix of a state-dict key: the HF layout keeps one encoder (the
// weights the official hub loads from "encoder") and the predictor.
func hfSection(key string) (string, error) {
	switch key {
	case "encoder", "target_encoder":
		return "encoder.", nil
	case "predictor":
		return "predictor.", nil
	}
	return "", fmt.Errorf("no %q in the Hugging Face layout (it has encoder and predictor)", key)
}
