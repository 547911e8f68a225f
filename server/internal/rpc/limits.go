package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"

	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1/operatorpresencev1connect"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// This file holds the abuse limits: request rates per caller, failed logins per name and per
// address, open streams per caller, and request body size and read time. Every limit that
// counts over time runs on the injected clock and remembers a bounded number of callers.

// Rate is a token bucket: PerSecond tokens come back each second, up to Burst.
type Rate struct {
	PerSecond float64
	Burst     int
}

func (r Rate) String() string {
	return strconv.FormatFloat(r.PerSecond, 'g', -1, 64) + "/" + strconv.Itoa(r.Burst)
}

// Limits are the abuse limits. Zero fields take the defaults (see DefaultLimits).
type Limits struct {
	// Requests per caller: per operator, per API key, for the cloud as one, and per address for
	// callers with no credentials (role "public").
	Rates map[Role]Rate
	// Failed logins allowed per operator name and per client address; a spent bucket refuses
	// every login (right or wrong) for that name or address until it refills.
	LoginsPerName    Rate
	LoginsPerAddress Rate
	// Presence streams open at once per operator, and per API key.
	StreamsPerOperator int
	StreamsPerKey      int
	// Request bodies: at most MaxBody bytes, read within BodyTimeout.
	MaxBody     int64
	BodyTimeout time.Duration
	// WriteTimeout bounds each write of a response: a client that stops reading (a stream's
	// keepalives fill its window) is cut instead of holding a handler. It must exceed the
	// presence keepalive (15 s): over HTTP/2 a stream with no write for that long is reset.
	WriteTimeout time.Duration
	// Callers remembered per limit; past it the idle ones are forgotten first.
	MaxTracked int
}

// DefaultLimits are the limits unless configured otherwise.
func DefaultLimits() Limits {
	return Limits{
		Rates: map[Role]Rate{
			public:         {PerSecond: 20, Burst: 100},
			RoleOperator:   {PerSecond: 10, Burst: 100},
			RoleSupervisor: {PerSecond: 50, Burst: 500},
			RoleReadonly:   {PerSecond: 20, Burst: 200},
			RoleAdmin:      {PerSecond: 100, Burst: 1000},
			RoleCloud:      {PerSecond: 5000, Burst: 10000},
		},
		LoginsPerName:      Rate{PerSecond: 1.0 / 60, Burst: 5},  // 5 wrong, then one a minute
		LoginsPerAddress:   Rate{PerSecond: 1.0 / 10, Burst: 30}, // 30 wrong, then one per 10 s
		StreamsPerOperator: 4,
		StreamsPerKey:      500,
		MaxBody:            1 << 20,
		BodyTimeout:        30 * time.Second,
		WriteTimeout:       time.Minute,
		MaxTracked:         100_000,
	}
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	rates := map[Role]Rate{}
	for r, v := range d.Rates {
		rates[r] = v
	}
	for r, v := range l.Rates {
		rates[r] = v
	}
	l.Rates = rates
	if l.LoginsPerName.Burst == 0 {
		l.LoginsPerName = d.LoginsPerName
	}
	if l.LoginsPerAddress.Burst == 0 {
		l.LoginsPerAddress = d.LoginsPerAddress
	}
	if l.StreamsPerOperator == 0 {
		l.StreamsPerOperator = d.StreamsPerOperator
	}
	if l.StreamsPerKey == 0 {
		l.StreamsPerKey = d.StreamsPerKey
	}
	if l.MaxBody == 0 {
		l.MaxBody = d.MaxBody
	}
	if l.BodyTimeout == 0 {
		l.BodyTimeout = d.BodyTimeout
	}
	if l.WriteTimeout == 0 {
		l.WriteTimeout = d.WriteTimeout
	}
	if l.MaxTracked == 0 {
		l.MaxTracked = d.MaxTracked
	}
	return l
}

// ParseRates reads per-role rates like "operator=10/100,cloud=5000/10000" (per second/burst),
// for a flag. Roles: public, operator, supervisor, readonly, admin, cloud.
func ParseRates(spec string) (map[Role]Rate, error) {
	out := map[Role]Rate{}
	for _, part := range strings.Split(spec, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		role := Role(strings.TrimSpace(name))
		if _, known := DefaultLimits().Rates[role]; !ok || !known {
			return nil, fmt.Errorf("rate %q: want role=per-second/burst with a role among public, operator, supervisor, readonly, admin, cloud", part)
		}
		perSecond, burst, _ := strings.Cut(value, "/")
		ps, err := strconv.ParseFloat(strings.TrimSpace(perSecond), 64)
		if err != nil || ps <= 0 {
			return nil, fmt.Errorf("rate %q: per second must be a positive number", part)
		}
		b := int(ps)
		if burst != "" {
			if b, err = strconv.Atoi(strings.TrimSpace(burst)); err != nil || b <= 0 {
				return nil, fmt.Errorf("rate %q: burst must be a positive whole number", part)
			}
		}
		out[role] = Rate{PerSecond: ps, Burst: max(b, 1)}
	}
	return out, nil
}

// limitError is an error with the HTTP status and Retry-After it should get on the REST paths.
type limitError struct {
	err        *connect.Error
	status     int
	retryAfter time.Duration
}

func (e *limitError) Error() string { return e.err.Error() }
func (e *limitError) Unwrap() error { return e.err }

func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &limitError{err: connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("request body larger than %d bytes", tooLarge.Limit)), status: http.StatusRequestEntityTooLarge}
	}
	return &limitError{err: connect.NewError(connect.CodeInvalidArgument, errors.New("request body not read: "+err.Error())), status: http.StatusBadRequest}
}

// bucket is one caller's token bucket.
type bucket struct {
	tokens float64
	at     time.Time
}

// buckets is a set of token buckets by key, at most max of them.
type buckets struct {
	mu    sync.Mutex
	clock clock.Clock
	max   int
	all   map[string]*bucket
}

func newBuckets(c clock.Clock, max int) *buckets {
	return &buckets{clock: c, max: max, all: map[string]*bucket{}}
}

// refill brings b up to now under rate r.
func (b *bucket) refill(r Rate, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(float64(r.Burst), b.tokens+d.Seconds()*r.PerSecond)
	}
	b.at = now
}

func (bs *buckets) get(key string, r Rate, now time.Time) *bucket {
	b := bs.all[key]
	if b != nil {
		b.refill(r, now)
		return b
	}
	if len(bs.all) >= bs.max {
		bs.forget(r, now)
	}
	b = &bucket{tokens: float64(r.Burst), at: now}
	bs.all[key] = b
	return b
}

// forget makes room: first every full bucket (a caller with nothing to remember), then, if
// none was full, a tenth of them (arbitrary ones, which get a fresh burst).
func (bs *buckets) forget(r Rate, now time.Time) {
	for k, b := range bs.all {
		if b.refill(r, now); b.tokens >= float64(r.Burst) {
			delete(bs.all, k)
		}
	}
	drop := bs.max / 10
	for k := range bs.all {
		if len(bs.all) < bs.max || drop <= 0 {
			break
		}
		delete(bs.all, k)
		drop--
	}
}

// take takes a token for key; when there is none it says how long until there is.
func (bs *buckets) take(key string, r Rate) (ok bool, wait time.Duration) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	now := bs.clock.Now()
	b := bs.get(key, r, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / r.PerSecond * float64(time.Second))
}

// empty reports whether key's bucket has no token left (without taking one), and the wait.
func (bs *buckets) empty(key string, r Rate) (bool, time.Duration) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	b := bs.all[key]
	if b == nil {
		return false, 0
	}
	b.refill(r, bs.clock.Now())
	if b.tokens >= 1 {
		return false, 0
	}
	return true, time.Duration((1 - b.tokens) / r.PerSecond * float64(time.Second))
}

// reset forgets key: its bucket is full again.
func (bs *buckets) reset(key string) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	delete(bs.all, key)
}

// limiters holds every limit of one server.
type limiters struct {
	cfg      Limits
	clock    clock.Clock
	requests *buckets // by caller identity, or "addr:" + address
	names    *buckets // failed logins by name
	addrs    *buckets // failed logins by address
	streams  *streams
}

func newLimiters(cfg Limits, c clock.Clock) *limiters {
	cfg = cfg.withDefaults()
	return &limiters{
		cfg: cfg, clock: c,
		requests: newBuckets(c, cfg.MaxTracked),
		names:    newBuckets(c, cfg.MaxTracked),
		addrs:    newBuckets(c, cfg.MaxTracked),
		streams:  &streams{open: map[string]map[*openStream]bool{}},
	}
}

// allow takes a request token for the caller (p nil: anonymous, by address).
func (l *limiters) allow(p *Principal, addr string) error {
	role, key := public, "addr:"+addr
	if p != nil {
		role, key = p.Role, p.identity()
	}
	r, ok := l.cfg.Rates[role]
	if !ok {
		return nil
	}
	if ok, wait := l.requests.take(key, r); !ok {
		return &limitError{
			err:    connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("rate limit for %s callers (%s per second, burst %d): retry in %s", role, strconv.FormatFloat(r.PerSecond, 'g', -1, 64), r.Burst, wait.Round(time.Millisecond))),
			status: http.StatusTooManyRequests, retryAfter: wait,
		}
	}
	return nil
}

// capBody limits the request body to MaxBody bytes (refusing at once a larger Content-Length)
// and to BodyTimeout of reading: a client cannot hold a handler by sending slowly. Once the
// body has been read to its end the deadline is lifted, so streams stay open.
func (l *limiters) capBody(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > l.cfg.MaxBody {
		return bodyError(&http.MaxBytesError{Limit: l.cfg.MaxBody})
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(l.cfg.BodyTimeout)); err != nil {
		r.Body = http.MaxBytesReader(w, r.Body, l.cfg.MaxBody)
		return nil // a writer without deadlines (tests): only the size cap applies
	}
	r.Body = &deadlineBody{ReadCloser: http.MaxBytesReader(w, r.Body, l.cfg.MaxBody), rc: rc}
	return nil
}

// capWrites gives every write of the response WriteTimeout to complete. The returned function
// lifts the deadline once the handler is done, so a kept-alive connection is not cut later.
func (l *limiters) capWrites(w http.ResponseWriter) (http.ResponseWriter, func()) {
	rc := http.NewResponseController(w)
	if err := rc.SetWriteDeadline(time.Now().Add(l.cfg.WriteTimeout)); err != nil {
		return w, func() {} // a writer without deadlines (tests)
	}
	return &deadlineWriter{ResponseWriter: w, rc: rc, timeout: l.cfg.WriteTimeout}, func() { _ = rc.SetWriteDeadline(time.Time{}) }
}

// deadlineWriter moves the write deadline before each write and flush.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (w *deadlineWriter) extend() { _ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout)) }

func (w *deadlineWriter) WriteHeader(code int) {
	w.extend()
	w.ResponseWriter.WriteHeader(code)
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.extend()
	return w.ResponseWriter.Write(p)
}

func (w *deadlineWriter) Flush() { _ = w.FlushError() }

func (w *deadlineWriter) FlushError() error {
	w.extend()
	return w.rc.Flush()
}

func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// deadlineBody lifts the read deadline once the body has been read to its end. A read that
// failed (the deadline passed, the body was too big) keeps it, so a handler that drains the
// rest of a slow body before answering (Connect's does) fails at once instead of waiting on it.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	once sync.Once
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.once.Do(func() { _ = b.rc.SetReadDeadline(time.Time{}) })
	}
	return n, err
}

// loginInterceptor refuses logins for a name or address that failed too often, and counts the
// failures. It sits in front of LogIn, so a guessed password is never even checked.
type loginInterceptor struct{ l *limiters }

var errTooManyLogins = errors.New("too many failed logins for this name or address")

func (i loginInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().Procedure != operatorpresencev1connect.OperatorPresenceServiceLogInProcedure {
			return next(ctx, req)
		}
		name := "name:" + strings.ToLower(req.Any().(*presencev1.LogInRequest).GetName())
		if len(name) > 80 {
			name = name[:80]
		}
		addr := "addr:" + addressFrom(ctx)
		cfg := i.l.cfg
		for _, c := range []struct {
			b *buckets
			k string
			r Rate
		}{{i.l.names, name, cfg.LoginsPerName}, {i.l.addrs, addr, cfg.LoginsPerAddress}} {
			if spent, wait := c.b.empty(c.k, c.r); spent {
				return nil, connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("%w: try again in %s", errTooManyLogins, wait.Round(time.Second)))
			}
		}
		res, err := next(ctx, req)
		switch {
		case err == nil:
			i.l.names.reset(name)
		case connect.CodeOf(err) == connect.CodeUnauthenticated:
			i.l.names.take(name, cfg.LoginsPerName)
			i.l.addrs.take(addr, cfg.LoginsPerAddress)
		}
		return res, err
	}
}

func (loginInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (loginInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// streams counts the open streams of each caller and can end them all, for a revoked key.
type streams struct {
	mu   sync.Mutex
	open map[string]map[*openStream]bool
	// released is closed, and forgotten, when a stream is released: it wakes waitFewer.
	released chan struct{}
}

type openStream struct{ cancel context.CancelCauseFunc }

func (s *streams) acquire(identity string, max int, cancel context.CancelCauseFunc) (*openStream, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.open[identity]) >= max {
		return nil, false
	}
	o := &openStream{cancel: cancel}
	if s.open[identity] == nil {
		s.open[identity] = map[*openStream]bool{}
	}
	s.open[identity][o] = true
	return o, true
}

func (s *streams) release(identity string, o *openStream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open[identity], o)
	if len(s.open[identity]) == 0 {
		delete(s.open, identity)
	}
	if s.released != nil {
		close(s.released)
		s.released = nil
	}
}

// end ends every open stream of a caller with cause.
func (s *streams) end(identity string, cause error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for o := range s.open[identity] {
		o.cancel(cause)
	}
}

// waitFewer waits until a caller has fewer than n streams open, or ctx ends. A stream the client
// closed is released only once its handler has returned, a moment later.
func (s *streams) waitFewer(ctx context.Context, identity string, n int) error {
	for {
		s.mu.Lock()
		if len(s.open[identity]) < n {
			s.mu.Unlock()
			return nil
		}
		if s.released == nil {
			s.released = make(chan struct{})
		}
		released := s.released
		s.mu.Unlock()
		select {
		case <-released:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// streamInterceptor bounds the streams each caller holds open, ends an operator's stream when
// his session expires, and lets a revoked API key's streams be ended.
type streamInterceptor struct {
	l     *limiters
	clock clock.Clock
}

var errSessionExpired = connect.NewError(connect.CodeUnauthenticated, errors.New("session expired: log in again"))

func (streamInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc { return next }

func (streamInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i streamInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		p, ok := principalFrom(ctx)
		if !ok {
			return next(ctx, conn) // the policy refuses it
		}
		limit := i.l.cfg.StreamsPerKey
		if p.Role == RoleOperator {
			limit = i.l.cfg.StreamsPerOperator
		}
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		id := p.identity()
		o, ok := i.l.streams.acquire(id, limit, cancel)
		if !ok {
			return connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("at most %d streams open at once for one %s", limit, p.Role))
		}
		defer i.l.streams.release(id, o)
		if !p.ExpiresAt.IsZero() {
			// A timer rather than a goroutine waiting for it: one goroutine fewer, and its
			// stack, for each of thousands of open streams.
			expiry := i.clock.AfterFunc(p.ExpiresAt.Sub(i.clock.Now()), func() { cancel(errSessionExpired) })
			defer expiry.Stop()
		}
		err := next(ctx, conn)
		var ce *connect.Error
		if cause := context.Cause(ctx); errors.As(cause, &ce) {
			return ce // ended by us: say why rather than "canceled" or nothing
		}
		return err
	}
}
