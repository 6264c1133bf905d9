package pretrain

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// ProgressMode selects how a [Progress] reporter prints.
type ProgressMode int

const (
	// ProgressAuto redraws one line on a terminal and prints plain lines otherwise.
	ProgressAuto ProgressMode = iota
	// ProgressTerminal always redraws a single line with carriage returns.
	ProgressTerminal
	// ProgressPlain always prints complete lines, at most one per Interval.
	ProgressPlain
)

// ProgressOptions tunes a [Progress] reporter; the zero value is usable.
type ProgressOptions struct {
	Mode ProgressMode
	// Interval between plain lines (default 30 s). The first and the last step are always
	// printed.
	Interval time.Duration
	// Redraw is the minimum time between redraws of the terminal line (default 200 ms).
	Redraw time.Duration
	// Now returns the current time (default time.Now); tests set it.
	Now func() time.Time
}

// Progress reports training progress: step, loss, steps per second and the estimated time
// to the last step. The rate is measured from the first reported step on, so the time spent
// compiling the first step does not distort it. Output errors are ignored: progress is
// best-effort. It is not safe for concurrent use.
type Progress struct {
	w        io.Writer
	tty      bool
	total    int64
	opts     ProgressOptions
	start    time.Time // construction time
	first    time.Time // time of the first Update
	step0    int64     // step of the first Update
	started  bool
	lastDraw time.Time
	lastStep int64
	lastLoss float64
	drawn    bool // the latest state has been printed
	width    int  // length of the last terminal line, to blank it when it shrinks
}

// NewProgress returns a reporter for a run that ends at step total, writing to w
// (typically os.Stderr). With [ProgressAuto], w is treated as a terminal when it is an
// *os.File attached to one.
func NewProgress(w io.Writer, total int64, opts ProgressOptions) *Progress {
	if opts.Interval <= 0 {
		opts.Interval = 30 * time.Second
	}
	if opts.Redraw <= 0 {
		opts.Redraw = 200 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	tty := opts.Mode == ProgressTerminal
	if opts.Mode == ProgressAuto {
		if f, ok := w.(*os.File); ok {
			tty = term.IsTerminal(int(f.Fd()))
		}
	}
	return &Progress{w: w, tty: tty, total: total, opts: opts, start: opts.Now()}
}

// Update records that step (1-based) finished with the given loss and prints if due.
func (p *Progress) Update(step int64, loss float64) {
	now := p.opts.Now()
	if !p.started {
		p.started, p.first, p.step0 = true, now, step
	}
	p.lastStep, p.lastLoss, p.drawn = step, loss, false
	interval := p.opts.Interval
	if p.tty {
		interval = p.opts.Redraw
	}
	if step == p.step0 || step >= p.total || now.Sub(p.lastDraw) >= interval {
		p.print(now)
	}
}

// Done prints the latest state if it was not printed yet and ends the terminal line.
func (p *Progress) Done() {
	if p.started && !p.drawn {
		p.print(p.opts.Now())
	}
	if p.tty && p.width > 0 {
		fmt.Fprintln(p.w)
		p.width = 0
	}
}

func (p *Progress) print(now time.Time) {
	p.lastDraw, p.drawn = now, true
	line := p.line(now)
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	pad := ""
	if n := len(line); n < p.width {
		pad = strings.Repeat(" ", p.width-n)
	}
	p.width = len(line)
	fmt.Fprint(p.w, "\r"+line+pad)
}

// line formats the current state, e.g.
// "step 1200/90000 (1.3%)  loss 0.4123  2.41 it/s  elapsed 8m18s  eta 10h14m".
func (p *Progress) line(now time.Time) string {
	var b strings.Builder
	if p.total > 0 {
		fmt.Fprintf(&b, "step %d/%d (%.1f%%)", p.lastStep, p.total, 100*float64(p.lastStep)/float64(p.total))
	} else {
		fmt.Fprintf(&b, "step %d", p.lastStep)
	}
	fmt.Fprintf(&b, "  loss %.4f", p.lastLoss)
	done := p.lastStep - p.step0
	if dt := now.Sub(p.first).Seconds(); done > 0 && dt > 0 {
		rate := float64(done) / dt
		fmt.Fprintf(&b, "  %.3g it/s", rate)
		fmt.Fprintf(&b, "  elapsed %s", formatDuration(now.Sub(p.start)))
		if left := p.total - p.lastStep; left > 0 {
			fmt.Fprintf(&b, "  eta %s", formatDuration(time.Duration(float64(left)/rate*float64(time.Second))))
		}
	} else {
		fmt.Fprintf(&b, "  elapsed %s", formatDuration(now.Sub(p.start)))
	}
	return b.String()
}

// formatDuration prints d compactly: 42s, 8m18s, 10h14m, 3d04h.
func formatDuration(d time.Duration) string {
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
