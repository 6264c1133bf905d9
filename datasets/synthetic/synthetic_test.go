package synthetic

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/media"
)

func TestBuiltinNamesAndErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: Motion},
		{name: Appearance, cfg: Config{Frames: 1, Size: 32}},
		{name: "synthetic-nope", wantErr: "valid names are synthetic-motion, synthetic-appearance"},
		{name: Motion, cfg: Config{Split: "test"}, wantErr: `split "test"`},
		{name: Motion, cfg: Config{Size: 3}, wantErr: "size 3"},
		{name: Motion, cfg: Config{Frames: -1}, wantErr: "frames -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := Builtin(tc.name, tc.cfg)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.name, ds.Name())
			names := ds.ClassNames()
			assert.Len(t, names, ds.NumClasses())
			assert.True(t, slices.IsSorted(names), "class names must sort in label order: %v", names)
		})
	}
}

func TestSyntheticDefaults(t *testing.T) {
	ds, err := Builtin(Motion, Config{})
	require.NoError(t, err)
	assert.Equal(t, DefaultTrainSize, ds.Len())
	assert.Equal(t, 8, ds.NumClasses())
	val, err := ds.WithSplit(SplitVal)
	require.NoError(t, err)
	assert.Equal(t, DefaultValSize, val.Len())
	app, err := Builtin(Appearance, Config{})
	require.NoError(t, err)
	assert.Equal(t, 10, app.NumClasses())
}

func framesHash(f *media.Frames) [32]byte { return sha256.Sum256(f.Pix) }

func TestSyntheticDeterministic(t *testing.T) {
	for _, name := range BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			cfg := Config{Seed: 7, Frames: 4, Size: 32}
			a, err := Builtin(name, cfg)
			require.NoError(t, err)
			b, err := Builtin(name, cfg)
			require.NoError(t, err)
			want := make([][32]byte, 20)
			for i := range want {
				f, label := a.RenderFrames(SplitTrain, i)
				want[i] = framesHash(f)
				assert.Equal(t, a.Label(i), label)
			}
			// Concurrent rendering by another instance gives the same bytes.
			var wg sync.WaitGroup
			got := make([][32]byte, len(want))
			for i := range got {
				wg.Go(func() {
					f, _ := b.RenderFrames(SplitTrain, i)
					got[i] = framesHash(f)
				})
			}
			wg.Wait()
			assert.Equal(t, want, got)
			// Another seed gives other clips.
			c, err := Builtin(name, Config{Seed: 8, Frames: 4, Size: 32})
			require.NoError(t, err)
			f, _ := c.RenderFrames(SplitTrain, 0)
			assert.NotEqual(t, want[0], framesHash(f))
		})
	}
}

func TestSyntheticSplitsDisjoint(t *testing.T) {
	for _, name := range BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			ds, err := Builtin(name, Config{Frames: 2, Size: 16})
			require.NoError(t, err)
			seen := map[[32]byte]string{}
			for _, split := range []string{SplitTrain, SplitVal} {
				for i := range 200 {
					f, _ := ds.RenderFrames(split, i)
					h := framesHash(f)
					prev, dup := seen[h]
					require.False(t, dup, "%s/%d renders the same clip as %s", split, i, prev)
					seen[h] = split
				}
			}
		})
	}
}

func TestSyntheticLabelsBalanced(t *testing.T) {
	for _, name := range BuiltinNames() {
		ds, err := Builtin(name, Config{TrainSize: 400, Frames: 1, Size: 8})
		require.NoError(t, err)
		counts := make([]int, ds.NumClasses())
		for i := range ds.Len() {
			counts[ds.Label(i)]++
		}
		for c, n := range counts {
			assert.InDelta(t, ds.Len()/ds.NumClasses(), n, 1, "%s class %d", name, c)
		}
	}
}

func TestSyntheticSample(t *testing.T) {
	ctx := context.Background()
	ds, err := Builtin(Appearance, Config{Split: SplitVal, ValSize: 10, Frames: 3, Size: 24})
	require.NoError(t, err)
	s, err := ds.Sample(ctx, 4, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	require.Len(t, s.Views, 1)
	require.Len(t, s.Views[0], 1)
	clip := s.Views[0][0]
	assert.Equal(t, [3]int{3, 24, 24}, [3]int{clip.T, clip.H, clip.W})
	require.Len(t, clip.Data, 3*3*24*24)
	assert.Equal(t, ds.Label(4), s.Label)
	assert.Equal(t, "synthetic-appearance/val/4", s.Source)
	lo, hi := slices.Min(clip.Data), slices.Max(clip.Data)
	assert.GreaterOrEqual(t, lo, float32(-2.2))
	assert.LessOrEqual(t, hi, float32(2.7))
	assert.Less(t, lo, hi)

	// Channel 0 of pixel (t=1, y=2, x=5) is the normalised red value of the raw frames.
	f, _ := ds.RenderFrames(SplitVal, 4)
	red := float32(f.Pix[((1*24+2)*24+5)*3])
	assert.InDelta(t, (red/255-0.485)/0.229, clip.Data[(1*24+2)*24+5], 1e-5)

	_, err = ds.Sample(ctx, 10, nil)
	assert.ErrorContains(t, err, "out of range")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = ds.Sample(cancelled, 0, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestSyntheticRenderImage(t *testing.T) {
	ds, err := Builtin(Appearance, Config{Frames: 5, Size: 16})
	require.NoError(t, err)
	img, label := ds.RenderImage(SplitTrain, 3)
	clip, label2 := ds.RenderFrames(SplitTrain, 3)
	assert.Equal(t, label, label2)
	assert.Equal(t, 1, img.T)
	assert.Equal(t, clip.Pix[:16*16*3], img.Pix, "the still image is the clip's first frame")
}

// TestMotionFirstFrameIndependentOfLabel checks that the class of synthetic-motion is only in
// the motion: from the same random stream, every class renders the same first frame.
func TestMotionFirstFrameIndependentOfLabel(t *testing.T) {
	for i := range 20 {
		var first [32]byte
		for label := range numMotionClasses {
			sc := motionScene(rand.New(rand.NewPCG(3, uint64(i))), label)
			f := sc.render(4, 32)
			h := sha256.Sum256(f.Pix[:32*32*3])
			if label == 0 {
				first = h
				last := sha256.Sum256(f.Pix[3*32*32*3:])
				sc2 := motionScene(rand.New(rand.NewPCG(3, uint64(i))), motionRotateCW)
				last2 := sha256.Sum256(sc2.render(4, 32).Pix[3*32*32*3:])
				require.NotEqual(t, last, last2, "the last frame must depend on the class")
				continue
			}
			require.Equal(t, first, h, "stream %d: first frame of class %d differs from class 0", i, label)
		}
	}
}

// frameFeatures summarises one frame by its channel means and its edge energy (absolute
// difference between neighbouring pixels): in total, left minus right and top minus bottom.
func frameFeatures(pix []uint8, size int) []float64 {
	feat := make([]float64, 6)
	half := size / 2
	for y := range size - 1 {
		for x := range size - 1 {
			o := (y*size + x) * 3
			sx, sy := 1.0, 1.0
			if x >= half {
				sx = -1
			}
			if y >= half {
				sy = -1
			}
			for c := range 3 {
				v := float64(pix[o+c])
				e := math.Abs(v-float64(pix[o+3+c])) + math.Abs(v-float64(pix[o+size*3+c]))
				feat[c] += v
				feat[3] += e
				feat[4] += sx * e
				feat[5] += sy * e
			}
		}
	}
	for i := range feat {
		feat[i] /= float64(size * size)
	}
	return feat
}

// maxFStatistic is the largest one-way ANOVA F statistic, over features, of the class-conditional
// means of feats (rows) grouped by labels.
func maxFStatistic(feats [][]float64, labels []int, classes int) float64 {
	n, k := len(feats), classes
	best := 0.0
	for j := range feats[0] {
		sum, cnt := make([]float64, k), make([]float64, k)
		total := 0.0
		for i, f := range feats {
			sum[labels[i]] += f[j]
			cnt[labels[i]]++
			total += f[j]
		}
		grand := total / float64(n)
		between, within := 0.0, 0.0
		for c := range k {
			m := sum[c] / cnt[c]
			between += cnt[c] * (m - grand) * (m - grand)
		}
		for i, f := range feats {
			d := f[j] - sum[labels[i]]/cnt[labels[i]]
			within += d * d
		}
		best = max(best, (between/float64(k-1))/(within/float64(n-k)))
	}
	return best
}

// TestMotionFirstFrameCarriesNoLabel compares the class-conditional means of simple features of
// the first and the last frame: the first must be indistinguishable across classes, while the
// same test must detect the class on the last frame (so the check has power).
func TestMotionFirstFrameCarriesNoLabel(t *testing.T) {
	const size, n = 32, 800
	ds, err := Builtin(Motion, Config{Seed: 11, TrainSize: n, Frames: 6, Size: size})
	require.NoError(t, err)
	plane := size * size * 3
	var first, last [][]float64
	labels := make([]int, n)
	for i := range n {
		f, label := ds.RenderFrames(SplitTrain, i)
		labels[i] = label
		first = append(first, frameFeatures(f.Pix[:plane], size))
		last = append(last, frameFeatures(f.Pix[(f.T-1)*plane:], size))
	}
	// F(7, 792) exceeds 4.3 with probability 1e-4 under the null hypothesis.
	fFirst := maxFStatistic(first, labels, ds.NumClasses())
	fLast := maxFStatistic(last, labels, ds.NumClasses())
	t.Logf("max F statistic: first frame %.2f, last frame %.2f", fFirst, fLast)
	assert.Less(t, fFirst, 4.3, "first-frame features depend on the class")
	assert.Greater(t, fLast, 10.0, "the test cannot even see the class in the last frame")
}

func BenchmarkRenderFrames(b *testing.B) {
	for _, cfg := range []Config{{Frames: 16, Size: 64}, {Frames: 16, Size: 224}} {
		for _, name := range BuiltinNames() {
			ds, err := Builtin(name, cfg)
			require.NoError(b, err)
			b.Run(fmt.Sprintf("%s/%dx%d", name, cfg.Frames, cfg.Size), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					ds.RenderFrames(SplitTrain, i)
				}
			})
		}
	}
}

func BenchmarkSample(b *testing.B) {
	ctx := context.Background()
	for _, cfg := range []Config{{Frames: 16, Size: 64}, {Frames: 16, Size: 224}} {
		ds, err := Builtin(Motion, cfg)
		require.NoError(b, err)
		b.Run(fmt.Sprintf("%dx%d", cfg.Frames, cfg.Size), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := ds.Sample(ctx, i%ds.Len(), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestSyntheticFingerprint(t *testing.T) {
	a, err := Builtin(Motion, Config{Seed: 1})
	require.NoError(t, err)
	same, err := Builtin(Motion, Config{Seed: 1})
	require.NoError(t, err)
	require.Equal(t, a.Fingerprint(), same.Fingerprint())
	val, err := a.WithSplit(SplitVal)
	require.NoError(t, err)
	other, err := Builtin(Motion, Config{Seed: 2})
	require.NoError(t, err)
	app, err := Builtin(Appearance, Config{Seed: 1})
	require.NoError(t, err)
	for _, d := range []*Dataset{val, other, app} {
		require.NotEqual(t, a.Fingerprint(), d.Fingerprint())
	}
	require.Contains(t, a.Fingerprint(), fmt.Sprintf("/v%d/", syntheticVersion))
}
