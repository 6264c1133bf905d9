package datasets

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vjepa-go/vjepa/datasets/decode"
	"github.com/vjepa-go/vjepa/datasets/transform"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

// BenchmarkLoader measures clips/s of the loader on 16-frame 224x224 clips (pretraining
// sampling) from 10-second 340x256 H.264 videos, 2 workers decoding with one thread each, for
// each built-in decoder (`vjepa bench --cases loader` measures H.264 and VP9 per core).
func BenchmarkLoader(b *testing.B) {
	if testing.Short() {
		b.Skip("slow: generates videos")
	}
	dir := b.TempDir()
	const videos = 4
	var list strings.Builder
	for i := range videos {
		name := fmt.Sprintf("v%d.mp4", i)
		testutil.MakeTestVideo(b, dir, name, "340x256", 30, 10, "-c:v", "libx264", "-pix_fmt", "yuv420p")
		fmt.Fprintf(&list, "%s %d\n", name, i)
	}
	listPath := writeFile(b, filepath.Join(dir, "list.csv"), list.String())
	tr, err := transform.NewPretrain(transform.DefaultPretrainConfig())
	if err != nil {
		b.Fatal(err)
	}
	for _, dec := range testDecoders() {
		dec = decode.WithThreads(dec, 1)
		b.Run(dec.Name(), func(b *testing.B) {
			ds, err := NewVideoList(VideoListOptions{Lists: []string{listPath}, Sampling: PretrainSampling(),
				Transform: tr, Decoder: dec})
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
