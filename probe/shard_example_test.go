package probe_test

import (
	"fmt"

	"github.com/vjepa-go/vjepa/backbone"
	"github.com/vjepa-go/vjepa/probe"
)

// Three processes split an extraction of 10 parts (encoder batches): each encodes its
// contiguous range into the shared feature cache.
func ExampleParseShard() {
	for _, s := range []string{"0/3", "1/3", "2/3"} {
		shard, err := probe.ParseShard(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		lo, hi := shard.Parts(10)
		fmt.Printf("shard %s encodes parts %d to %d\n", shard, lo, hi-1)
	}
	_, err := probe.ParseShard("3/3")
	fmt.Println(err)
	// Output:
	// shard 0/3 encodes parts 0 to 2
	// shard 1/3 encodes parts 3 to 5
	// shard 2/3 encodes parts 6 to 9
	// shard 3/3: the index runs from 0 to the count minus one (0/3 … 2/3)
}

// The disk size of one augmented pass of a K400 feature bank for a ViT-L/16 at the official
// 16×8×3 protocol (training clips have one view): 8 segments of 1568 tokens of width 1024 per
// clip.
func ExampleBankPassBytes() {
	m, _ := backbone.Preset("vit_large")
	p := probe.Protocol{FramesPerClip: 16, FrameStep: 4, NumSegments: 8, NumViews: 1, Resolution: 224}
	fmt.Printf("%.1f TB in float16\n", float64(probe.BankPassBytes(m, p, 240_000, probe.FeatureFloat16))/1e12)
	// Output:
	// 6.2 TB in float16
}
