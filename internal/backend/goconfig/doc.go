// Package goconfig configures GoMLX's pure-Go backend the way every command and test of the
// project runs it (see GoExecutors for why). It has no dependency on XLA, so builds without
// cgo can use it.
package goconfig
