// Package testutil holds the helpers that tests of several packages share: the Go backend,
// finding the repository's parity fixtures and editing small text files. Only tests import
// it.
package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// RepoRoot returns the folder holding go.mod, found by walking up from the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// FixturesRoot returns the repository's parity fixtures folder, testdata/fixtures, found by
// walking up from the working directory to the folder that holds go.mod.
func FixturesRoot() (string, error) {
	repo, err := RepoRoot()
	if err != nil {
		return "", fmt.Errorf("fixtures: %w", err)
	}
	root := filepath.Join(repo, "testdata", "fixtures")
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return "", fmt.Errorf("fixtures folder %s is missing (it is part of the repository)", root)
	}
	return root, nil
}

// FixturesDir returns the repository's parity fixtures folder (see FixturesRoot), failing
// the test when it is missing: the fixtures are part of the repository, never optional.
func FixturesDir(t testing.TB) string {
	t.Helper()
	dir, err := FixturesRoot()
	require.NoError(t, err)
	return dir
}

// OfficialPreset returns the text of an embedded official config file, rel being its path
// below internal/officialcfg/presets (for example "pretrain/vitl16.yaml").
func OfficialPreset(t testing.TB, rel string) string {
	t.Helper()
	root, err := RepoRoot()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(root, "internal", "officialcfg", "presets", rel))
	require.NoError(t, err)
	return string(b)
}

// WriteFile writes content to a file named name in a fresh temporary folder and returns
// its path.
func WriteFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

// ReplaceLine replaces the one line of text equal to old by repl and returns the new text
// and the 1-based number of that line. The line must occur exactly once.
func ReplaceLine(t testing.TB, text, old, repl string) (string, int) {
	t.Helper()
	lines := strings.Split(text, "\n")
	found := -1
	for i, l := range lines {
		if l == old {
			require.Equal(t, -1, found, "line %q is not unique", old)
			found = i
		}
	}
	require.NotEqual(t, -1, found, "line %q not found", old)
	lines[found] = repl
	return strings.Join(lines, "\n"), found + 1
}

// RemoveBetween deletes the text after the first start marker up to (not including) the
// first end marker; s is returned unchanged when either is missing or out of order.
func RemoveBetween(s, start, end string) string {
	i := strings.Index(s, start)
	j := strings.Index(s, end)
	if i < 0 || j < i {
		return s
	}
	return s[:i+len(start)] + s[j:]
}
