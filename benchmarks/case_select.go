package benchmarks

import (
	"fmt"
	"slices"
	"strings"
)

// Kinds of benchmark case, the first part of a case ID.
const (
	KindEncoderForward = "encoder_forward"
	KindPretrainStep   = "pretrain_step"
	KindProbeStep      = "probe_step"
)

// caseID joins a kind and the reference kit's config name (the row label when a case has
// none), e.g. "pretrain_step:vit_tiny-8x112".
func caseID(kind, ref, name string) string {
	if ref == "" {
		ref = name
	}
	return kind + ":" + ref
}

// ID is the case name of `vjepa bench --cases` and of the JSON report.
func (c EncoderCase) ID() string { return caseID(KindEncoderForward, c.Ref, c.Name) }

// ID is the case name of `vjepa bench --cases` and of the JSON report.
func (c StepCase) ID() string { return caseID(KindPretrainStep, c.Ref, c.Name) }

// ID is the case name of `vjepa bench --cases` and of the JSON report.
func (c ProbeCase) ID() string { return caseID(KindProbeStep, c.Ref, c.Name) }

// CaseIDs lists the IDs of o's encoder, step and probe cases, in the order they run,
// including the OnRequest ones.
func (o Options) CaseIDs() []string {
	ids := make([]string, 0, len(o.Encoders)+len(o.Steps)+len(o.Probes))
	for _, c := range o.Encoders {
		ids = append(ids, c.ID())
	}
	for _, c := range o.Steps {
		ids = append(ids, c.ID())
	}
	for _, c := range o.Probes {
		ids = append(ids, c.ID())
	}
	return ids
}

// ParseCaseList splits a comma-separated --cases value, dropping blanks and duplicates.
func ParseCaseList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}

// SelectCases keeps only the encoder, step and probe cases named in ids (see CaseIDs), in
// their usual order, and leaves out data loading. A selected case runs even if it is Heavy
// and the run is quick, or OnRequest. An unknown name is an error that lists the valid ones.
func (o *Options) SelectCases(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	valid := o.CaseIDs()
	for _, id := range ids {
		if !slices.Contains(valid, id) {
			return fmt.Errorf("unknown benchmark case %q (valid: %s)", id, strings.Join(valid, ", "))
		}
	}
	var enc []EncoderCase
	for _, c := range o.Encoders {
		if slices.Contains(ids, c.ID()) {
			c.Heavy, c.OnRequest = false, false
			enc = append(enc, c)
		}
	}
	var steps []StepCase
	for _, c := range o.Steps {
		if slices.Contains(ids, c.ID()) {
			c.Heavy = false
			steps = append(steps, c)
		}
	}
	var probes []ProbeCase
	for _, c := range o.Probes {
		if slices.Contains(ids, c.ID()) {
			c.OnRequest = false
			probes = append(probes, c)
		}
	}
	o.Encoders, o.Steps, o.Probes = enc, steps, probes
	o.Video.Skip, o.Synthetic.Skip = true, true
	return nil
}
