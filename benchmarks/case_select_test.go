package benchmarks

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
)

func TestDefaultCaseIDs(t *testing.T) {
	backend := testutil.Backend(t)
	o, err := DefaultOptions(backend, false)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"encoder_forward:vit_tiny-8x112", "encoder_forward:vit_small-16x224", "encoder_forward:vit_base-16x224",
		"pretrain_step:vit_tiny-8x112", "pretrain_step:vit_small-16x224", "pretrain_step:vit_base-16x224",
		"pretrain_step:cpu-default",
	}, o.CaseIDs())
}

func TestSelectCases(t *testing.T) {
	backend := testutil.Backend(t)
	for _, tc := range []struct {
		name      string
		list      string
		wantEnc   []string
		wantSteps []string
		wantErr   string
	}{
		{name: "empty keeps everything", list: "",
			wantEnc:   []string{"encoder_forward:vit_tiny-8x112", "encoder_forward:vit_small-16x224", "encoder_forward:vit_base-16x224"},
			wantSteps: []string{"pretrain_step:vit_tiny-8x112", "pretrain_step:vit_small-16x224", "pretrain_step:vit_base-16x224", "pretrain_step:cpu-default"}},
		{name: "subset in run order", list: " pretrain_step:cpu-default,encoder_forward:vit_base-16x224,,pretrain_step:cpu-default",
			wantEnc: []string{"encoder_forward:vit_base-16x224"}, wantSteps: []string{"pretrain_step:cpu-default"}},
		{name: "unknown", list: "encoder_forward:vit_tiny-8x112,pretrain_step:vit_huge",
			wantErr: `unknown benchmark case "pretrain_step:vit_huge" (valid: encoder_forward:vit_tiny-8x112, encoder_forward:vit_small-16x224, ` +
				`encoder_forward:vit_base-16x224, pretrain_step:vit_tiny-8x112, pretrain_step:vit_small-16x224, pretrain_step:vit_base-16x224, pretrain_step:cpu-default)`},
		{name: "missing kind", list: "vit_tiny-8x112", wantErr: `unknown benchmark case "vit_tiny-8x112" (valid: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := DefaultOptions(backend, true)
			require.NoError(t, err)
			err = o.SelectCases(ParseCaseList(tc.list))
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.NotContains(t, err.Error(), "\n")
				return
			}
			require.NoError(t, err)
			var enc, steps []string
			for _, c := range o.Encoders {
				enc = append(enc, c.ID())
			}
			for _, c := range o.Steps {
				steps = append(steps, c.ID())
			}
			assert.Equal(t, tc.wantEnc, enc)
			assert.Equal(t, tc.wantSteps, steps)
			if tc.list == "" {
				assert.NotNil(t, o.Probe)
				return
			}
			assert.Nil(t, o.Probe, "a case selection drops the probe row")
			assert.True(t, o.Video.Skip && o.Synthetic.Skip, "a case selection drops data loading")
			for _, c := range o.Encoders {
				assert.False(t, c.Heavy, "a selected case runs even with --quick")
			}
			require.NoError(t, o.validate())
		})
	}
}
