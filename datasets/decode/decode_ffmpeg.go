package decode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// FFmpeg decodes videos by running the ffmpeg and ffprobe command-line tools: it needs
// no cgo, at the price of a process start (~125 ms) per clip.
//
// Open runs ffprobe once to read the stream description and the timestamps of all packets
// (no decoding; the frame count is the packet count, see VideoInfo); Frames runs ffmpeg once, seeking to just before the first needed frame
// when the file has timestamps, and selecting the needed frames by their rank, so that frame
// i is exactly frame i of a full decode.
type FFmpeg struct {
	// FFmpeg and FFprobe are the programs to run; empty means "ffmpeg" and "ffprobe" from PATH.
	FFmpeg, FFprobe string
	Options
}

// Name implements Decoder.
func (d *FFmpeg) Name() string { return "ffmpeg" }

func (d *FFmpeg) withOptions(set func(o *Options)) Decoder {
	c := *d
	set(&c.Options)
	return &c
}

func (d *FFmpeg) programs() (ffmpeg, ffprobe string) {
	ffmpeg, ffprobe = d.FFmpeg, d.FFprobe
	if ffmpeg == "" {
		ffmpeg = "ffmpeg"
	}
	if ffprobe == "" {
		ffprobe = "ffprobe"
	}
	return ffmpeg, ffprobe
}

// FFmpegAvailable reports whether the ffmpeg and ffprobe programs of d can be found.
func (d *FFmpeg) FFmpegAvailable() error {
	ffmpeg, ffprobe := d.programs()
	for _, p := range []string{ffmpeg, ffprobe} {
		if _, err := exec.LookPath(p); err != nil {
			return fmt.Errorf("%s not found (install ffmpeg, e.g. apt-get install -y ffmpeg): %w", p, err)
		}
	}
	return nil
}

type probeOutput struct {
	Streams []struct {
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		NbFrames     string `json:"nb_frames"`
		AvgFrameRate string `json:"avg_frame_rate"`
		RFrameRate   string `json:"r_frame_rate"`
		TimeBase     string `json:"time_base"`
	} `json:"streams"`
	Packets []struct {
		PTS   *int64 `json:"pts"`
		Flags string `json:"flags"`
	} `json:"packets"`
	Format struct {
		StartTime  string `json:"start_time"`
		FormatName string `json:"format_name"`
	} `json:"format"`
}

// Open implements Decoder: it runs ffprobe on path.
func (d *FFmpeg) Open(ctx context.Context, path string) (Video, error) {
	_, ffprobe := d.programs()
	cmd := exec.CommandContext(ctx, ffprobe, "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=width,height,nb_frames,avg_frame_rate,r_frame_rate,time_base:format=start_time,format_name:packet=pts,flags",
		"-of", "json", "--", path)
	cmd.WaitDelay = time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("ffprobe: %w%s", err, stderrTail(&stderr))
	}
	var po probeOutput
	if err := json.Unmarshal(out, &po); err != nil {
		return nil, fmt.Errorf("ffprobe output: %w", err)
	}
	if len(po.Streams) == 0 {
		return nil, errors.New("no video stream")
	}
	s := po.Streams[0]
	if err := checkNotStillImage(po.Format.FormatName); err != nil {
		return nil, err
	}
	if err := checkFrameSize(s.Width, s.Height); err != nil {
		return nil, err
	}
	v := &ffmpegVideo{dec: d, path: path}
	v.info.Width, v.info.Height = scaledSize(s.Width, s.Height, d.ShortSide)
	v.resize = v.info.Width != s.Width || v.info.Height != s.Height
	v.info.FPS = parseRational(s.AvgFrameRate)
	if v.info.FPS <= 0 {
		v.info.FPS = parseRational(s.RFrameRate)
	}
	// The frame count is the number of packets, as decord counts them: the header's
	// nb_frames may count repeated (empty) AVI chunks or be plain wrong.
	v.info.NumFrames = len(po.Packets)
	if v.info.NumFrames == 0 {
		return nil, errors.New("no video frames")
	}
	corrupt := -1
	for k, p := range po.Packets {
		if strings.Contains(p.Flags, "C") {
			corrupt = k
			break
		}
	}
	nb, _ := strconv.ParseInt(s.NbFrames, 10, 64)
	if err := checkComplete(po.Format.FormatName, nb, len(po.Packets), corrupt); err != nil {
		return nil, err
	}
	// Presentation timestamps of the frames, when every packet has one.
	tb := parseRational(s.TimeBase)
	start, errStart := strconv.ParseFloat(po.Format.StartTime, 64)
	pts := make([]int64, 0, len(po.Packets))
	for _, p := range po.Packets {
		if p.PTS == nil {
			break
		}
		pts = append(pts, *p.PTS)
	}
	if seekableFormats[po.Format.FormatName] && len(pts) == len(po.Packets) && tb > 0 && errStart == nil {
		sort.Slice(pts, func(a, b int) bool { return pts[a] < pts[b] })
		distinct := true
		for k := 1; k < len(pts); k++ {
			if pts[k] == pts[k-1] {
				distinct = false
				break
			}
		}
		if distinct {
			v.times = make([]float64, len(pts))
			for k, p := range pts {
				v.times[k] = float64(p)*tb - start
			}
		}
	}
	return v, nil
}

// seekableFormats are the containers where ffmpeg's -ss input seeking lands at or before
// the requested time, using the container's index (MPEG-TS, for one, may land after it).
var seekableFormats = map[string]bool{
	"mov,mp4,m4a,3gp,3g2,mj2": true,
	"matroska,webm":           true,
}

type ffmpegVideo struct {
	dec    *FFmpeg
	path   string
	info   VideoInfo
	times  []float64 // frame presentation times relative to the file start; nil if not seekable
	resize bool      // frames are resized to info's size
}

func (v *ffmpegVideo) Info() VideoInfo { return v.info }

func (v *ffmpegVideo) Close() error { return nil }

// Frames implements Video.
func (v *ffmpegVideo) Frames(ctx context.Context, indices []int) (*media.Frames, error) {
	unique, err := uniqueSorted(indices, v.info.NumFrames)
	if err != nil {
		return nil, err
	}
	first := 0
	var args []string
	// -err_detect explode -xerror stop at the first packet the decoder rejects or picture it
	// would conceal damage in, as the in-process decoder does, instead of returning a silently
	// wrong picture.
	args = append(args, "-nostdin", "-v", "error", "-xerror", "-err_detect", "explode")
	if v.dec.Threads > 0 {
		args = append(args, "-threads", strconv.Itoa(v.dec.Threads))
	}
	if v.times != nil && unique[0] > 0 {
		// Seek halfway between the frame before the first needed one and that frame: ffmpeg's
		// accurate seek then drops exactly the frames before it, whatever the rounding of the
		// printed time.
		first = unique[0]
		t := (v.times[first-1] + v.times[first]) / 2
		args = append(args, "-ss", strconv.FormatFloat(t, 'f', 6, 64))
	}
	var sel strings.Builder
	for k, i := range unique {
		if k > 0 {
			sel.WriteString("+")
		}
		fmt.Fprintf(&sel, "eq(n\\,%d)", i-first)
	}
	filters := "select=" + sel.String()
	if v.resize {
		filters += fmt.Sprintf(",scale=%d:%d:flags=bicubic", v.info.Width, v.info.Height)
	}
	args = append(args, "-noautorotate", "-i", v.path, "-map", "0:v:0",
		"-vf", filters, "-fps_mode", "passthrough",
		"-frames:v", strconv.Itoa(len(unique)), "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
	ffmpeg, _ := v.dec.programs()
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	cmd.WaitDelay = time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %w", err)
	}
	size := v.info.Width * v.info.Height * 3
	buf := make([]uint8, len(unique)*size)
	n, readErr := io.ReadFull(stdout, buf)
	_, _ = io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if waitErr != nil {
		// With -xerror ffmpeg stops at the first packet the decoder rejects.
		return nil, fmt.Errorf("ffmpeg decode: corrupt frame data%s", stderrTail(&stderr))
	}
	if readErr != nil {
		return nil, fmt.Errorf("decoded %d of %d frames (last needed frame %d of %d; truncated or corrupt video?)%s",
			n/size, len(unique), unique[len(unique)-1], v.info.NumFrames, stderrTail(&stderr))
	}
	return gatherFrames(indices, unique, buf, v.info.Height, v.info.Width), nil
}

// parseRational parses "num/den" or a decimal number; it returns 0 when s is not a
// positive finite number.
func parseRational(s string) float64 {
	num, den, ok := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0
	}
	if ok {
		d, err := strconv.ParseFloat(den, 64)
		if err != nil || d == 0 {
			return 0
		}
		n /= d
	}
	if n <= 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0
	}
	return n
}

// stderrTail formats the last line of a tool's error output for an error message.
func stderrTail(b *bytes.Buffer) string {
	s := strings.TrimSpace(b.String())
	if s == "" {
		return ""
	}
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	// Drop libav's "[h264 @ 0x55d0...] " context prefix: the address means nothing to a user.
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "] "); i >= 0 && strings.Contains(s[:i], " @ 0x") {
			s = s[i+2:]
		}
	}
	return ": " + s
}
