// Package synthetic renders the built-in procedurally generated data sets (Motion, Appearance
// and Scenes): clips are drawn on the fly from (seed, split, index), so the whole loop runs on
// a fresh machine with no download.
package synthetic
