package benchmarks

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gomlx/compute/gobackend"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/pretrain"
)

type stepCase struct {
	name  string
	cfg   func() backbone.Config
	batch int
}

func presetAt(name string, frames, crop, patch int) func() backbone.Config {
	return func() backbone.Config {
		c, _ := backbone.Preset(name)
		c.NumFrames, c.CropSize, c.PatchSize = frames, crop, patch
		return c
	}
}

var stepCases = []stepCase{
	{"vit_tiny_8x112_b4", presetAt("vit_tiny", 8, 112, 16), 4},
	{"vit_small_16x224_b4", presetAt("vit_small", 16, 224, 16), 4},
	{"cpu_default_b32", func() backbone.Config {
		c, _ := backbone.Preset("vit_tiny")
		c.Depth, c.NumFrames, c.CropSize, c.PatchSize = 6, 8, 64, 8
		c.PredDepth, c.PredEmbedDim = 4, 96
		return c
	}, 32},
}

// stepBatch draws one batch of masks for c (fixed seed, so every call has the same shapes).
func stepBatch(c backbone.Config, batch int) (pretrain.Batch, error) {
	tg, hg, wg := c.Grid()
	s, err := pretrain.NewMaskSampler(tg, hg, wg, pretrain.DefaultMaskConfigs(), 1)
	if err != nil {
		return pretrain.Batch{}, err
	}
	masks, err := s.Sample(0, batch, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return pretrain.Batch{}, err
	}
	b := pretrain.Batch{Clip: backbone.HostTensor{Shape: []int{batch, 3, c.NumFrames, c.CropSize, c.CropSize},
		F32: make([]float32, batch*3*c.NumFrames*c.CropSize*c.CropSize)}}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range b.Clip.F32 {
		b.Clip.F32[i] = float32(r.NormFloat64())
	}
	for _, m := range masks {
		b.Context = append(b.Context, backbone.HostTensor{Shape: []int{batch, m.Kc()}, I64: m.FlatContext()})
		b.Target = append(b.Target, backbone.HostTensor{Shape: []int{batch, m.Kp()}, I64: m.FlatTarget()})
	}
	return b, nil
}

// PretrainStepFLOPs counts the matrix-product FLOPs of one training step: the target
// encoder forward on the full clip, and per mask configuration the context encoder and the
// predictor forward and backward (backward = 2× forward).
func PretrainStepFLOPs(c backbone.Config, b pretrain.Batch) float64 {
	batch := float64(b.Clip.Shape[0])
	n := c.NumTokens()
	total := EncoderForwardFLOPs(c, n)
	p := c
	p.EmbedDim, p.Depth, p.Tubelet, p.PatchSize = c.PredEmbedDim, c.PredDepth, 0, 0
	for i := range b.Context {
		kc, kp := b.Context[i].Shape[1], b.Target[i].Shape[1]
		enc := EncoderForwardFLOPs(c, kc)
		pred := EncoderForwardFLOPs(p, kc+kp) + 2*float64(kc)*float64(c.EmbedDim*c.PredEmbedDim) + 2*float64(kp)*float64(c.EmbedDim*c.PredEmbedDim)
		total += 3 * (enc + pred)
	}
	return batch * total
}

func BenchmarkPretrainStep(b *testing.B) {
	backend, err := gobackend.New("")
	if err != nil {
		b.Fatal(err)
	}
	for _, sc := range stepCases {
		b.Run(sc.name, func(b *testing.B) {
			c := sc.cfg()
			st, err := pretrain.InitState(c, 1)
			if err != nil {
				b.Fatal(err)
			}
			stepper, err := pretrain.NewStepper(backend, c, 2, st)
			if err != nil {
				b.Fatal(err)
			}
			batch, err := stepBatch(c, sc.batch)
			if err != nil {
				b.Fatal(err)
			}
			hp := pretrain.HParams{LR: 1e-4, WeightDecay: 0.04, Momentum: 0.998}
			t0 := time.Now()
			if _, err := stepper.Step(batch, hp); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(t0).Seconds(), "first-step-s")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := stepper.Step(batch, hp); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(sc.batch)/sec, "clips/s")
			b.ReportMetric(PretrainStepFLOPs(c, batch)/sec/1e9, "GFLOP/s")
			_ = fmt.Sprint()
		})
	}
}
