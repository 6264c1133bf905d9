package probe

import (
	"fmt"
	"os"

	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/datasets/synthetic"
	"github.com/vjepa-go/vjepa/datasets/transform"
)

// DataSpec says where a probe's data is and how clips are made from it.
type DataSpec struct {
	// Train and Val are a built-in data set name, a list file (video) or an ImageFolder root
	// (then Train == Val and the split folders are used).
	Train, Val string
	NumClasses int
	Protocol   Protocol
	// Augment applies the official probe-training augmentation (RandAugment, random resized
	// crop, random erasing for video; AutoAugment for images). Without it training clips get
	// the evaluation transform (single view), which allows caching the frozen features.
	Augment bool
	// SyntheticTrain and SyntheticVal size the built-in data sets (0: their defaults).
	SyntheticTrain, SyntheticVal int
	// Seed selects the built-in data.
	Seed uint64
}

// openSplit opens the train (train=true) or val split of spec.
func openSplit(spec DataSpec, train bool) (datasets.Dataset, error) {
	name := spec.Val
	split := synthetic.SplitVal
	if train {
		name, split = spec.Train, synthetic.SplitTrain
	}
	p := spec.Protocol
	if isRendered(name) {
		if p.NumSegments > 1 || p.NumViews > 1 {
			return nil, fmt.Errorf("built-in data set %s has one segment and one view (protocol %s)", name, p)
		}
		return synthetic.Builtin(name, synthetic.Config{Seed: spec.Seed, Split: split,
			TrainSize: spec.SyntheticTrain, ValSize: spec.SyntheticVal, Frames: p.FramesPerClip, Size: p.Resolution})
	}
	st, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("%s split: %w", split, err)
	}
	if st.IsDir() {
		return openImageFolder(spec, name, split, train)
	}
	sampling := datasets.SamplingParams{FramesPerClip: p.FramesPerClip, FrameStep: p.FrameStep, NumClips: p.NumSegments,
		RandomClipSampling: train, AllowClipOverlap: true}
	opts := datasets.VideoListOptions{Lists: []string{name}, NumClasses: spec.NumClasses, Sampling: sampling}
	if train && spec.Augment {
		cfg := transform.DefaultProbeTrainConfig()
		cfg.CropSize = p.Resolution
		if opts.Transform, err = transform.NewProbeTrainVideo(cfg); err != nil {
			return nil, err
		}
	} else {
		views := p.NumViews
		if train {
			views = 1
		}
		if opts.MultiView, err = transform.NewEvalVideo(p.Resolution, views); err != nil {
			return nil, err
		}
	}
	return datasets.NewVideoList(opts)
}

func openImageFolder(spec DataSpec, root, split string, train bool) (datasets.Dataset, error) {
	p := spec.Protocol
	opts := datasets.ImageFolderOptions{Root: root, Split: split, NumFrames: p.FramesPerClip}
	var err error
	if train && spec.Augment {
		opts.Image, err = transform.NewImageTrain(p.Resolution)
	} else {
		opts.Image, err = transform.NewImageEval(p.Resolution)
	}
	if err != nil {
		return nil, err
	}
	ds, err := datasets.NewImageFolder(opts)
	if err != nil {
		return nil, err
	}
	if spec.NumClasses > 0 && ds.NumClasses() != spec.NumClasses {
		return nil, fmt.Errorf("%s/%s has %d class folders, the config says num_classes %d", root, split, ds.NumClasses(), spec.NumClasses)
	}
	return ds, nil
}

// classNames returns the class names of ds when it knows them.
func classNames(ds datasets.Dataset) []string {
	switch d := ds.(type) {
	case *synthetic.Dataset:
		return d.ClassNames()
	case *datasets.ImageFolder:
		return d.Classes()
	}
	return nil
}

// OpenEval opens path (a built-in name, a list file or an ImageFolder root, whose split is
// split) with the evaluation transform of protocol p and a single spatial view.
func OpenEval(path, split string, p Protocol, numClasses int) (datasets.Dataset, error) {
	p.NumViews = 1
	spec := DataSpec{Train: path, Val: path, NumClasses: numClasses, Protocol: p}
	if split == synthetic.SplitTrain {
		return openSplit(spec, true)
	}
	return openSplit(spec, false)
}
