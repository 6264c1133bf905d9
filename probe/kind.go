package probe

import (
	"fmt"
	"strings"
)

// Kind is a probe type: how a probe pools the frozen tokens and whether it trains.
type Kind string

// The probe types. The constants are untyped so that run records, which keep the type as a
// string, compare with them directly.
const (
	// Attentive is the V-JEPA attentive probe: one learnable query, one cross-attention block
	// with MLP, then a linear classifier (jepa:src/models/attentive_pooler.py). At depth > 1
	// its depth−1 self-attention blocks run on the query, after the cross-attention.
	Attentive = "attentive"
	// Attentive4 is the V-JEPA 2 probe (vjepa2:src/models/attentive_pooler.py): depth−1
	// self-attention blocks over the encoder tokens, then the cross-attention block and the
	// linear classifier. Its default depth is 4, the num_probe_blocks of every official config.
	Attentive4 = "attentive4"
	// AvgPoolLinear averages the tokens and applies a linear classifier (paper Table 3).
	AvgPoolLinear = "avgpool-linear"
	// KNN is the training-free k-nearest-neighbour evaluation, as in DINO: mean-pooled
	// frozen features, L2-normalised, cosine similarity to every training sample, the k most
	// similar vote for their class with weight exp(similarity / T) ([KNNEvaluate]).
	KNN = "knn"
)

// kindTraits is what tells the probe types apart; [kindRegistry] is their one table.
type kindTraits struct {
	// method turns the features into a result: trainedMethod (a model trained with AdamW)
	// or knnMethod (no training).
	method method
	// pooler: an attentive pooler (query token and cross-attention block) reads the tokens;
	// otherwise the tokens are averaged.
	pooler bool
	// defaultDepth is the pooler depth when Model.Depth is 0.
	defaultDepth int
	// selfOnQuery: the self-attention blocks run on the query after the cross-attention and
	// are numbered from layer 2 (V-JEPA); otherwise they run over the tokens before it and
	// the cross-attention takes the last block's number (V-JEPA 2).
	selfOnQuery bool
}

type kindEntry struct {
	kind   Kind
	traits kindTraits
}

// kindRegistry lists every probe type, in the order help texts show them.
func kindRegistry() []kindEntry {
	return []kindEntry{
		{Attentive, kindTraits{method: trainedMethod{}, pooler: true, defaultDepth: 1, selfOnQuery: true}},
		{Attentive4, kindTraits{method: trainedMethod{}, pooler: true, defaultDepth: 4}},
		{AvgPoolLinear, kindTraits{method: trainedMethod{}}},
		{KNN, kindTraits{method: knnMethod{}}},
	}
}

// Kinds lists the probe types.
func Kinds() []Kind {
	var out []Kind
	for _, e := range kindRegistry() {
		out = append(out, e.kind)
	}
	return out
}

func (k Kind) lookup() (kindTraits, bool) {
	for _, e := range kindRegistry() {
		if e.kind == k {
			return e.traits, true
		}
	}
	return kindTraits{}, false
}

func (k Kind) traits() kindTraits { t, _ := k.lookup(); return t }

// Trained reports whether probes of kind k are trained (all but k-NN).
func (k Kind) Trained() bool {
	_, ok := k.traits().method.(trainedMethod)
	return ok
}

// ParseKind returns the probe type named s.
func ParseKind(s string) (Kind, error) {
	k := Kind(s)
	if _, ok := k.lookup(); !ok {
		return "", fmt.Errorf("unknown probe type %q (valid: %s)", s, kindList())
	}
	return k, nil
}

// ParseKinds parses a comma-separated list of probe types.
func ParseKinds(list string) ([]Kind, error) {
	var out []Kind
	for _, s := range strings.Split(list, ",") {
		k, err := ParseKind(strings.TrimSpace(s))
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func kindList() string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}
