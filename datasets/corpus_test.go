package datasets

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/internal/testutil"
)

// The real-content test corpus. Nothing of it is committed: every file is either a real
// video or image shipped by a package the tests already need (Debian's opencv-doc, the
// go-astiav module this package builds against) or transcoded from one of them with the
// ffmpeg and GraphicsMagick programs, into a folder made once per test binary.
//
//	file               content source                               what it exercises
//	bbb.mp4            go-astiav testdata/video.mp4 (Big Buck Bunny) K400: H.264 MP4 with an AAC track
//	tree.avi           opencv-doc examples/data/tree.avi            Cinepak AVI, 444-frame header, 68 coded frames
//	vtest.avi          opencv-doc examples/data/vtest.avi           MS-MPEG4v3 AVI, 795 frames
//	megamind.avi       opencv-doc examples/data/Megamind.avi        MPEG-4 part 2 AVI with an AC-3 track
//	ssv2-vp9.webm      bbb.mp4, first 2 s, libvpx-vp9               SSv2: VP9 WebM, no frame count
//	ssv2-vp8.webm      vtest.avi, first 3 s at 384×288, libvpx      SSv2: VP8 WebM
//	k400-rotated.mp4   bbb.mp4 stream copy, rotate=90 display matrix K400: rotation metadata (ignored, as decord)
//	k400-odd.mp4       vtest.avi, 2 s at 341×255, H.264 4:4:4        K400: odd frame size
//	k400-vfr.mp4       tree.avi, H.264, timestamps passed through    K400: variable frame rate
//	k400-nodur.mkv     bbb.mp4 stream copy into Matroska            no nb_frames, no stream duration
//	mpeg1.mpg          bbb.mp4, first 3 s, MPEG-1 video + MP2 in PS  MPEG-1 program stream, partial timestamps
//	in1k/...           opencv-doc fruits.jpg and box.png            IN1K: JPEG, PNG named .JPEG, CMYK and
//	                                                                grayscale JPEGs (GraphicsMagick)

// corpusVideo is one valid video of the corpus with what a decoder must report for it.
type corpusVideo struct {
	Name          string
	Source        string // where its content comes from
	Frames        int    // coded frames (len(VideoReader))
	FPS           float64
	Width, Height int
	// Same names another corpus video holding the same coded pictures (a stream copy):
	// the decoded frames must be identical.
	Same string
}

// corpusVideos lists the valid videos of the corpus.
func corpusVideos() []corpusVideo {
	return []corpusVideo{
		{Name: "bbb.mp4", Source: "go-astiav testdata/video.mp4", Frames: 120, FPS: 24, Width: 320, Height: 180},
		{Name: "tree.avi", Source: "opencv-doc tree.avi", Frames: 68, FPS: 1e6 / 66667, Width: 320, Height: 240},
		{Name: "vtest.avi", Source: "opencv-doc vtest.avi", Frames: 795, FPS: 10, Width: 768, Height: 576},
		{Name: "megamind.avi", Source: "opencv-doc Megamind.avi", Frames: 270, FPS: 2997.0 / 125, Width: 720, Height: 528},
		{Name: "ssv2-vp9.webm", Source: "bbb.mp4", Frames: 48, FPS: 24, Width: 320, Height: 180},
		{Name: "ssv2-vp8.webm", Source: "vtest.avi", Frames: 30, FPS: 10, Width: 384, Height: 288},
		{Name: "k400-rotated.mp4", Source: "bbb.mp4", Frames: 120, FPS: 24, Width: 320, Height: 180, Same: "bbb.mp4"},
		{Name: "k400-odd.mp4", Source: "vtest.avi", Frames: 20, FPS: 10, Width: 341, Height: 255},
		{Name: "k400-vfr.mp4", Source: "tree.avi", Frames: 68, FPS: 17e6 / 7400037, Width: 320, Height: 240},
		{Name: "k400-nodur.mkv", Source: "bbb.mp4", Frames: 120, FPS: 24, Width: 320, Height: 180, Same: "bbb.mp4"},
		{Name: "mpeg1.mpg", Source: "bbb.mp4", Frames: 72, FPS: 24, Width: 320, Height: 180},
	}
}

// corpusImages lists the valid images of the corpus (ImageNet layout, under in1k/).
var corpusImages = []struct{ Path, Source, Kind string }{
	{"train/n01440764/n01440764_1.JPEG", "opencv-doc fruits.jpg", "baseline JPEG"},
	{"train/n01440764/n01440764_2.JPEG", "opencv-doc box.png", "a PNG file named .JPEG"},
	{"train/n01443537/n01443537_1.JPEG", "opencv-doc fruits.jpg", "CMYK JPEG"},
	{"train/n01443537/n01443537_2.JPEG", "opencv-doc fruits.jpg", "grayscale JPEG"},
	{"val/n01440764/ILSVRC2012_val_1.JPEG", "opencv-doc fruits.jpg", "baseline JPEG"},
	{"val/n01443537/ILSVRC2012_val_2.JPEG", "opencv-doc box.png", "a PNG file named .JPEG"},
}

// corpusSourceFiles locates the package-shipped media the corpus is made from.
func corpusSourceFiles(t testing.TB) map[string]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/asticode/go-astiav").Output()
	require.NoError(t, err, "locating the go-astiav module (run go mod download)")
	opencv := "/usr/share/doc/opencv-doc/examples/data"
	src := map[string]string{
		"bbb":      filepath.Join(strings.TrimSpace(string(out)), "testdata", "video.mp4"),
		"tree":     filepath.Join(opencv, "tree.avi"),
		"vtest":    filepath.Join(opencv, "vtest.avi"),
		"megamind": filepath.Join(opencv, "Megamind.avi"),
		"fruits":   filepath.Join(opencv, "fruits.jpg"),
		"box":      filepath.Join(opencv, "box.png"),
	}
	for name, p := range src {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("corpus source %s: %v (install the Debian package opencv-doc and run go mod download)", name, err)
		}
	}
	return src
}

// corpus is the folder holding the test corpus, built once per test binary.
type corpus struct {
	once sync.Once
	dir  string
	err  error
}

var testCorpus corpus

// corpusDir builds the corpus (once) and returns its folder.
func corpusDir(t testing.TB) string {
	t.Helper()
	for _, p := range [][2]string{{"ffmpeg", "ffmpeg"}, {"ffprobe", "ffmpeg"}, {"gm", "graphicsmagick"}} {
		testutil.RequireTool(t, p[0], p[1])
	}
	src := corpusSourceFiles(t)
	testCorpus.once.Do(func() {
		dir, err := os.MkdirTemp("", "vjepa-corpus-")
		if err != nil {
			testCorpus.err = err
			return
		}
		testCorpus.dir = dir
		testCorpus.err = buildCorpus(dir, src)
	})
	require.NoError(t, testCorpus.err)
	return testCorpus.dir
}

// buildCorpus writes the corpus into dir.
func buildCorpus(dir string, src map[string]string) error {
	ff := func(args ...string) error {
		cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error", "-y"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("ffmpeg %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	gm := func(args ...string) error {
		if out, err := exec.Command("gm", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("gm %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	link := func(from, name string) error { return os.Symlink(from, p(name)) }
	steps := []func() error{
		func() error { return link(src["bbb"], "bbb.mp4") },
		func() error { return link(src["tree"], "tree.avi") },
		func() error { return link(src["vtest"], "vtest.avi") },
		func() error { return link(src["megamind"], "megamind.avi") },
		func() error {
			return ff("-i", src["bbb"], "-t", "2", "-an", "-c:v", "libvpx-vp9", "-deadline", "realtime",
				"-cpu-used", "8", "-b:v", "300k", p("ssv2-vp9.webm"))
		},
		func() error {
			return ff("-i", src["vtest"], "-t", "3", "-vf", "scale=384:288", "-c:v", "libvpx", "-deadline",
				"realtime", "-cpu-used", "8", "-b:v", "500k", p("ssv2-vp8.webm"))
		},
		func() error {
			return ff("-i", src["bbb"], "-c", "copy", "-metadata:s:v:0", "rotate=90", p("k400-rotated.mp4"))
		},
		func() error {
			return ff("-i", src["vtest"], "-t", "2", "-vf", "scale=341:255", "-c:v", "libx264", "-preset",
				"ultrafast", "-pix_fmt", "yuv444p", p("k400-odd.mp4"))
		},
		func() error {
			return ff("-i", src["tree"], "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast",
				"-crf", "8", "-pix_fmt", "yuv444p", p("k400-vfr.mp4"))
		},
		func() error { return ff("-i", src["bbb"], "-c", "copy", p("k400-nodur.mkv")) },
		func() error {
			return ff("-i", src["bbb"], "-t", "3", "-c:v", "mpeg1video", "-b:v", "800k", "-c:a", "mp2",
				"-f", "mpeg", p("mpeg1.mpg"))
		},
	}
	for _, img := range corpusImages {
		out := p(filepath.Join("in1k", img.Path))
		steps = append(steps, func() error {
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			switch img.Kind {
			case "baseline JPEG":
				return link(src["fruits"], filepath.Join("in1k", img.Path))
			case "a PNG file named .JPEG":
				return link(src["box"], filepath.Join("in1k", img.Path))
			case "CMYK JPEG":
				return gm("convert", src["fruits"], "-colorspace", "CMYK", "jpeg:"+out)
			case "grayscale JPEG":
				return gm("convert", src["fruits"], "-colorspace", "GRAY", "jpeg:"+out)
			}
			return fmt.Errorf("unknown image kind %q", img.Kind)
		})
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testCorpus.dir != "" {
		os.RemoveAll(testCorpus.dir)
	}
	os.Exit(code)
}
