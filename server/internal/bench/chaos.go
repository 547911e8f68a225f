package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

// ChaosConfig is `tandem bench --chaos N`: the real server killed with SIGKILL N times at
// random moments while calls arrive and operators answer them, restarted on the same SQLite
// file each time.
type ChaosConfig struct {
	Kills     int     // SIGKILLs (0: no chaos run)
	Rate      float64 // calls offered per second, kept up through the outages
	Seed      uint64  // draws the kill moments
	Operators int
	Ring      time.Duration // the cloud's ring time before "answered"
	Talk      time.Duration // talk time before "ended"
	// OfferTimeout is the queue's: an offer whose dial command died with the process comes
	// back after it (and the engine's slack), and its call is offered again.
	OfferTimeout time.Duration
	// MinGap and MaxGap bound the time from the server serving again to the next kill.
	MinGap, MaxGap time.Duration
	// Drain bounds the wait, after the load stops, for the acknowledged calls to finish.
	Drain time.Duration
}

// DefaultChaos is `tandem bench --chaos N`'s run apart from N: 100 calls a second, half a
// second of talk, so about 60 calls are ringing or talking at any kill.
func DefaultChaos() ChaosConfig {
	return ChaosConfig{
		Rate: 100, Seed: 1, Operators: 200, Ring: 100 * time.Millisecond, Talk: 500 * time.Millisecond,
		OfferTimeout: 5 * time.Second, MinGap: 100 * time.Millisecond, MaxGap: 2500 * time.Millisecond,
		Drain: 90 * time.Second,
	}
}

// ChaosResult is what a chaos run saw: the JSON object "chaos" of `tandem bench --chaos N --json`.
type ChaosResult struct {
	Kills     int     `json:"kills"`
	Seed      uint64  `json:"seed"`
	Rate      float64 `json:"offered_per_s"`
	Operators int     `json:"operators"`
	Seconds   float64 `json:"seconds"`

	Offered      int64 `json:"calls_offered"`      // intakes the cloud started
	Acknowledged int   `json:"calls_acknowledged"` // intakes answered 200
	Finished     int   `json:"calls_finished"`     // acknowledged calls whose end the server acknowledged
	Lost         int   `json:"calls_lost"`         // acknowledged, then missing, never finished or dropped
	DoubleOffers int   `json:"double_offers"`      // in the store and at the cloud
	// DoubleOffersStore are overlapping leases in the offers table (Audit), DoubleOffersCloud the
	// dial commands the cloud got for a busy operator or for a call already ringing or talking
	// elsewhere.
	DoubleOffersStore int         `json:"double_offers_in_store"`
	DoubleOffersCloud int         `json:"double_offers_at_cloud"`
	Integrity         string      `json:"integrity_check"`
	Restarts          int         `json:"restarts"`       // restarts that served again
	RestartP50        float64     `json:"restart_ms_p50"` // SIGKILL → the new process serves
	RestartMax        float64     `json:"restart_ms_max"`
	Errors            ChaosErrors `json:"client_errors"`
	Audit             Audit       `json:"audit"`
	Problems          []string    `json:"problems,omitempty"` // every finding, one line each
}

// ChaosErrors are the failures the clients met: the cloud retries as the scenario does
// (same webhook-id and body, backoff from 0.5 s doubling to 8 s; an intake 8 attempts, then the
// caller would go to the fallback number), operators' apps reconnect their streams. An event
// is retried past the scenario's 6 attempts until the run ends: at a kill every second or two,
// six attempts over 15 s can all meet an outage (one event in about 30 000 did in one run of
// 100 kills), which would leave connected a call Tandem never lost; such events are counted.
type ChaosErrors struct {
	IntakeRetries      int64 `json:"intake_retries"`
	EventRetries       int64 `json:"event_retries"`
	IntakesGivenUp     int64 `json:"intakes_given_up"`
	EventsPastScenario int64 `json:"events_past_scenario_attempts"`
	StreamBreaks       int64 `json:"operator_stream_breaks"`
	OperatorErrors     int64 `json:"operator_request_errors"`
	// Unexpected are failures outside an outage (from a kill to 0.5 s after the server serves
	// again) or answers a retry cannot fix (4xx).
	Unexpected     int64  `json:"unexpected"`
	LastUnexpected string `json:"last_unexpected,omitempty"`
	// PastScenario are the first intakes given up and events past the scenario's attempts,
	// each with what its attempts met.
	PastScenario []string `json:"past_scenario_attempts,omitempty"`
}

// outageGrace is how long after a restart clients may still fail from the outage: a request
// in backoff, a stream reconnecting.
const outageGrace = 500 * time.Millisecond

// chaosErrors counts failures, each judged against the outages.
type chaosErrors struct {
	intakeRetries, eventRetries, intakesGivenUp, eventsPastScenario atomic.Int64
	streamBreaks, operatorErrors, unexpected                        atomic.Int64

	mu           sync.Mutex
	down         bool
	spans        [][2]time.Time // kill, serving again
	lastUnexp    string
	pastScenario []string
}

// pastScenarioAttempts records a request that failed as often as the scenario tries.
func (e *chaosErrors) pastScenarioAttempts(what string, attempts []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.pastScenario) < 10 {
		e.pastScenario = append(e.pastScenario, what+": "+strings.Join(attempts, "; "))
	}
}

func (e *chaosErrors) killed(at time.Time) {
	e.mu.Lock()
	e.down = true
	e.spans = append(e.spans, [2]time.Time{at})
	e.mu.Unlock()
}

func (e *chaosErrors) serving(at time.Time) {
	e.mu.Lock()
	e.down = false
	e.spans[len(e.spans)-1][1] = at
	e.mu.Unlock()
}

// failed records a failure a retry may fix; outside an outage it is unexpected.
func (e *chaosErrors) failed(err error) {
	now := time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.down {
		return
	}
	for _, s := range slices.Backward(e.spans) {
		if !now.Before(s[0]) && now.Before(s[1].Add(outageGrace)) {
			return
		}
	}
	e.unexpected.Add(1)
	e.lastUnexp = err.Error()
}

// refused records an answer no retry can fix.
func (e *chaosErrors) refused(err error) {
	e.unexpected.Add(1)
	e.mu.Lock()
	e.lastUnexp = err.Error()
	e.mu.Unlock()
}

func (e *chaosErrors) result() ChaosErrors {
	e.mu.Lock()
	defer e.mu.Unlock()
	return ChaosErrors{
		IntakeRetries: e.intakeRetries.Load(), EventRetries: e.eventRetries.Load(),
		IntakesGivenUp: e.intakesGivenUp.Load(), EventsPastScenario: e.eventsPastScenario.Load(),
		StreamBreaks: e.streamBreaks.Load(), OperatorErrors: e.operatorErrors.Load(),
		Unexpected: e.unexpected.Load(), LastUnexpected: e.lastUnexp, PastScenario: slices.Clone(e.pastScenario),
	}
}

// The scenario's retry policy (clients/voxengine/scenario.js).
const (
	scenarioIntakeAttempts = 8
	scenarioEventAttempts  = 6
	scenarioFirstBackoff   = 500 * time.Millisecond
	scenarioMaxBackoff     = 8 * time.Second
	scenarioTimeout        = 8 * time.Second
)

// chaosCloud plays the cloud through the outages: it registers calls and reports their events
// as the scenario does, retrying, and it watches the dial commands for double offers: a dial
// for an operator whose phone is ringing or talking for another call, or for a call that is
// ringing or talking with another operator or already over.
type chaosCloud struct {
	ctx     context.Context
	base    string
	hc      *http.Client
	ring    time.Duration
	talk    time.Duration
	recvURL string
	recv    *http.Server
	errs    *chaosErrors
	wg      sync.WaitGroup
	seq     atomic.Int64

	mu       sync.Mutex
	acked    map[string]bool // call id → finished (its end acknowledged)
	finished int
	calls    map[string]*cloudCall // call id → what its session is doing
	busy     map[string]string     // operator (dial target) → the call his phone is on
	doubles  []string
}

// cloudCall is a call's session as the cloud sees it.
type cloudCall struct {
	offer    string // the live dial's offer ("" between offers)
	operator string
	answered bool
	over     bool // ended or hung up
	endAcked bool // the server acknowledged its end
}

func newChaosCloud(ctx context.Context, base string, cfg ChaosConfig, errs *chaosErrors) (*chaosCloud, error) {
	hc := http1Client(512)
	hc.Timeout = scenarioTimeout
	c := &chaosCloud{ctx: ctx, base: base, hc: hc, ring: cfg.Ring, talk: cfg.Talk, errs: errs,
		acked: map[string]bool{}, calls: map[string]*cloudCall{}, busy: map[string]string{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c.recvURL = "http://" + ln.Addr().String()
	c.recv = NewHTTPServer(http.HandlerFunc(c.command))
	go func() { _ = c.recv.Serve(ln) }()
	return c, nil
}

// close stops the receiver and waits for the sessions' timers and requests (ctx must be done).
func (c *chaosCloud) close() {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.recv.Shutdown(sctx)
	c.wg.Wait()
	c.hc.CloseIdleConnections()
}

// send POSTs a signed body as the scenario does: the same webhook-id and body on every
// attempt, transport errors, 408, 429 and 5xx retried with backoff. After the scenario's
// attempts it records the request, and gives up unless keepOn. It returns the reply, or false
// when it gave up or the run ended.
func (c *chaosCloud) send(path, body string, scenarioAttempts int, keepOn bool, retries *atomic.Int64) ([]byte, bool) {
	id := tandem.NewRequestID()
	delay := scenarioFirstBackoff
	first := time.Now()
	var failures []string
	for attempt := 1; ; attempt++ {
		b, status, err := c.post(path, id, body)
		if err == nil && status == http.StatusOK {
			return b, true
		}
		if c.ctx.Err() != nil {
			return nil, false
		}
		retryable := err != nil || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
		if err == nil {
			err = fmt.Errorf("POST %s: %d %s", path, status, bytes.TrimSpace(b))
		}
		if !retryable {
			c.errs.refused(err)
			return nil, false
		}
		c.errs.failed(err)
		failures = append(failures, fmt.Sprintf("+%.0f ms: %v", ms(time.Since(first)), err))
		if attempt == scenarioAttempts {
			c.errs.pastScenarioAttempts(fmt.Sprintf("POST %s failed %d times (from %s)", path, attempt, first.UTC().Format("15:04:05.000")), failures)
			if !keepOn {
				return nil, false
			}
			c.errs.eventsPastScenario.Add(1)
		}
		retries.Add(1)
		t := time.NewTimer(time.Duration(float64(delay) * (0.8 + 0.4*rand.Float64())))
		select {
		case <-t.C:
		case <-c.ctx.Done():
			t.Stop()
			return nil, false
		}
		delay = min(delay*2, scenarioMaxBackoff)
	}
}

func (c *chaosCloud) post(path, id, body string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(c.ctx, http.MethodPost, c.base+path, strings.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	tandem.Sign(req.Header, cloudSecret, id, time.Now(), []byte(body))
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, 0, err
	}
	return b, resp.StatusCode, nil
}

// intake registers one new call, retrying through outages; an acknowledged call is remembered.
func (c *chaosCloud) intake(number string) {
	n := c.seq.Add(1)
	session := fmt.Sprintf("s%d", n)
	body := fmt.Sprintf(`{"request_id":%q,"session_id":%q,"access_url":%q,"caller_number":"+1555%07d","dialed_number":%q,"display_name":"Chaos caller"}`,
		tandem.NewRequestID(), session, c.recvURL+"/s/"+session, n%10_000_000, number)
	b, ok := c.send("/v1/calls", body, scenarioIntakeAttempts, false, &c.errs.intakeRetries)
	if !ok {
		if c.ctx.Err() == nil {
			c.errs.intakesGivenUp.Add(1)
		}
		return
	}
	var reply struct {
		CallID string `json:"call_id"`
	}
	if err := json.Unmarshal(b, &reply); err != nil || reply.CallID == "" {
		c.errs.refused(fmt.Errorf("intake reply without a call id: %s", b))
		return
	}
	c.mu.Lock()
	if _, seen := c.acked[reply.CallID]; !seen {
		c.acked[reply.CallID] = false
	}
	if cl := c.calls[reply.CallID]; cl != nil && cl.endAcked && !c.acked[reply.CallID] {
		c.acked[reply.CallID] = true // it ended before its intake's reply came back
		c.finished++
	}
	c.mu.Unlock()
}

// event reports an event of a call, retrying through outages until the run ends.
func (c *chaosCloud) event(call, body string) bool {
	_, ok := c.send("/v1/calls/"+call+"/events", body, scenarioEventAttempts, true, &c.errs.eventRetries)
	return ok
}

// command is the accessURL: Tandem POSTs commands for session /s/{id} here.
func (c *chaosCloud) command(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	var cmd struct {
		Type    string `json:"type"`
		Call    string `json:"call_id"`
		Offer   string `json:"offer_id"`
		Contact struct {
			Target string `json:"target"`
		} `json:"contact"`
	}
	if err := json.Unmarshal(body, &cmd); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
	switch cmd.Type {
	case "dial":
		c.dial(cmd.Call, cmd.Offer, cmd.Contact.Target)
	case "cancel":
		c.mu.Lock()
		if cl := c.calls[cmd.Call]; cl != nil && cl.offer == cmd.Offer && !cl.answered && !cl.over {
			c.free(cl)
			cl.offer = ""
		}
		c.mu.Unlock()
	case "hangup":
		c.mu.Lock()
		if cl := c.calls[cmd.Call]; cl != nil {
			c.free(cl)
			cl.over = true
		}
		c.mu.Unlock()
	}
}

// free ends what the call's operator's phone is doing for it (c.mu held).
func (c *chaosCloud) free(cl *cloudCall) {
	if cl.operator != "" && c.busy[cl.operator] == cl.offer {
		delete(c.busy, cl.operator)
	}
	cl.operator = ""
}

// dial rings the operator, answers after the ring time and ends the call after the talk time.
func (c *chaosCloud) dial(call, offer, operator string) {
	c.mu.Lock()
	cl := c.calls[call]
	if cl == nil {
		cl = &cloudCall{}
		c.calls[call] = cl
	}
	switch {
	case cl.offer == offer:
		c.mu.Unlock()
		return // the sender's retry of a dial already ringing
	case cl.over:
		c.doubles = append(c.doubles, fmt.Sprintf("call %s dialed to %s (offer %s) after it ended", call, operator, offer))
		c.mu.Unlock()
		return
	case cl.offer != "":
		c.doubles = append(c.doubles, fmt.Sprintf("call %s dialed to %s (offer %s) while with %s (offer %s)", call, operator, offer, cl.operator, cl.offer))
		c.mu.Unlock()
		return
	}
	if other, ok := c.busy[operator]; ok {
		c.doubles = append(c.doubles, fmt.Sprintf("operator %s dialed for call %s (offer %s) while his phone is on offer %s", operator, call, offer, other))
	}
	cl.offer, cl.operator = offer, operator
	c.busy[operator] = offer
	c.mu.Unlock()

	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if !c.wait(c.ring) {
			return
		}
		c.mu.Lock()
		live := cl.offer == offer && !cl.over
		if live {
			cl.answered = true
		}
		c.mu.Unlock()
		if !live {
			return // cancelled while ringing
		}
		c.event(call, fmt.Sprintf(`{"request_id":%q,"offer_id":%q,"operator_answered":{"ring_time_ms":%d}}`,
			tandem.NewRequestID(), offer, c.ring.Milliseconds()))
		if !c.wait(c.talk) {
			return
		}
		c.mu.Lock()
		if cl.over {
			c.mu.Unlock()
			return
		}
		// The caller hangs up: the phone is free from now on, before Tandem hears of it.
		c.free(cl)
		cl.over = true
		c.mu.Unlock()
		if c.event(call, fmt.Sprintf(`{"request_id":%q,"call_ended":{"hung_up_by":"HANGUP_PARTY_CALLER","talk_time_ms":%d}}`,
			tandem.NewRequestID(), c.talk.Milliseconds())) {
			c.mu.Lock()
			cl.endAcked = true
			if done, ok := c.acked[call]; ok && !done {
				c.acked[call] = true
				c.finished++
			}
			c.mu.Unlock()
		}
	}()
}

// wait waits d unless the run ends first.
func (c *chaosCloud) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.ctx.Done():
		return false
	}
}

// progress is how many calls were acknowledged and how many of them finished.
func (c *chaosCloud) progress() (acked, finished int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.acked), c.finished
}

// chaosFleet is the operators: each app keeps its presence stream open, reconnecting when the
// server goes away, presses Ready whenever it finds itself away or offline, and Done after
// each call.
type chaosFleet struct {
	wg      sync.WaitGroup
	ready   []atomic.Bool
	errs    *chaosErrors
	clients []*http.Client
}

func startChaosFleet(ctx context.Context, url string, ops seeded, n int, errs *chaosErrors) *chaosFleet {
	f := &chaosFleet{ready: make([]atomic.Bool, n), errs: errs}
	for range 4 {
		f.clients = append(f.clients, h2cClient())
	}
	for i := range n {
		cl := tandem.New(url, tandem.WithToken(ops.tokens[i]), tandem.WithHTTPClient(f.clients[i%len(f.clients)]))
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.operator(ctx, cl, string(ops.operators[i]), &f.ready[i])
		}()
	}
	return f
}

func (f *chaosFleet) operator(ctx context.Context, cl *tandem.Client, id string, ready *atomic.Bool) {
	backoff := 50 * time.Millisecond
	done := "" // the last call whose wrap-up he ended
	fail := func(what string, err error) {
		if ctx.Err() == nil {
			f.errs.operatorErrors.Add(1)
			f.errs.failed(fmt.Errorf("%s %s: %w", id, what, err))
		}
	}
	for ctx.Err() == nil {
		stream, err := cl.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{OperatorId: id}))
		if err != nil {
			fail("WatchOperator", err)
		} else {
			for stream.Receive() {
				backoff = 50 * time.Millisecond
				m := stream.Msg()
				st := m.GetSnapshot()
				if st == nil {
					st = m.GetChanged()
				}
				if st == nil {
					continue
				}
				ready.Store(st.GetState() == commonv1.OperatorState_OPERATOR_STATE_READY)
				switch st.GetState() {
				case commonv1.OperatorState_OPERATOR_STATE_OFFLINE, commonv1.OperatorState_OPERATOR_STATE_AWAY:
					// Refused as a failed precondition when the view he acted on has moved on
					// (he is reserved already): the next view tells.
					_, err := cl.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{OperatorId: id}))
					if err != nil && connect.CodeOf(err) != connect.CodeFailedPrecondition {
						fail("GoReady", err)
					}
				case commonv1.OperatorState_OPERATOR_STATE_WRAP_UP:
					if st.GetCallId() == done {
						continue
					}
					if _, err := cl.Presence.EndWrapUp(ctx, connect.NewRequest(&presencev1.EndWrapUpRequest{OperatorId: id})); err != nil {
						fail("EndWrapUp", err) // the next snapshot shows the wrap-up again
					} else {
						done = st.GetCallId()
					}
				}
			}
			err = stream.Err()
			stream.Close()
			if ctx.Err() != nil {
				return
			}
			f.errs.streamBreaks.Add(1)
			if err != nil {
				f.errs.failed(fmt.Errorf("%s presence stream: %w", id, err))
			}
		}
		ready.Store(false)
		t := time.NewTimer(time.Duration(float64(backoff) * (0.5 + rand.Float64())))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
		backoff = min(backoff*2, time.Second)
	}
}

func (f *chaosFleet) readyCount() int {
	n := 0
	for i := range f.ready {
		if f.ready[i].Load() {
			n++
		}
	}
	return n
}

func (f *chaosFleet) close() {
	f.wg.Wait()
	for _, c := range f.clients {
		c.CloseIdleConnections()
	}
}

// runChaos is the chaos run: a center seeded on a SQLite file in dir, the server on a fixed
// loopback address, calls offered at cfg.Chaos.Rate through everything, and cfg.Chaos.Kills
// SIGKILLs at moments drawn from the seed, each followed by a restart on the same file. After
// the last one the load stops, the acknowledged calls are given cfg.Chaos.Drain to finish, the
// server stops and the database is audited.
func runChaos(ctx context.Context, cfg Config, dir string, logf func(string, ...any)) (ChaosResult, error) {
	ch := cfg.Chaos
	res := ChaosResult{Kills: ch.Kills, Seed: ch.Seed, Rate: ch.Rate, Operators: ch.Operators}
	if ch.Rate <= 0 || ch.Operators <= 0 || ch.MaxGap < ch.MinGap || ch.MinGap < 0 {
		return res, fmt.Errorf("rate and operators must be positive and the gaps ordered (rate %v, operators %d, gaps %v–%v)", ch.Rate, ch.Operators, ch.MinGap, ch.MaxGap)
	}
	start := time.Now()
	db := filepath.Join(dir, "chaos.db")
	ops, err := seedDB(ctx, db, seed{queues: 1, operators: ch.Operators, skills: 1, wrapUp: 10 * time.Minute, offerTimeout: ch.OfferTimeout})
	if err != nil {
		return res, err
	}
	addr, err := freeAddr()
	if err != nil {
		return res, err
	}
	srv, err := startServerAt(ctx, cfg, dir, db, addr)
	if err != nil {
		return res, err
	}
	defer func() { _ = srv.stop() }() // a no-op once stopped below
	errs := &chaosErrors{}
	rctx, stopClients := context.WithCancel(ctx)
	defer stopClients()
	cloud, err := newChaosCloud(rctx, srv.url, ch, errs)
	if err != nil {
		return res, err
	}
	fleet := startChaosFleet(rctx, srv.url, ops, ch.Operators, errs)
	closeClients := func() {
		stopClients()
		fleet.close()
		cloud.close()
	}
	for end := time.Now().Add(60 * time.Second); fleet.readyCount() < ch.Operators; {
		if time.Now().After(end) || ctx.Err() != nil {
			closeClients()
			return res, fmt.Errorf("only %d of %d operators ready after a minute", fleet.readyCount(), ch.Operators)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// The callers: open loop, one intake every 1/rate seconds whatever the server does.
	loadCtx, stopLoad := context.WithCancel(rctx)
	var callers sync.WaitGroup
	var offered atomic.Int64
	callers.Add(1)
	go func() {
		defer callers.Done()
		t0 := time.Now()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		sent := 0
		for {
			select {
			case <-loadCtx.Done():
				return
			case now := <-tick.C:
				for due := int(now.Sub(t0).Seconds()*ch.Rate) - sent; due > 0; due-- {
					sent++
					offered.Add(1)
					callers.Add(1)
					go func() {
						defer callers.Done()
						cloud.intake(benchNumber)
					}()
				}
			}
		}
	}()

	rng := rand.New(rand.NewPCG(ch.Seed, 0x7a4de3))
	var restarts latencies
	var failure error
	for k := 1; k <= ch.Kills && ctx.Err() == nil; k++ {
		gap := ch.MinGap + time.Duration(rng.Int64N(int64(ch.MaxGap-ch.MinGap)+1))
		select {
		case <-time.After(gap):
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		killed := time.Now()
		errs.killed(killed)
		if err := srv.kill(); err != nil {
			failure = fmt.Errorf("kill %d: %w", k, err)
			break
		}
		if srv, err = startServerAt(ctx, cfg, dir, db, addr); err != nil {
			failure = fmt.Errorf("restart after kill %d: %w", k, err)
			break
		}
		d := time.Since(killed)
		errs.serving(time.Now())
		restarts.add(d)
		if k%10 == 0 || k == ch.Kills {
			a, f := cloud.progress()
			logf("  kill %d: serving again after %.0f ms; %d calls acknowledged, %d finished", k, ms(d), a, f)
		}
	}
	if failure == nil {
		// Calls keep coming for one more gap after the last restart, then stop.
		select {
		case <-time.After(ch.MaxGap):
		case <-ctx.Done():
		}
	}
	stopLoad()
	callers.Wait()
	res.Offered = offered.Load()
	if failure == nil {
		for end := time.Now().Add(ch.Drain); ctx.Err() == nil; time.Sleep(20 * time.Millisecond) {
			if a, f := cloud.progress(); a == f || time.Now().After(end) {
				break
			}
		}
	}
	closeClients()
	var stopErr error
	if srv != nil {
		stopErr = srv.stop()
		srv = nil
	}

	cloud.mu.Lock()
	acked := make([]string, 0, len(cloud.acked))
	for id := range cloud.acked {
		acked = append(acked, id)
	}
	slices.Sort(acked)
	res.Acknowledged, res.Finished = len(acked), cloud.finished
	cloudDoubles := slices.Clone(cloud.doubles)
	cloud.mu.Unlock()
	res.Errors = errs.result()
	p := restarts.percentiles(0.5, 1)
	res.RestartP50, res.RestartMax, res.Restarts = ms(p[0]), ms(p[1]), restarts.count()

	conn, err := sql.Open("sqlite", sqliteDSN(db, "NORMAL"))
	if err != nil {
		return res, err
	}
	defer conn.Close()
	res.Audit, err = AuditStore(ctx, conn, "sqlite", acked)
	if err != nil {
		return res, fmt.Errorf("audit: %w", err)
	}
	res.Integrity = res.Audit.Integrity
	res.Lost = res.Audit.Lost(true)
	res.DoubleOffersStore, res.DoubleOffersCloud = res.Audit.DoubleOffers(), len(cloudDoubles)
	res.DoubleOffers = res.DoubleOffersStore + res.DoubleOffersCloud
	res.Problems = res.Audit.Problems(true)
	// The cloud answers every call and the caller hangs up after talking: any other end (the
	// caller abandoned, or Tandem dropped it) means an event was lost or misread.
	if other := len(acked) - res.Audit.CallStates["ended"] - res.Lost; other > 0 {
		res.Problems = append(res.Problems, fmt.Sprintf("%d acknowledged calls finished otherwise than ended by the caller after talking: %s", other, states(res.Audit.CallStates)))
	}
	for _, d := range cloudDoubles[:min(len(cloudDoubles), 10)] {
		res.Problems = append(res.Problems, "at the cloud: "+d)
	}
	if failure != nil {
		res.Problems = append(res.Problems, failure.Error())
	}
	if stopErr != nil {
		res.Problems = append(res.Problems, "the last server: "+stopErr.Error())
	}
	res.Seconds = time.Since(start).Seconds()
	if len(res.Problems) > 0 {
		return res, errors.New(strings.Join(res.Problems, "; "))
	}
	return res, ctx.Err()
}

// printChaos writes a chaos run's figures as a table.
func printChaos(w io.Writer, r *ChaosResult) {
	fmt.Fprintf(w, "chaos: %d SIGKILLs at random moments (seed %d), %.0f calls/s offered, %d operators, %.0f s\n\n",
		r.Kills, r.Seed, r.Rate, r.Operators, r.Seconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "figure\tmeasured\ttarget\t")
	row := func(name, val, target string) { fmt.Fprintf(tw, "%s\t%s\t%s\t\n", name, val, target) }
	row("calls offered (intakes started)", fmt.Sprint(r.Offered), "")
	row("calls_acknowledged (intake answered 200)", fmt.Sprint(r.Acknowledged), "")
	row("calls_finished (end acknowledged)", fmt.Sprint(r.Finished), "")
	row("calls_lost (missing, unfinished or dropped)", fmt.Sprint(r.Lost), "0")
	row("double_offers (store / cloud)", fmt.Sprintf("%d (%d / %d)", r.DoubleOffers, r.DoubleOffersStore, r.DoubleOffersCloud), "0")
	row("integrity_check", r.Integrity, "ok")
	row("restart ms (SIGKILL → serving) p50 / max", fmt.Sprintf("%.0f / %.0f", r.RestartP50, r.RestartMax), "")
	e := r.Errors
	row("retries during outages (intake / event)", fmt.Sprintf("%d / %d", e.IntakeRetries, e.EventRetries), "")
	row("intakes given up / events past the scenario's 6 attempts", fmt.Sprintf("%d / %d", e.IntakesGivenUp, e.EventsPastScenario), "0")
	row("operator stream breaks / request errors", fmt.Sprintf("%d / %d", e.StreamBreaks, e.OperatorErrors), "")
	row("errors outside outages or not retryable", fmt.Sprint(e.Unexpected), "0")
	row("offers by state", states(r.Audit.OfferStates), "")
	row("acknowledged calls by state", states(r.Audit.CallStates), "")
	tw.Flush()
	if e.LastUnexpected != "" {
		fmt.Fprintln(w, "last unexpected error:", e.LastUnexpected)
	}
	for _, g := range e.PastScenario {
		fmt.Fprintln(w, "past the scenario's attempts:", g)
	}
	for _, p := range r.Problems {
		fmt.Fprintln(w, "problem:", p)
	}
}

func states(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", k, m[k])
	}
	return b.String()
}
