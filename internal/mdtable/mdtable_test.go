package mdtable

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMarkdown(t *testing.T) {
	tests := []struct {
		name  string
		table func() *Table
		want  string
	}{
		{
			name: "left and right aligned",
			table: func() *Table {
				tb := New("model", "top-1").AlignRight(1)
				tb.Add("ViT-L", "80.8")
				tb.Add("ViT-H/16", "9.5")
				return tb
			},
			want: "| model    | top-1 |\n" +
				"|:---------|------:|\n" +
				"| ViT-L    |  80.8 |\n" +
				"| ViT-H/16 |   9.5 |\n",
		},
		{
			name: "escaped cells, verbatim header",
			table: func() *Table {
				tb := New("a|b", "note").AlignRight(7, -1)
				tb.Add("x\ny", "p|q\r")
				return tb
			},
			want: "| a\\|b | note |\n" +
				"|:-----|:-----|\n" +
				"| x y  | p\\|q |\n",
		},
		{
			name:  "header only",
			table: func() *Table { return New("only") },
			want:  "| only |\n|:-----|\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.table().Markdown()
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestLen(t *testing.T) {
	tb := New("a", "b")
	assert.Equal(t, 0, tb.Len())
	tb.Add("1", "2")
	tb.Add("3", "4")
	assert.Equal(t, 2, tb.Len())
}
