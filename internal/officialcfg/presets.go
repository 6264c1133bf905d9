package officialcfg

import (
	"embed"
	"fmt"
	"sort"
	"strings"
)

// presets holds the official configuration files of facebookresearch/jepa, unmodified.
//
//go:embed presets/pretrain/*.yaml presets/evals/*.yaml
var presets embed.FS

// PretrainPresets lists the official pretraining configs (vitl16, vith16, vith16_384).
func PretrainPresets() []string { return presetNames("presets/pretrain") }

// EvalPresets lists the official frozen-evaluation configs (vitl16_k400_16x8x3, …).
func EvalPresets() []string { return presetNames("presets/evals") }

func presetNames(dir string) []string {
	entries, _ := presets.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// LoadPretrainPreset parses the official pretraining config name.
func LoadPretrainPreset(name string) (*PretrainConfig, []Warning, error) {
	data, err := presets.ReadFile("presets/pretrain/" + name + ".yaml")
	if err != nil {
		return nil, nil, fmt.Errorf("no official pretraining config %q (have: %s)", name, strings.Join(PretrainPresets(), ", "))
	}
	return ParsePretrain(name, data)
}

// LoadEvalPreset parses the official frozen-evaluation config name.
func LoadEvalPreset(name string) (*EvalConfig, []Warning, error) {
	data, err := presets.ReadFile("presets/evals/" + name + ".yaml")
	if err != nil {
		return nil, nil, fmt.Errorf("no official evaluation config %q (have: %s)", name, strings.Join(EvalPresets(), ", "))
	}
	return ParseEval(name, data)
}
