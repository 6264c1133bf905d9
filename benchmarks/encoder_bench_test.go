package benchmarks

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/gobackend"

	"github.com/vjepa-go/vjepa/backbone"
)

type encCase struct {
	model        string
	frames, crop int
	batch        int
}

var encCases = []encCase{
	{"vit_tiny", 8, 112, 2},
	{"vit_small", 16, 224, 2},
	{"vit_base", 16, 224, 2},
}

func BenchmarkEncoderForward(b *testing.B) {
	backend, err := gobackend.New("")
	if err != nil {
		b.Fatal(err)
	}
	for _, ec := range encCases {
		b.Run(fmt.Sprintf("%s_%dx%d_b%d", ec.model, ec.frames, ec.crop, ec.batch), func(b *testing.B) {
			c, err := backbone.Preset(ec.model)
			if err != nil {
				b.Fatal(err)
			}
			c.NumFrames, c.CropSize = ec.frames, ec.crop
			params, err := backbone.InitEncoder(c, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				b.Fatal(err)
			}
			r, err := backbone.NewEncoderRunner(backend, c, params, false)
			if err != nil {
				b.Fatal(err)
			}
			clip := backbone.HostTensor{Shape: []int{ec.batch, 3, ec.frames, ec.crop, ec.crop},
				F32: make([]float32, ec.batch*3*ec.frames*ec.crop*ec.crop)}
			if _, _, err := r.Run(clip, nil); err != nil { // compile
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := r.Run(clip, nil); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			flops := float64(ec.batch) * EncoderForwardFLOPs(c, c.NumTokens())
			b.ReportMetric(float64(ec.batch)/sec, "clips/s")
			b.ReportMetric(flops/sec/1e9, "GFLOP/s")
		})
	}
}
