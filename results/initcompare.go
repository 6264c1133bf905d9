package results

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vjepa-go/vjepa/internal/mdtable"
	"github.com/vjepa-go/vjepa/probe"
)

// writeInitComparison is the pretrained vs random-init table of the built-in sets: per data
// set and probe, the latest run of each backbone and their paired difference.
func writeInitComparison(b *strings.Builder, runs []Run, _ Paper, _ Figures) error {
	b.WriteString("## Pretrained vs random init vs average pooling (built-in sets)\n\n")
	t := mdtable.New("data set", "probe", "pretrained", "random init", "pretrained − random, 95% CI", "runs").
		AlignRight(2, 3, 4)
	withInterval, above, below := 0, 0, 0
	for _, ds := range builtinDatasets {
		onSet := func(r *probe.Record) bool { return r.Dataset == ds && r.Backbone.Trainer != TrainerOfficial }
		for _, label := range probeLabels(runs, onSet) {
			for _, key := range pretrainedEncoderKeys(runs, func(r *probe.Record) bool { return onSet(r) && probeLabel(r) == label }) {
				pre := latestRecord(runs, func(r *probe.Record) bool {
					return onSet(r) && probeLabel(r) == label && r.Backbone.Init == InitPretrained && encoderKey(r) == key
				})
				var rnd *probe.Record
				if pre != nil && pre.VsRandom != nil {
					rnd = recordByID(runs, pre.VsRandom.Against)
				}
				if rnd == nil {
					rnd = latestRecord(runs, func(r *probe.Record) bool {
						return onSet(r) && probeLabel(r) == label && r.Backbone.Init == InitRandom
					})
				}
				preCell, rndCell, ids := "—", "—", []string{}
				if pre != nil {
					preCell, ids = top1Cell(pre), append(ids, "`"+pre.ID+"`")
				}
				if rnd != nil {
					rndCell, ids = top1Cell(rnd), append(ids, "`"+rnd.ID+"`")
				}
				row := label
				if key == contextEncoderKey {
					row += " (context encoder)"
				}
				t.Add("`"+ds+"`", row, preCell, rndCell, diffCell(pre, rnd), strings.Join(ids, ", "))
				if pre == nil || rnd == nil {
					continue
				}
				if d, err := probe.PairTop1(pre, rnd); err == nil && d.Low != nil && d.High != nil {
					withInterval++
					switch {
					case *d.Low > 0:
						above++
					case *d.High < 0:
						below++
					}
				}
			}
		}
	}
	if t.Len() == 0 {
		b.WriteString("_No runs on the built-in sets yet._\n\n")
		return nil
	}
	md, err := t.Markdown()
	if err != nil {
		return fmt.Errorf("initialization table: %w", err)
	}
	b.WriteString("Top-1 of the latest run of each kind. The paired difference is what pretraining bought;\n" +
		"an interval that contains 0 means no measurable effect at this number of seeds.\n\n")
	b.WriteString(md + "\n")
	if withInterval > 0 {
		fmt.Fprintf(b, "Verdict over the %d comparisons with an interval: pretraining helps (interval above 0) in %d, "+
			"hurts (below 0) in %d, and has no measurable effect in %d.\n\n", withInterval, above, below, withInterval-above-below)
	}
	return nil
}

// contextEncoderKey is the checkpoint entry of the context (online) encoder; the official
// evaluations probe the EMA target ("target_encoder", the default).
const contextEncoderKey = "encoder"

// encoderKey is the checkpoint entry a pretrained record probed, "target_encoder" by default.
func encoderKey(r *probe.Record) string {
	if r.Backbone.EncoderKey == "" {
		return "target_encoder"
	}
	return r.Backbone.EncoderKey
}

// pretrainedEncoderKeys lists the encoder entries probed by the pretrained records that keep
// accepts, the target encoder first; with none it is the target encoder alone, so random-init
// runs still get their row.
func pretrainedEncoderKeys(runs []Run, keep func(*probe.Record) bool) []string {
	keys := []string{"target_encoder"}
	for i := range runs {
		r := &runs[i].Record
		if keep(r) && r.Backbone.Init == InitPretrained && !slices.Contains(keys, encoderKey(r)) {
			keys = append(keys, encoderKey(r))
		}
	}
	return keys
}
