package probe

import (
	"fmt"
	"io"
	"time"
)

// bar is a minimal progress line for feature extraction and probe training: a counter with
// rate and ETA, rewritten in place at most twice a second.
type bar struct {
	w     io.Writer
	total int
	n     int
	what  string
	start time.Time
	last  time.Time
}

func newBar(w io.Writer, total int, what string) *bar {
	return &bar{w: w, total: total, what: what, start: time.Now()}
}

func (b *bar) add(k int) {
	b.n += k
	if b.w == nil || (time.Since(b.last) < 500*time.Millisecond && b.n < b.total) {
		return
	}
	b.last = time.Now()
	el := time.Since(b.start).Seconds()
	rate := float64(b.n) / el
	eta := 0.0
	if rate > 0 {
		eta = float64(b.total-b.n) / rate
	}
	fmt.Fprintf(b.w, "\r%s: %d/%d  %.1f/s  ETA %s   ", b.what, b.n, b.total, rate, (time.Duration(eta) * time.Second).Round(time.Second))
}

func (b *bar) done() {
	if b.w != nil {
		fmt.Fprintf(b.w, "\r%s: %d/%d in %s%20s\n", b.what, b.n, b.total, time.Since(b.start).Round(time.Second), "")
	}
}
