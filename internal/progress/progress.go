// Package progress is the one progress reporter of the project: pretraining steps, probe
// epochs, feature extraction, data checks and exports all print through a [Bar]. On a
// terminal it redraws one line; anywhere else (a log file, CI) it prints plain lines at a
// steady interval, so logs stay readable.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// Mode selects how a [Bar] prints.
type Mode int

const (
	// Auto redraws one line on a terminal and prints plain lines otherwise.
	Auto Mode = iota
	// Terminal always redraws a single line with carriage returns.
	Terminal
	// Plain always prints complete lines, at most one per Interval.
	Plain
)

// Options tunes a [Bar]; the zero value is usable.
type Options struct {
	Mode Mode
	// Interval between plain lines (default 30 s). The first and the last update are always
	// printed.
	Interval time.Duration
	// Redraw is the minimum time between redraws of the terminal line (default 200 ms).
	Redraw time.Duration
	// Unit follows the rate, e.g. "it/s" (the default) or "clips/s".
	Unit string
	// Now returns the current time (default time.Now); tests set it.
	Now func() time.Time
}

// Bar reports the progress of count items towards a total, e.g.
// "step 1200/90000 (1.3%)  loss 0.4123  2.41 it/s  elapsed 8m18s  eta 10h14m". The rate is
// measured from the first update on, so time spent before it (compiling a graph) does not
// distort it. A nil *Bar, or one writing to a nil writer, does nothing. Output errors are
// ignored: progress is best-effort. Its methods are safe for concurrent use.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	tty      bool
	total    int64
	opts     Options
	start    time.Time // construction time
	first    time.Time // time of the first update
	n0       int64     // count at the first update
	started  bool
	lastDraw time.Time
	n        int64
	detail   string
	drawn    bool // the latest state has been printed
	width    int  // length of the last terminal line, to blank it when it shrinks
}

// New returns a bar labelled label (e.g. "step", "probe epoch 3/20") for total items (0 when
// unknown), writing to w (typically os.Stderr). With [Auto], w is treated as a terminal when
// it is an *os.File attached to one.
func New(w io.Writer, label string, total int64, opts Options) *Bar {
	if opts.Interval <= 0 {
		opts.Interval = 30 * time.Second
	}
	if opts.Redraw <= 0 {
		opts.Redraw = 200 * time.Millisecond
	}
	if opts.Unit == "" {
		opts.Unit = "it/s"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	tty := opts.Mode == Terminal
	if opts.Mode == Auto {
		if f, ok := w.(*os.File); ok {
			tty = term.IsTerminal(int(f.Fd()))
		}
	}
	return &Bar{w: w, label: label, tty: tty, total: total, opts: opts, start: opts.Now()}
}

// Set records that n items are done, with a detail shown after the count (e.g.
// "loss 0.4123"; empty for none), and prints if due.
func (b *Bar) Set(n int64, detail string) {
	if b == nil || b.w == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.opts.Now()
	if !b.started {
		b.started, b.first, b.n0 = true, now, n
	}
	b.n, b.detail, b.drawn = n, detail, false
	interval := b.opts.Interval
	if b.tty {
		interval = b.opts.Redraw
	}
	if n == b.n0 || (b.total > 0 && n >= b.total) || now.Sub(b.lastDraw) >= interval {
		b.print(now)
	}
}

// Add counts k more items done.
func (b *Bar) Add(k int) {
	if b == nil || b.w == nil {
		return
	}
	b.mu.Lock()
	n, detail := b.n+int64(k), b.detail
	b.mu.Unlock()
	b.Set(n, detail)
}

// Done prints the latest state if it was not printed yet and ends the terminal line.
func (b *Bar) Done() {
	if b == nil || b.w == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started && !b.drawn {
		b.print(b.opts.Now())
	}
	if b.tty && b.width > 0 {
		fmt.Fprintln(b.w)
		b.width = 0
	}
}

func (b *Bar) print(now time.Time) {
	b.lastDraw, b.drawn = now, true
	line := b.line(now)
	if !b.tty {
		fmt.Fprintln(b.w, line)
		return
	}
	pad := ""
	if n := len(line); n < b.width {
		pad = strings.Repeat(" ", b.width-n)
	}
	b.width = len(line)
	fmt.Fprint(b.w, "\r"+line+pad)
}

// line formats the current state.
func (b *Bar) line(now time.Time) string {
	var s strings.Builder
	if b.total > 0 {
		fmt.Fprintf(&s, "%s %d/%d (%.1f%%)", b.label, b.n, b.total, 100*float64(b.n)/float64(b.total))
	} else {
		fmt.Fprintf(&s, "%s %d", b.label, b.n)
	}
	if b.detail != "" {
		fmt.Fprintf(&s, "  %s", b.detail)
	}
	done := b.n - b.n0
	if dt := now.Sub(b.first).Seconds(); done > 0 && dt > 0 {
		rate := float64(done) / dt
		if rate >= 100 {
			fmt.Fprintf(&s, "  %.0f %s", rate, b.opts.Unit) // no exponent for large rates
		} else {
			fmt.Fprintf(&s, "  %.3g %s", rate, b.opts.Unit)
		}
		fmt.Fprintf(&s, "  elapsed %s", FormatDuration(now.Sub(b.start)))
		if left := b.total - b.n; b.total > 0 && left > 0 {
			fmt.Fprintf(&s, "  eta %s", FormatDuration(time.Duration(float64(left)/rate*float64(time.Second))))
		}
	} else {
		fmt.Fprintf(&s, "  elapsed %s", FormatDuration(now.Sub(b.start)))
	}
	return s.String()
}

// FormatDuration prints d compactly: 42s, 8m18s, 10h14m, 3d04h.
func FormatDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	default:
		return fmt.Sprintf("%dd%02dh", s/86400, s%86400/3600)
	}
}
