package datasets

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/decode"
	"github.com/vjepa-go/vjepa/datasets/media"
)

// videoPacket returns the byte offset and size of packet k of the first video stream.
func videoPacket(t testing.TB, path string, k int) (pos, size int) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
		"packet=pos,size", "-of", "json", path).Output()
	require.NoError(t, err)
	var p struct {
		Packets []struct {
			Pos  string `json:"pos"`
			Size string `json:"size"`
		} `json:"packets"`
	}
	require.NoError(t, json.Unmarshal(out, &p))
	require.Greater(t, len(p.Packets), k)
	_, err = fmt.Sscan(p.Packets[k].Pos, &pos)
	require.NoError(t, err)
	_, err = fmt.Sscan(p.Packets[k].Size, &size)
	require.NoError(t, err)
	return pos, size
}

// brokenVideo is a broken file of the bad-input corpus and the reason data check must give.
type brokenVideo struct {
	name   string
	reason string // substring of the failure line, for every decoder
}

// makeBrokenVideos writes the broken files into dir, made from the corpus in src.
func makeBrokenVideos(t testing.TB, src, dir string) []brokenVideo {
	t.Helper()
	ff := func(args ...string) {
		out, err := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error", "-y"}, args...)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	bbb := filepath.Join(src, "bbb.mp4")
	data, err := os.ReadFile(bbb)
	require.NoError(t, err)

	// Corrupted bytes in the middle of the stream: the NAL headers of packet 60 are garbled.
	pos, _ := videoPacket(t, bbb, 58)
	corrupt := bytes.Clone(data)
	for k := pos; k < pos+64; k++ {
		corrupt[k] ^= 0xA5
	}
	writeFile(t, filepath.Join(dir, "corrupt.mp4"), string(corrupt))

	// Damaged slice data with intact NAL headers: the decoder would conceal it.
	pos, size := videoPacket(t, bbb, 60)
	concealed := bytes.Clone(data)
	for k := pos + size/2; k < pos+size/2+40; k++ {
		concealed[k] ^= 0x5A
	}
	writeFile(t, filepath.Join(dir, "concealed.mp4"), string(concealed))

	// A file cut in the middle of frame 80, its index (moov first) still announcing 120 frames.
	fast := filepath.Join(dir, "fast.mp4")
	ff("-i", bbb, "-c", "copy", "-movflags", "+faststart", fast)
	fdata, err := os.ReadFile(fast)
	require.NoError(t, err)
	pos, size = videoPacket(t, fast, 80)
	writeFile(t, filepath.Join(dir, "cut.mp4"), string(fdata[:pos+size/2]))
	require.NoError(t, os.Remove(fast))

	// An audio-only file and an image, both named .mp4.
	ff("-i", bbb, "-vn", "-c:a", "copy", "-f", "mp4", filepath.Join(dir, "audio.mp4"))
	img, err := os.ReadFile(filepath.Join(src, "in1k", corpusImages[0].Path))
	require.NoError(t, err)
	writeFile(t, filepath.Join(dir, "image.mp4"), string(img))

	// A frame larger than 8K (a PNG-coded Matroska file of 100 KiB) and a 0×0 AVI.
	ff("-f", "lavfi", "-i", "color=c=blue:s=8000x4400:r=1", "-frames:v", "1", "-c:v", "png",
		filepath.Join(dir, "huge.mkv"))
	raw := filepath.Join(dir, "raw.avi")
	ff("-f", "lavfi", "-i", "color=c=red:s=16x16:r=5", "-t", "1", "-c:v", "rawvideo", "-pix_fmt", "bgr24", raw)
	zero, err := os.ReadFile(raw)
	require.NoError(t, err)
	require.NoError(t, os.Remove(raw))
	strf := bytes.Index(zero, []byte("strf")) // BITMAPINFOHEADER: size, then biWidth
	avih := bytes.Index(zero, []byte("avih")) // MainAVIHeader: dwWidth at offset 32
	require.Positive(t, strf)
	require.Positive(t, avih)
	binary.LittleEndian.PutUint32(zero[strf+12:], 0)
	binary.LittleEndian.PutUint32(zero[avih+8+32:], 0)
	writeFile(t, filepath.Join(dir, "zero.avi"), string(zero))

	writeFile(t, filepath.Join(dir, "empty.mp4"), "")
	writeFile(t, filepath.Join(dir, "junk.webm"), strings.Repeat("not a video ", 200))
	return []brokenVideo{
		{"corrupt.mp4", "decode: corrupt frame data: "},
		{"concealed.mp4", "decode: corrupt frame data: "},
		{"cut.mp4", "truncated file: its index lists 120 frames, the data holds 81"},
		{"audio.mp4", "no video stream"},
		{"image.mp4", "a still image"},
		{"huge.mkv", "frame size 8000x4400 exceeds the limit"},
		{"zero.avi", ""},
		{"empty.mp4", "file of 0 bytes is smaller than 1024 bytes"},
		{"junk.webm", ""},
		{"missing.mp4", "no such file or directory"},
	}
}

// data check accepts every valid video of the corpus (listed with Windows line ends, under
// names with spaces and non-ASCII characters) and names every broken one, with both decoders.
func TestCheckCorpus(t *testing.T) {
	src := corpusDir(t)
	dir := t.TempDir()
	broken := makeBrokenVideos(t, src, dir)
	var list strings.Builder
	for k, cv := range corpusVideos() {
		name := cv.Name
		if k%3 == 1 {
			name = "clip n°" + strconv.Itoa(k) + " – " + cv.Name // spaces and non-ASCII
		}
		require.NoError(t, os.Symlink(filepath.Join(src, cv.Name), filepath.Join(dir, name)))
		fmt.Fprintf(&list, "%s %d\r\n", name, k)
	}
	for k, b := range broken {
		fmt.Fprintf(&list, "%s %d\r\n", b.name, k)
	}
	listPath := writeFile(t, filepath.Join(dir, "train.csv"), list.String())
	valid := len(corpusVideos())
	for _, dec := range testDecoders() {
		t.Run(dec.Name(), func(t *testing.T) {
			var out bytes.Buffer
			ok, failed, err := Check(context.Background(), listPath, CheckOptions{Decoder: dec, NumClasses: 400,
				Seed: 7}, &out)
			require.NoError(t, err)
			t.Log("\n" + out.String())
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			assert.Equal(t, valid, ok)
			assert.Equal(t, len(broken), failed)
			require.Len(t, lines, len(broken)+1)
			for k, b := range broken {
				prefix := filepath.Join(dir, b.name) + ": "
				assert.True(t, strings.HasPrefix(lines[k], prefix), "line %d: %q, want prefix %q", k, lines[k], prefix)
				assert.Contains(t, lines[k], b.reason)
				assert.NotContains(t, lines[k][len(prefix):], "\n")
			}
			assert.Equal(t, fmt.Sprintf("checked %d samples: %d ok, %d failed", valid+len(broken), valid, len(broken)),
				lines[len(lines)-1])
		})
	}
	// Labels are checked against the number of classes before any decoding.
	_, _, err := Check(context.Background(), listPath, CheckOptions{NumClasses: 10}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "train.csv:11: label 10 out of range (want a label in [0, 10))")
}

// A video shorter than the clip window is padded with its last frame, as the official
// loader does, or refused with ErrTooShort under filter_short_videos.
func TestShortVideoPaddingAndFilter(t *testing.T) {
	src := corpusDir(t)
	dir := t.TempDir()
	short := filepath.Join(dir, "short.mp4")
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", filepath.Join(src, "bbb.mp4"), "-t", "0.5",
		"-c:v", "libx264", "-preset", "ultrafast", short).CombinedOutput()
	require.NoError(t, err, "%s", out)
	list := writeFile(t, filepath.Join(dir, "l.csv"), "short.mp4 0\n")
	ctx := context.Background()
	for _, dec := range testDecoders() {
		t.Run(dec.Name(), func(t *testing.T) {
			v, err := dec.Open(ctx, short)
			require.NoError(t, err)
			all, err := v.Frames(ctx, []int{0, 6, 11})
			require.NoError(t, err)
			require.Equal(t, 12, v.Info().NumFrames)
			require.NoError(t, v.Close())

			d, err := NewVideoList(VideoListOptions{Lists: []string{list}, Sampling: PretrainSampling(), Decoder: dec})
			require.NoError(t, err)
			s, err := d.Sample(ctx, 0, rand.New(rand.NewPCG(1, 2)))
			require.NoError(t, err)
			c := s.Views[0][0]
			require.Equal(t, 16, c.T)
			// Official indices: clip(concat(linspace(0, 12, 3), [12]*13), 0, 11) = 0, 6, 11, 11, ...
			want := media.FramesToClip(&media.Frames{T: 3, H: all.H, W: all.W, Pix: all.Pix})
			plane, wplane := c.T*c.H*c.W, want.T*want.H*want.W
			size := c.H * c.W
			for ch := range 3 {
				for tt := range 16 {
					src := min(tt, 2)
					require.Equal(t, want.Data[ch*wplane+src*size:ch*wplane+(src+1)*size],
						c.Data[ch*plane+tt*size:ch*plane+(tt+1)*size], "channel %d frame %d", ch, tt)
				}
			}

			p := PretrainSampling()
			p.FilterShortVideos = true
			var buf bytes.Buffer
			ok, failed, err := Check(ctx, list, CheckOptions{Decoder: dec, Sampling: p}, &buf)
			require.NoError(t, err)
			assert.Equal(t, [2]int{0, 1}, [2]int{ok, failed})
			assert.Contains(t, buf.String(), short+": video too short: 12 frames, clip needs 64")
		})
	}
}

// A decoder that blocks (here on a FIFO no one writes to) is timed out and reported as a
// failed sample instead of hanging the loader.
func TestStalledDecoderTimesOut(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "stall.mp4")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	list := writeFile(t, filepath.Join(dir, "l.csv"), "stall.mp4 0\n")
	for _, dec := range testDecoders() {
		t.Run(dec.Name(), func(t *testing.T) {
			d, err := NewVideoList(VideoListOptions{Lists: []string{list}, Sampling: PretrainSampling(), Decoder: dec,
				MinFileBytes: -1, DecodeTimeout: 300 * time.Millisecond})
			require.NoError(t, err)
			start := time.Now()
			_, err = d.Sample(context.Background(), 0, rand.New(rand.NewPCG(1, 2)))
			require.Error(t, err)
			assert.Less(t, time.Since(start), 10*time.Second)
			assert.True(t, IsSampleError(err))
			var st *decode.ErrStalled
			require.True(t, errors.As(err, &st), "%v", err)
			assert.Equal(t, fifo+": decoder stalled: no result from open after 300ms", err.Error())
			// Unblock the reader left behind: open the FIFO for writing and close it (EOF).
			if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
		})
	}
}

// Empty class folders are refused with the folder named, as torchvision's ImageFolder
// refuses them; the ImageNet quirks of the corpus all decode.
func TestImageFolderCorpus(t *testing.T) {
	root := filepath.Join(corpusDir(t), "in1k")
	var out bytes.Buffer
	ok, failed, err := Check(context.Background(), root, CheckOptions{}, &out)
	require.NoError(t, err)
	assert.Equal(t, [2]int{len(corpusImages), 0}, [2]int{ok, failed}, out.String())

	decode := func(p string) *media.Frames {
		f, err := decode.ImageFile(filepath.Join(root, p))
		require.NoError(t, err, p)
		return f
	}
	base := decode(corpusImages[0].Path)
	cmyk := decode(corpusImages[2].Path)
	gray := decode(corpusImages[3].Path)
	require.Equal(t, [2]int{base.H, base.W}, [2]int{cmyk.H, cmyk.W})
	// CMYK converts to the RGB GraphicsMagick itself reads back from the file.
	back, err := exec.Command("gm", "convert", filepath.Join(root, corpusImages[2].Path), "-colorspace", "RGB",
		"-depth", "8", "rgb:-").Output()
	require.NoError(t, err)
	assert.Less(t, meanAbsDiff(back, cmyk.Pix), 1.0)
	// Grayscale becomes R = G = B.
	for p := 0; p < len(gray.Pix); p += 3 {
		require.Equal(t, gray.Pix[p], gray.Pix[p+1])
		require.Equal(t, gray.Pix[p], gray.Pix[p+2])
	}
	// The PNG named .JPEG decodes as the PNG it is.
	png := decode(corpusImages[1].Path)
	assert.Equal(t, [2]int{png.H, png.W}, [2]int{decode(corpusImages[5].Path).H, decode(corpusImages[5].Path).W})

	empty := t.TempDir()
	for _, d := range []string{"train/a", "train/b", "val/a"} {
		require.NoError(t, os.MkdirAll(filepath.Join(empty, d), 0o755))
	}
	require.NoError(t, os.Symlink(filepath.Join(root, corpusImages[0].Path), filepath.Join(empty, "train/a/x.JPEG")))
	_, _, err = Check(context.Background(), empty, CheckOptions{Split: "train"}, &out)
	require.Error(t, err)
	assert.Equal(t, "image folder "+filepath.Join(empty, "train")+`: class "b" has no image files`, err.Error())
}

// An image whose header announces a huge or zero size is refused from the header, with
// bounded memory.
func TestDecodeImageFileBadSizes(t *testing.T) {
	dir := t.TempDir()
	// A PNG signature and an IHDR chunk only: the size is all the decoder can read.
	pngHeader := func(w, h uint32) string {
		ihdr := make([]byte, 13)
		binary.BigEndian.PutUint32(ihdr[0:], w)
		binary.BigEndian.PutUint32(ihdr[4:], h)
		ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
		chunk := binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)))
		chunk = append(chunk, "IHDR"...)
		chunk = append(chunk, ihdr...)
		chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(append([]byte("IHDR"), ihdr...)))
		return "\x89PNG\r\n\x1a\n" + string(chunk)
	}
	tests := []struct {
		name, content, want string
	}{
		{"huge", pngHeader(100_000, 100_000), "decode png image: frame size 100000x100000 exceeds the limit"},
		{"zero", pngHeader(0, 16), "decode png image: png: invalid format: non-positive dimension"},
		{"truncated JPEG", "\xff\xd8\xff", "decode jpeg image: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(dir, tt.name+".JPEG"), tt.content)
			_, err := decode.ImageFile(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

// Damage outside the clips training samples passes the default check and is found by a
// full check, with both decoders.
func TestCheckFull(t *testing.T) {
	src := corpusDir(t)
	dir := t.TempDir()
	bbb := filepath.Join(src, "bbb.mp4")
	data, err := os.ReadFile(bbb)
	require.NoError(t, err)
	pos, size := videoPacket(t, bbb, 110)
	for k := pos + size/2; k < pos+size/2+40; k++ {
		data[k] ^= 0x5A
	}
	writeFile(t, filepath.Join(dir, "late.mp4"), string(data))
	require.NoError(t, os.Symlink(filepath.Join(src, "tree.avi"), filepath.Join(dir, "tree.avi")))
	list := writeFile(t, filepath.Join(dir, "l.csv"), "late.mp4 0\ntree.avi 1\n")
	first := SamplingParams{FramesPerClip: 4, FrameStep: 1, NumClips: 1} // frames 0 to 3
	for _, dec := range testDecoders() {
		t.Run(dec.Name(), func(t *testing.T) {
			var out bytes.Buffer
			ok, failed, err := Check(context.Background(), list, CheckOptions{Decoder: dec, Sampling: first}, &out)
			require.NoError(t, err)
			assert.Equal(t, [2]int{2, 0}, [2]int{ok, failed}, out.String())

			out.Reset()
			ok, failed, err = Check(context.Background(), list, CheckOptions{Decoder: dec, Sampling: first, Full: true}, &out)
			require.NoError(t, err)
			assert.Equal(t, [2]int{1, 1}, [2]int{ok, failed}, out.String())
			assert.True(t, strings.HasPrefix(out.String(), filepath.Join(dir, "late.mp4")+": frames 0 to 119 of 120: "), out.String())
			assert.Contains(t, out.String(), "decode: corrupt frame data")
		})
	}
}
