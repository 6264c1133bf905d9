// Package datasets reads video lists and image folders in the official formats, decodes and
// samples clips exactly as the official code does, and provides procedurally generated built-in
// data sets so the whole loop runs on a fresh machine with no download.
package datasets
