package benchmarks

import (
	"fmt"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/internal/membudget"
	"github.com/vjepa-go/vjepa/probe"
)

// officialEncoderSpecs are the encoder forwards at the official evaluation and pretraining
// shapes (issue 19): V-JEPA ViT-L/16 and ViT-H/16 at their eval clips, V-JEPA 2 ViT-L at its
// pretraining clip (facebook/vjepa2-vitl-fpc64-256) and ViT-g at 64×384 (vitg-384 evals).
// Batch: the official evals' batch per GPU for V-JEPA (4), one clip for the 64-frame V-JEPA 2
// shapes; --batch fixes it, and the memory planner lowers the default to what fits.
var officialEncoderSpecs = []struct {
	ref, label, preset  string
	frames, crop, batch int
	gpuOnly             bool // too large for a CPU: refused there with one line
}{
	{"vitl16-16x224", "V-JEPA ViT-L/16 16×224", "vit_large", 16, 224, 4, false},
	{"vith16-16x384", "V-JEPA ViT-H/16 16×384", "vit_huge", 16, 384, 4, false},
	{"vjepa2_vitl-64x256", "V-JEPA 2 ViT-L 64×256", "vit_large_rope", 64, 256, 1, false},
	{"vjepa2_vitg-64x384", "V-JEPA 2 ViT-g 64×384", "vit_giant_xformers_rope", 64, 384, 1, true},
}

// OfficialEncoderCases are the encoder forwards at official shapes. They run only when named
// in --cases (OnRequest).
func OfficialEncoderCases() ([]EncoderCase, error) {
	out := make([]EncoderCase, 0, len(officialEncoderSpecs))
	for _, s := range officialEncoderSpecs {
		c, err := PresetAt(s.preset, s.frames, s.crop, 16)
		if err != nil {
			return nil, err
		}
		out = append(out, EncoderCase{Name: s.label, Ref: s.ref, Config: c, Batch: s.batch, OnRequest: true, GPUOnly: s.gpuOnly, WeightsOnce: true})
	}
	return out, nil
}

// officialProbePreset is the eval preset of the official-shape probe step: V-JEPA 2 ViT-L on
// SSv2, 16 frames × 2 segments × 3 views at 256 px (vjepa2:configs/eval/vitl/ssv2.yaml).
const officialProbePreset = "vjepa2_vitl_ssv2"

// OfficialProbeCase is the probe training step of the V-JEPA 2 ViT-L SSv2 evaluation: its
// attentive probe (4 blocks, 16 heads, 174 classes) and its sweep of heads trained together,
// on the features a training sample gives (one view; the segments' tokens concatenated, as
// attend_across_segments does), at the config's batch per GPU. It runs only when named in
// --cases.
func OfficialProbeCase() (ProbeCase, error) {
	cfg, _, err := probe.LoadEvalConfig(officialProbePreset)
	if err != nil {
		return ProbeCase{}, fmt.Errorf("probe case: %w", err)
	}
	e, err := probe.ExperimentFromConfig(officialProbePreset, cfg, "")
	if err != nil {
		return ProbeCase{}, fmt.Errorf("probe case: %w", err)
	}
	m := e.ConfigProbe
	m.NumClasses = cfg.Data.NumClasses
	p := e.Data.Protocol
	enc := e.Model
	enc.NumFrames, enc.CropSize = p.FramesPerClip, p.Resolution
	ref := fmt.Sprintf("vjepa2_vitl-ssv2-%dx%dx%d", p.FramesPerClip, p.NumSegments, p.NumViews)
	name := fmt.Sprintf("V-JEPA 2 ViT-L SSv2 probe (%d×%d×%d at %d px)", p.FramesPerClip, p.NumSegments, p.NumViews, p.Resolution)
	return ProbeCase{Name: name, Ref: ref, Model: m, Tokens: p.NumSegments * enc.NumTokens(), Batch: e.BatchSize,
		Heads: len(e.Sweep), OnRequest: true}, nil
}

// gpuRefusal says in one line why case c cannot run on backend ("" when it can): a
// GPUOnly case on a backend that computes on the CPU.
func gpuRefusal(c EncoderCase, backend compute.Backend) string {
	if !c.GPUOnly || membudget.OnGPU(backend) {
		return ""
	}
	return fmt.Sprintf("GPU only: needs an XLA CUDA backend (this run uses %s); at %d×%d its activations exceed a CPU machine's memory",
		backend.Name(), c.Config.NumFrames, c.Config.CropSize)
}
