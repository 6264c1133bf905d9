package probe

import (
	"fmt"

	"github.com/gomlx/compute"
)

// meanTokens returns fs with every sample's tokens averaged, per view ([Tokens] = 1), for
// the probes that average the tokens before anything trainable: their training then reads
// one vector per sample every epoch instead of all tokens. The average is the model's own
// ([Model.Pool] through [NewMeanPooler]), and averaging the one remaining token is exact, so
// the probe trains on the same numbers as on fs.
func meanTokens(backend compute.Backend, fs *FeatureSet, batchSize int) (*FeatureSet, error) {
	pool, err := NewMeanPooler(backend, fs.Dim)
	if err != nil {
		return nil, fmt.Errorf("mean-pool features: %w", err)
	}
	out := &FeatureSet{Tokens: 1, Dim: fs.Dim, Views: fs.Views, Labels: fs.Labels, NumClasses: fs.NumClasses,
		ClassNames: fs.ClassNames, Data: make([][]float32, fs.Len())}
	for i := range out.Data {
		out.Data[i] = make([]float32, 0, fs.Views*fs.Dim)
	}
	order := make([]int, fs.Len())
	for i := range order {
		order[i] = i
	}
	for v := 0; v < fs.Views; v++ {
		for idx := range batches(order, batchSize) {
			x, _ := fs.Batch(idx, v)
			rows, err := pool.Pool(x)
			if err != nil {
				return nil, err
			}
			for k, i := range idx {
				out.Data[i] = append(out.Data[i], rows[k]...)
			}
		}
	}
	return out, nil
}
