//go:build !noxla

package backend

import (
	// Registers the "xla" backend; its auto-installer (which downloads plugins) is not linked.
	_ "github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/pjrt"
)

func init() { xlaPlugins = pjrt.AvailablePlugins }
