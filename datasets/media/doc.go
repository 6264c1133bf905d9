// Package media holds the types passed between the data packages: Frames (decoded uint8
// frames), Clip (a transformed float32 clip ready for the model) and Sample (the clips and
// label of one item of a data set).
package media
