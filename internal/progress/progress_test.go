package progress

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// fakeClock advances by a fixed step on every call.
type fakeClock struct {
	t    time.Time
	tick time.Duration
}

func (c *fakeClock) now() time.Time {
	c.t = c.t.Add(c.tick)
	return c.t
}

func TestProgressPlain(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0), tick: time.Second}
	p := New(&buf, "step", 100, Options{Mode: Auto, Interval: 10 * time.Second, Now: clock.now})
	for s := int64(51); s <= 100; s++ { // a resumed run: steps 51..100, one per second
		p.Set(s, "loss 0.5000")
	}
	p.Done()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	assert.NotContains(t, buf.String(), "\r", "a bytes.Buffer is not a terminal")
	assert.Len(t, lines, 6, "first step, one line per 10 s, last step:\n%s", buf.String())
	assert.Equal(t, "step 51/100 (51.0%)  loss 0.5000  elapsed 1s", lines[0])
	assert.Contains(t, lines[1], "step 61/100 (61.0%)  loss 0.5000  1 it/s  elapsed 11s  eta 39s")
	assert.Equal(t, "step 100/100 (100.0%)  loss 0.5000  1 it/s  elapsed 50s", lines[len(lines)-1])
}

func TestProgressTerminal(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0), tick: 100 * time.Millisecond}
	p := New(&buf, "step", 0, Options{Mode: Terminal, Redraw: 150 * time.Millisecond, Now: clock.now})
	p.Set(1, "loss 12.5000")
	p.Set(2, "loss 1.0000")
	p.Set(3, "loss 1.0000")
	p.Done()
	out := buf.String()
	assert.True(t, strings.HasPrefix(out, "\rstep 1  loss 12.5000  elapsed 0s"), out)
	assert.Equal(t, 2, strings.Count(out, "\r"), "step 1, step 3 (step 2 throttled), then Done draws nothing new:\n%q", out)
	assert.True(t, strings.HasSuffix(out, "\n"))
	for _, seg := range strings.Split(strings.TrimSuffix(out, "\n"), "\r")[1:] {
		assert.NotContains(t, seg, "\n")
	}
}

func TestProgressTerminalPadsShorterLine(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0), tick: time.Second}
	p := New(&buf, "step", 0, Options{Mode: Terminal, Now: clock.now})
	p.Set(1, fmt.Sprintf("loss %.4f", 1e12))
	p.Set(2, "loss 1.0000")
	segs := strings.Split(buf.String(), "\r")
	assert.Equal(t, len(segs[1]), len(segs[2]), "the shorter second line is blank-padded")
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {42 * time.Second, "42s"}, {498 * time.Second, "8m18s"},
		{10*time.Hour + 14*time.Minute + 20*time.Second, "10h14m"}, {76 * time.Hour, "3d04h"},
	} {
		assert.Equal(t, tc.want, FormatDuration(tc.d))
	}
}

func TestBarNilAndAdd(t *testing.T) {
	var b *Bar
	b.Add(3) // a nil bar does nothing
	b.Done()
	New(nil, "x", 5, Options{}).Add(1) // nor does one without a writer

	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0), tick: time.Second}
	bar := New(&buf, "extract", 10, Options{Mode: Plain, Interval: time.Hour, Unit: "clips/s", Now: clock.now})
	bar.Add(4)
	bar.Add(6)
	bar.Done()
	assert.Equal(t, "extract 4/10 (40.0%)  elapsed 1s\nextract 10/10 (100.0%)  6 clips/s  elapsed 2s\n", buf.String())
}
