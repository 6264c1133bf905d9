package pretrain_test

import (
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/pretrain"
)

// fakeBackend answers the descriptive methods of a backend; nothing else is called.
type fakeBackend struct {
	compute.Backend
	name, desc, device string
}

func (b fakeBackend) Name() string                               { return b.name }
func (b fakeBackend) Description() string                        { return b.desc }
func (b fakeBackend) NumDevices() int                            { return 1 }
func (b fakeBackend) DeviceDescription(compute.DeviceNum) string { return b.device }

func TestResolveExecution(t *testing.T) {
	goBackend := testutil.Backend(t)
	cuda := fakeBackend{name: "xla", desc: "XLA PJRT plugin cuda", device: "NVIDIA H200"}
	xlaCPU := fakeBackend{name: "xla", desc: "XLA PJRT plugin cpu", device: "cpu"}
	bf16, ckpt := dtypes.BFloat16, true
	for _, tc := range []struct {
		name      string
		dtype     string
		yamlCkpt  bool
		backend   compute.Backend
		precision string
		flagCkpt  bool
		want      backbone.Execution
		wantNote  string
		wantErr   string
	}{
		{name: "float32 config", dtype: "float32", backend: cuda, want: backbone.Execution{}},
		{name: "bfloat16 config on CUDA", dtype: "bfloat16", backend: cuda, want: backbone.Execution{ComputeDType: bf16}},
		{name: "bfloat16 config on the Go backend", dtype: "bfloat16", backend: goBackend, wantNote: "--precision bfloat16 forces it"},
		{name: "bfloat16 config on XLA CPU", dtype: "bfloat16", backend: xlaCPU, precision: pretrain.PrecisionAuto, wantNote: "float32 on the xla backend"},
		{name: "forced bfloat16", dtype: "float32", backend: goBackend, precision: "bfloat16", want: backbone.Execution{ComputeDType: bf16}},
		{name: "forced float32", dtype: "bfloat16", backend: cuda, precision: "float32", want: backbone.Execution{}},
		{name: "float16 config", dtype: "float16", backend: cuda, wantNote: "meta.dtype float16 is not supported"},
		{name: "checkpointing from the YAML", yamlCkpt: true, backend: goBackend, want: backbone.Execution{GradCheckpointing: ckpt}},
		{name: "checkpointing from the flag", flagCkpt: true, backend: goBackend, want: backbone.Execution{GradCheckpointing: ckpt}},
		{name: "bad precision", backend: goBackend, precision: "fp8", wantErr: `precision "fp8": want one of auto, float32, bfloat16`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &officialcfg.PretrainConfig{Meta: officialcfg.PretrainMeta{Dtype: tc.dtype},
				Arch: officialcfg.PretrainModel{UseActivationCheckpointing: tc.yamlCkpt}}
			got, note, err := pretrain.ResolveExecution(cfg, tc.backend, tc.precision, tc.flagCkpt)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			if tc.wantNote == "" {
				require.Empty(t, note)
			} else {
				require.Contains(t, note, tc.wantNote)
			}
		})
	}
}
