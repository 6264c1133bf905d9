package benchmarks

import (
	"strconv"
	"testing"
	"time"

	"github.com/vjepa-go/vjepa/internal/membudget"
	"github.com/vjepa-go/vjepa/internal/testutil"
	"github.com/vjepa-go/vjepa/pretrain"
)

func BenchmarkPretrainStep(b *testing.B) {
	backend := testutil.Backend(b)
	cases, err := DefaultStepCases()
	if err != nil {
		b.Fatal(err)
	}
	for _, sc := range cases {
		b.Run(benchName(sc.Name, sc.Batch), func(b *testing.B) {
			c := sc.Config
			batch, err := StepBatch(c, sc.Masks, sc.Batch)
			if err != nil {
				b.Fatal(err)
			}
			o := Options{Memory: membudget.Host()}
			if n, note, _ := planStepBatch(sc, batch, o); n < sc.Batch {
				b.Skip(note)
			}
			st, err := pretrain.InitState(c, 1)
			if err != nil {
				b.Fatal(err)
			}
			stepper, err := pretrain.NewStepper(backend, c, len(sc.Masks), st)
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
			b.ReportMetric(float64(sc.Batch)/sec, "clips/s")
			b.ReportMetric(PretrainStepFLOPs(c, batch)/sec/1e9, "GFLOP/s")
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
