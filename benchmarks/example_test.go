package benchmarks_test

import (
	"fmt"

	"github.com/vjepa-go/vjepa/benchmarks"
)

// The official-shape cases run only when named in `vjepa bench --cases`.
func ExampleOfficialEncoderCases() {
	cases, err := benchmarks.OfficialEncoderCases()
	if err != nil {
		panic(err)
	}
	for _, c := range cases {
		fmt.Printf("%s batch %d, %d tokens, GPU only %v\n", c.ID(), c.Batch, c.Config.NumTokens(), c.GPUOnly)
	}
	// Output:
	// encoder_forward:vitl16-16x224 batch 4, 1568 tokens, GPU only false
	// encoder_forward:vith16-16x384 batch 4, 4608 tokens, GPU only false
	// encoder_forward:vjepa2_vitl-64x256 batch 1, 8192 tokens, GPU only false
	// encoder_forward:vjepa2_vitg-64x384 batch 1, 18432 tokens, GPU only true
}
