package probe

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unit vectors in 2-D: angles chosen so that every cosine similarity below is exact.
var (
	knnTrain = [][]float64{{1, 0}, {0.8, 0.6}, {0.6, 0.8}, {0, 1}, {-1, 0}, {0, -1}}
	knnLabel = []int32{0, 0, 1, 1, 1, 0}
)

// TestKNNScoresByHand checks the class scores against values computed by hand.
func TestKNNScoresByHand(t *testing.T) {
	tests := []struct {
		name   string
		train  [][]float64
		labels []int32
		query  []float64
		s      KNNSettings
		want   []float64
	}{
		{
			// sims to the 6 points: 1, .8, .6, 0, −1, 0; the 3 nearest are p0 (c0), p1 (c0), p2 (c1).
			// class 0: e^(1/.5) + e^(.8/.5) = 7.389056 + 4.953032 = 12.342088; class 1: e^(.6/.5) = 3.320117.
			name: "query (1,0), k 3, T 0.5", train: knnTrain, labels: knnLabel, query: []float64{1, 0},
			s: KNNSettings{K: 3, Temperature: 0.5}, want: []float64{12.342088, 3.320117},
		},
		{
			// sims: .6, .96, 1, .8, −.6, −.8; nearest p2 (c1, 1), p1 (c0, .96), p3 (c1, .8).
			// class 0: e^1.92 = 6.820958; class 1: e^2 + e^1.6 = 12.342088.
			name: "query (.6,.8), k 3, T 0.5", train: knnTrain, labels: knnLabel, query: []float64{0.6, 0.8},
			s: KNNSettings{K: 3, Temperature: 0.5}, want: []float64{6.820958, 12.342088},
		},
		{
			// Temperature decides: the query's nearest neighbours are a (c1, sim 1), b and c
			// (c0, sim .8 each). T 0.5: class 0 = 2·e^1.6 = 9.906065 beats class 1 = e^2 = 7.389056.
			name: "two far votes win at T 0.5", train: [][]float64{{0.6, 0.8}, {0, 1}, {0.96, 0.28}, {-1, 0}, {0, -1}, {-0.6, -0.8}},
			labels: []int32{1, 0, 0, 1, 1, 1}, query: []float64{0.6, 0.8},
			s: KNNSettings{K: 3, Temperature: 0.5}, want: []float64{9.906065, 7.389056},
		},
		{
			// T 0.07: class 1 = e^(1/.07) = 1600320.19 beats class 0 = 2·e^(.8/.07) = 183821.16.
			name: "one close vote wins at T 0.07", train: [][]float64{{0.6, 0.8}, {0, 1}, {0.96, 0.28}, {-1, 0}, {0, -1}, {-0.6, -0.8}},
			labels: []int32{1, 0, 0, 1, 1, 1}, query: []float64{0.6, 0.8},
			s: KNNSettings{K: 3, Temperature: 0.07}, want: []float64{183821.16, 1600320.19},
		},
		{
			// k larger than the training set: all 6 vote. Class 0: e^2 + e^1.6 + e^0 = 13.342088;
			// class 1: e^1.2 + e^0 + e^−2 = 3.320117 + 1 + 0.135335 = 4.455452.
			name: "k beyond the training set", train: knnTrain, labels: knnLabel, query: []float64{1, 0},
			s: KNNSettings{K: 50, Temperature: 0.5}, want: []float64{13.342088, 4.455452},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := KNNScores(tt.train, tt.labels, [][]float64{tt.query}, 2, tt.s)
			require.NoError(t, err)
			require.Len(t, got, 1)
			require.Len(t, got[0], 2)
			for c := range tt.want {
				assert.InDelta(t, tt.want[c], got[0][c], 1e-5*tt.want[c], "class %d", c)
			}
		})
	}
}

func TestKNNScoresRejectsBadInput(t *testing.T) {
	_, err := KNNScores(knnTrain, knnLabel, [][]float64{{1, 0}}, 2, KNNSettings{K: 0, Temperature: 0.07})
	assert.ErrorContains(t, err, "k must be positive")
	_, err = KNNScores(knnTrain, knnLabel[:2], [][]float64{{1, 0}}, 2, DefaultKNN())
	assert.ErrorContains(t, err, "6 training vectors with 2 labels")
	_, err = KNNScores(knnTrain, knnLabel, [][]float64{{1, 0, 0}}, 2, DefaultKNN())
	assert.ErrorContains(t, err, "has 2 dims, query 0 has 3")
}

// TestKNNEvaluate runs the whole evaluation on token features: mean pooling over 2 tokens,
// normalisation, the vote and the accuracies.
func TestKNNEvaluate(t *testing.T) {
	// Each sample has 2 tokens whose mean is 0.5·(the unit vector above): pooling and
	// normalisation give back the unit vectors.
	train := &FeatureSet{Tokens: 2, Dim: 2, Views: 1, NumClasses: 2, Labels: knnLabel}
	for _, v := range knnTrain {
		train.Data = append(train.Data, []float32{float32(v[0]), float32(v[1]), 0, 0})
	}
	// Val: (1,0) is class 0 (right), (.6,.8) is labelled 0 but its neighbours say 1 (wrong),
	// (0,−3)+(0,1) pools to (0,−1): nearest p5 (c0, sim 1), p0 and p4 (sim 0; c0 and c1),
	// class 0 wins (right).
	val := &FeatureSet{Tokens: 2, Dim: 2, Views: 1, NumClasses: 2, Labels: []int32{0, 0, 0},
		Data: [][]float32{{2, 0, 0, 0}, {0.3, 0.4, 0.3, 0.4}, {0, -3, 0, 1}}}
	out, err := KNNEvaluate(train, val, KNNSettings{K: 3, Temperature: 0.5}, 0, 0)
	require.NoError(t, err)
	require.Len(t, out.Heads, 1)
	assert.InDelta(t, 200.0/3, out.Heads[0].Top1, 1e-9)
	assert.InDelta(t, 100, out.Heads[0].Top5, 1e-9, "2 classes: the label is always in the top 5")
	assert.Equal(t, [][]int{{2, 1}, {0, 0}}, out.Confusion)
	assert.InDelta(t, 200.0/3, out.PerClassAcc[0], 1e-9)

	// One label per class: the subset holds one class-0 and one class-1 sample.
	few, err := KNNEvaluate(train, val, KNNSettings{K: 20, Temperature: 0.07}, 1, 7)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, few.Heads[0].Top1, 0.0)
	again, err := KNNEvaluate(train, val, KNNSettings{K: 20, Temperature: 0.07}, 1, 7)
	require.NoError(t, err)
	assert.Equal(t, few.Heads, again.Heads, "deterministic")
}

func TestFewLabelSubset(t *testing.T) {
	labels := []int32{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 0}
	tests := []struct {
		perClass int
		counts   [3]int
	}{{1, [3]int{1, 1, 1}}, {2, [3]int{2, 2, 2}}, {4, [3]int{4, 4, 3}}, {10, [3]int{5, 4, 3}}}
	for _, tt := range tests {
		a := FewLabelSubset(labels, 3, tt.perClass, 11)
		var counts [3]int
		for _, i := range a {
			counts[labels[i]]++
		}
		assert.Equal(t, tt.counts, counts, "%d per class", tt.perClass)
		assert.IsIncreasing(t, a)
		assert.Equal(t, a, FewLabelSubset(labels, 3, tt.perClass, 11), "same seed, same subset")
	}
	differ := false
	for s := uint64(0); s < 8 && !differ; s++ {
		differ = !assert.ObjectsAreEqual(FewLabelSubset(labels, 3, 1, 0), FewLabelSubset(labels, 3, 1, s+1))
	}
	assert.True(t, differ, "other seeds draw other subsets")
}

func TestMeanPooledAveragesViews(t *testing.T) {
	// 2 views × 1 token: (3,0) and (0,4) average to (1.5, 2), normalised (0.6, 0.8).
	fs := &FeatureSet{Tokens: 1, Dim: 2, Views: 2, Labels: []int32{0}, Data: [][]float32{{3, 0, 0, 4}}}
	got := MeanPooled(fs)
	assert.InDeltaSlice(t, []float64{0.6, 0.8}, got[0], 1e-12)
}
