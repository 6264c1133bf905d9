package benchmarks

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/pretrain"
	"github.com/vjepa-go/vjepa/probe"
)

// Environment variables of the memory calibration (docs/performance.md, "Memory planning").
const (
	// calibrateEnv=1 makes TestMemoryCalibration run every calibrationCase in a child process
	// of its own and print the table of estimated against measured peaks.
	calibrateEnv = "VJEPA_MEMORY_CALIBRATION"
	// calibrationCaseEnv names the case a child process runs (JSON of calibrationCase).
	calibrationCaseEnv = "VJEPA_MEMORY_CALIBRATION_CASE"
)

// calibrationCase is one measured run: a no-grad encoder forward or a pretraining step of a
// preset model at frames×crop, batch clips, two calls (the compiling one and one more).
type calibrationCase struct {
	Kind       string `json:"kind"` // KindEncoderForward, KindPretrainStep or KindProbeStep
	Preset     string `json:"preset"`
	Frames     int    `json:"frames"`
	Crop       int    `json:"crop"`
	Batch      int    `json:"batch"`
	Checkpoint bool   `json:"checkpoint,omitempty"`
}

// probeCase is the probe step of a calibration case of KindProbeStep: an attentive4 probe
// (depth 4) on the features of Preset at Frames×Crop, two sweep heads, 10 classes.
func (c calibrationCase) probeCase(t testing.TB) ProbeCase {
	cfg := c.config(t)
	m := probe.Model{Kind: probe.Attentive4, EmbedDim: cfg.EmbedDim, NumHeads: cfg.NumHeads, NumClasses: 10, Depth: 4}
	return ProbeCase{Name: c.String(), Model: m, Tokens: cfg.NumTokens(), Batch: c.Batch, Heads: 2}
}

func (c calibrationCase) config(t testing.TB) backbone.Config {
	cfg, err := PresetAt(c.Preset, c.Frames, c.Crop, 16)
	require.NoError(t, err)
	cfg.Exec.GradCheckpointing = c.Checkpoint
	return cfg
}

func (c calibrationCase) String() string {
	s := fmt.Sprintf("%s %s %d×%d b%d", c.Kind, c.Preset, c.Frames, c.Crop, c.Batch)
	if c.Checkpoint {
		s += " checkpointed"
	}
	return s
}

// calibrationCases are the runs of the table in docs/performance.md: three model sizes at two
// clip lengths for the forward, the step at two sizes and two clip lengths with and without
// checkpointing, and the V-JEPA 2 probe step. Each stays under ~3 GiB.
func calibrationCases() []calibrationCase {
	var out []calibrationCase
	for _, p := range []string{"vit_tiny", "vit_small", "vit_base"} {
		for _, frames := range []int{8, 16} {
			out = append(out, calibrationCase{Kind: KindEncoderForward, Preset: p, Frames: frames, Crop: 224, Batch: 2})
		}
	}
	for _, p := range []string{"vit_tiny", "vit_small"} {
		for _, frames := range []int{8, 16} {
			for _, ckpt := range []bool{false, true} {
				out = append(out, calibrationCase{Kind: KindPretrainStep, Preset: p, Frames: frames, Crop: 112, Batch: 2, Checkpoint: ckpt})
			}
		}
	}
	// The probe step on two feature widths and two clip lengths (the ViT-S 16-frame one at
	// batch 1 to stay under 3 GiB).
	for _, c := range []calibrationCase{
		{Kind: KindProbeStep, Preset: "vit_tiny", Frames: 8, Crop: 224, Batch: 2},
		{Kind: KindProbeStep, Preset: "vit_tiny", Frames: 16, Crop: 224, Batch: 2},
		{Kind: KindProbeStep, Preset: "vit_small", Frames: 8, Crop: 224, Batch: 2},
		{Kind: KindProbeStep, Preset: "vit_small", Frames: 16, Crop: 224, Batch: 1},
	} {
		out = append(out, c)
	}
	return out
}

// TestMemoryCalibration measures the peak RSS of every calibration case in a child process
// and compares it with the planner's estimate. It runs only when asked (it takes minutes):
//
//	VJEPA_MEMORY_CALIBRATION=1 go test ./benchmarks/ -run TestMemoryCalibration -v -timeout 60m
func TestMemoryCalibration(t *testing.T) {
	if os.Getenv(calibrateEnv) != "1" {
		t.Skipf("set %s=1 to measure the memory estimate against peak RSS (minutes)", calibrateEnv)
	}
	only := os.Getenv(calibrateEnv + "_ONLY") // substring filter on the case names
	fmt.Println("| case | estimated (MiB) | measured peak RSS (MiB) | estimate ÷ measured |")
	fmt.Println("|---|---|---|---|")
	for _, c := range calibrationCases() {
		if only != "" && !strings.Contains(c.String(), only) {
			continue
		}
		spec, err := json.Marshal(c)
		require.NoError(t, err)
		cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryCalibrationChild$")
		cmd.Env = append(os.Environ(), calibrationCaseEnv+"="+string(spec), calibrateEnv+"=0")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s: %s", c, out)
		peak := float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) * 1024
		est := calibrationEstimate(t, c)
		fmt.Printf("| %s | %.0f | %.0f | %.2f |\n", c, est/(1<<20), peak/(1<<20), est/peak)
	}
}

// calibrationEstimate is the planner's estimate of case c.
func calibrationEstimate(t testing.TB, c calibrationCase) float64 {
	cfg := c.config(t)
	switch c.Kind {
	case KindEncoderForward:
		return backbone.EstimateForwardBytes(cfg, c.Batch)
	case KindProbeStep:
		return probeStepEstimate(c.probeCase(t), c.Batch)
	}
	b, err := StepBatch(cfg, pretrain.DefaultMaskConfigs(), c.Batch)
	require.NoError(t, err)
	kc, kp := maskLengths(b)
	return backbone.EstimateStepBytes(cfg, kc, kp, c.Batch)
}

// TestMemoryCalibrationChild is the child process of TestMemoryCalibration: it runs one case.
func TestMemoryCalibrationChild(t *testing.T) {
	spec := os.Getenv(calibrationCaseEnv)
	if spec == "" {
		t.Skip("child process of TestMemoryCalibration")
	}
	var c calibrationCase
	require.NoError(t, json.Unmarshal([]byte(spec), &c))
	backend := testutil.Backend(t)
	cfg := c.config(t)
	budget := Budget{MinIters: 1, MaxIters: 1}
	switch c.Kind {
	case KindEncoderForward:
		_, err := benchEncoder(context.Background(), backend, EncoderCase{Name: c.String(), Config: cfg, Batch: c.Batch}, budget)
		require.NoError(t, err)
	case KindPretrainStep:
		b, err := StepBatch(cfg, pretrain.DefaultMaskConfigs(), c.Batch)
		require.NoError(t, err)
		st, err := pretrain.InitState(cfg, 1)
		require.NoError(t, err)
		stepper, err := pretrain.NewStepper(backend, cfg, len(b.Context), st)
		require.NoError(t, err)
		hp := pretrain.HParams{LR: 1e-4, WeightDecay: 0.04, Momentum: 0.998}
		_, err = measure(context.Background(), budget, func() error { _, err := stepper.Step(b, hp); return err })
		require.NoError(t, err)
	case KindProbeStep:
		step, err := newProbeStep(backend, c.probeCase(t))
		require.NoError(t, err)
		_, err = measure(context.Background(), budget, step)
		require.NoError(t, err)
	default:
		t.Fatalf("unknown kind %q", c.Kind)
	}
}
