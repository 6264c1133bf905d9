package backend

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
	"github.com/vjepa-go/vjepa/internal/backend/goconfig"
)

// xlaPlugins lists the installed PJRT plugins (name → path). It is set by the xla-enabled
// build (backend_xla.go) and is nil when XLA support is compiled out (build tag noxla).
var xlaPlugins func() map[string]string

// Select returns the backend named by config ("go", "xla:cpu", "xla:cuda", …). With an
// empty config it uses $GOMLX_BACKEND, else XLA when a PJRT plugin is already installed
// (CUDA first, then CPU), else the pure-Go backend. It never downloads anything.
//
// The pure-Go backend is only fast with the SIMD kernels (GOEXPERIMENT=simd); without them it
// is ~36× slower, so it is refused unless allowSlow is set.
func Select(config string, allowSlow bool) (compute.Backend, error) {
	if config == "" {
		config = os.Getenv(compute.ConfigEnvVar)
	}
	if config == "" {
		config = defaultBackendConfig()
	}
	name, options, _ := strings.Cut(config, ":")
	if name == gobackend.BackendName {
		if !SIMDEnabled() && !allowSlow {
			return nil, fmt.Errorf("the pure-Go backend needs a binary built with GOEXPERIMENT=simd (this one reports %s): export GOEXPERIMENT=simd and rebuild, or allow the slow kernels", runtime.Version())
		}
		return goconfig.New(options)
	}
	if name == "xla" && xlaPlugins == nil {
		return nil, fmt.Errorf("backend %q: this binary was built without XLA support (build tag noxla)", config)
	}
	if !contains(compute.List(), name) {
		return nil, fmt.Errorf("unknown backend %q (available: %s)", config, strings.Join(compute.List(), ", "))
	}
	b, err := compute.NewWithConfig(config)
	if err != nil {
		return nil, fmt.Errorf("backend %q: %w (install a PJRT plugin, see README, or choose the go backend)", config, err)
	}
	return b, nil
}

// ConstantWeights reports whether inference graphs on b should hold their weights as
// graph constants rather than take them as inputs. The pure-Go backend packs the right-hand
// operand of a matrix product into its kernel's panel layout on every call, unless that
// operand is a constant (or computed from constants only), which it packs once on the first
// call: for a ViT-T 8×112 encoder forward that packing was 16 % of the time. XLA keeps
// input buffers on the device, and large constants would bloat its programs, so it gets
// inputs.
func ConstantWeights(b compute.Backend) bool { return b.String() == gobackend.BackendName }

// SIMDEnabled reports whether the binary was built with GOEXPERIMENT=simd.
func SIMDEnabled() bool { return strings.Contains(runtime.Version(), "simd") }

func defaultBackendConfig() string {
	if xlaPlugins == nil {
		return gobackend.BackendName
	}
	plugins := xlaPlugins()
	names := make([]string, 0, len(plugins))
	for n := range plugins {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, pref := range []string{"cuda", "tpu", "cpu"} {
		if contains(names, pref) {
			return "xla:" + pref
		}
	}
	if len(names) > 0 {
		return "xla:" + names[0]
	}
	return gobackend.BackendName
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
