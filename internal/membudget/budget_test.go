package membudget

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMeminfoField(t *testing.T) {
	text := "MemTotal:       24576000 kB\nMemFree:         1000 kB\nMemAvailable:   2048 kB\n"
	for _, tc := range []struct {
		key  string
		want float64
	}{
		{"MemTotal:", 24576000 * 1024},
		{"MemAvailable:", 2048 * 1024},
		{"SwapTotal:", 0},
	} {
		t.Run(tc.key, func(t *testing.T) { assert.Equal(t, tc.want, MeminfoField(text, tc.key)) })
	}
}

func TestHostBudgetIsKnownOnLinux(t *testing.T) {
	b := Host()
	if !b.Known() {
		t.Skip("no /proc/meminfo on this system")
	}
	assert.Greater(t, b.Bytes, float64(1<<20))
	assert.Contains(t, b.String(), "GiB available (MemAvailable of /proc/meminfo)")
}

func TestUnknownBudget(t *testing.T) {
	assert.False(t, Budget{}.Known())
	assert.Equal(t, "available memory unknown", Budget{}.String())
}

func TestProcessMemoryFromCSV(t *testing.T) {
	csv := "1234, 2048\n99, 100\n1234, 1024\n"
	assert.Equal(t, float64(3072<<20), ProcessMemoryFromCSV(csv, 1234))
	assert.Equal(t, 0.0, ProcessMemoryFromCSV(csv, 7))
}
