package results

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckBrokenRecords feeds the checker hand-broken records (testdata/broken): each is named
// with its problem, and the two valid records there are not.
func TestCheckBrokenRecords(t *testing.T) {
	problems, err := Check(Options{RunsDir: filepath.Join("testdata", "broken"), InputDir: "testdata"})
	require.NoError(t, err)
	got := map[string][]string{}
	for _, p := range problems {
		got[p.File] = append(got[p.File], p.Msg)
	}
	tests := []struct {
		file string
		want string
	}{
		{"missing-run.json", "vs_random.against no-such-record: no such record"},
		{"missing-pretrain.json", "pretraining run runs/pretrain/not-committed is missing"},
		{"mixed-protocol.json", "mixes records: different protocol: FramesPerClip 16 vs 8"},
		{"mixed-encoder.json", "mixes records: different encoder (target vs context)"},
		{"bad-mean.json", "seed_stats.top1_mean 59.8000 disagrees with the seeds' mean 58.8000"},
		{"bad-std.json", "seed_stats.top1_std 0.1000 disagrees with the seeds' std 0.5292"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			require.NotEmpty(t, got[tt.file])
			assert.Contains(t, got[tt.file][len(got[tt.file])-1], tt.want)
		})
	}
	assert.Empty(t, got["random.json"])
	assert.Empty(t, got["pretrained.json"])
	assert.Len(t, got, len(tests))
}
