package benchmarks

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

func BenchmarkEncoderForward(b *testing.B) {
	backend := testutil.Backend(b)
	cases, err := DefaultEncoderCases()
	if err != nil {
		b.Fatal(err)
	}
	for _, ec := range cases {
		b.Run(benchName(ec.Name, ec.Batch), func(b *testing.B) {
			c := ec.Config
			params, err := backbone.InitEncoder(c, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				b.Fatal(err)
			}
			r, err := backbone.NewEncoderRunner(backend, c, params, false)
			if err != nil {
				b.Fatal(err)
			}
			clip := backbone.HostTensor{Shape: []int{ec.Batch, 3, c.NumFrames, c.CropSize, c.CropSize},
				F32: make([]float32, ec.Batch*3*c.NumFrames*c.CropSize*c.CropSize)}
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
			flops := float64(ec.Batch) * EncoderForwardFLOPs(c, c.NumTokens())
			b.ReportMetric(float64(ec.Batch)/sec, "clips/s")
			b.ReportMetric(flops/sec/1e9, "GFLOP/s")
		})
	}
}

// benchName turns a row label into a go-test sub-benchmark name ("ViT-T_8x112_b2").
func benchName(label string, batch int) string {
	r := strings.NewReplacer(" ", "_", "×", "x", "(", "", ")", "", ",", "")
	return r.Replace(label) + "_b" + itoa(batch)
}
