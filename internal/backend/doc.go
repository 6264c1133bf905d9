// Package backend chooses the GoMLX compute backend a command runs on: XLA (CUDA, then CPU)
// when a PJRT plugin is installed, else GoMLX's pure-Go backend. Build with -tags noxla to
// leave XLA out. It never downloads a plugin.
package backend
