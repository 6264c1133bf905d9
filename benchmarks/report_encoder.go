package benchmarks

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/debug"

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
	if ec.WeightsOnce {
		// As `vjepa encode`: the weights go in as inputs, held once (on the Go backend,
		// constants are held three times: a ViT-L's 1.2 GB would add 2.4 GB to the peak), and
		// the host copies are released before the first call. The price, re-packing the
		// weight matrices on every call, is timed with the forward.
		r.WeightsAsInputs()
		params = nil
		debug.FreeOSMemory()
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
