package trainstate_test

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive

	"github.com/vjepa-go/vjepa/internal/backend/goconfig"
	"github.com/vjepa-go/vjepa/internal/optim"
	ts "github.com/vjepa-go/vjepa/internal/trainstate"
)

// One AdamW step of a parameter group, packed and unpacked by name.
func ExampleGroup() {
	be, err := goconfig.New("")
	if err != nil {
		fmt.Println(err)
		return
	}
	g, _ := ts.NewGroup([]ts.Param{{Name: "w", Shape: []int{2}}}, map[string][]float32{"w": {1, -1}}, nil)
	exec, _ := ts.NewExec(be, func(in ts.Nodes) ts.Nodes {
		st := ts.ReadState(in, "model")
		next, _ := optim.Step(st, []*Node{st.Params[0]}, g.Decayed, ts.ReadScalars(in, "opt")) // gradient of ½w²
		out := ts.Nodes{}
		ts.WriteState(out, "model", next)
		return out
	})
	in := ts.Tensors{}
	g.Put(in, "model")
	ts.PutScalars(in, "opt", optim.StepScalars(1, 0.1, 0, 1))
	out, err := exec.Call(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	g.Replace(out, "model")
	fmt.Printf("%.2f\n", g.Host()["w"])
	// Output: [0.90 -0.90]
}
