package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

// requestsPerLifecycle is what one complete call costs in requests between Tandem and its
// clients: the cloud's intake, Tandem's dial command to the accessURL, the cloud's "answered"
// and "ended" events, and the operator's EndWrapUp ("Done"). Presence-stream messages are not
// counted.
const requestsPerLifecycle = 5

// lifecycle is one call the load generator plays.
type lifecycle struct {
	sent   time.Time // intake POST started
	dialed atomic.Int64
}

// cloudSim plays the cloud: signed JSON intake and events, and an accessURL receiver that
// takes dial commands and answers after a ring time, then ends the call after a talk time.
type cloudSim struct {
	base     string
	hc       *http.Client
	ring     time.Duration
	talk     time.Duration
	recvURL  string
	recv     *http.Server
	ctx      context.Context
	wg       sync.WaitGroup // timers and requests in flight
	sessions sync.Map       // session id → *lifecycle
	calls    sync.Map       // call id → *lifecycle (from its dial command)
	seq      atomic.Int64

	dial      *latencies   // intake sent → dial command received
	window    atomic.Value // *stepWindow: the step whose calls are being measured
	errors    atomic.Int64
	completed atomic.Int64
	lastErr   atomic.Value
	inflight  atomic.Int64
}

// stepWindow collects the figures of one rate step.
type stepWindow struct {
	dial      latencies
	intake    latencies // intake sent → its reply
	completed atomic.Int64
}

func newCloudSim(ctx context.Context, base string, ring, talk time.Duration) (*cloudSim, error) {
	c := &cloudSim{base: base, hc: http1Client(512), ring: ring, talk: talk, ctx: ctx, dial: &latencies{}}
	c.window.Store(&stepWindow{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c.recvURL = "http://" + ln.Addr().String()
	c.recv = NewHTTPServer(http.HandlerFunc(c.command))
	go func() { _ = c.recv.Serve(ln) }()
	return c, nil
}

func (c *cloudSim) fail(err error) {
	c.errors.Add(1)
	c.lastErr.Store(err.Error())
}

// close stops the receiver and waits for every timer and request in flight (ctx must be done
// or no calls running, for the timers to stop).
func (c *cloudSim) close() {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.recv.Shutdown(sctx)
	c.wg.Wait()
	c.hc.CloseIdleConnections()
}

// command is the accessURL: Tandem POSTs commands for session /s/{id} here.
func (c *cloudSim) command(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	var cmd struct {
		Type  string `json:"type"`
		Call  string `json:"call_id"`
		Offer string `json:"offer_id"`
	}
	if err := json.Unmarshal(body, &cmd); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
	if cmd.Type != "dial" {
		return
	}
	v, ok := c.sessions.Load(strings.TrimPrefix(r.URL.Path, "/s/"))
	if !ok {
		return
	}
	lc := v.(*lifecycle)
	if !lc.dialed.CompareAndSwap(0, now.UnixNano()) {
		return // a retry of the same dial
	}
	d := now.Sub(lc.sent)
	c.dial.add(d)
	c.window.Load().(*stepWindow).dial.add(d)
	c.calls.Store(cmd.Call, lc)
	c.after(c.ring, func() {
		c.event(cmd.Call, fmt.Sprintf(`{"request_id":%q,"offer_id":%q,"operator_answered":{"ring_time_ms":%d}}`,
			tandem.NewRequestID(), cmd.Offer, c.ring.Milliseconds()))
		c.after(c.talk, func() {
			c.event(cmd.Call, fmt.Sprintf(`{"request_id":%q,"call_ended":{"hung_up_by":"HANGUP_PARTY_CALLER","talk_time_ms":%d}}`,
				tandem.NewRequestID(), c.talk.Milliseconds()))
		})
	})
}

// after runs fn after d unless the run ends first.
func (c *cloudSim) after(d time.Duration, fn func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			fn()
		case <-c.ctx.Done():
		}
	}()
}

// post sends a signed JSON request as the scenario does.
func (c *cloudSim) post(path, body string) ([]byte, error) {
	req, err := http.NewRequestWithContext(c.ctx, http.MethodPost, c.base+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	tandem.Sign(req.Header, cloudSecret, tandem.NewRequestID(), time.Now(), []byte(body))
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s: %s", path, resp.Status, bytes.TrimSpace(b))
	}
	return b, nil
}

func (c *cloudSim) event(call, body string) {
	if _, err := c.post("/v1/calls/"+call+"/events", body); err != nil && c.ctx.Err() == nil {
		c.fail(err)
	}
}

// intake registers one new call.
func (c *cloudSim) intake(number string) {
	n := c.seq.Add(1)
	session := fmt.Sprintf("s%d", n)
	lc := &lifecycle{sent: time.Now()}
	c.sessions.Store(session, lc)
	c.inflight.Add(1)
	body := fmt.Sprintf(`{"request_id":"r-%d","session_id":%q,"access_url":%q,"caller_number":"+1555%07d","dialed_number":%q,"display_name":"Bench caller"}`,
		n, session, c.recvURL+"/s/"+session, n%10_000_000, number)
	if _, err := c.post("/v1/calls", body); err != nil {
		if c.ctx.Err() == nil {
			c.fail(err)
		}
		return
	}
	c.window.Load().(*stepWindow).intake.add(time.Since(lc.sent))
}

// done records that the operator of call id is ready again: the lifecycle is complete.
func (c *cloudSim) done(call string) {
	if _, ok := c.calls.LoadAndDelete(call); !ok {
		return
	}
	c.completed.Add(1)
	c.inflight.Add(-1)
	c.window.Load().(*stepWindow).completed.Add(1)
}

// fleet is the operators, each on the generated Go client with a presence stream open,
// pressing Ready at start and "Done" at every wrap-up.
type fleet struct {
	wg      sync.WaitGroup
	ready   atomic.Int64
	errors  atomic.Int64
	lastErr atomic.Value
	clients []*http.Client
}

// startFleet opens one presence stream per operator over h2c connections shared by groups of
// operators (as many apps behind one proxy would), and calls done(call) after each EndWrapUp.
func startFleet(ctx context.Context, url string, ops seeded, n int, conns int, done func(call string)) *fleet {
	f := &fleet{}
	for range max(conns, 1) {
		f.clients = append(f.clients, h2cClient())
	}
	for i := range n {
		cl := tandem.New(url, tandem.WithToken(ops.tokens[i]), tandem.WithHTTPClient(f.clients[i%len(f.clients)]))
		id := string(ops.operators[i])
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.operator(ctx, cl, id, done)
		}()
	}
	return f
}

func (f *fleet) fail(err error) {
	f.errors.Add(1)
	f.lastErr.Store(err.Error())
}

func (f *fleet) operator(ctx context.Context, cl *tandem.Client, id string, done func(string)) {
	stream, err := cl.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{OperatorId: id}))
	if err != nil {
		if ctx.Err() == nil {
			f.fail(err)
		}
		return
	}
	defer stream.Close()
	first, wasReady, lastCall := true, false, ""
	for stream.Receive() {
		m := stream.Msg()
		st := m.GetSnapshot()
		if st == nil {
			st = m.GetChanged()
		}
		if st == nil {
			continue
		}
		if first {
			first = false
			if _, err := cl.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{OperatorId: id})); err != nil && ctx.Err() == nil {
				f.fail(fmt.Errorf("GoReady: %w", err))
				return
			}
		}
		if ready := st.GetState() == commonv1.OperatorState_OPERATOR_STATE_READY; ready != wasReady {
			wasReady = ready
			if ready {
				f.ready.Add(1)
			} else {
				f.ready.Add(-1)
			}
		}
		if st.GetState() == commonv1.OperatorState_OPERATOR_STATE_WRAP_UP && st.GetCallId() != lastCall {
			call := st.GetCallId()
			lastCall = call
			if _, err := cl.Presence.EndWrapUp(ctx, connect.NewRequest(&presencev1.EndWrapUpRequest{OperatorId: id})); err != nil {
				if ctx.Err() == nil {
					f.fail(fmt.Errorf("EndWrapUp: %w", err))
				}
				continue
			}
			done(call)
		}
	}
	if err := stream.Err(); err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled) {
		f.fail(fmt.Errorf("presence stream: %w", err))
	}
}

func (f *fleet) close() {
	f.wg.Wait()
	for _, c := range f.clients {
		c.CloseIdleConnections()
	}
}

// waitReady waits until n operators are ready, or d passes.
func (f *fleet) waitReady(n int, d time.Duration) error {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if f.ready.Load() >= int64(n) {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("only %d of %d operators ready after %s (errors %d: %v)", f.ready.Load(), n, d, f.errors.Load(), f.lastErr.Load())
}

// StepResult is one rate of the lifecycle ladder: one window of it, or a rung of several
// windows (see rung).
type StepResult struct {
	Rate       float64 `json:"offered_per_s"`
	Lifecycles float64 `json:"lifecycles_per_s"`
	P50        float64 `json:"p50_intake_to_dial_ms"`
	P99        float64 `json:"p99_intake_to_dial_ms"`
	P999       float64 `json:"p999_intake_to_dial_ms"`
	IntakeP99  float64 `json:"p99_intake_reply_ms"`
	Errors     int64   `json:"errors"`
	Pass       bool    `json:"pass"`
	Limits             // server_cpu_cores and the rest: what the window cost, and what limited it
	// A rung's windows, and the lowest and highest p99 among them.
	Windows []StepResult `json:"windows,omitempty"`
	P99Low  float64      `json:"p99_low_ms,omitempty"`
	P99High float64      `json:"p99_high_ms,omitempty"`
}

// maxInFlight bounds the calls the load generator keeps open: past it a step fails.
const maxInFlight = 20_000

// step offers calls at rate per second for d (open loop: arrivals do not wait for answers) and
// measures the lifecycles completed in that window and the intake→dial latency of its calls.
func (c *cloudSim) step(ctx context.Context, srv *server, number string, rate float64, d time.Duration) StepResult {
	w := &stepWindow{}
	c.window.Store(w)
	errs0 := c.errors.Load()
	u0 := srv.readUsage(ctx)
	start := time.Now()
	sent := 0
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Millisecond)
	overflow := false
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case now := <-tick.C:
			el := now.Sub(start)
			if el >= d {
				break loop
			}
			for due := int(el.Seconds()*rate) - sent; due > 0; due-- {
				if c.inflight.Load() >= maxInFlight {
					overflow = true
					break
				}
				sent++
				wg.Add(1)
				go func() {
					defer wg.Done()
					c.intake(number)
				}()
			}
		}
	}
	tick.Stop()
	el := time.Since(start)
	completed := w.completed.Load()
	u1 := srv.readUsage(ctx)
	wg.Wait()
	p := w.dial.percentiles(0.5, 0.99, 0.999)
	r := StepResult{
		Rate: rate, Lifecycles: float64(completed) / el.Seconds(),
		P50: ms(p[0]), P99: ms(p[1]), P999: ms(p[2]), Errors: c.errors.Load() - errs0,
		Limits: limits(u0, u1, srv.sync), IntakeP99: ms(w.intake.percentiles(0.99)[0]),
	}
	// It holds when the latency bound holds, nothing failed, nothing piled up, and the
	// lifecycles kept pace with the arrivals (a call takes ring + talk + a few round trips,
	// so the window's last ones finish after it).
	r.Pass = !overflow && r.Errors == 0 && r.P99 < 10 && w.dial.count() > 0 &&
		r.Lifecycles >= 0.9*rate*(1-(c.ring+c.talk+50*time.Millisecond).Seconds()/el.Seconds())
	return r
}

// drain waits up to d for the calls in flight to finish.
func (c *cloudSim) drain(d time.Duration) {
	end := time.Now().Add(d)
	for c.inflight.Load() > 0 && time.Now().Before(end) {
		time.Sleep(10 * time.Millisecond)
	}
}
