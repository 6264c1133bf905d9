package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vjepa-go/vjepa/probe"
)

// videoResult is one video's line of JSON output.
type videoResult struct {
	Video string             `json:"video"`
	Top   []probe.Prediction `json:"top"`
}

// resultSink receives the top classes of each video: printed (text lines or JSON lines) or
// appended to a results file (.csv or .jsonl/.json), which a rerun resumes, leaving out the
// videos it already holds.
type resultSink struct {
	w              io.Writer
	file           *os.File
	format         string // "text", "json" or "csv"
	headers        bool   // text: name each video before its lines
	done           map[string]bool
	wroteCSVHeader bool
}

// openResultSink opens the results file path (stdout when empty).
func openResultSink(path string, asJSON bool, stdout io.Writer, severalVideos bool) (*resultSink, error) {
	s := &resultSink{w: stdout, format: "text", headers: severalVideos, done: map[string]bool{}}
	if asJSON {
		s.format = "json"
	}
	if path == "" {
		return s, nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		s.format = "csv"
	case ".json", ".jsonl":
		s.format = "json"
	default:
		return nil, fmt.Errorf("--out %s: results are written as .csv or .jsonl (one JSON object per line)", path)
	}
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	// A run stopped mid-line leaves a partial last line: it is dropped and redone.
	complete := old[:bytes.LastIndexByte(old, '\n')+1]
	if err := s.readDone(complete); err != nil {
		return nil, fmt.Errorf("--out %s: cannot resume: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(int64(len(complete))); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, err
	}
	s.file, s.w, s.wroteCSVHeader = f, f, len(complete) > 0
	return s, nil
}

// readDone collects the videos of an existing results file.
func (s *resultSink) readDone(content []byte) error {
	if s.format == "json" {
		sc := bufio.NewScanner(bytes.NewReader(content))
		sc.Buffer(make([]byte, 64*1024), 16<<20)
		for line := 1; sc.Scan(); line++ {
			var r videoResult
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				return fmt.Errorf("line %d: %w", line, err)
			}
			s.done[r.Video] = true
		}
		return sc.Err()
	}
	r := csv.NewReader(bytes.NewReader(content))
	r.FieldsPerRecord = -1 // a rerun may ask for another --top-k
	rows, err := r.ReadAll()
	if err != nil {
		return err
	}
	for i, row := range rows {
		if i > 0 && len(row) > 0 {
			s.done[row[0]] = true
		}
	}
	return nil
}

// Done reports whether the results already hold video.
func (s *resultSink) Done(video string) bool { return s.done[video] }

// Write records the top classes of video.
func (s *resultSink) Write(video string, top []probe.Prediction) error {
	var err error
	switch s.format {
	case "json":
		var line []byte
		if line, err = json.Marshal(videoResult{Video: video, Top: top}); err == nil {
			_, err = s.w.Write(append(line, '\n'))
		}
	case "csv":
		err = s.writeCSV(video, top)
	default:
		var b strings.Builder
		if s.headers {
			fmt.Fprintf(&b, "%s\n", video)
		}
		for _, p := range top {
			fmt.Fprintf(&b, "%s  %.4f\n", p.Label, p.Probability)
		}
		_, err = io.WriteString(s.w, b.String())
	}
	if err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	s.done[video] = true
	return nil
}

// writeCSV writes one row: the video, then label and probability of each class, most
// probable first (a header names the columns).
func (s *resultSink) writeCSV(video string, top []probe.Prediction) error {
	w := csv.NewWriter(s.w)
	if !s.wroteCSVHeader {
		header := []string{"video"}
		for i := range top {
			header = append(header, "label_"+strconv.Itoa(i+1), "probability_"+strconv.Itoa(i+1))
		}
		if err := w.Write(header); err != nil {
			return err
		}
		s.wroteCSVHeader = true
	}
	row := []string{video}
	for _, p := range top {
		row = append(row, p.Label, strconv.FormatFloat(float64(p.Probability), 'f', 6, 32))
	}
	if err := w.Write(row); err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}

// Close closes the results file.
func (s *resultSink) Close() error {
	if s.file == nil {
		return nil
	}
	return s.file.Close()
}
