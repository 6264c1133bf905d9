package results

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/probe"
)

// embeddedPaper loads the embedded paper results.
func embeddedPaper(t *testing.T) Paper {
	t.Helper()
	p, err := LoadPaper()
	require.NoError(t, err)
	return p
}

func TestEmbeddedPaperIsValid(t *testing.T) {
	p := embeddedPaper(t)
	assert.NotEmpty(t, p.Results)
}

func TestPaperLookup(t *testing.T) {
	p := embeddedPaper(t)
	rec := func(model string, res int, probeType, dataset string, f, s, v int, img bool, init, data string) *probe.Record {
		return &probe.Record{
			Dataset:  dataset,
			Backbone: probe.BackboneInfo{Model: model, PatchSize: 16, Init: init, PretrainData: data},
			Protocol: probe.Protocol{FramesPerClip: f, NumSegments: s, NumViews: v, Resolution: res, Image: img},
			Probe:    probe.ProbeInfo{Type: probeType},
		}
	}
	tests := []struct {
		name   string
		r      *probe.Record
		top1   float64 // 0: no match
		source string
	}{
		{"ViT-L K400", rec("vit_large", 224, "attentive", "k400", 16, 8, 3, false, InitPretrained, ""), 80.8, "V-JEPA paper Table 6"},
		{"ViT-L SSv2", rec("vit_large", 224, "attentive", "ssv2", 16, 2, 3, false, InitPretrained, "VideoMix2M"), 69.5, "V-JEPA paper Table 6"},
		{"ViT-L IN1K", rec("vit_large", 224, "attentive", "in1k", 16, 1, 1, true, InitPretrained, ""), 74.8, "V-JEPA paper Table 6"},
		{"ViT-H K400", rec("vit_huge", 224, "attentive", "k400", 16, 8, 3, false, InitPretrained, ""), 82.0, "V-JEPA paper Table 6"},
		{"ViT-H 384 SSv2", rec("vit_huge", 384, "attentive", "ssv2", 16, 2, 3, false, InitPretrained, ""), 72.2, "V-JEPA paper Table 6"},
		{"ViT-L K400 single view", rec("vit_large", 224, "attentive", "k400", 16, 1, 1, false, InitPretrained, ""), 73.7, "V-JEPA paper Table 3"},
		{"avgpool any protocol", rec("vit_large", 224, "avgpool-linear", "ssv2", 16, 2, 3, false, InitPretrained, ""), 50.1, "V-JEPA paper Table 3"},
		{"V-JEPA 2 ViT-g 384 IN1K", rec("vit_giant", 384, "attentive4", "in1k", 16, 1, 1, true, InitPretrained, ""), 85.1, "V-JEPA 2 paper Table 4"},
		{"V-JEPA 2 ViT-L Diving-48", rec("vit_large", 256, "attentive4", "diving48", 32, 4, 3, false, InitPretrained, ""), 89.0, "vjepa2 README, Evaluation Attentive Probes (diving48-vitl-256)"},
		{"V-JEPA 2 ViT-g 384 Diving-48", rec("vit_giant", 384, "attentive4", "diving48", 32, 4, 3, false, InitPretrained, ""), 90.2, "vjepa2 README, Evaluation Attentive Probes (diving48-vitg-384-32x4x3)"},
		{"V-JEPA 2 ViT-g 384 SSv2", rec("vit_giant", 384, "attentive4", "ssv2", 64, 2, 3, false, InitPretrained, ""), 77.3, "V-JEPA 2 paper Table 4"},
		{"V-JEPA 2 number needs the 4-block probe", rec("vit_large", 256, "attentive", "diving48", 32, 4, 3, false, InitPretrained, ""), 0, ""},
		{"random init never", rec("vit_large", 224, "attentive", "k400", 16, 8, 3, false, InitRandom, ""), 0, ""},
		{"other pretraining data", rec("vit_large", 224, "attentive", "k400", 16, 8, 3, false, InitPretrained, "k400"), 0, ""},
		{"other protocol", rec("vit_large", 224, "attentive", "k400", 8, 8, 3, false, InitPretrained, ""), 0, ""},
		{"other resolution", rec("vit_large", 256, "attentive", "k400", 16, 8, 3, false, InitPretrained, ""), 0, ""},
		{"built-in set", rec("vit_large", 224, "attentive", "synthetic-motion", 16, 8, 3, false, InitPretrained, ""), 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := p.Lookup(tt.r)
			if tt.top1 == 0 {
				assert.False(t, ok, "unexpected match %+v", got)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.top1, got.Top1)
			assert.Equal(t, tt.source, got.Source)
		})
	}
}

func TestParsePaperRejects(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"bad json", `{`, "unexpected end"},
		{"missing source", `{"results":[{"label":"a","model":"m","probe":"p","dataset":"d","top1":1}]}`, "required"},
		{"bad top1", `{"results":[{"label":"a","model":"m","probe":"p","dataset":"d","top1":101,"source":"s"}]}`, "outside"},
		{"duplicate", `{"results":[{"label":"a","model":"m","probe":"p","dataset":"d","top1":1,"source":"s"},
			{"label":"b","model":"M","probe":"p","dataset":"d","top1":2,"source":"s"}]}`, "same conditions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePaper([]byte(tt.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestPaperSideBySide(t *testing.T) {
	p := embeddedPaper(t)
	var b strings.Builder
	require.NoError(t, writePaperSideBySide(&b, nil, p, Figures{}))
	md := b.String()
	assert.Contains(t, md, "| data set | V-JEPA ViT-L/16 |")
	assert.Contains(t, md, "V-JEPA 2 ViT-g/16_384")
	assert.Regexp(t, `\| ssv2 +\| +69\.5 \(16×2×3\) \|`, md)
	assert.Regexp(t, `\| diving48 +\|[ |]+89\.0 \(32×4×3\) \|[ |]+90\.2 \(32×4×3\) \|`, md)
	assert.NotContains(t, md, "average pooling", "only attentive probes")

	var empty strings.Builder
	require.NoError(t, writePaperSideBySide(&empty, nil, Paper{}, Figures{}))
	assert.Empty(t, empty.String())
}
