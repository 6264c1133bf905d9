package pretrain

import (
	"fmt"
	"slices"

	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/datasets/synthetic"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
)

// OpenData opens the pretraining data of cfg: every entry of data.datasets is a built-in
// data set name (synthetic-motion, synthetic-appearance: rendered at num_frames × crop_size)
// or an official list file (decoded, clip-sampled and augmented as the official
// pretraining does); several entries are concatenated.
func OpenData(cfg *officialcfg.PretrainConfig, seed uint64) (datasets.Dataset, error) {
	if len(cfg.Data.Datasets) == 0 {
		return nil, fmt.Errorf("%s: data.datasets is empty", cfg.File)
	}
	var parts []datasets.Dataset
	for _, entry := range cfg.Data.Datasets {
		var ds datasets.Dataset
		var err error
		if slices.Contains(synthetic.BuiltinNames(), entry) {
			ds, err = synthetic.Builtin(entry, synthetic.Config{Seed: seed, Split: synthetic.SplitTrain,
				Frames: cfg.Data.Frames(), Size: cfg.Data.CropSize})
		} else {
			ds, err = openVideoList(cfg, entry)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: data.datasets: %w", cfg.File, err)
		}
		parts = append(parts, ds)
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return datasets.NewConcat(parts...)
}

// openVideoList opens an official list file with the pretraining sampling and transform.
func openVideoList(cfg *officialcfg.PretrainConfig, path string) (datasets.Dataset, error) {
	sampling := datasets.SamplingParams{FramesPerClip: cfg.Data.Frames(), FrameStep: cfg.Data.SamplingRate,
		FPS: cfg.Data.FPS, NumClips: 1, RandomClipSampling: true, FilterShortVideos: cfg.Data.FilterShortVideos}
	if cfg.Data.ClipDuration != nil {
		sampling.Duration = *cfg.Data.ClipDuration
	}
	tr, err := pretrainTransform(cfg)
	if err != nil {
		return nil, err
	}
	return datasets.Open(path, datasets.OpenOptions{Sampling: sampling, Transform: tr})
}
