package limits

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"
)

// TooLarge is the refusal of a request or message over the size limit. It is invalid_argument
// (HTTP 413 on the REST paths), never resource_exhausted: sending the same request again cannot
// succeed, and clients retry resource_exhausted.
type TooLarge struct {
	What  string // "request body", "message once decompressed"
	Limit int64
}

func (e *TooLarge) Error() string {
	return fmt.Sprintf("%s larger than %d bytes, the limit: nothing was done; send less", e.What, e.Limit)
}

func tooLarge(what string, limit int64) *connect.Error {
	return connect.NewError(connect.CodeInvalidArgument, &TooLarge{What: what, Limit: limit})
}

// BodyError is the error for a request body that could not be read: too large or too slow.
func BodyError(err error) error {
	var tl *TooLarge
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &tl):
		return &Error{Err: tooLarge(tl.What, tl.Limit), Status: http.StatusRequestEntityTooLarge}
	case errors.As(err, &mb):
		return &Error{Err: tooLarge("request body", mb.Limit), Status: http.StatusRequestEntityTooLarge}
	}
	return &Error{Err: connect.NewError(connect.CodeInvalidArgument, errors.New("request body not read: "+err.Error())), Status: http.StatusBadRequest}
}

// CapBody limits the request body to MaxBody bytes (refusing at once a larger Content-Length)
// and to BodyTimeout of reading: a client cannot hold a handler by sending slowly. Once the
// body has been read to its end the deadline is lifted, so streams stay open. A body found too
// large while it is read fails with a Connect error, which Connect's handlers pass on as it is.
func (l *Limiters) CapBody(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > l.cfg.MaxBody {
		return BodyError(&http.MaxBytesError{Limit: l.cfg.MaxBody})
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	// http.MaxBytesReader also tells the server not to read on after the refusal.
	body := &cappedBody{ReadCloser: http.MaxBytesReader(w, r.Body, l.cfg.MaxBody)}
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(l.cfg.BodyTimeout)); err == nil {
		body.rc = rc // else a writer without deadlines (tests): only the size cap applies
	}
	r.Body = body
	return nil
}

// cappedBody turns the size cap's error into the refusal clients are told about, and lifts the
// read deadline once the body has been read to its end. A read that failed (the deadline
// passed, the body was too big) keeps it, so a handler that drains the rest of a slow body
// before answering (Connect's does) fails at once instead of waiting on it.
type cappedBody struct {
	io.ReadCloser
	rc   *http.ResponseController // nil: no read deadline
	once sync.Once
}

func (b *cappedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mb *http.MaxBytesError
	switch {
	case err == io.EOF && b.rc != nil:
		b.once.Do(func() { _ = b.rc.SetReadDeadline(time.Time{}) })
	case errors.As(err, &mb):
		err = tooLarge("request body", mb.Limit)
	}
	return n, err
}

// Decompression is the gzip that Connect, gRPC and gRPC-Web requests may be compressed with,
// capped at MaxBody bytes once decompressed (a small body must not unpack into a huge message).
// It takes the place of Connect's own gzip and of its read limit, whose refusal is
// resource_exhausted.
func (l *Limiters) Decompression() connect.HandlerOption {
	limit := l.cfg.MaxBody
	return connect.WithCompression("gzip",
		func() connect.Decompressor { return &cappedGzip{limit: limit} },
		func() connect.Compressor { return gzip.NewWriter(io.Discard) })
}

// cappedGzip gives out at most limit bytes of one message and refuses the message when more
// would follow.
type cappedGzip struct {
	gz    gzip.Reader
	limit int64
	left  int64
}

func (c *cappedGzip) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var probe [1]byte
		if n, err := c.gz.Read(probe[:]); n == 0 {
			return 0, err
		}
		return 0, tooLarge("message once decompressed", c.limit)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.gz.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cappedGzip) Reset(r io.Reader) error {
	c.left = c.limit
	return c.gz.Reset(r)
}

func (c *cappedGzip) Close() error { return c.gz.Close() }
