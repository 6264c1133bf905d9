// Package layering holds the test that keeps the project's imports pointing one way:
//
//	internal/* → backbone, datasets → pretrain, probe → results, benchmarks → cmd
//
// A package may import packages of a lower layer only (internal packages may also import
// each other). Test files are not checked: a test may use anything below or beside it.
package layering
