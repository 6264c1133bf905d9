package membudget_test

import (
	"fmt"

	"github.com/vjepa-go/vjepa/internal/membudget"
)

func ExampleBudget_String() {
	fmt.Println(membudget.Budget{Bytes: 8 << 30, Source: "MemAvailable of /proc/meminfo"})
	fmt.Println(membudget.Budget{})
	// Output:
	// 8.0 GiB available (MemAvailable of /proc/meminfo)
	// available memory unknown
}

func ExampleProcessMemoryFromCSV() {
	// nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits
	csv := "4242, 1536\n77, 900\n"
	fmt.Printf("%.0f MiB\n", membudget.ProcessMemoryFromCSV(csv, 4242)/(1<<20))
	// Output: 1536 MiB
}
