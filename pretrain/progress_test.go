package pretrain

import (
	"bytes"
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
	p := NewProgress(&buf, 100, ProgressOptions{Mode: ProgressAuto, Interval: 10 * time.Second, Now: clock.now})
	for s := int64(51); s <= 100; s++ { // a resumed run: steps 51..100, one per second
		p.Update(s, 0.5)
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
	p := NewProgress(&buf, 0, ProgressOptions{Mode: ProgressTerminal, Redraw: 150 * time.Millisecond, Now: clock.now})
	p.Update(1, 12.5)
	p.Update(2, 1)
	p.Update(3, 1)
	p.Done()
	out := buf.String()
	assert.True(t, strings.HasPrefix(out, "\rstep 1  loss 12.5000  elapsed 0s"), out)
	assert.Equal(t, 3, strings.Count(out, "\r"), "step 1, step 3 (step 2 throttled), then Done draws nothing new:\n%q", out)
	assert.True(t, strings.HasSuffix(out, "\n"))
	for _, seg := range strings.Split(strings.TrimSuffix(out, "\n"), "\r")[1:] {
		assert.NotContains(t, seg, "\n")
	}
}

func TestProgressTerminalPadsShorterLine(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0), tick: time.Second}
	p := NewProgress(&buf, 0, ProgressOptions{Mode: ProgressTerminal, Now: clock.now})
	p.Update(1, 1e12)
	p.Update(2, 1)
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
		assert.Equal(t, tc.want, formatDuration(tc.d))
	}
}
