package backbone

import (
	"fmt"

	"github.com/vjepa-go/vjepa/internal/officialcfg"
)

// LoadEncoder opens the frozen encoder of a checkpoint of either generation, recognised by
// content (see [OpenParamSource]): a V-JEPA or V-JEPA 2 training checkpoint or released .pt,
// a checkpoint of vjepa pretrain, or a Hugging Face VJEPA2 folder. Weights that describe their
// model (a Hugging Face config.json, our checkpoints) need no pretrainYAML; the official ones
// need their pretraining YAML (official layout). It reads target_encoder, falling back to
// encoder as the official evaluation loader does.
func LoadEncoder(path, pretrainYAML string) (Config, HostParams, error) {
	src, described, err := OpenParamSource(path)
	if err != nil {
		return Config{}, nil, err
	}
	defer src.Close()
	var c Config
	switch {
	case pretrainYAML != "":
		pc, _, err := officialcfg.LoadPretrain(pretrainYAML)
		if err != nil {
			return Config{}, nil, err
		}
		if c, err = FromPretrainConfig(pc); err != nil {
			return Config{}, nil, err
		}
	case described != nil:
		c = *described
	default:
		return Config{}, nil, fmt.Errorf("%s does not describe its model: give its pretraining YAML", path)
	}
	params, err := src.ReadParams(EncoderKey(src, ""), EncoderSpecs(c), c, false)
	if err != nil {
		return Config{}, nil, err
	}
	return c, params, nil
}
