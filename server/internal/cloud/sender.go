// Package cloud signs and verifies the cloud's webhooks and sends commands to call sessions;
// it never blocks the routing engine.
package cloud

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// Defaults and limits of a Sender.
const (
	DefaultAttempts = 6
	DefaultBackoff  = 250 * time.Millisecond
	DefaultTimeout  = 10 * time.Second // of the default HTTP client, per attempt

	maxBackoff   = 8 * time.Second
	maxQueued    = 100    // commands waiting for one call; more is a bug upstream, so drop
	goneMemory   = 10_000 // gone calls remembered, oldest forgotten first
	closeTimeout = 10 * time.Second
	logBodyLimit = 1024 // bytes of a reply kept: the scenario's answer, or an error for the log
)

// SenderConfig configures a Sender. Signer is required; the rest have defaults.
type SenderConfig struct {
	Signer *Signer
	// Client sends the POSTs. Default: one with a 10 s timeout that does not follow redirects.
	Client *http.Client
	// Clock times backoff waits and Close's bound, and stamps signatures. Default: the wall clock.
	Clock clock.Clock
	// Attempts is how many times a command is tried before its session counts as gone. Default 6.
	Attempts int
	// Backoff is the wait before the first retry; it doubles per retry, capped at 8 s.
	// Default 250 ms.
	Backoff time.Duration
	// Gone is called once, from a sender goroutine, when a call's session is gone (404/410, or
	// a command failed every attempt). It should not block for long: that call's worker and
	// Close wait for it. May be nil.
	Gone func(call callcenter.CallID, reason string)
	// Undelivered is called, from a sender goroutine, when a dial command did not reach the
	// scenario: every attempt failed (transport errors, 429, 5xx), the cloud refused it (a 4xx
	// but 404/410), or the scenario's reply said it did not carry it out ({"ok":false}). The
	// operator named was never dialed: the switchboard tries the next one. Unlike other
	// commands, a failed dial does not make the session count as gone. It is called too for a
	// hold or resume the cloud refused or the scenario did not carry out, so the operator
	// learns his hold did not happen (one that failed every attempt means the session is gone,
	// as for other commands), and for an add_party or party_mode, so the party's leg is ended.
	// May be nil.
	Undelivered func(cmd callcenter.Command, reason string)
	// Logger. Default: slog.Default().
	Logger *slog.Logger
}

// Sender POSTs commands to call sessions' accessURLs. Commands of one call go in order, one at
// a time; different calls go in parallel. Send only queues, so the routing engine never waits
// on the network.
type Sender struct {
	signer        *Signer
	client        *http.Client
	clock         clock.Clock
	attempts      int
	backoff       time.Duration
	gone          func(callcenter.CallID, string)
	onUndelivered func(callcenter.Command, string)
	log           *slog.Logger

	ctx    context.Context // cancelled by Close: aborts requests and backoff waits
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	// queues holds the commands waiting for each call that has a worker; a call is in the map
	// exactly while its worker runs.
	queues    map[callcenter.CallID][]*outgoing
	goneCalls map[callcenter.CallID]struct{}
	goneOrder []callcenter.CallID // ring buffer over goneCalls, oldest at goneNext once full
	goneNext  int
}

// outgoing is one command ready to send. Its webhook-id stays the same on every attempt so the
// scenario can drop a duplicate delivery.
type outgoing struct {
	cmd  callcenter.Command
	id   string
	body []byte
}

// NewSender returns a Sender. It panics if cfg.Signer is nil: that is a wiring bug.
func NewSender(cfg SenderConfig) *Sender {
	if cfg.Signer == nil {
		panic("cloud: NewSender needs a Signer")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{
			Timeout: DefaultTimeout,
			// A command goes to the accessURL it was given and nowhere else; a redirected POST
			// may turn into a GET without a body. A 3xx is therefore a failed command.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = DefaultAttempts
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Sender{
		signer:        cfg.Signer,
		client:        cfg.Client,
		clock:         cfg.Clock,
		attempts:      cfg.Attempts,
		backoff:       cfg.Backoff,
		gone:          cfg.Gone,
		onUndelivered: cfg.Undelivered,
		log:           cfg.Logger,
		ctx:           ctx,
		cancel:        cancel,
		queues:        make(map[callcenter.CallID][]*outgoing),
		goneCalls:     make(map[callcenter.CallID]struct{}),
	}
}

// Send queues cmd for its call's session and returns at once; it never waits on the network.
// A command that cannot be encoded, one for a call whose session is gone, and any command after
// Close are dropped and logged.
func (s *Sender) Send(cmd callcenter.Command) {
	log := s.log.With("call_id", string(cmd.Call), "command", string(cmd.Type))
	if cmd.AccessURL == "" {
		log.Error("cloud command dropped: no access url")
		return
	}
	body, err := EncodeCommand(cmd)
	if err != nil {
		log.Error("cloud command dropped: cannot encode", "err", err)
		return
	}
	o := &outgoing{cmd: cmd, id: newCommandID(), body: body}

	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		log.Warn("cloud command dropped: sender closed")
		return
	case s.isGone(cmd.Call):
		log.Info("cloud command dropped: call session gone")
		return
	}
	q, running := s.queues[cmd.Call]
	if len(q) >= maxQueued {
		log.Error("cloud command dropped: too many queued for the call", "queued", len(q))
		return
	}
	s.queues[cmd.Call] = append(q, o)
	if !running {
		s.wg.Add(1)
		go s.work(cmd.Call)
	}
}

// Close stops accepting commands, aborts requests in flight and backoff waits, drops what is
// still queued and waits (at most 10 s) for the workers to end. It does not report calls as gone.
func (s *Sender) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()

	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	t := s.clock.NewTimer(closeTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.log.Error("cloud sender: workers still running after close timeout", "timeout", closeTimeout)
	}
}

// work delivers one call's commands in order until its queue is empty, the session is gone or
// the sender closes.
func (s *Sender) work(call callcenter.CallID) {
	defer s.wg.Done()
	log := s.log.With("call_id", string(call))
	for {
		s.mu.Lock()
		q := s.queues[call]
		if len(q) == 0 || s.closed {
			delete(s.queues, call)
			s.mu.Unlock()
			if len(q) > 0 {
				log.Warn("cloud commands dropped: sender closed", "dropped", len(q))
			}
			return
		}
		o := q[0]
		q[0] = nil
		s.queues[call] = q[1:]
		s.mu.Unlock()

		out, reason := s.deliver(log.With("command", string(o.cmd.Type), "webhook_id", o.id), o)
		if out == undelivered {
			log.Warn("cloud command not carried out", "offer_id", string(o.cmd.Offer), "reason", reason)
			if s.onUndelivered != nil {
				s.onUndelivered(o.cmd, reason)
			}
			continue
		}
		if out != sessionGone {
			continue
		}
		s.mu.Lock()
		dropped := len(s.queues[call])
		delete(s.queues, call)
		s.markGone(call)
		s.mu.Unlock()
		log.Warn("cloud call session gone", "reason", reason, "dropped", dropped)
		if s.gone != nil {
			s.gone(call, reason)
		}
		return
	}
}

// outcome is what became of one command.
type outcome int

const (
	delivered   outcome = iota // acknowledged, or dropped: nothing more to do
	undelivered                // a dial that did not reach the scenario, a hold, resume or party command it refused
	sessionGone                // the session cannot be reached: its later commands are dropped
)

// deliver tries one command until it is delivered, refused, or the session is gone, and says
// which, with why when it was not delivered. A closing sender reports delivered: nothing more
// is done about the command.
func (s *Sender) deliver(log *slog.Logger, o *outgoing) (outcome, string) {
	if u, err := url.Parse(o.cmd.AccessURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Retrying cannot help, and the session cannot be reached any other way.
		return sessionGone, fmt.Sprintf("%s command has an invalid access url", o.cmd.Type)
	}
	dial := o.cmd.Type == callcenter.CommandDial
	// A hold, resume, transfer or party command the scenario refuses is taken back, so the one
	// who asked for it sees it did not happen (the caller is still where the scenario left him).
	takenBack := false
	switch o.cmd.Type {
	case callcenter.CommandHold, callcenter.CommandResume,
		callcenter.CommandTransfer, callcenter.CommandCompleteTransfer, callcenter.CommandCancelTransfer,
		callcenter.CommandAddParty, callcenter.CommandPartyMode:
		takenBack = true
	}
	wait := min(s.backoff, maxBackoff)
	var last string
	for attempt := 1; attempt <= s.attempts; attempt++ {
		if attempt > 1 {
			select {
			case <-s.clock.After(wait):
			case <-s.ctx.Done():
				return delivered, ""
			}
			wait = min(2*wait, maxBackoff)
		}
		status, body, err := s.post(o)
		switch {
		case s.ctx.Err() != nil:
			log.Info("cloud command abandoned: sender closed", "attempt", attempt)
			return delivered, ""
		case err != nil:
			last = transportError(err)
		case status >= 200 && status < 300:
			if why, refused := notCarriedOut(body); refused && (dial || takenBack) {
				return undelivered, fmt.Sprintf("the scenario did not %s: %s", o.cmd.Type, why)
			}
			log.Debug("cloud command delivered", "attempt", attempt, "status", status)
			return delivered, ""
		case status == http.StatusNotFound || status == http.StatusGone:
			return sessionGone, fmt.Sprintf("%s command got HTTP %d", o.cmd.Type, status)
		case status == http.StatusTooManyRequests || status >= 500:
			last = fmt.Sprintf("HTTP %d", status)
		default:
			if dial || takenBack {
				return undelivered, fmt.Sprintf("%s command refused with HTTP %d", o.cmd.Type, status)
			}
			log.Error("cloud command refused; dropped", "attempt", attempt, "status", status, "response", body)
			return delivered, ""
		}
		log.Warn("cloud command failed", "attempt", attempt, "max_attempts", s.attempts, "err", last)
	}
	reason := fmt.Sprintf("%s command failed %d attempts, last: %s", o.cmd.Type, s.attempts, last)
	if dial {
		return undelivered, reason
	}
	return sessionGone, reason
}

// notCarriedOut reads the scenario's reply to a command, {"ok":true} or {"ok":false,
// "error":"…"} (VoxEngine answers every request 200: the body is the scenario's only way to
// say no). A reply that is not such an object counts as carried out.
func notCarriedOut(body string) (why string, refused bool) {
	var r struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal([]byte(body), &r) != nil || r.OK == nil || *r.OK {
		return "", false
	}
	if r.Error == "" {
		r.Error = "no reason given"
	}
	return r.Error, true
}

// post makes one attempt and returns the status with the start of the reply's body. Every
// attempt carries the command's one webhook-id but a fresh timestamp and signature: the id lets
// the scenario drop duplicates, and a fresh timestamp keeps a late retry inside the receiver's
// tolerance window.
func (s *Sender) post(o *outgoing) (status int, snippet string, err error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, o.cmd.AccessURL, bytes.NewReader(o.body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	s.signer.SignRequest(req, o.id, s.clock.Now(), o.body)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, logBodyLimit))
	snippet = string(b)
	// Drain a little so the connection can be reused; don't read an endless body.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, snippet, nil
}

// transportError describes a failed request without its URL: the accessURL is the session's
// address and stays out of logs and Gone reasons.
func transportError(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		if uerr.Timeout() {
			return "timeout: " + uerr.Err.Error()
		}
		return uerr.Err.Error()
	}
	return err.Error()
}

// isGone and markGone keep a bounded memory of gone calls. Callers hold s.mu.
func (s *Sender) isGone(call callcenter.CallID) bool {
	_, ok := s.goneCalls[call]
	return ok
}

func (s *Sender) markGone(call callcenter.CallID) {
	if _, ok := s.goneCalls[call]; ok {
		return
	}
	if len(s.goneOrder) < goneMemory {
		s.goneOrder = append(s.goneOrder, call)
	} else {
		delete(s.goneCalls, s.goneOrder[s.goneNext])
		s.goneOrder[s.goneNext] = call
		s.goneNext = (s.goneNext + 1) % goneMemory
	}
	s.goneCalls[call] = struct{}{}
}

// newCommandID returns a fresh webhook-id for a command: "cmd_" and 16 random bytes in hex.
func newCommandID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand.Read crashes the program instead)
	return "cmd_" + hex.EncodeToString(b[:])
}
