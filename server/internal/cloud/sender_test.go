package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// waitLimit bounds every wait in these tests; it only fires when the code under test is broken.
const waitLimit = 10 * time.Second

const testSecret = "test-secret"

// received is one request as the fake session saw it.
type received struct {
	id, ts, sig string
	body        []byte
	cmd         wireCommand
}

type wireCommand struct {
	Type   string `json:"type"`
	CallID string `json:"call_id"`
	Text   string `json:"text"`
}

// session is a fake cloud: one httptest server answering every call's accessURL. reply chooses
// the status for a request; nil means 200.
type session struct {
	t      *testing.T
	srv    *httptest.Server
	signer *Signer
	now    func() time.Time
	reply  func(r received, attempt int) int

	mu       sync.Mutex
	requests []received
	attempts map[string]int // per webhook-id
	got      chan received  // every request answered 2xx
}

// sessionOptions changes a session before its server starts.
type sessionOptions struct {
	now  func() time.Time                // for signature checks; default time.Now
	wrap func(http.Handler) http.Handler // wraps the recording handler
}

func newSession(t *testing.T, reply func(r received, attempt int) int) *session {
	return newSessionWith(t, reply, sessionOptions{})
}

func newSessionWith(t *testing.T, reply func(r received, attempt int) int, opt sessionOptions) *session {
	t.Helper()
	ss := &session{
		t:        t,
		signer:   mustSigner(t, testSecret),
		now:      time.Now,
		reply:    reply,
		attempts: map[string]int{},
		got:      make(chan received, 10_000),
	}
	if opt.now != nil {
		ss.now = opt.now
	}
	var h http.Handler = http.HandlerFunc(ss.serve)
	if opt.wrap != nil {
		h = opt.wrap(h)
	}
	ss.srv = httptest.NewServer(h)
	t.Cleanup(ss.srv.Close)
	return ss
}

func (ss *session) url(call string) string { return ss.srv.URL + "/session/" + call }

func (ss *session) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		ss.t.Errorf("request %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
	}
	if _, err := ss.signer.Verify(r.Header, body, ss.now()); err != nil {
		ss.t.Errorf("signature: %v", err)
	}
	rec := received{
		id: r.Header.Get(HeaderID), ts: r.Header.Get(HeaderTimestamp), sig: r.Header.Get(HeaderSignature),
		body: body,
	}
	if err := json.Unmarshal(body, &rec.cmd); err != nil {
		ss.t.Errorf("body %s: %v", body, err)
	}
	if want := "/session/" + rec.cmd.CallID; r.URL.Path != want {
		ss.t.Errorf("command for %s posted to %s", rec.cmd.CallID, r.URL.Path)
	}
	ss.mu.Lock()
	ss.requests = append(ss.requests, rec)
	ss.attempts[rec.id]++
	attempt := ss.attempts[rec.id]
	ss.mu.Unlock()

	status := http.StatusOK
	if ss.reply != nil {
		status = ss.reply(rec, attempt)
	}
	w.WriteHeader(status)
	if status >= 200 && status < 300 {
		ss.got <- rec
	}
}

// next waits for the next delivered command.
func (ss *session) next() received {
	ss.t.Helper()
	select {
	case r := <-ss.got:
		return r
	case <-time.After(waitLimit):
		ss.t.Fatal("no command delivered")
		return received{}
	}
}

func (ss *session) all() []received {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return append([]received(nil), ss.requests...)
}

func (ss *session) forCall(call string) []received {
	var out []received
	for _, r := range ss.all() {
		if r.cmd.CallID == call {
			out = append(out, r)
		}
	}
	return out
}

// goneRecorder counts Gone calls per call and signals each.
type goneRecorder struct {
	mu      sync.Mutex
	count   map[callcenter.CallID]int
	reasons map[callcenter.CallID]string
	ch      chan callcenter.CallID
}

func newGoneRecorder() *goneRecorder {
	return &goneRecorder{count: map[callcenter.CallID]int{}, reasons: map[callcenter.CallID]string{}, ch: make(chan callcenter.CallID, 1000)}
}

func (g *goneRecorder) gone(call callcenter.CallID, reason string) {
	g.mu.Lock()
	g.count[call]++
	g.reasons[call] = reason
	g.mu.Unlock()
	g.ch <- call
}

func (g *goneRecorder) wait(t *testing.T) callcenter.CallID {
	t.Helper()
	select {
	case c := <-g.ch:
		return c
	case <-time.After(waitLimit):
		t.Fatal("Gone was not called")
		return ""
	}
}

func (g *goneRecorder) snapshot() (map[callcenter.CallID]int, map[callcenter.CallID]string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, r := map[callcenter.CallID]int{}, map[callcenter.CallID]string{}
	for k, v := range g.count {
		c[k] = v
	}
	for k, v := range g.reasons {
		r[k] = v
	}
	return c, r
}

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) lines() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.b.String()), "\n") {
		if line == "" {
			continue
		}
		m := map[string]any{}
		_ = json.Unmarshal([]byte(line), &m)
		out = append(out, m)
	}
	return out
}

// newTestSender returns a Sender with a 1 ms backoff on the real clock, closed at cleanup.
func newTestSender(t *testing.T, cfg SenderConfig) (*Sender, *goneRecorder, *syncBuffer) {
	t.Helper()
	g := newGoneRecorder()
	logs := &syncBuffer{}
	if cfg.Signer == nil {
		cfg.Signer = mustSigner(t, testSecret)
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	if cfg.Gone == nil {
		cfg.Gone = g.gone
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := NewSender(cfg)
	t.Cleanup(s.Close)
	return s, g, logs
}

func say(ss *session, call, text string) callcenter.Command {
	return callcenter.Command{Type: callcenter.CommandSay, Call: callcenter.CallID(call), AccessURL: ss.url(call), Text: text}
}

func queued(s *Sender, call callcenter.CallID) (n int, running bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, running := s.queues[call]
	return len(q), running
}

func TestSenderDeliversSignedJSON(t *testing.T) {
	ss := newSession(t, nil)
	s, g, logs := newTestSender(t, SenderConfig{})
	cmd := callcenter.Command{
		Type: callcenter.CommandDial, Call: "c1", AccessURL: ss.url("c1"), Offer: "o1",
		Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "anna"},
		Timeout: 20 * time.Second, CallerID: "+15550100",
	}
	s.Send(cmd)
	r := ss.next()
	want := `{"type":"dial","call_id":"c1","offer_id":"o1","contact":{"kind":"user","target":"anna"},"timeout_s":20,"caller_id":"+15550100"}`
	if string(r.body) != want {
		t.Errorf("body %s\nwant %s", r.body, want)
	}
	if !strings.HasPrefix(r.id, "cmd_") || len(r.id) != len("cmd_")+32 {
		t.Errorf("webhook-id %q, want cmd_ and 32 hex digits", r.id)
	}
	s.Send(say(ss, "c1", "second"))
	if r2 := ss.next(); r2.id == r.id {
		t.Errorf("two commands share webhook-id %q", r.id)
	}
	s.Close()
	if c, _ := g.snapshot(); len(c) != 0 {
		t.Errorf("Gone called: %v", c)
	}
	for _, l := range logs.lines() {
		if l["call_id"] != "c1" {
			t.Errorf("log line without call_id: %v", l)
		}
	}
}

// TestSenderResponses sends a command, answered by the script, then a second command for the
// same call. The second is delivered after the first is settled, so its arrival shows the first
// is finished; when the session is gone the second must never come.
func TestSenderResponses(t *testing.T) {
	tests := []struct {
		name         string
		statuses     []int // for the first command's attempts; the last repeats
		attempts     int
		wantRequests int
		wantGone     string // part of the reason; "" for not gone
	}{
		{"ok", []int{200}, 0, 1, ""},
		{"no content", []int{204}, 0, 1, ""},
		{"503 twice then ok", []int{503, 503, 200}, 0, 3, ""},
		{"429 then ok", []int{429, 200}, 0, 2, ""},
		{"502 then 500 then ok", []int{502, 500, 202}, 0, 3, ""},
		{"not found", []int{404}, 0, 1, "404"},
		{"gone", []int{410}, 0, 1, "410"},
		{"gone after a retry", []int{503, 404}, 0, 2, "404"},
		{"always 500", []int{500}, 3, 3, "3 attempts"},
		{"always 503, default attempts", []int{503}, 0, DefaultAttempts, "6 attempts"},
		{"bad request: dropped", []int{400}, 0, 1, ""},
		{"unauthorized: dropped", []int{401}, 0, 1, ""},
		{"redirect: dropped", []int{302}, 0, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := newSession(t, func(r received, attempt int) int {
				if r.cmd.Text != "first" {
					return 200
				}
				return tt.statuses[min(attempt, len(tt.statuses))-1]
			})
			s, g, logs := newTestSender(t, SenderConfig{Attempts: tt.attempts})
			s.Send(say(ss, "c1", "first"))
			s.Send(say(ss, "c1", "second"))

			if tt.wantGone == "" {
				if r := ss.next(); r.cmd.Text != "second" {
					if tt.statuses[len(tt.statuses)-1] >= 300 {
						t.Fatalf("delivered %q, want the second command (the first was dropped)", r.cmd.Text)
					}
					if r2 := ss.next(); r2.cmd.Text != "second" {
						t.Fatalf("delivered %q after %q", r2.cmd.Text, r.cmd.Text)
					}
				}
			} else {
				if call := g.wait(t); call != "c1" {
					t.Fatalf("Gone(%q)", call)
				}
				// Commands for a gone call are dropped at once: no worker, nothing queued.
				s.Send(say(ss, "c1", "after gone"))
				if n, running := queued(s, "c1"); n != 0 || running {
					t.Errorf("after gone: %d queued, worker running %v", n, running)
				}
			}
			s.Close()

			first := ss.forCall("c1")
			var firsts []received
			for _, r := range first {
				if r.cmd.Text == "first" {
					firsts = append(firsts, r)
				}
			}
			if len(firsts) != tt.wantRequests {
				t.Errorf("first command posted %d times, want %d", len(firsts), tt.wantRequests)
			}
			for _, r := range firsts {
				if r.id != firsts[0].id {
					t.Errorf("retry has webhook-id %q, first attempt %q", r.id, firsts[0].id)
				}
			}
			counts, reasons := g.snapshot()
			if tt.wantGone == "" {
				if len(counts) != 0 {
					t.Errorf("Gone called: %v %v", counts, reasons)
				}
				if len(first) != len(firsts)+1 {
					t.Errorf("%d requests, want the first command's %d and the second", len(first), len(firsts))
				}
			} else {
				if counts["c1"] != 1 {
					t.Errorf("Gone called %d times, want once", counts["c1"])
				}
				if !strings.Contains(reasons["c1"], tt.wantGone) {
					t.Errorf("Gone reason %q, want it to mention %q", reasons["c1"], tt.wantGone)
				}
				if len(first) != len(firsts) {
					t.Errorf("commands after the session was gone were posted: %d requests", len(first))
				}
			}
			for _, l := range logs.lines() {
				if l["call_id"] != "c1" {
					t.Errorf("log line without call_id: %v", l)
				}
			}
		})
	}
}

func TestSenderGoneDoesNotAffectOtherCalls(t *testing.T) {
	ss := newSession(t, func(r received, _ int) int {
		if r.cmd.CallID == "dead" {
			return http.StatusNotFound
		}
		return http.StatusOK
	})
	s, g, _ := newTestSender(t, SenderConfig{})
	for i := range 3 {
		s.Send(say(ss, "dead", strconv.Itoa(i)))
	}
	if call := g.wait(t); call != "dead" {
		t.Fatalf("Gone(%q)", call)
	}
	s.Send(say(ss, "alive", "hello"))
	if r := ss.next(); r.cmd.CallID != "alive" {
		t.Fatalf("delivered for %q", r.cmd.CallID)
	}
	s.Close()
	if n := len(ss.forCall("dead")); n != 1 {
		t.Errorf("dead call got %d requests, want 1 (the rest dropped)", n)
	}
	if counts, _ := g.snapshot(); counts["dead"] != 1 || len(counts) != 1 {
		t.Errorf("Gone calls %v", counts)
	}
}

func TestSenderUnreachableSession(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL + "/session/c1"
	dead.Close()

	s, g, _ := newTestSender(t, SenderConfig{Attempts: 3})
	s.Send(callcenter.Command{Type: callcenter.CommandSay, Call: "c1", AccessURL: url, Text: "hi"})
	g.wait(t)
	_, reasons := g.snapshot()
	if !strings.Contains(reasons["c1"], "3 attempts") || strings.Contains(reasons["c1"], url) {
		t.Errorf("reason %q: want it to mention 3 attempts and not the access url", reasons["c1"])
	}
}

func TestSenderBadCommands(t *testing.T) {
	ss := newSession(t, nil)
	s, g, logs := newTestSender(t, SenderConfig{})

	// Dropped at Send: nothing to post to, or nothing the scenario could read.
	s.Send(callcenter.Command{Type: callcenter.CommandSay, Call: "c1", Text: "no url"})
	s.Send(callcenter.Command{Type: "transfer", Call: "c1", AccessURL: ss.url("c1")})
	if n, running := queued(s, "c1"); n != 0 || running {
		t.Errorf("bad commands queued: %d, worker running %v", n, running)
	}
	// An access url that cannot be reached at all: the session is gone, no retries.
	s.Send(callcenter.Command{Type: callcenter.CommandSay, Call: "c2", AccessURL: "not a url", Text: "hi"})
	if call := g.wait(t); call != "c2" {
		t.Fatalf("Gone(%q)", call)
	}
	s.Close()
	if n := len(ss.all()); n != 0 {
		t.Errorf("%d requests posted", n)
	}
	if len(logs.lines()) < 3 {
		t.Errorf("bad commands not logged:\n%v", logs.lines())
	}
}

func TestSenderKeepsOrderPerCall(t *testing.T) {
	const calls, perCall = 20, 25
	// The first attempt of every third command fails, so retries are in the mix.
	ss := newSession(t, func(r received, attempt int) int {
		if n, _ := strconv.Atoi(r.cmd.Text); n%3 == 0 && attempt == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	s, g, _ := newTestSender(t, SenderConfig{})

	var wg sync.WaitGroup
	for c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			call := fmt.Sprintf("c%d", c)
			for i := range perCall {
				s.Send(say(ss, call, strconv.Itoa(i)))
			}
		}()
	}
	wg.Wait()

	got := map[string][]string{}
	for range calls * perCall {
		r := ss.next()
		got[r.cmd.CallID] = append(got[r.cmd.CallID], r.cmd.Text)
	}
	s.Close()
	for c := range calls {
		call := fmt.Sprintf("c%d", c)
		if len(got[call]) != perCall {
			t.Errorf("%s: %d delivered, want %d", call, len(got[call]), perCall)
			continue
		}
		for i, text := range got[call] {
			if text != strconv.Itoa(i) {
				t.Errorf("%s: delivered in order %v", call, got[call])
				break
			}
		}
	}
	if counts, _ := g.snapshot(); len(counts) != 0 {
		t.Errorf("Gone called: %v", counts)
	}
}

func TestSendNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	var once sync.Once
	ss := newSessionWith(t, nil, sessionOptions{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/stuck") {
				// Read the body first: only then does the server notice a client that hangs up.
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				once.Do(func() {
					entered <- struct{}{}
					select {
					case <-release:
					case <-r.Context().Done():
					}
				})
			}
			next.ServeHTTP(w, r)
		})
	}})
	s, g, _ := newTestSender(t, SenderConfig{})
	t.Cleanup(func() { close(release) }) // before the server closes: cleanups run last first

	s.Send(say(ss, "stuck", "0"))
	<-entered

	// The session is stuck on the first command: Send must still return at once.
	sent := make(chan struct{})
	go func() {
		for i := 1; i <= 50; i++ {
			s.Send(say(ss, "stuck", strconv.Itoa(i)))
		}
		s.Send(say(ss, "free", "x"))
		close(sent)
	}()
	select {
	case <-sent:
	case <-time.After(waitLimit):
		t.Fatal("Send blocked while a session was stuck")
	}
	// Other calls are not held up by the stuck one.
	if r := ss.next(); r.cmd.CallID != "free" {
		t.Fatalf("delivered %s/%s while stuck, want free", r.cmd.CallID, r.cmd.Text)
	}
	if n, running := queued(s, "stuck"); n != 50 || !running {
		t.Errorf("stuck call: %d queued, worker running %v; want 50 and true", n, running)
	}

	release <- struct{}{} // unblocks the first request; once.Do lets the rest through
	for i := 0; i <= 50; i++ {
		if r := ss.next(); r.cmd.CallID != "stuck" || r.cmd.Text != strconv.Itoa(i) {
			t.Fatalf("delivered %s/%s, want stuck/%d", r.cmd.CallID, r.cmd.Text, i)
		}
	}
	s.Close()
	if counts, _ := g.snapshot(); len(counts) != 0 {
		t.Errorf("Gone called: %v", counts)
	}
}

func TestCloseAbortsAndDrops(t *testing.T) {
	entered := make(chan struct{}, 1)
	ss := newSessionWith(t, nil, sessionOptions{wrap: func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Read the body first: only then does the server notice a client that hangs up.
			_, _ = io.ReadAll(r.Body)
			entered <- struct{}{}
			<-r.Context().Done() // never answers; Close must cancel the request
		})
	}})
	s, g, _ := newTestSender(t, SenderConfig{})
	s.Send(say(ss, "c1", "0"))
	s.Send(say(ss, "c1", "1"))
	<-entered

	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(waitLimit):
		t.Fatal("Close did not return")
	}
	s.Send(say(ss, "c1", "after close"))
	s.Send(say(ss, "c2", "after close"))
	for _, call := range []callcenter.CallID{"c1", "c2"} {
		if n, running := queued(s, call); n != 0 || running {
			t.Errorf("%s after close: %d queued, worker running %v", call, n, running)
		}
	}
	if counts, _ := g.snapshot(); len(counts) != 0 {
		t.Errorf("Close reported sessions gone: %v", counts)
	}
	s.Close() // twice is fine
}

// TestCloseWaitsAtMostItsBound holds a worker in a Gone callback that does not return: Close
// waits for it until closeTimeout has passed on the sender's clock, then returns and says so.
func TestCloseWaitsAtMostItsBound(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_760_000_000, 0))
	ss := newSessionWith(t, func(received, int) int { return http.StatusGone }, sessionOptions{now: clk.Now})
	inGone, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	s, _, logs := newTestSender(t, SenderConfig{Clock: clk, Gone: func(callcenter.CallID, string) {
		close(inGone)
		<-release
	}})
	s.Send(say(ss, "c1", "hi"))
	select {
	case <-inGone:
	case <-time.After(waitLimit):
		t.Fatal("Gone was not called")
	}

	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	if err := clk.AwaitArmed(ctx, 1); err != nil {
		t.Fatalf("Close armed no timer: %v", err)
	}
	clk.Advance(closeTimeout - time.Millisecond)
	select {
	case <-closed:
		t.Fatal("Close returned before its bound, with a worker still running")
	default:
	}
	clk.Advance(time.Millisecond)
	select {
	case <-closed:
	case <-time.After(waitLimit):
		t.Fatal("Close did not return at its bound")
	}
	said := false
	for _, line := range logs.lines() {
		said = said || line["msg"] == "cloud sender: workers still running after close timeout"
	}
	if !said {
		t.Errorf("Close gave up without saying so: %v", logs.lines())
	}
}

// stepClock is a fake clock that reports each wait, so a test can advance exactly past it.
type stepClock struct {
	*clock.Fake
	waits chan time.Duration
}

func (c *stepClock) After(d time.Duration) <-chan time.Time {
	ch := c.Fake.After(d)
	c.waits <- d
	return ch
}

func TestSenderBackoffDoublesAndCaps(t *testing.T) {
	start := time.Unix(1_760_000_000, 0)
	tests := []struct {
		name      string
		backoff   time.Duration
		attempts  int
		wantWaits []time.Duration
	}{
		{"defaults", 0, 0, []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}},
		{"capped at 8s", 3 * time.Second, 5, []time.Duration{3 * time.Second, 6 * time.Second, 8 * time.Second, 8 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &stepClock{Fake: clock.NewFake(start), waits: make(chan time.Duration, 100)}
			ss := newSessionWith(t, func(received, int) int { return http.StatusServiceUnavailable },
				sessionOptions{now: clk.Now})
			g := newGoneRecorder()
			s := NewSender(SenderConfig{
				Signer: mustSigner(t, testSecret), Clock: clk, Backoff: tt.backoff, Attempts: tt.attempts,
				Gone: g.gone, Logger: slog.New(slog.DiscardHandler),
			})
			t.Cleanup(s.Close)
			s.Send(say(ss, "c1", "hi"))

			elapsed := time.Duration(0)
			wantTS := []string{strconv.FormatInt(start.Unix(), 10)}
			for i, want := range tt.wantWaits {
				var d time.Duration
				select {
				case d = <-clk.waits:
				case <-time.After(waitLimit):
					t.Fatalf("wait %d never started", i+1)
				}
				if d != want {
					t.Errorf("wait %d = %v, want %v", i+1, d, want)
				}
				elapsed += d
				wantTS = append(wantTS, strconv.FormatInt(start.Add(elapsed).Unix(), 10))
				clk.Advance(d)
			}
			g.wait(t)
			select {
			case d := <-clk.waits:
				t.Errorf("an extra wait of %v", d)
			default:
			}
			reqs := ss.all()
			if len(reqs) != len(wantTS) {
				t.Fatalf("%d requests, want %d", len(reqs), len(wantTS))
			}
			// One webhook-id throughout; each attempt stamped and signed afresh from the clock.
			for i, r := range reqs {
				if r.id != reqs[0].id || r.ts != wantTS[i] {
					t.Errorf("attempt %d: id %s ts %s, want id %s ts %s", i+1, r.id, r.ts, reqs[0].id, wantTS[i])
				}
			}
		})
	}
}

func TestGoneMemoryIsBounded(t *testing.T) {
	s := NewSender(SenderConfig{Signer: mustSigner(t, testSecret), Logger: slog.New(slog.DiscardHandler)})
	defer s.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range goneMemory + 10 {
		s.markGone(callcenter.CallID(strconv.Itoa(i)))
	}
	s.markGone("5000") // already known: no change
	if len(s.goneCalls) != goneMemory || len(s.goneOrder) != goneMemory {
		t.Fatalf("remembers %d (order %d), want %d", len(s.goneCalls), len(s.goneOrder), goneMemory)
	}
	for _, c := range []string{"0", "9"} {
		if s.isGone(callcenter.CallID(c)) {
			t.Errorf("oldest %s not forgotten", c)
		}
	}
	for _, c := range []string{"10", "5000", strconv.Itoa(goneMemory + 9)} {
		if !s.isGone(callcenter.CallID(c)) {
			t.Errorf("%s forgotten", c)
		}
	}
}

// TestSenderUndeliveredDial: a dial that does not reach the scenario is reported as undelivered
// (the operator was never dialed), never as a gone session, and the call's next command still
// goes out; other commands keep their rules.
func TestSenderUndeliveredDial(t *testing.T) {
	tests := []struct {
		name      string
		cmd       callcenter.CommandType
		status    int
		body      string
		attempts  int
		requests  int    // of the first command
		wantUnder string // part of the reason; "" for delivered
		wantGone  bool
	}{
		{"dial carried out", callcenter.CommandDial, 200, `{"ok":true}`, 0, 1, "", false},
		{"dial, a reply that is not the scenario's", callcenter.CommandDial, 200, `accepted`, 0, 1, "", false},
		{"dial always 500", callcenter.CommandDial, 500, ``, 3, 3, "3 attempts, last: HTTP 500", false},
		{"dial refused", callcenter.CommandDial, 403, ``, 0, 1, "refused with HTTP 403", false},
		{"dial not carried out", callcenter.CommandDial, 200, `{"ok":false,"error":"the caller has left"}`, 0, 1, "the scenario did not dial: the caller has left", false},
		{"dial to a gone session", callcenter.CommandDial, 410, ``, 0, 1, "", true},
		{"transfer not carried out", callcenter.CommandTransfer, 200, `{"ok":false,"error":"transfer: no operator is talking to the caller"}`, 0, 1, "the scenario did not transfer: transfer: no operator", false},
		{"complete_transfer refused", callcenter.CommandCompleteTransfer, 400, ``, 0, 1, "complete_transfer command refused with HTTP 400", false},
		{"cancel_transfer not carried out", callcenter.CommandCancelTransfer, 200, `{"ok":false,"error":"no such transfer"}`, 0, 1, "the scenario did not cancel_transfer: no such transfer", false},
		{"say not carried out is no dial", callcenter.CommandSay, 200, `{"ok":false,"error":"the caller has left"}`, 0, 1, "", false},
		{"say always 500: the session is gone", callcenter.CommandSay, 500, ``, 3, 3, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var firsts, seconds int
			secondCame := make(chan struct{}, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				defer mu.Unlock()
				if strings.Contains(string(b), `"second"`) {
					seconds++
					w.WriteHeader(http.StatusOK)
					secondCame <- struct{}{}
					return
				}
				firsts++
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			type report struct {
				cmd    callcenter.Command
				reason string
			}
			unsent := make(chan report, 10)
			s, g, _ := newTestSender(t, SenderConfig{Attempts: tt.attempts, Undelivered: func(cmd callcenter.Command, reason string) {
				unsent <- report{cmd, reason}
			}})
			first := callcenter.Command{Type: tt.cmd, Call: "c1", AccessURL: srv.URL, Offer: "o1", Text: "first", Mode: callcenter.TransferWarm,
				Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "anna"}}
			s.Send(first)
			s.Send(callcenter.Command{Type: callcenter.CommandSay, Call: "c1", AccessURL: srv.URL, Text: "second"})
			if tt.wantGone {
				g.wait(t)
			} else {
				select {
				case <-secondCame:
				case <-time.After(waitLimit):
					t.Fatal("the command after the first never came")
				}
			}
			s.Close()
			mu.Lock()
			defer mu.Unlock()
			if firsts != tt.requests {
				t.Errorf("first command posted %d times, want %d", firsts, tt.requests)
			}
			counts, _ := g.snapshot()
			if tt.wantGone != (counts["c1"] == 1) {
				t.Errorf("Gone calls %v, want gone %v", counts, tt.wantGone)
			}
			if want := map[bool]int{true: 0, false: 1}[tt.wantGone]; seconds != want {
				t.Errorf("the next command posted %d times, want %d", seconds, want)
			}
			select {
			case r := <-unsent:
				if tt.wantUnder == "" {
					t.Fatalf("Undelivered(%+v, %q) for a command that was delivered", r.cmd, r.reason)
				}
				if r.cmd.Offer != "o1" || r.cmd.Call != "c1" || !strings.Contains(r.reason, tt.wantUnder) {
					t.Errorf("Undelivered(%s/%s, %q), want o1 of c1 and a reason with %q", r.cmd.Call, r.cmd.Offer, r.reason, tt.wantUnder)
				}
			default:
				if tt.wantUnder != "" {
					t.Errorf("no Undelivered, want one with %q", tt.wantUnder)
				}
			}
		})
	}
}
