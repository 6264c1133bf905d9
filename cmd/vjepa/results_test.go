package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunResults(t *testing.T) {
	testdata := filepath.Join("..", "..", "results", "testdata")
	tests := []struct {
		name    string
		runs    string
		wantErr []string
	}{
		{"valid records", filepath.Join(testdata, "runs"), nil},
		{"bad records", filepath.Join(testdata, "bad"), []string{"malformed.json", "no-dataset.json", "no-top1.json", "wrong-schema.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			err := runResults(context.Background(), []string{"--runs", tt.runs, "--out", out, "--base", filepath.Join("..", "..", "results")})
			if tt.wantErr != nil {
				require.Error(t, err)
				for _, f := range tt.wantErr {
					require.Contains(t, err.Error(), f)
				}
				return
			}
			require.NoError(t, err)
			require.FileExists(t, filepath.Join(out, "README.md"))
			require.FileExists(t, filepath.Join(out, "runs.md"))
			_, err = os.Stat(filepath.Join(out, "figures", "pretrain-testdata-pretrain-tiny-run.png"))
			require.NoError(t, err, "pretraining log found through --base")
		})
	}
	require.Error(t, runResults(context.Background(), []string{"extra"}))
}

// TestRunResultsCheck: --check passes on the committed records and fails on hand-broken ones.
func TestRunResultsCheck(t *testing.T) {
	results := filepath.Join("..", "..", "results")
	require.NoError(t, runResults(context.Background(), []string{"--check", "--runs", filepath.Join(results, "runs"), "--out", results}))
	err := runResults(context.Background(), []string{"--check", "--runs", filepath.Join(results, "testdata", "broken"),
		"--out", filepath.Join(results, "testdata")})
	require.ErrorContains(t, err, "7 problem(s)")
}
