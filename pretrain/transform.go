package pretrain

import (
	"github.com/vjepa-go/vjepa/datasets/transform"
	"github.com/vjepa-go/vjepa/internal/officialcfg"
)

// pretrainTransform is the official pretraining transform configured by data_aug:
// random-resized crop shared by all frames, horizontal flip, ImageNet normalisation.
func pretrainTransform(cfg *officialcfg.PretrainConfig) (transform.Video, error) {
	tc := transform.DefaultPretrainConfig()
	tc.CropSize = cfg.Data.CropSize
	if a := cfg.DataAug.RandomResizeScale; a != [2]float64{} {
		tc.RandomResizeScale = a
	}
	if a := cfg.DataAug.RandomResizeAspectRatio; a != [2]float64{} {
		tc.RandomResizeAspectRatio = a
	}
	return transform.NewPretrain(tc)
}
