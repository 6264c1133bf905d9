package probe

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// KNNSettings are the k-NN evaluation's parameters (DINO's defaults: k 20, T 0.07).
type KNNSettings struct {
	K           int     `json:"k"`
	Temperature float64 `json:"temperature"`
}

// DefaultKNN is the common DINO protocol.
func DefaultKNN() KNNSettings { return KNNSettings{K: 20, Temperature: 0.07} }

// Validate reports unusable settings.
func (s KNNSettings) Validate() error {
	if s.K < 1 || !(s.Temperature > 0) {
		return fmt.Errorf("k-NN: k must be positive (got %d) and the temperature positive (got %v)", s.K, s.Temperature)
	}
	return nil
}

// Label names the probe in record ids and tables: the type, and for a few-label k-NN the
// labels per class (knn-5shot).
func (p ProbeInfo) Label() string {
	if p.LabelsPerClass > 0 {
		return fmt.Sprintf("%s-%dshot", p.Type, p.LabelsPerClass)
	}
	return p.Type
}

// MeanPooled returns one L2-normalised vector per sample: the mean over the tokens of every
// view (the representation the avgpool-linear probe reads, averaged over the spatial views).
func MeanPooled(fs *FeatureSet) [][]float64 {
	out := make([][]float64, fs.Len())
	n := fs.Views * fs.Tokens
	for i, row := range fs.Data {
		v := make([]float64, fs.Dim)
		for t := 0; t < n; t++ {
			for d, x := range row[t*fs.Dim : (t+1)*fs.Dim] {
				v[d] += float64(x)
			}
		}
		out[i] = normalize(v)
	}
	return out
}

// normalize scales v to unit L2 norm in place (a zero vector stays zero).
func normalize(v []float64) []float64 {
	var ss float64
	for _, x := range v {
		ss += x * x
	}
	if ss == 0 {
		return v
	}
	inv := 1 / math.Sqrt(ss)
	for i := range v {
		v[i] *= inv
	}
	return v
}

// KNNScores returns, per query, the class scores Σ exp(sim/T) over its k most similar
// training vectors (cosine similarity: the vectors must be L2-normalised). Ties in
// similarity keep the lower training index.
func KNNScores(train [][]float64, labels []int32, queries [][]float64, numClasses int, s KNNSettings) ([][]float64, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if len(train) == 0 || len(train) != len(labels) {
		return nil, fmt.Errorf("k-NN: %d training vectors with %d labels", len(train), len(labels))
	}
	k := min(s.K, len(train))
	out := make([][]float64, len(queries))
	sims := make([]float64, len(train))
	order := make([]int, len(train))
	for q, x := range queries {
		for i, t := range train {
			if len(t) != len(x) {
				return nil, fmt.Errorf("k-NN: training vector %d has %d dims, query %d has %d", i, len(t), q, len(x))
			}
			var dot float64
			for d := range x {
				dot += x[d] * t[d]
			}
			sims[i], order[i] = dot, i
		}
		sort.SliceStable(order, func(a, b int) bool { return sims[order[a]] > sims[order[b]] })
		scores := make([]float64, numClasses)
		for _, i := range order[:k] {
			c := labels[i]
			if c < 0 || int(c) >= numClasses {
				return nil, fmt.Errorf("k-NN: label %d of training sample %d outside [0,%d)", c, i, numClasses)
			}
			scores[c] += math.Exp(sims[i] / s.Temperature)
		}
		out[q] = scores
	}
	return out, nil
}

// FewLabelSubset picks perClass training samples of every class (all of a class that has
// fewer), drawn by seed alone: the same (labels, perClass, seed) give the same subset. The
// indices are returned in increasing order.
func FewLabelSubset(labels []int32, numClasses, perClass int, seed uint64) []int {
	byClass := make([][]int, numClasses)
	for i, l := range labels {
		if l >= 0 && int(l) < numClasses {
			byClass[l] = append(byClass[l], i)
		}
	}
	var out []int
	for c, idx := range byClass {
		rng := rand.New(rand.NewPCG(seed, 0x6b6e6e<<8|uint64(c)))
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		out = append(out, idx[:min(perClass, len(idx))]...)
	}
	slices.Sort(out)
	return out
}

// KNNEvaluate classifies the val features by their k nearest training features (all of
// them, or labelsPerClass per class drawn with seed) and returns the accuracies as a
// one-head outcome.
func KNNEvaluate(train, val *FeatureSet, s KNNSettings, labelsPerClass int, seed uint64) (*Outcome, error) {
	if train.Len() == 0 || val.Len() == 0 {
		return nil, fmt.Errorf("k-NN: empty train (%d) or val (%d) features", train.Len(), val.Len())
	}
	if train.Dim != val.Dim {
		return nil, fmt.Errorf("k-NN: train features have %d dims, val %d", train.Dim, val.Dim)
	}
	c := max(train.NumClasses, val.NumClasses)
	tv, tl := MeanPooled(train), train.Labels
	if labelsPerClass > 0 {
		idx := FewLabelSubset(tl, c, labelsPerClass, seed)
		sub, subLabels := make([][]float64, len(idx)), make([]int32, len(idx))
		for j, i := range idx {
			sub[j], subLabels[j] = tv[i], tl[i]
		}
		tv, tl = sub, subLabels
	}
	scores, err := KNNScores(tv, tl, MeanPooled(val), c, s)
	if err != nil {
		return nil, err
	}
	top1, top5, perClass, confusion := rankAccuracy(scores, val.Labels, c)
	return &Outcome{Heads: []HeadResult{{Top1: top1, Top5: top5}}, PerClassAcc: perClass, Confusion: confusion}, nil
}

// rankOf returns the rank of the true class label among the class scores of row (how many
// classes score higher, or equal with a lower index) and the arg-max of row.
func rankOf(row []float64, label int) (rank, argmax int) {
	for k := range row {
		if row[k] > row[label] || (row[k] == row[label] && k < label) {
			rank++
		}
		if row[k] > row[argmax] {
			argmax = k
		}
	}
	return rank, argmax
}

// rankAccuracy scores class scores against labels: top-1 and top-5 in percent (a class ranks
// ahead of the true one when its score is higher, or equal with a lower index), per-class
// accuracy and the confusion matrix of the arg-max.
func rankAccuracy(scores [][]float64, labels []int32, c int) (top1, top5 float64, perClass []float64, confusion [][]int) {
	confusion = make([][]int, c)
	for k := range confusion {
		confusion[k] = make([]int, c)
	}
	hit1, hit5 := 0, 0
	for i, row := range scores {
		label := int(labels[i])
		rank, argmax := rankOf(row, label)
		if rank == 0 {
			hit1++
		}
		if rank < 5 {
			hit5++
		}
		confusion[label][argmax]++
	}
	n := float64(len(scores))
	perClass = make([]float64, c)
	for k := range confusion {
		total := 0
		for _, x := range confusion[k] {
			total += x
		}
		if total > 0 {
			perClass[k] = 100 * float64(confusion[k][k]) / float64(total)
		}
	}
	return 100 * float64(hit1) / n, 100 * float64(hit5) / n, perClass, confusion
}
