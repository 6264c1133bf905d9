package benchmarks

// probePending is the probe row until package probe exposes a training step to time.
const probePending = "not measured (probe package pending)"

// benchProbe times the attentive-probe training step. Package probe does not expose a
// step yet, so the row is marked as not measured.
func benchProbe() ProbeResult {
	return ProbeResult{Name: "attentive probe step", Skipped: probePending}
}
