package results_test

import (
	"fmt"
	"path/filepath"

	"github.com/vjepa-go/vjepa/results"
)

// ExampleCheck checks hand-broken records: each problem names the record file.
func ExampleCheck() {
	problems, err := results.Check(results.Options{RunsDir: filepath.Join("testdata", "broken"), InputDir: "testdata"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range problems {
		if p.File == "bad-std.json" || p.File == "mixed-protocol.json" {
			fmt.Println(p)
		}
	}
	// Output:
	// bad-std.json: seed_stats.top1_std 0.1000 disagrees with the seeds' std 0.5292
	// mixed-protocol.json: claimed pair with random mixes records: different protocol: FramesPerClip 16 vs 8
}
