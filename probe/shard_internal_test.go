package probe

import (
	"context"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in   string
		want Shard
		err  bool
	}{
		{in: "0/2", want: Shard{0, 2}},
		{in: "1/2", want: Shard{1, 2}},
		{in: " 3 / 8 ", want: Shard{3, 8}},
		{in: "2/2", err: true},
		{in: "-1/2", err: true},
		{in: "0/0", err: true},
		{in: "1", err: true},
		{in: "a/2", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseShard(tt.in)
			if tt.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestShardPartsCover checks that the shards of any count split the parts into contiguous,
// disjoint ranges that cover them all, and that owner agrees.
func TestShardPartsCover(t *testing.T) {
	for _, total := range []int{0, 1, 5, 7, 100} {
		for _, count := range []int{1, 2, 3, 8} {
			next := 0
			for i := range count {
				s := Shard{Index: i, Count: count}
				lo, hi := s.Parts(total)
				require.Equal(t, next, lo, "total %d shard %s", total, s)
				require.LessOrEqual(t, hi-lo, total/count+1)
				for j := lo; j < hi; j++ {
					require.Equal(t, s, owner(j, total, count))
				}
				next = hi
			}
			require.Equal(t, total, next)
		}
	}
	lo, hi := Shard{}.Parts(9)
	require.Equal(t, []int{0, 9}, []int{lo, hi}, "the zero shard is the whole extraction")
}

func TestContiguousRuns(t *testing.T) {
	require.Empty(t, contiguousRuns(nil))
	require.Equal(t, []partRun{{0, 3}, {5, 6}, {7, 9}}, contiguousRuns([]int{0, 1, 2, 5, 7, 8}))
}

func TestExtractionValidate(t *testing.T) {
	tests := []struct {
		name    string
		x       Extraction
		cache   string
		augment bool
		err     string
	}{
		{name: "default", cache: "c"},
		{name: "shard", x: Extraction{Only: true, Shard: Shard{1, 2}}, cache: "c"},
		{name: "bank", x: Extraction{FeaturePasses: 3, DType: FeatureFloat16}, cache: "c", augment: true},
		{name: "shard without extract-only", x: Extraction{Shard: Shard{0, 2}}, cache: "c", err: "--extract-only"},
		{name: "bad shard", x: Extraction{Only: true, Shard: Shard{2, 2}}, cache: "c", err: "0/2"},
		{name: "no cache", x: Extraction{Only: true}, err: "--feature-cache"},
		{name: "bank without augmentation", x: Extraction{FeaturePasses: 2}, cache: "c", err: "--augment"},
		{name: "negative passes", x: Extraction{FeaturePasses: -1}, cache: "c", augment: true, err: "feature passes -1"},
		{name: "dtype", x: Extraction{DType: "bfloat16"}, cache: "c", err: "float16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.x.Validate(tt.cache, tt.augment)
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.err)
		})
	}
}

// fakeViews is one batch of n samples with views of [n, tokens, dim] holding base + index.
func fakeViews(n, views, tokens, dim int, base float32) ([]backbone.HostTensor, []int32) {
	var out []backbone.HostTensor
	for v := range views {
		x := backbone.HostTensor{Shape: []int{n, tokens, dim}, F32: make([]float32, n*tokens*dim)}
		for i := range x.F32 {
			x.F32[i] = base + float32(v*1000+i)/7
		}
		out = append(out, x)
	}
	labels := make([]int32, n)
	for i := range labels {
		labels[i] = int32(i % 3)
	}
	return out, labels
}

// TestPartsRoundTrip writes the parts of a split in float32 and float16, reads them back
// as one feature set, and checks the incomplete-cache error names the missing shard.
func TestPartsRoundTrip(t *testing.T) {
	for _, dtype := range []string{FeatureFloat32, FeatureFloat16} {
		t.Run(dtype, func(t *testing.T) {
			c := FeatureCache{Dir: t.TempDir()}
			p := partPlan{Key: "k", What: "toy val features", Samples: 5, BatchSize: 2, Shards: 3, DType: dtype, NumClasses: 3}
			require.NoError(t, c.writePlan(p))
			got, err := c.readPlan("k")
			require.NoError(t, err)
			require.Equal(t, p, *got)
			want := &FeatureSet{NumClasses: 3}
			for j := range p.parts() {
				views, labels := fakeViews(min(2, 5-2*j), 2, 3, 4, float32(j))
				require.NoError(t, c.writePart(p, j, views, labels))
				want.add(views, labels)
			}
			fs, err := c.loadParts(p)
			require.NoError(t, err)
			require.Equal(t, want.Labels, fs.Labels)
			require.Equal(t, []int{2, 3, 4}, []int{fs.Views, fs.Tokens, fs.Dim})
			tol := 0.0
			if dtype == FeatureFloat16 {
				tol = 1.0 / 1024 // 10 mantissa bits
			}
			for i := range want.Data {
				for k, w := range want.Data[i] {
					require.LessOrEqual(t, math.Abs(float64(fs.Data[i][k]-w)), tol*math.Abs(float64(w))+1e-30)
				}
			}

			require.NoError(t, os.Remove(c.partPath("k", 2)))
			missing := c.missingParts(p)
			require.Equal(t, []int{2}, missing)
			err = c.incomplete(p, missing)
			require.True(t, errors.Is(err, ErrIncompleteCache))
			require.ErrorContains(t, err, "shard 2/3")
		})
	}
}

// TestFeatureBankCyclesPasses checks that epoch k trains on pass k mod E.
func TestFeatureBankCyclesPasses(t *testing.T) {
	c := FeatureCache{Dir: t.TempDir()}
	bank := &FeatureBank{cache: c}
	for pass := range 2 {
		p := partPlan{Key: []string{"pass0", "pass1"}[pass], Samples: 4, BatchSize: 4, Shards: 1, DType: FeatureFloat32, NumClasses: 3}
		require.NoError(t, c.writePlan(p))
		views, labels := fakeViews(4, 1, 1, 1, float32(100*pass))
		require.NoError(t, c.writePart(p, 0, views, labels))
		bank.passes = append(bank.passes, p)
	}
	require.Equal(t, 2, bank.Passes())
	require.Equal(t, 4, bank.Len())
	for epoch, wantPass := range []int{0, 1, 0, 1} {
		for b, err := range bank.Epoch(context.Background(), epoch, 4, 7) {
			require.NoError(t, err)
			for _, x := range b.X.F32 {
				require.Equal(t, wantPass, int(x)/100, "epoch %d", epoch)
			}
		}
	}
}
