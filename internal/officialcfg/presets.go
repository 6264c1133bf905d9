package officialcfg

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
)

// presets holds official configuration files, unmodified: those of facebookresearch/jepa
// (presets/pretrain, presets/evals) and the frozen-evaluation configs of
// facebookresearch/vjepa2 (presets/vjepa2/eval/<model>/<task>.yaml, the tree of its
// configs/eval; see presets/vjepa2/SOURCE.md).
//
//go:embed presets/pretrain/*.yaml presets/evals/*.yaml presets/vjepa2/eval/*/*.yaml
var presets embed.FS

// vjepa2EvalDir is the folder of the V-JEPA 2 eval configs inside presets.
const vjepa2EvalDir = "presets/vjepa2/eval"

// VJEPA2Prefix starts the names of the V-JEPA 2 eval presets: vjepa2_<model>_<task> is
// vjepa2:configs/eval/<model>/<task>.yaml (e.g. vjepa2_vitg-384_ssv2).
const VJEPA2Prefix = "vjepa2_"

// PretrainPresets lists the official pretraining configs (vitl16, vith16, vith16_384).
func PretrainPresets() []string { return presetNames("presets/pretrain") }

// EvalPresets lists the official frozen-evaluation configs: V-JEPA's (vitl16_k400_16x8x3,
// …) and V-JEPA 2's (vjepa2_vitl_ssv2, vjepa2_vitg-384_diving48, …).
func EvalPresets() []string {
	names := presetNames("presets/evals")
	models, _ := presets.ReadDir(vjepa2EvalDir)
	for _, m := range models {
		for _, task := range presetNames(path.Join(vjepa2EvalDir, m.Name())) {
			names = append(names, VJEPA2Prefix+m.Name()+"_"+task)
		}
	}
	sort.Strings(names)
	return names
}

func presetNames(dir string) []string {
	entries, _ := presets.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// EvalPresetSource is where an eval preset comes from in its official repository, e.g.
// "facebookresearch/vjepa2 configs/eval/vitl/ssv2.yaml".
func EvalPresetSource(name string) (string, error) {
	file, err := evalPresetFile(name)
	if err != nil {
		return "", err
	}
	if rest, ok := strings.CutPrefix(file, vjepa2EvalDir+"/"); ok {
		return "facebookresearch/vjepa2 configs/eval/" + rest, nil
	}
	return "facebookresearch/jepa configs/evals/" + path.Base(file), nil
}

// evalPresetFile is the embedded file of eval preset name.
func evalPresetFile(name string) (string, error) {
	file := "presets/evals/" + name + ".yaml"
	if rest, ok := strings.CutPrefix(name, VJEPA2Prefix); ok {
		// The model folder (vitl, vitg-384) has no underscore; the task follows the first one.
		if model, task, ok := strings.Cut(rest, "_"); ok {
			file = path.Join(vjepa2EvalDir, model, task+".yaml")
		}
	}
	if _, err := presets.Open(file); err != nil {
		return "", fmt.Errorf("no official evaluation config %q (have: %s)", name, strings.Join(EvalPresets(), ", "))
	}
	return file, nil
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
	file, err := evalPresetFile(name)
	if err != nil {
		return nil, nil, err
	}
	data, err := presets.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("read preset %s: %w", name, err)
	}
	return ParseEval(name, data)
}
