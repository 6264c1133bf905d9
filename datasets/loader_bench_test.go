package datasets

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchCropTransform center-crops 224x224 and normalizes: a stand-in for the training
// transform with a comparable per-pixel cost.
type benchCropTransform struct{ size int }

func (c benchCropTransform) Apply(f *Frames, _ *rand.Rand) (Clip, error) {
	s := c.size
	if f.H < s || f.W < s {
		return Clip{}, fmt.Errorf("frame %dx%d smaller than %d", f.W, f.H, s)
	}
	top, left := (f.H-s)/2, (f.W-s)/2
	mean := [3]float32{0.485 * 255, 0.456 * 255, 0.406 * 255}
	inv := [3]float32{1 / (0.229 * 255), 1 / (0.224 * 255), 1 / (0.225 * 255)}
	plane := f.T * s * s
	out := Clip{T: f.T, H: s, W: s, Data: make([]float32, 3*plane)}
	for t := range f.T {
		for y := range s {
			row := f.Pix[((t*f.H+top+y)*f.W+left)*3:]
			for x := range s {
				p := (t*s+y)*s + x
				for ch := range 3 {
					out.Data[ch*plane+p] = (float32(row[3*x+ch]) - mean[ch]) * inv[ch]
				}
			}
		}
	}
	return out, nil
}

// BenchmarkLoader measures clips/s of the loader on 16-frame 224x224 clips (pretraining
// sampling) from 10-second 340x256 H.264 videos, 2 workers, for each built-in decoder.
func BenchmarkLoader(b *testing.B) {
	if testing.Short() {
		b.Skip("slow: generates videos")
	}
	dir := b.TempDir()
	const videos = 4
	var list strings.Builder
	for i := range videos {
		name := fmt.Sprintf("v%d.mp4", i)
		makeTestVideo(b, dir, name, "340x256", 30, 10, "-c:v", "libx264", "-pix_fmt", "yuv420p")
		fmt.Fprintf(&list, "%s %d\n", name, i)
	}
	listPath := writeFile(b, filepath.Join(dir, "list.csv"), list.String())
	for _, dec := range testDecoders() {
		b.Run(dec.Name(), func(b *testing.B) {
			ds, err := NewVideoList(VideoListOptions{Lists: []string{listPath}, Sampling: PretrainSampling(),
				Transform: benchCropTransform{224}, Decoder: dec})
			if err != nil {
				b.Fatal(err)
			}
			l, err := NewLoader(ds, LoaderOptions{BatchSize: 2, Workers: 2, Shuffle: true, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			clips := 0
			for epoch := 0; clips < b.N; epoch++ {
				for batch, err := range l.Epoch(context.Background(), State{Epoch: epoch}) {
					if err != nil {
						b.Fatal(err)
					}
					clips += batch.Size()
					if clips >= b.N {
						break
					}
				}
			}
			b.ReportMetric(float64(clips)/time.Since(start).Seconds(), "clips/s")
		})
	}
}
