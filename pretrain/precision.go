package pretrain

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
)

// Precision choices of Options.Precision (`vjepa pretrain --precision`).
const (
	// PrecisionAuto follows meta.dtype where the backend computes bfloat16 well (XLA on a
	// GPU or TPU) and uses float32 elsewhere (the pure-Go backend, XLA on the CPU).
	PrecisionAuto    = "auto"
	PrecisionFloat32 = "float32"
	// PrecisionBFloat16 computes the blocks' matrix products in bfloat16 on any backend.
	PrecisionBFloat16 = "bfloat16"
)

// Precisions lists the accepted Options.Precision values.
func Precisions() []string { return []string{PrecisionAuto, PrecisionFloat32, PrecisionBFloat16} }

// LowPrecisionFast reports whether backend computes bfloat16 matrix products faster than
// float32: XLA on a CUDA GPU or a TPU.
func LowPrecisionFast(backend compute.Backend) bool {
	if backend == nil || !strings.EqualFold(backend.Name(), "xla") {
		return false
	}
	desc := strings.ToLower(backend.Description())
	if backend.NumDevices() > 0 {
		desc += " " + strings.ToLower(backend.DeviceDescription(0))
	}
	for _, accel := range []string{"cuda", "gpu", "tpu", "rocm"} {
		if strings.Contains(desc, accel) {
			return true
		}
	}
	return false
}

// ResolveExecution decides how the training step computes its transformer blocks: the
// precision (see the Precision* constants; "" means auto) and gradient checkpointing
// (model.use_activation_checkpointing or gradCheckpointing). Master weights, optimiser
// state and the loss are float32 in every case. The note says why meta.dtype was not
// followed, if it was not.
func ResolveExecution(cfg *officialcfg.PretrainConfig, backend compute.Backend, precision string, gradCheckpointing bool) (backbone.Execution, string, error) {
	exec := backbone.Execution{GradCheckpointing: gradCheckpointing || cfg.Arch.UseActivationCheckpointing}
	asked := backbone.ParseComputeDType(cfg.Meta.Dtype)
	var note string
	switch precision {
	case "", PrecisionAuto:
		switch {
		case asked == dtypes.InvalidDType:
		case asked != dtypes.BFloat16:
			note = fmt.Sprintf("meta.dtype %s is not supported (bfloat16 is); computing in float32", cfg.Meta.Dtype)
		case LowPrecisionFast(backend):
			exec.ComputeDType = dtypes.BFloat16
		default:
			note = fmt.Sprintf("meta.dtype %s: float32 on the %s backend (bfloat16 is no faster there); --precision bfloat16 forces it", cfg.Meta.Dtype, backend.Name())
		}
	case PrecisionFloat32:
	case PrecisionBFloat16:
		exec.ComputeDType = dtypes.BFloat16
	default:
		return exec, "", fmt.Errorf("precision %q: want one of %s", precision, strings.Join(Precisions(), ", "))
	}
	return exec, note, nil
}
