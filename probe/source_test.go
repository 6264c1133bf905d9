package probe

import (
	"context"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/datasets"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// noiseImageFolder writes root/{train,val}/{a,b,c}/ with random-noise PNGs (so that every
// augmentation changes the pixels) and returns root.
func noiseImageFolder(t *testing.T, perClass int) string {
	t.Helper()
	root := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, split := range []string{"train", "val"} {
		for _, class := range []string{"a", "b", "c"} {
			for i := range perClass {
				img := image.NewNRGBA(image.Rect(0, 0, 40, 36))
				for k := range img.Pix {
					img.Pix[k] = uint8(rng.IntN(256))
				}
				for k := 3; k < len(img.Pix); k += 4 {
					img.Pix[k] = 255
				}
				path := filepath.Join(root, split, class, string(rune('p'+i))+".png")
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				f, err := os.Create(path)
				require.NoError(t, err)
				require.NoError(t, png.Encode(f, img))
				require.NoError(t, f.Close())
			}
		}
	}
	return root
}

// TestAugmentedTraining checks the official protocol's augmented probe training: an epoch's
// batches are a pure function of (seed, epoch) — so a killed and resumed probe run equals an
// uninterrupted one — the clips differ from epoch to epoch, and the experiment records it.
func TestAugmentedTraining(t *testing.T) {
	backend := testutil.Backend(t)
	c, _ := backbone.Preset("vit_tiny")
	c.Name, c.EmbedDim, c.Depth, c.NumHeads = "custom", 32, 1, 2
	c.NumFrames, c.CropSize, c.PatchSize = 2, 32, 8
	params, err := backbone.InitEncoder(c, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	enc, err := NewEncoder(backend, c, params)
	require.NoError(t, err)

	root := noiseImageFolder(t, 3)
	spec := DataSpec{Train: root, Val: root, NumClasses: 3, Augment: true,
		Protocol: Protocol{FramesPerClip: 2, NumSegments: 1, NumViews: 1, Resolution: 32, Image: true}}
	train, err := openSplit(spec, true)
	require.NoError(t, err)
	src := &AugmentedSource{Encoder: enc, Data: train, Workers: 2}
	require.Equal(t, 9, src.Len())

	collect := func(epoch int) ([]float32, []int32) {
		var x []float32
		var labels []int32
		for b, err := range src.Epoch(context.Background(), epoch, 4, 11) {
			require.NoError(t, err)
			require.Equal(t, []int{len(b.Labels), 16, 32}, b.X.Shape)
			x = append(x, b.X.F32...)
			labels = append(labels, b.Labels...)
		}
		return x, labels
	}
	x0, l0 := collect(0)
	x0again, l0again := collect(0)
	x1, _ := collect(1)
	require.Len(t, l0, 9)
	require.Equal(t, l0, l0again)
	require.Equal(t, x0, x0again, "an epoch's augmented features depend on (seed, epoch) only")
	require.NotEqual(t, x0, x1, "the augmentation changes from epoch to epoch")

	val, err := Extract(context.Background(), enc, mustOpen(t, spec, false), 4, 1, 0, nil, "val")
	require.NoError(t, err)
	opts := func(ckpt string, stopAfter int, resume bool) TrainOptions {
		return TrainOptions{Model: Model{Kind: Attentive, EmbedDim: 32, NumHeads: 2, NumClasses: 3},
			Training: Training{Sweep: []HeadConfig{{LR: 1e-3, StartLR: 1e-3, WeightDecay: 0.01, FinalWD: 1e-6}},
				Epochs: 2, BatchSize: 4},
			StopAfter: stopAfter, Seed: 5, CheckpointPath: ckpt, Resume: resume}
	}
	straight, err := TrainAndEvaluate(context.Background(), backend, src, val, opts(filepath.Join(t.TempDir(), "a.pth.tar"), 0, false))
	require.NoError(t, err)
	ck := filepath.Join(t.TempDir(), "b.pth.tar")
	_, err = TrainAndEvaluate(context.Background(), backend, src, val, opts(ck, 1, false))
	require.NoError(t, err)
	resumed, err := TrainAndEvaluate(context.Background(), backend, src, val, opts(ck, 0, true))
	require.NoError(t, err)
	require.Equal(t, straight.Params, resumed.Params)
	require.Equal(t, straight.Heads, resumed.Heads)

	e := &Experiment{Dataset: "in1k", Model: c, Data: spec, Probes: []Kind{Attentive},
		Training: Training{Sweep: opts("", 0, false).Sweep, Epochs: 1, BatchSize: 4}, OutDir: t.TempDir(), RecordsDir: t.TempDir(),
		Workers: 2, Progress: io.Discard, Cache: FeatureCache{Dir: t.TempDir()}}
	recs, err := e.Run(context.Background(), backend)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.True(t, recs[0].Probe.TrainAugmentation)
	require.Equal(t, 9, recs[0].NumTrain)
	cached, err := os.ReadDir(e.Cache.Dir)
	require.NoError(t, err)
	require.Len(t, cached, 1, "only the validation features are cached (one folder of parts)")
}

func mustOpen(t *testing.T, spec DataSpec, train bool) datasets.Dataset {
	t.Helper()
	ds, err := openSplit(spec, train)
	require.NoError(t, err)
	return ds
}
