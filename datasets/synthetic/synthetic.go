package synthetic

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// Names of the built-in procedurally generated data sets.
const (
	// Motion is a stand-in for Something-Something-v2: the class is the motion of the
	// main object (8 classes) while its shape, texture, colours and the background are random,
	// so no single frame tells the class.
	Motion = "synthetic-motion"
	// Appearance is a stand-in for appearance tasks (K400, IN1K): the class is the
	// main object's shape and texture (10 classes) while its motion is random.
	Appearance = "synthetic-appearance"
	// Scenes is pretraining data without classes: clips crowded with moving, turning,
	// growing textured objects of every kind, so that most tokens carry an object.
	Scenes = "synthetic-scenes"
)

// syntheticVersion is the version of the built-in sets' rendering and classes. Bump it whenever
// a change alters any clip or label: cached features are keyed on it (see Fingerprint).
//
//   - 1: five outlines × two textures for synthetic-appearance, high-contrast backgrounds.
//   - 2: synthetic-scenes added; subdued backgrounds, larger main objects,
//     synthetic-appearance as two shapes × five textures.
const syntheticVersion = 2

// Split names of the built-in data sets.
const (
	SplitTrain = "train"
	SplitVal   = "val"
)

// Defaults of Config.
const (
	DefaultTrainSize = 2000
	DefaultValSize   = 500
	DefaultFrames    = 16
	DefaultSize      = 64
)

// Config configures a built-in data set. Zero fields take the defaults.
type Config struct {
	// Seed selects the whole data set; the same seed always renders the same clips.
	Seed uint64
	// Split is the split served by Len and Sample: SplitTrain (default) or SplitVal.
	Split string
	// TrainSize and ValSize are the numbers of clips of each split (default 2000 and 500).
	TrainSize, ValSize int
	// Frames is the number of frames T of each clip (default 16; 1 gives still images).
	Frames int
	// Size is the frame height and width H = W in pixels (default 64).
	Size int
}

// withDefaults returns c with zero fields replaced by their defaults.
func (c Config) withDefaults() Config {
	if c.Split == "" {
		c.Split = SplitTrain
	}
	if c.TrainSize == 0 {
		c.TrainSize = DefaultTrainSize
	}
	if c.ValSize == 0 {
		c.ValSize = DefaultValSize
	}
	if c.Frames == 0 {
		c.Frames = DefaultFrames
	}
	if c.Size == 0 {
		c.Size = DefaultSize
	}
	return c
}

// validate reports the first invalid field of c (after defaults).
func (c Config) validate() error {
	switch {
	case c.Split != SplitTrain && c.Split != SplitVal:
		return fmt.Errorf("split %q: want %q or %q", c.Split, SplitTrain, SplitVal)
	case c.TrainSize < 0 || c.ValSize < 0:
		return fmt.Errorf("split sizes must be positive, got train %d, val %d", c.TrainSize, c.ValSize)
	case c.Frames < 1 || c.Frames > 4096:
		return fmt.Errorf("frames %d: want 1..4096", c.Frames)
	case c.Size < 8 || c.Size > 4096:
		return fmt.Errorf("size %d: want 8..4096", c.Size)
	}
	return nil
}

// syntheticKind describes one built-in data set: its classes and how a scene of a class is drawn.
type syntheticKind struct {
	name    string
	classes []string
	scene   func(rng *rand.Rand, label int) synthScene
	// trainSize, when not zero, replaces DefaultTrainSize.
	trainSize int
}

// syntheticKinds lists the built-in data sets.
func syntheticKinds() []syntheticKind {
	return []syntheticKind{
		{name: Motion, classes: motionClassNames(), scene: motionScene},
		{name: Appearance, classes: appearanceClassNames(), scene: appearanceScene},
		// Twice the size of both labelled sets together, so that two thirds of the clips of
		// the default pretraining mixture are crowded scenes.
		{name: Scenes, classes: scenesClassNames(), scene: scenesScene, trainSize: 4 * DefaultTrainSize},
	}
}

// BuiltinNames lists the names accepted by Builtin.
func BuiltinNames() []string {
	kinds := syntheticKinds()
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.name
	}
	return names
}

// Dataset is a built-in, procedurally generated data set. Clips are rendered on the fly from
// (seed, split, index): no files are read and the same triple always gives the same pixels.
// Labels are balanced: the label of clip i is i modulo the number of classes. Dataset is safe
// for concurrent use.
type Dataset struct {
	kind syntheticKind
	cfg  Config
}

// Builtin returns the built-in data set called name (see BuiltinNames).
func Builtin(name string, cfg Config) (*Dataset, error) {
	for _, k := range syntheticKinds() {
		if k.name != name {
			continue
		}
		if cfg.TrainSize == 0 && k.trainSize != 0 {
			cfg.TrainSize = k.trainSize
		}
		cfg = cfg.withDefaults()
		if err := cfg.validate(); err != nil {
			return nil, fmt.Errorf("built-in data set %q: %w", name, err)
		}
		return &Dataset{kind: k, cfg: cfg}, nil
	}
	return nil, fmt.Errorf("unknown built-in data set %q: valid names are %s", name,
		strings.Join(BuiltinNames(), ", "))
}

// Fingerprint names the content served: data set, generator version, seed, split, sizes and
// clip geometry.
func (s *Dataset) Fingerprint() string {
	c := s.cfg
	return fmt.Sprintf("%s/v%d/seed=%d/%s/train=%d/val=%d/T=%d/size=%d", s.kind.name, syntheticVersion,
		c.Seed, c.Split, c.TrainSize, c.ValSize, c.Frames, c.Size)
}

// Name is the data set's name, e.g. "synthetic-motion".
func (s *Dataset) Name() string { return s.kind.name }

// Config is the configuration with defaults filled in.
func (s *Dataset) Config() Config { return s.cfg }

// WithSplit returns the same data set serving split instead.
func (s *Dataset) WithSplit(split string) (*Dataset, error) {
	cfg := s.cfg
	cfg.Split = split
	return Builtin(s.kind.name, cfg)
}

// SplitLen is the number of clips of split (0 for an unknown split).
func (s *Dataset) SplitLen(split string) int {
	switch split {
	case SplitTrain:
		return s.cfg.TrainSize
	case SplitVal:
		return s.cfg.ValSize
	}
	return 0
}

// Len is the number of clips of the configured split.
func (s *Dataset) Len() int { return s.SplitLen(s.cfg.Split) }

// NumClasses is the number of labels.
func (s *Dataset) NumClasses() int { return len(s.kind.classes) }

// ClassNames returns the class names indexed by label. They sort in label order, so an
// ImageFolder written with them assigns the same labels.
func (s *Dataset) ClassNames() []string { return append([]string(nil), s.kind.classes...) }

// Label is the label of clip index of any split.
func (s *Dataset) Label(index int) int {
	k := len(s.kind.classes)
	return ((index % k) + k) % k
}

// rng returns the random stream of clip index of split: streams of different data sets,
// seeds, splits and indices are independent.
func (s *Dataset) rng(split string, index int) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(s.kind.name))
	h.Write([]byte{0})
	h.Write([]byte(split))
	return rand.New(rand.NewPCG(s.cfg.Seed^h.Sum64(), uint64(index)*0x9e3779b97f4a7c15+0x632be59bd9b4e019))
}

// RenderFrames renders clip index of split as raw uint8 RGB frames [T][H][W][3] with the
// configured T and H = W, and returns it with its label. Any split name and index are accepted
// (each names its own independent stream); only SplitTrain and SplitVal are served by Sample.
func (s *Dataset) RenderFrames(split string, index int) (*media.Frames, int) {
	label := s.Label(index)
	scene := s.kind.scene(s.rng(split, index), label)
	return scene.render(s.cfg.Frames, s.cfg.Size), label
}

// RenderImage renders the first frame of clip index of split as a still image (T = 1), and
// returns it with its label.
func (s *Dataset) RenderImage(split string, index int) (*media.Frames, int) {
	label := s.Label(index)
	scene := s.kind.scene(s.rng(split, index), label)
	return scene.render(1, s.cfg.Size), label
}

// Sample renders clip i of the configured split as one view with one segment, normalised with
// the ImageNet mean and standard deviation like real data. The clip is fully determined by
// (seed, split, i); rng is not used.
func (s *Dataset) Sample(ctx context.Context, i int, _ *rand.Rand) (*media.Sample, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if i < 0 || i >= s.Len() {
		return nil, fmt.Errorf("%s/%s: index %d out of range [0, %d)", s.kind.name, s.cfg.Split, i, s.Len())
	}
	frames, label := s.RenderFrames(s.cfg.Split, i)
	return &media.Sample{
		Views:  [][]media.Clip{{synthNormalize(frames)}},
		Label:  label,
		Source: fmt.Sprintf("%s/%s/%d", s.kind.name, s.cfg.Split, i),
	}, nil
}

// synthNormalize converts uint8 frames [T][H][W][3] to a float32 clip [3][T][H][W] normalised
// with the ImageNet mean and standard deviation.
func synthNormalize(f *media.Frames) media.Clip {
	mean := [3]float32{0.485 * 255, 0.456 * 255, 0.406 * 255}
	std := [3]float32{0.229 * 255, 0.224 * 255, 0.225 * 255}
	n := f.T * f.H * f.W
	out := media.Clip{T: f.T, H: f.H, W: f.W, Data: make([]float32, 3*n)}
	for c := range 3 {
		dst := out.Data[c*n : (c+1)*n]
		m, inv := mean[c], 1/std[c]
		for i := range dst {
			dst[i] = (float32(f.Pix[i*3+c]) - m) * inv
		}
	}
	return out
}
