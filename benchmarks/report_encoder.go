package benchmarks

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/compute"

	"github.com/vjepa-go/vjepa/backbone"
)

// benchEncoder times the no-grad encoder forward of ec on a random clip.
func benchEncoder(ctx context.Context, backend compute.Backend, ec EncoderCase, budget Budget) (EncoderResult, error) {
	c := ec.Config
	res := EncoderResult{Case: ec, FLOPs: float64(ec.Batch) * EncoderForwardFLOPs(c, c.NumTokens())}
	params, err := backbone.InitEncoder(c, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return res, fmt.Errorf("encoder %s: %w", ec.Name, err)
	}
	r, err := backbone.NewEncoderRunner(backend, c, params, false)
	if err != nil {
		return res, fmt.Errorf("encoder %s: %w", ec.Name, err)
	}
	clip := randomClip(c, ec.Batch, 7)
	res.Time, err = measure(ctx, budget, func() error {
		_, _, err := r.Run(clip, nil)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("encoder %s: %w", ec.Name, err)
	}
	return res, nil
}

// randomClip is a standard-normal clip [batch,3,T,H,W] at the size c is constructed for.
func randomClip(c backbone.Config, batch int, seed uint64) backbone.HostTensor {
	t := backbone.HostTensor{Shape: []int{batch, 3, c.NumFrames, c.CropSize, c.CropSize},
		F32: make([]float32, batch*3*c.NumFrames*c.CropSize*c.CropSize)}
	r := rand.New(rand.NewPCG(seed, 8))
	for i := range t.F32 {
		t.F32[i] = float32(r.NormFloat64())
	}
	return t
}
