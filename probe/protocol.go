package probe

import "fmt"

// String is the paper's notation, frames×segments×views (e.g. 16×8×3), or img for images.
func (p Protocol) String() string {
	if p.Image {
		return fmt.Sprintf("img@%d", p.Resolution)
	}
	return fmt.Sprintf("%dx%dx%d@%d", p.FramesPerClip, p.NumSegments, p.NumViews, p.Resolution)
}

// Validate reports an unusable protocol.
func (p Protocol) Validate() error {
	if p.FramesPerClip < 1 || p.Resolution < 1 || p.NumSegments < 1 || p.NumViews < 1 {
		return fmt.Errorf("protocol %s: frames, resolution, segments and views must be positive", p)
	}
	return nil
}
