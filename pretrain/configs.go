package pretrain

import (
	"embed"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/vjepa-go/vjepa/internal/officialcfg"
)

//go:embed configs/*.yaml
var builtinConfigs embed.FS

// DefaultConfigName is the built-in config `task pretrain` runs with no arguments.
const DefaultConfigName = "cpu-default"

// ConfigNames lists the built-in configs: the project's CPU presets and the official
// pretraining configs (vitl16, vith16, vith16_384).
func ConfigNames() []string {
	entries, _ := builtinConfigs.ReadDir("configs")
	names := officialcfg.PretrainPresets()
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// LoadConfig reads a pretraining config: a YAML file in the official layout, or the name of
// a built-in config (see [ConfigNames]). Warnings (unknown keys) are returned, not fatal.
func LoadConfig(nameOrPath string) (*officialcfg.PretrainConfig, []officialcfg.Warning, error) {
	if _, err := os.Stat(nameOrPath); err == nil || strings.ContainsAny(nameOrPath, `/\`) || strings.HasSuffix(nameOrPath, ".yaml") {
		return officialcfg.LoadPretrain(nameOrPath)
	}
	data, err := builtinConfigs.ReadFile("configs/" + nameOrPath + ".yaml")
	if err != nil {
		if slices.Contains(officialcfg.PretrainPresets(), nameOrPath) {
			return officialcfg.LoadPretrainPreset(nameOrPath)
		}
		return nil, nil, fmt.Errorf("no config file %q and no built-in config of that name (built-in: %s)", nameOrPath, strings.Join(ConfigNames(), ", "))
	}
	return officialcfg.ParsePretrain(nameOrPath, data)
}
