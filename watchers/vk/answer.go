package vk

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// MaxAnswer bounds what modwatch reads of one VK answer, an API method's or a long poll's,
// after decompression: far above the largest page VK sends (a hundred posts with their
// texts, a long poll's batch of events), far below what would hurt the daemon.
const MaxAnswer = 32 << 20

// ErrAnswerTooLarge means a VK answer was larger than MaxAnswer and was not read further.
// Retrying may help (VK pages its lists), so callers treat it as any failed call.
var ErrAnswerTooLarge = errors.New("VK answer too large")

// capAnswer reads at most max bytes of r. Reading past them fails with an error wrapping
// ErrAnswerTooLarge, which a JSON decoder returns as it is: the caller learns that the
// answer was too large, not that it ended early.
func capAnswer(r io.Reader, max int64) io.Reader { return &cappedReader{r: r, left: max, max: max} }

type cappedReader struct {
	r         io.Reader
	left, max int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One more byte tells an answer of exactly max bytes from a longer one.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: more than %d MiB, not read", ErrAnswerTooLarge, c.max>>20)
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// cappedTransport makes every answer read through capAnswer. It inflates gzip itself, so
// that the cap bounds what is decoded, not what is transferred: vksdk asks VK for gzip and
// would otherwise inflate an answer of any size (and fails badly on a body labelled gzip
// that is not).
type cappedTransport struct {
	next http.RoundTripper
	max  int64
}

// capClient returns a copy of client whose answers are capped at MaxAnswer.
func capClient(client *http.Client) *http.Client {
	c := *client
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = cappedTransport{next: next, max: MaxAnswer}
	return &c
}

func (t cappedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body := io.ReadCloser(resp.Body)
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			_ = resp.Body.Close()
			return nil, fmt.Errorf("read VK answer labelled gzip: %w: %w", errClientFailed, err)
		}
		body = readCloser{Reader: zr, close: resp.Body.Close}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength, resp.Uncompressed = -1, true
	default:
		_ = resp.Body.Close()
		return nil, fmt.Errorf("read VK answer: %w: content encoding %q was not asked for", errClientFailed, enc)
	}
	resp.Body = readCloser{Reader: capAnswer(body, t.max), close: body.Close}
	return resp, nil
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }
