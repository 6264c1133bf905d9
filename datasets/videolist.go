package datasets

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// VideoEntry is one line of a video list file.
type VideoEntry struct {
	// Path is the video file: absolute, or resolved against the list file's folder.
	Path string
	// Label is the integer class label (ignored by pretraining).
	Label int
	// List and Line locate the entry in its list file (Line is 1-based).
	List string
	Line int
}

// ReadVideoList reads a video list in the official VideoDataset format (docs/formats.md#video-lists): one
// video per line, `path label`, separated by a single space, no header. Blank lines are
// skipped and trailing white space (including a Windows line end) is ignored; the path is
// everything before the last space, so it may hold spaces and any UTF-8. Duplicate entries
// are kept, as the official loader keeps them (see Duplicates). Relative
// paths are resolved against the folder of the list file. Any malformed line stops the
// reading with an error naming the file and line.
func ReadVideoList(listPath string) ([]VideoEntry, error) {
	f, err := os.Open(listPath)
	if err != nil {
		return nil, fmt.Errorf("read video list: %w", err)
	}
	defer f.Close()
	dir := filepath.Dir(listPath)
	var entries []VideoEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), " \t\r")
		if text == "" {
			continue
		}
		e, err := parseListLine(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", listPath, line, err)
		}
		if !filepath.IsAbs(e.Path) {
			e.Path = filepath.Join(dir, e.Path)
		}
		e.List, e.Line = listPath, line
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", listPath, line+1, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s: empty video list", listPath)
	}
	return entries, nil
}

// parseListLine parses `path label`: the label is the text after the last space, so a path
// may contain spaces (the official pandas reader would split it; here it is kept whole).
func parseListLine(text string) (VideoEntry, error) {
	i := strings.LastIndexByte(text, ' ')
	if i < 0 {
		return VideoEntry{}, fmt.Errorf("missing label: want `path label` separated by a space, got %q", text)
	}
	path, field := text[:i], text[i+1:]
	switch {
	case strings.TrimSpace(path) == "":
		return VideoEntry{}, fmt.Errorf("empty path in %q", text)
	case strings.TrimSpace(path) != path:
		return VideoEntry{}, fmt.Errorf("path %q begins or ends with white space (more than one space before the label?)", path)
	}
	label, err := strconv.Atoi(field)
	if err != nil {
		return VideoEntry{}, fmt.Errorf("label %q is not an integer", field)
	}
	return VideoEntry{Path: path, Label: label}, nil
}

// ReadVideoLists reads and concatenates several list files (the pretraining mixtures) and
// checks the labels: with numClasses > 0 every label must lie in [0, numClasses); with
// numClasses == 0 labels must be non-negative and the number of classes is the largest
// label plus one. It returns the entries and the number of classes.
func ReadVideoLists(lists []string, numClasses int) ([]VideoEntry, int, error) {
	if len(lists) == 0 {
		return nil, 0, fmt.Errorf("no video list given")
	}
	if numClasses < 0 {
		return nil, 0, fmt.Errorf("invalid number of classes %d", numClasses)
	}
	var all []VideoEntry
	for _, l := range lists {
		entries, err := ReadVideoList(l)
		if err != nil {
			return nil, 0, err
		}
		all = append(all, entries...)
	}
	maxLabel := -1
	for _, e := range all {
		if e.Label < 0 || (numClasses > 0 && e.Label >= numClasses) {
			want := "a non-negative label"
			if numClasses > 0 {
				want = fmt.Sprintf("a label in [0, %d)", numClasses)
			}
			return nil, 0, fmt.Errorf("%s:%d: label %d out of range (want %s)", e.List, e.Line, e.Label, want)
		}
		maxLabel = max(maxLabel, e.Label)
	}
	if numClasses == 0 {
		numClasses = maxLabel + 1
	}
	return all, numClasses, nil
}

// Duplicate is a list entry whose path already appeared earlier in the lists.
type Duplicate struct {
	Entry VideoEntry // the repeated entry
	First VideoEntry // the entry where the path first appeared
}

// Duplicates returns the entries whose path repeats an earlier entry's, in list order.
func Duplicates(entries []VideoEntry) []Duplicate {
	first := make(map[string]int, len(entries))
	var out []Duplicate
	for i, e := range entries {
		if j, ok := first[filepath.Clean(e.Path)]; ok {
			out = append(out, Duplicate{Entry: e, First: entries[j]})
			continue
		}
		first[filepath.Clean(e.Path)] = i
	}
	return out
}

// String formats the duplicate as `list:line: path duplicates list:line`.
func (d Duplicate) String() string {
	s := fmt.Sprintf("%s:%d: %s duplicates %s:%d", d.Entry.List, d.Entry.Line, d.Entry.Path, d.First.List, d.First.Line)
	if d.Entry.Label != d.First.Label {
		s += fmt.Sprintf(" with another label (%d, first %d)", d.Entry.Label, d.First.Label)
	}
	return s
}
