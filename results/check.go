package results

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/vjepa-go/vjepa/probe"
)

// Problem is one inconsistency [Check] found, named by the record file it is in.
type Problem struct {
	File string // base name of the record file
	Msg  string
}

func (p Problem) String() string { return p.File + ": " + p.Msg }

// statsTolerance is how far a stored mean or std may lie from the one recomputed from the
// per-seed values: records store full float64, so only rounding differences are allowed.
const statsTolerance = 1e-6

// Check reads the records of opts.RunsDir and reports, per record file:
//   - a referenced run that is missing: vs_random.against naming no record, or a pretraining run
//     with neither committed logs (<InputDir>/pretrain/<name>/) nor a committed figure;
//   - a claimed pair (vs_random) that mixes data sets, protocols, probes or encoders, or whose
//     stored difference disagrees with the two records' per-seed values;
//   - a top1 or seed_stats that disagrees with the record's own per-seed values.
//
// Records that cannot be read at all are reported by the returned *LoadError, as by Generate.
func Check(opts Options) ([]Problem, error) {
	opts = opts.withDefaults()
	runs, err := LoadRuns(opts.RunsDir)
	if err != nil {
		return nil, err
	}
	byID := map[string]*probe.Record{}
	for i := range runs {
		byID[runs[i].Record.ID] = &runs[i].Record
	}
	var problems []Problem
	for _, run := range runs {
		for _, msg := range checkRecord(&run.Record, byID, opts.InputDir) {
			problems = append(problems, Problem{File: run.File, Msg: msg})
		}
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].File < problems[j].File })
	return problems, nil
}

// checkRecord lists the problems of one record.
func checkRecord(r *probe.Record, byID map[string]*probe.Record, inputDir string) []string {
	msgs := checkSeedStats(r)
	if d := r.Backbone.PretrainRun; d != "" {
		name := slug(d)
		fig := filepath.Join(inputDir, figuresDir, "pretrain-"+name+".png")
		if !hasLogs(filepath.Join(inputDir, pretrainLogsDir, name)) && !fileExists(fig) {
			msgs = append(msgs, fmt.Sprintf("pretraining run %s is missing: no logs in %s and no figure %s",
				d, filepath.Join(inputDir, pretrainLogsDir, name), fig))
		}
	}
	if v := r.VsRandom; v != nil {
		msgs = append(msgs, checkClaimedPair(r, v, byID)...)
	}
	return msgs
}

// checkSeedStats compares top1 and seed_stats with the per-seed values.
func checkSeedStats(r *probe.Record) []string {
	if len(r.Seeds) == 0 {
		if r.SeedStats != nil && r.SeedStats.N > 1 {
			return []string{fmt.Sprintf("seed_stats n %d but no per-seed values", r.SeedStats.N)}
		}
		return nil
	}
	s := r.Top1Summary()
	var msgs []string
	if !near(r.Top1, s.Mean) {
		msgs = append(msgs, fmt.Sprintf("top1 %.4f disagrees with the mean %.4f of its %d seeds", r.Top1, s.Mean, s.N))
	}
	if st := r.SeedStats; st != nil {
		switch {
		case st.N != s.N:
			msgs = append(msgs, fmt.Sprintf("seed_stats.n %d, but %d seeds", st.N, s.N))
		case !near(st.Top1Mean, s.Mean):
			msgs = append(msgs, fmt.Sprintf("seed_stats.top1_mean %.4f disagrees with the seeds' mean %.4f", st.Top1Mean, s.Mean))
		case !near(st.Top1Std, s.Std):
			msgs = append(msgs, fmt.Sprintf("seed_stats.top1_std %.4f disagrees with the seeds' std %.4f", st.Top1Std, s.Std))
		}
	}
	return msgs
}

// checkClaimedPair checks a record's vs_random claim against the comparison rule and the
// two records' own per-seed values.
func checkClaimedPair(r *probe.Record, v *probe.PairedDifference, byID map[string]*probe.Record) []string {
	other, ok := byID[v.Against]
	if !ok {
		return []string{fmt.Sprintf("vs_random.against %s: no such record", v.Against)}
	}
	var msgs []string
	if other.Backbone.Init != InitRandom {
		msgs = append(msgs, fmt.Sprintf("vs_random.against %s is not a random-init record", v.Against))
	}
	if ok, why := comparable(r, other); !ok {
		if d := protocolDiff(r.Protocol, other.Protocol); d != "" {
			why += ": " + d
		}
		return append(msgs, fmt.Sprintf("claimed pair with %s mixes records: %s", v.Against, why))
	}
	d, err := probe.PairTop1(r, other)
	if err != nil {
		return append(msgs, fmt.Sprintf("claimed pair with %s: %v", v.Against, err))
	}
	if d.N != v.N || !near(d.Mean, v.Mean) {
		msgs = append(msgs, fmt.Sprintf("vs_random (n %d, mean %+.4f) disagrees with the seeds both records hold (n %d, mean %+.4f)",
			v.N, v.Mean, d.N, d.Mean))
	}
	return msgs
}

func near(a, b float64) bool { return math.Abs(a-b) <= statsTolerance*max(1, math.Abs(b)) }
