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
	wrap := func(err error) error { return fmt.Errorf("encoder %s: %w", ec.Name, err) }
	c := ec.Config
	res := EncoderResult{Case: ec, FLOPs: float64(ec.Batch) * EncoderForwardFLOPs(c, c.NumTokens())}
	params, err := backbone.InitEncoder(c, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return res, wrap(err)
	}
	r, err := backbone.NewEncoderRunner(backend, c, params, false)
	if err != nil {
		return res, wrap(err)
	}
	clip := randomClip(c, ec.Batch, rand.New(rand.NewPCG(7, 8)))
	res.Time, err = measure(ctx, budget, func() error {
		_, _, err := r.Run(clip, nil)
		return err
	})
	if err != nil {
		return res, wrap(err)
	}
	return res, nil
}
