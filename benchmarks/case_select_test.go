package benchmarks

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/membudget"
	"github.com/vjepa-go/vjepa/internal/testutil"
)

func TestDefaultCaseIDs(t *testing.T) {
	backend := testutil.Backend(t)
	o, err := DefaultOptions(backend, false)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"encoder_forward:vit_tiny-8x112", "encoder_forward:vit_small-16x224", "encoder_forward:vit_base-16x224",
		"encoder_forward:vitl16-16x224", "encoder_forward:vith16-16x384", "encoder_forward:vjepa2_vitl-64x256",
		"encoder_forward:vjepa2_vitg-64x384",
		"pretrain_step:vit_tiny-8x112", "pretrain_step:vit_small-16x224", "pretrain_step:vit_base-16x224",
		"pretrain_step:cpu-default", "probe_step:cpu-default", "probe_step:vjepa2_vitl-ssv2-16x2x3",
	}, o.CaseIDs())
}

func TestSelectCases(t *testing.T) {
	backend := testutil.Backend(t)
	for _, tc := range []struct {
		name       string
		list       string
		wantEnc    []string
		wantSteps  []string
		wantProbes []string
		wantErr    string
	}{
		{name: "empty keeps everything", list: "",
			wantEnc: []string{"encoder_forward:vit_tiny-8x112", "encoder_forward:vit_small-16x224", "encoder_forward:vit_base-16x224",
				"encoder_forward:vitl16-16x224", "encoder_forward:vith16-16x384", "encoder_forward:vjepa2_vitl-64x256",
				"encoder_forward:vjepa2_vitg-64x384"},
			wantSteps: []string{"pretrain_step:vit_tiny-8x112", "pretrain_step:vit_small-16x224", "pretrain_step:vit_base-16x224", "pretrain_step:cpu-default"}},
		{name: "subset in run order", list: " pretrain_step:cpu-default,encoder_forward:vit_base-16x224,,pretrain_step:cpu-default",
			wantEnc: []string{"encoder_forward:vit_base-16x224"}, wantSteps: []string{"pretrain_step:cpu-default"}},
		{name: "unknown", list: "encoder_forward:vit_tiny-8x112,pretrain_step:vit_huge",
			wantErr: `unknown benchmark case "pretrain_step:vit_huge" (valid: encoder_forward:vit_tiny-8x112, encoder_forward:vit_small-16x224, ` +
				`encoder_forward:vit_base-16x224, encoder_forward:vitl16-16x224, encoder_forward:vith16-16x384, encoder_forward:vjepa2_vitl-64x256, ` +
				`encoder_forward:vjepa2_vitg-64x384, pretrain_step:vit_tiny-8x112, pretrain_step:vit_small-16x224, pretrain_step:vit_base-16x224, ` +
				`pretrain_step:cpu-default, probe_step:cpu-default, probe_step:vjepa2_vitl-ssv2-16x2x3)`},
		{name: "official shapes on request", list: "encoder_forward:vjepa2_vitl-64x256,probe_step:vjepa2_vitl-ssv2-16x2x3",
			wantEnc: []string{"encoder_forward:vjepa2_vitl-64x256"}, wantProbes: []string{"probe_step:vjepa2_vitl-ssv2-16x2x3"}},
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
				assert.Len(t, o.Probes, 2)
				return
			}
			var probes []string
			for _, c := range o.Probes {
				probes = append(probes, c.ID())
				assert.False(t, c.OnRequest, "a selected case runs")
			}
			assert.Equal(t, tc.wantProbes, probes)
			assert.True(t, o.Video.Skip && o.Synthetic.Skip, "a case selection drops data loading")
			for _, c := range o.Encoders {
				assert.False(t, c.Heavy, "a selected case runs even with --quick")
				assert.False(t, c.OnRequest, "a selected case runs")
			}
			require.NoError(t, o.validate())
		})
	}
}

func TestOfficialCases(t *testing.T) {
	enc, err := OfficialEncoderCases()
	require.NoError(t, err)
	tokens := map[string]int{}
	for _, c := range enc {
		tokens[c.ID()] = c.Config.NumTokens()
		assert.True(t, c.OnRequest, c.ID())
	}
	assert.Equal(t, map[string]int{
		"encoder_forward:vitl16-16x224":      8 * 14 * 14,
		"encoder_forward:vith16-16x384":      8 * 24 * 24,
		"encoder_forward:vjepa2_vitl-64x256": 32 * 16 * 16,
		"encoder_forward:vjepa2_vitg-64x384": 32 * 24 * 24,
	}, tokens)
	assert.True(t, enc[2].Config.UseRoPE, "V-JEPA 2 encoders use RoPE")
	assert.Equal(t, 1408, enc[3].Config.EmbedDim)

	pc, err := OfficialProbeCase()
	require.NoError(t, err)
	assert.Equal(t, "probe_step:vjepa2_vitl-ssv2-16x2x3", pc.ID())
	assert.Equal(t, 2*8*16*16, pc.Tokens, "two 16-frame segments at 256 px, concatenated")
	assert.Equal(t, 1024, pc.Model.EmbedDim)
	assert.Equal(t, 174, pc.Model.NumClasses)
	assert.Equal(t, 4, pc.Model.Depth)
	assert.Positive(t, pc.Heads)
	assert.Positive(t, pc.Batch)
}

func TestGPUOnlyCaseIsRefusedOnTheCPU(t *testing.T) {
	o, err := DefaultOptions(testutil.Backend(t), true)
	require.NoError(t, err)
	require.NoError(t, o.SelectCases([]string{"encoder_forward:vjepa2_vitg-64x384"}))
	_, err = Run(context.Background(), o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "encoder_forward:vjepa2_vitg-64x384: GPU only: needs an XLA CUDA backend")
	assert.NotContains(t, err.Error(), "\n")
}

func TestFixBatch(t *testing.T) {
	o, err := DefaultOptions(testutil.Backend(t), true)
	require.NoError(t, err)
	require.NoError(t, o.FixBatch(3))
	assert.True(t, o.FixedBatch)
	for _, c := range o.Encoders {
		assert.Equal(t, 3, c.Batch, c.ID())
	}
	for _, c := range o.Steps {
		assert.Equal(t, 3, c.Batch, c.ID())
	}
	for _, c := range o.Probes {
		assert.Equal(t, 3, c.Batch, c.ID())
	}
	assert.ErrorContains(t, o.FixBatch(0), "--batch 0")
}

// The official-shape probe step does not fit a CPU machine at the config's batch: it is
// lowered to what the guard estimate allows, or refused in one line when the batch is fixed.
func TestOfficialProbeStepIsPlanned(t *testing.T) {
	pc, err := OfficialProbeCase()
	require.NoError(t, err)
	budget := membudget.Budget{Bytes: 24 << 30, Source: "test"}
	b, _, err := planProbeBatch(pc, Options{Memory: budget})
	require.NoError(t, err)
	t.Logf("batch %d of %d at 24 GiB", b, pc.Batch)
	assert.Less(t, b, pc.Batch)
	_, _, err = planProbeBatch(pc, Options{Memory: budget, FixedBatch: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "probe step probe_step:vjepa2_vitl-ssv2-16x2x3: batch")
}
