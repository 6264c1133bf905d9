package datasets

import (
	"errors"
	"fmt"
)

// FailurePolicy says what a run does with a sample that cannot be read (a missing,
// unreadable, truncated or too-short video, an undecodable image).
type FailurePolicy string

const (
	// PolicySkip replaces the failed sample by another one drawn deterministically from the
	// sample's random stream (as the official code does with a random index), logs a warning
	// and counts it. It is the default for training.
	PolicySkip FailurePolicy = "skip"
	// PolicyError stops the run with the sample's error. It is the default for evaluation,
	// where a skipped sample would change the accuracy.
	PolicyError FailurePolicy = "error"
)

// DefaultPolicy is PolicySkip for training and PolicyError for evaluation.
func DefaultPolicy(training bool) FailurePolicy {
	if training {
		return PolicySkip
	}
	return PolicyError
}

// String implements flag.Value.
func (p *FailurePolicy) String() string {
	if p == nil {
		return ""
	}
	return string(*p)
}

// Set implements flag.Value; it accepts "skip" and "error".
func (p *FailurePolicy) Set(s string) error {
	switch FailurePolicy(s) {
	case PolicySkip, PolicyError:
		*p = FailurePolicy(s)
		return nil
	}
	return fmt.Errorf("unknown failure policy %q (want %q or %q)", s, PolicySkip, PolicyError)
}

// SampleError is the failure of one sample of a data set: it names the sample's source so
// that a run's warnings and `vjepa data check` can print `path: reason`.
type SampleError struct {
	Index  int    // index of the sample in its data set
	Source string // the file the sample comes from
	Err    error
}

func (e *SampleError) Error() string { return fmt.Sprintf("%s: %v", e.Source, e.Err) }

// Unwrap returns the underlying error.
func (e *SampleError) Unwrap() error { return e.Err }

// IsSampleError reports whether err is the failure of one sample (as opposed to a failure
// of the whole run such as a cancelled context).
func IsSampleError(err error) bool {
	var se *SampleError
	return errors.As(err, &se)
}
