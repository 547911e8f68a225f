// Package simulate runs Tandem's real routing engine, and the store it is given, on virtual
// time with simulated callers and operators instead of the cloud: a discrete-event simulation
// that tests the engine against queueing theory (Erlang C and Erlang A, from package erlang)
// and answers "what if we had three more operators". Its steps go through the switchboard's
// own Core, so it stores what the server stores. It does no I/O of its own.
package simulate

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/erlang"
	"github.com/tandemcc/tandem/server/internal/routing"
	"github.com/tandemcc/tandem/server/internal/switchboard"
)

// HandleDist names the distribution of handle (talk) times.
type HandleDist string

const (
	Exponential HandleDist = "exponential"
	Lognormal   HandleDist = "lognormal" // same mean, shape set by Config.Sigma
)

// Config describes one simulation run.
type Config struct {
	Operators    int
	CallsPerHour float64
	AHT          time.Duration // mean talk time
	HandleDist   HandleDist    // "" is exponential
	Sigma        float64       // lognormal shape (σ of the log); 0 is 1
	Duration     time.Duration // arrivals stop after this much virtual time...
	Calls        int           // ...or after this many arrivals, when > 0
	Seed         uint64
	SLThreshold  time.Duration
	Patience     time.Duration // mean of exponential patience; 0: callers never hang up
	AnswerDelay  time.Duration // how long an operator's phone rings before he answers
	WrapUp       time.Duration // the queue's wrap-up time
	Strategy     cc.Strategy   // "" is longest idle
	// RingAtOnce: with the ring_all strategy, the most operators rung at once for a call (0:
	// the queue's default, 5). AnswerSpread makes each ring last AnswerDelay plus a uniform
	// draw up to AnswerSpread (0: exactly AnswerDelay), so the legs of a ring answer at
	// different times and the first to answer wins.
	RingAtOnce   int
	AnswerSpread time.Duration
	// WarmUp leaves out of the figures the calls that arrive in the first WarmUp of virtual
	// time (and the busy time before it), so a run that starts empty measures steady state.
	WarmUp time.Duration
	// Store receives every step's changes, a batch at a time, each batch written while the
	// engine runs on (storeBeside); nil runs the engine alone.
	Store switchboard.Applier
	// Batch is how many engine steps with something to store share one store transaction
	// (merged by the switchboard's Core, nothing dropped, the later value of a row winning);
	// 0 or 1 stores each step in a transaction of its own. tandem simulate's is DefaultBatch.
	Batch int
	// OfferTimeout is the queue's ring timeout; 0 is 30 s, or the answer delay plus 30 s when
	// that is longer (a simulated operator always answers), up to the longest a queue may ring.
	OfferTimeout time.Duration
	// Spares are spare numbers the queue overflows to after OverflowAfter (0: no overflow);
	// each takes SpareConcurrent calls at once (0: 1) and answers after the answer delay.
	Spares          int
	OverflowAfter   time.Duration
	SpareConcurrent int
	// ClientShare of the calls come from clients with a personal manager (20 clients per
	// operator, managers assigned in turn); a busy manager is waited for ManagerWait.
	ClientShare float64
	ManagerWait time.Duration
	// MaxWaiting caps the calls waiting (0: none) and LongestWait the wait (0: none): a call
	// over either takes the queue's exit, a message, and the call ends (CallsExited).
	MaxWaiting  int
	LongestWait time.Duration
	// CallbackAfter offers a caller who waited this long a call back (the queue's
	// callback.offer_after_s; 0: no offer). CallbackTakeUp is the share of callers offered who
	// accept: their call ends and a callback keeps their place; when its turn comes the
	// simulated cloud starts the callback scenario, the operator answers, then the customer
	// (he does not, for the share CallbackNoAnswer of attempts: the queue tries again after
	// CallbackRetryAfter, CallbackAttempts in all; 0: the queue's defaults) and talks as long as
	// he would have.
	CallbackAfter      time.Duration
	CallbackOverWait   time.Duration // the queue's callback.offer_over_wait_s (0: not)
	CallbackTakeUp     float64
	CallbackNoAnswer   float64
	CallbackAttempts   int
	CallbackRetryAfter time.Duration
	// Levels are the operators' levels in the queue, in turn (operator i has Levels[i mod
	// len]); none: all of level 3. Relax is the queue's skills relaxation (its steps' other
	// queues aside: the simulated center has one queue); Result.AnsweredByRelaxStep counts
	// the calls answered at each of its steps.
	Levels []int
	Relax  cc.Relaxation
}

// Epoch is the virtual time a run starts at: a Monday, midnight UTC.
var Epoch = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// DefaultBatch is tandem simulate's batch: nobody waits for a simulated step to be stored, so
// a transaction takes a few thousand steps (a thousand-odd calls, most of them begun and
// ended in it), where the switchboard's group commit takes at most the 256 requests waiting
// together. A call's and its offer's rows are then written about once instead of once or
// twice, an operator's status once per thousand calls, and COMMIT is paid once per thousand
// calls. Batches of 2 048 to 8 192 steps measured alike; far larger ones were no faster (the
// bench's 50 000 calls in one transaction: slower than in batches of 256).
const DefaultBatch = 4096

// ciBatches is how many consecutive groups of calls (by arrival) the batch-means confidence
// intervals are computed from; t975 is Student's t quantile for ciBatches−1 degrees of freedom.
const (
	ciBatches = 20
	t975      = 2.093
)

// Result is what a run measured, with queueing theory's predictions for the same load.
type Result struct {
	CallsOffered   int `json:"calls_offered"` // arrivals measured (after the warm-up)
	CallsAnswered  int `json:"calls_answered"`
	CallsAbandoned int `json:"calls_abandoned"`
	CallsExited    int `json:"calls_exited,omitempty"` // calls a cap (MaxWaiting, LongestWait) sent to the exit
	// Callbacks: callers who accepted a call back (their call ended; neither answered nor
	// abandoned: the callback serves them), of those the ones whose customer was reached and
	// the ones given up after the last attempt, and the attempts that did not reach him.
	CallbacksRequested     int `json:"callbacks_requested,omitempty"`
	CallbacksConnected     int `json:"callbacks_connected,omitempty"`
	CallbacksGivenUp       int `json:"callbacks_given_up,omitempty"`
	CallbackAttemptsFailed int `json:"callback_attempts_failed,omitempty"`
	CallsToSpares          int `json:"calls_to_spares"`         // of the answered, those a spare number took
	ClientCalls            int `json:"client_calls"`            // calls from clients with a personal manager
	ManagerReached         int `json:"manager_reached"`         // of those, answered by the manager
	WarmUpCalls            int `json:"warm_up_calls,omitempty"` // arrivals left out of the figures
	// ASA is the mean wait in seconds from intake to operator answer, over answered calls.
	ASA float64 `json:"asa_seconds"`
	// PWait is the share of answered calls that waited longer than the answer delay.
	PWait float64 `json:"p_wait"`
	// ServiceLevel is the share of answered calls answered within the SL threshold of intake.
	ServiceLevel float64 `json:"service_level"`
	// AbandonRate is calls abandoned / calls offered.
	AbandonRate float64 `json:"abandon_rate"`
	// Occupancy is the operators' busy time (talk + wrap-up) over operators × measured time.
	Occupancy float64 `json:"occupancy"`
	// AHT is the mean talk time in seconds of answered calls (wrap-up not included).
	AHT float64 `json:"aht_seconds"`
	// MaxWait is the longest wait in seconds of an answered call.
	MaxWait float64 `json:"max_wait_seconds"`
	// CI95 are the half-widths of 95% confidence intervals, by batch means over 20 groups of
	// consecutive calls: the simulation's own statistical error.
	CI95 Intervals `json:"ci95"`
	// AnsweredByRelaxStep counts the measured answered calls by the step of the queue's
	// skills relaxation their offer was made at: [0] at the start, [k] at its k-th step;
	// absent without a relaxation. Spare numbers' calls are not in it.
	AnsweredByRelaxStep []int `json:"answered_by_relax_step,omitempty"`
	// SimulatedSeconds is the measured window: from the warm-up to the last arrival or the end
	// of the hours given. Calls that arrived in it are followed to their end.
	SimulatedSeconds float64 `json:"simulated_seconds"`
	Steps            int     `json:"engine_steps"`       // engine calls whose changes were stored
	Transactions     int     `json:"store_transactions"` // Apply calls (0 without a store)
	Offers           int     `json:"offers"`             // dial commands carried out
	OffersCanceled   int     `json:"offers_canceled"`    // dials stopped: the caller left, or the lease ran out
	// LegsCancelled are the legs of ring_all offers another operator answered first (among
	// the offers canceled); OffersMissed the offers that failed or expired: operators' misses.
	LegsCancelled int `json:"legs_cancelled,omitempty"`
	OffersMissed  int `json:"offers_missed,omitempty"`

	ErlangC *ErlangCFigures `json:"erlang_c,omitempty"`
	ErlangA *ErlangAFigures `json:"erlang_a,omitempty"`
}

// Intervals are 95% confidence half-widths of the matching Result figures.
type Intervals struct {
	ASA          float64 `json:"asa_seconds"`
	PWait        float64 `json:"p_wait"`
	ServiceLevel float64 `json:"service_level"`
	AbandonRate  float64 `json:"abandon_rate"`
}

// ErlangCFigures are Erlang C's predictions in the simulator's terms. They are exact when the
// run is an M/M/c queue (exponential handle times, no patience, answer delay or wrap-up);
// otherwise the operator's whole cycle (ring + talk + wrap-up) is taken as one exponential
// service, the usual workforce-planning approximation, and Exact is false.
type ErlangCFigures struct {
	PWait        float64            `json:"p_wait"`
	ASA          float64            `json:"asa_seconds"`
	ServiceLevel float64            `json:"service_level"`
	Occupancy    float64            `json:"occupancy"`
	Exact        bool               `json:"exact"`
	Prediction   erlang.CPrediction `json:"model"`
}

// ErlangAFigures are Erlang A's predictions in the simulator's terms (approximate in the same
// ways as ErlangCFigures when Exact is false).
type ErlangAFigures struct {
	PWait       float64            `json:"p_wait"` // of answered calls
	ASA         float64            `json:"asa_seconds"`
	AbandonRate float64            `json:"abandon_rate"`
	Occupancy   float64            `json:"occupancy"` // the answered calls' talk + wrap-up
	Exact       bool               `json:"exact"`
	Prediction  erlang.APrediction `json:"model"`
}

// Run simulates cfg and returns what it measured. It fails on bad configuration, on a store
// error, and when the engine breaks one of the invariants checked along the way: an operator
// offered two calls, a call offered twice at once, a ready operator left idle while a call
// waits unoffered, a deadline that does not move, a call left behind at the end.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.normalise(); err != nil {
		return Result{}, err
	}
	s := newSim(ctx, cfg)
	err := s.run()
	if s.store != nil {
		// A failed run too waits for the batch being written: the caller may close the store.
		if werr := s.store.wait(); err == nil {
			err = werr
		}
	}
	if err != nil {
		return Result{}, err
	}
	return s.result(), nil
}

func (cfg *Config) normalise() error {
	switch {
	case cfg.Operators < 1:
		return errors.New("operators: need at least one")
	case !(cfg.CallsPerHour > 0) || math.IsInf(cfg.CallsPerHour, 0):
		return errors.New("calls-per-hour: must be positive")
	case cfg.AHT <= 0:
		return errors.New("aht: must be positive")
	case cfg.Calls < 0:
		return errors.New("calls: must not be negative")
	case cfg.Calls == 0 && cfg.Duration <= 0:
		return errors.New("hours: must be positive (or give a number of calls)")
	case cfg.Patience < 0, cfg.AnswerDelay < 0, cfg.AnswerSpread < 0, cfg.WrapUp < 0, cfg.SLThreshold < 0, cfg.WarmUp < 0:
		return errors.New("patience, answer-delay, answer-spread, wrap-up, sl-threshold and warm-up must not be negative")
	case cfg.RingAtOnce != 0 && (cfg.RingAtOnce < cc.MinRingAtOnce || cfg.RingAtOnce > cc.MaxRingAtOnce):
		return fmt.Errorf("ring-at-once: must be %d to %d (0: the default, %d)", cc.MinRingAtOnce, cc.MaxRingAtOnce, cc.DefaultRingAtOnce)
	case cfg.Sigma < 0:
		return errors.New("sigma: must not be negative")
	case cfg.CallbackAfter < 0, cfg.CallbackOverWait < 0, cfg.CallbackRetryAfter < 0, cfg.CallbackAttempts < 0:
		return errors.New("callback-after, callback-retry-after and callback-attempts must not be negative")
	case !(cfg.CallbackTakeUp >= 0 && cfg.CallbackTakeUp <= 1), !(cfg.CallbackNoAnswer >= 0 && cfg.CallbackNoAnswer <= 1):
		return errors.New("callback-take-up and callback-no-answer: must be shares from 0 to 1")
	case cfg.CallbackTakeUp > 0 && !cfg.offersCallbacks():
		return errors.New("callback-take-up: needs callback-after (when the offer is made)")
	case cfg.Calls == 0 && cfg.WarmUp >= cfg.Duration:
		return errors.New("warm-up: must be shorter than the hours simulated")
	}
	for _, l := range cfg.Levels {
		if l < 1 || l > 5 {
			return fmt.Errorf("levels: %d is not 1 to 5", l)
		}
	}
	if len(cfg.Relax.RelaxQueues()) > 0 {
		return errors.New("relax: the simulated center has one queue: a step cannot bring in another queue's operators")
	}
	if cfg.HandleDist == "" {
		cfg.HandleDist = Exponential
	}
	if cfg.HandleDist != Exponential && cfg.HandleDist != Lognormal {
		return fmt.Errorf("handle-dist: %q is not %s or %s", cfg.HandleDist, Exponential, Lognormal)
	}
	if cfg.Sigma == 0 {
		cfg.Sigma = 1
	}
	if cfg.Strategy == "" {
		cfg.Strategy = cc.StrategyLongestIdle
	}
	if !slices.Contains(cc.Strategies, cfg.Strategy) {
		return fmt.Errorf("strategy: %q is not one of %v", cfg.Strategy, cc.Strategies)
	}
	if cfg.Batch < 1 {
		cfg.Batch = 1
	}
	if cfg.OfferTimeout <= 0 {
		cfg.OfferTimeout = min(max(30*time.Second, cfg.AnswerDelay+cfg.AnswerSpread+30*time.Second), cc.MaxOfferTimeout)
	}
	if cfg.OfferTimeout <= cfg.AnswerDelay+cfg.AnswerSpread {
		return errors.New("offer timeout: must be longer than the answer delay")
	}
	return nil
}

// offersCallbacks reports whether the simulated queue offers its callers a call back.
func (cfg *Config) offersCallbacks() bool { return cfg.CallbackAfter > 0 || cfg.CallbackOverWait > 0 }

// eventKind is what happens at an event's time.
type eventKind uint8

const (
	arrival  eventKind = iota + 1
	answer             // the operator of an offer picks up
	hangup             // the caller of an answered call hangs up
	abandon            // the caller's patience runs out
	accept             // the caller accepts the callback he was offered
	attach             // the callback scenario the cloud started reports in
	customer           // the customer of a callback answers, or his phone stops ringing
)

type event struct {
	at    time.Time
	seq   uint64 // ties go in scheduling order, so a seed gives one run
	kind  eventKind
	call  *caller
	offer *offerOut
}

type events []event

func (h events) Len() int { return len(h) }
func (h events) Less(i, j int) bool {
	if c := h[i].at.Compare(h[j].at); c != 0 {
		return c < 0
	}
	return h[i].seq < h[j].seq
}
func (h events) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *events) Push(x any)   { *h = append(*h, x.(event)) }
func (h *events) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// caller is a simulated caller and what the engine last said about his call.
type caller struct {
	n        int // arrival number, from 0
	id       cc.CallID
	arrived  time.Time
	handle   time.Duration
	patience time.Duration // 0: never gives up
	state    cc.CallState  // as last stored
	offer    cc.OfferID    // as last stored
	out      *offerOut     // the offer his call was last dialed under
	live     int           // his offers out (several: the legs of a ring)
	dialStep int           // the step that dialed the latest of them
	manager  cc.OperatorID // his personal manager, when he is a client
	answered bool
	finished bool
	lined    bool // counted in sim.inLine: waiting, no offer, due (a callback's retry time passed)
	// virtual: a callback attempt for the caller n, who talks handle once reached; noAnswer:
	// this attempt's customer does not pick up.
	virtual, noAnswer bool
}

// offerOut is a dial command the simulated operator is acting on.
type offerOut struct {
	id       cc.OfferID
	call     *caller
	op       *agent     // nil for a spare number
	spare    cc.SpareID // for a spare number
	dialed   time.Time
	canceled bool
	// relaxStep is the step of the queue's relaxation the offer was made at.
	relaxStep int
}

// agent is a simulated operator: his phone, and his state as last stored.
type agent struct {
	id        cc.OperatorID
	state     cc.OperatorState
	ringing   *offerOut // the offer his phone rings for
	busySince time.Time // start of talk + wrap-up, when in it
}

// outcome is what became of one call, kept by arrival number for the figures.
type outcome struct {
	arrived                     time.Duration // since the epoch
	answered, abandoned, exited bool
	// calledBack: he accepted a callback; then whether it reached him, or was given up, and
	// the attempts that did not reach him.
	calledBack, callbackConnected, callbackGivenUp bool
	attemptsFailed                                 int
	wait                                           time.Duration // to answer
	talk                                           time.Duration
	relaxStep                                      int // of the answered offer (an operator's)
}

type sim struct {
	ctx  context.Context
	cfg  Config
	core *switchboard.Core // the engine's steps, stored as the switchboard stores them
	// store writes the core's batches beside the engine (nil without a store).
	store *storeBeside
	eng   *routing.Engine // the core's, for reads
	now   time.Time

	events events
	seq    uint64
	ids    int

	arrivals, handles, patience *rand.Rand // separate streams: common random numbers across configs
	rings                       *rand.Rand // how long each phone rings, with an answer spread
	clients                     *rand.Rand // who calls, when some callers are clients
	takeUp, customers           *rand.Rand // who accepts a callback; whose phone is answered
	arrived                     int
	arrivalsEnd                 time.Time // end of the measured window; zero until known
	measureFrom                 time.Time

	calls       map[cc.CallID]*caller
	calledBack  map[cc.CallID]*caller // the callers whose callbacks are under way, by their call
	offers      map[cc.OfferID]*offerOut
	agents      map[cc.OperatorID]*agent
	byID        []*agent
	ready       int // operators ready, as stored
	toSpares    int // calls answered at spare numbers
	clientCalls int // calls from clients with a personal manager
	toManager   int // of those, answered by the manager
	inLine      int // calls waiting without an offer, as stored
	busy        time.Duration
	outcome     []outcome
	relaxStep   map[cc.OfferID]int // the relaxation steps of the offers decided in the step at hand

	// script are the arrivals of a replay, all scheduled at the start; nil: Poisson arrivals.
	script []scripted

	steps    int
	requests int
	dials    int
	cancels  int
	beaten   int // ring legs cancelled: another operator answered first
	missed   int // offers failed or expired
}

func newSim(ctx context.Context, cfg Config) *sim {
	s := &sim{
		ctx:         ctx,
		cfg:         cfg,
		now:         Epoch,
		measureFrom: Epoch.Add(cfg.WarmUp),
		arrivals:    rand.New(rand.NewPCG(cfg.Seed, 1)),
		handles:     rand.New(rand.NewPCG(cfg.Seed, 2)),
		patience:    rand.New(rand.NewPCG(cfg.Seed, 3)),
		clients:     rand.New(rand.NewPCG(cfg.Seed, 5)),
		takeUp:      rand.New(rand.NewPCG(cfg.Seed, 6)),
		customers:   rand.New(rand.NewPCG(cfg.Seed, 7)),
		rings:       rand.New(rand.NewPCG(cfg.Seed, 8)),
		calls:       map[cc.CallID]*caller{},
		calledBack:  map[cc.CallID]*caller{},
		offers:      map[cc.OfferID]*offerOut{},
		relaxStep:   map[cc.OfferID]int{},
		agents:      map[cc.OperatorID]*agent{},
	}
	s.eng = routing.New(routing.Config{
		NewID: s.newID,
		Rand:  rand.New(rand.NewPCG(cfg.Seed, 4)), // the random strategy's draws
		// Simulated sessions never stop reporting: the sweeper must not take a long wait or
		// a long call for a dead session.
		StaleWaiting:   forever,
		StaleConnected: forever,
		// The simulator plays the dialer (the cloud's StartScenarios) when callbacks are offered.
		Callbacks: cfg.offersCallbacks(),
	})
	if cfg.Store != nil {
		s.store = &storeBeside{store: cfg.Store}
		s.core = switchboard.NewCore(s.eng, s.store)
	} else {
		s.core = switchboard.NewCore(s.eng, nil)
	}
	return s
}

// newID makes deterministic ids that sort in creation order, as the server's do.
func (s *sim) newID(prefix string) string {
	s.ids++
	return fmt.Sprintf("%s_%010d", prefix, s.ids)
}

const (
	dialedNumber = "+10000000000"
	forever      = 100 * 365 * 24 * time.Hour
)

func (s *sim) run() error {
	if err := s.setUp(); err != nil {
		return err
	}
	if s.script != nil {
		for _, a := range s.script {
			s.schedule(Epoch.Add(a.at), arrival, nil, nil)
		}
	} else {
		s.schedule(s.now.Add(s.interArrival()), arrival, nil, nil)
	}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := s.ctx.Err(); err != nil {
				return err
			}
		}
		due, hasDue := s.eng.NextDeadline()
		if len(s.events) == 0 && !hasDue {
			break
		}
		if hasDue && (len(s.events) == 0 || !due.After(s.events[0].at)) {
			if due.Before(s.now) {
				return fmt.Errorf("engine deadline %s is in the past (now %s)", due, s.now)
			}
			s.now = due
			if err := s.step(func(e *routing.Engine) (cc.Changes, error) { return e.Tick(due), nil }); err != nil {
				return err
			}
			if next, ok := s.eng.NextDeadline(); ok && !next.After(due) {
				return fmt.Errorf("engine deadline %s did not move after Tick", due)
			}
			continue
		}
		ev := heap.Pop(&s.events).(event)
		s.now = ev.at
		var err error
		switch ev.kind {
		case arrival:
			err = s.arrive()
		case answer:
			err = s.answer(ev.offer)
		case hangup:
			err = s.hangUp(ev.call)
		case abandon:
			err = s.abandon(ev.call)
		case accept:
			err = s.accept(ev.call)
		case attach:
			err = s.attach(ev.call, ev.offer.id)
		case customer:
			err = s.customer(ev.call)
		}
		if err != nil {
			return err
		}
	}
	if err := s.commit(); err != nil {
		return err
	}
	if s.store != nil {
		if err := s.store.wait(); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	return s.checkEnd()
}

// setUp creates the queue and the operators, all present and ready at the epoch.
func (s *sim) setUp() error {
	var overflow cc.Overflow
	for i := range s.cfg.Spares {
		sp := cc.Spare{ID: cc.SpareID(fmt.Sprintf("spare_%03d", i+1)), Name: fmt.Sprintf("Spare %d", i+1),
			Contact: cc.Contact{Kind: cc.ContactPSTN, Target: fmt.Sprintf("%s%04d", spareNumbers, i+1)}, MaxConcurrent: max(s.cfg.SpareConcurrent, 1)}
		if err := s.step(func(e *routing.Engine) (cc.Changes, error) { return e.PutSpare(s.now, sp) }); err != nil {
			return err
		}
		overflow.Spares = append(overflow.Spares, sp.ID)
	}
	if s.cfg.Spares > 0 {
		overflow.After, overflow.Order = s.cfg.OverflowAfter, cc.SpareInTurn
	}
	rules := cc.QueueRules{Overflow: overflow, ManagerWait: s.cfg.ManagerWait}
	capped := cc.Exit{Kind: cc.ExitMessage, Text: "We cannot take your call now. Please call again later."}
	if s.cfg.MaxWaiting > 0 {
		rules.MaxWaiting = cc.CallsCap{Calls: s.cfg.MaxWaiting, Exit: capped}
	}
	if s.cfg.LongestWait > 0 {
		rules.LongestWait = cc.WaitCap{After: s.cfg.LongestWait, Exit: capped}
	}
	if s.cfg.offersCallbacks() {
		rules.Callback = cc.CallbackRules{OfferAfter: s.cfg.CallbackAfter, OfferOverWait: s.cfg.CallbackOverWait, Attempts: s.cfg.CallbackAttempts, RetryAfter: s.cfg.CallbackRetryAfter}
	}
	rules.Relax = s.cfg.Relax
	queue := cc.Queue{
		Rules:         rules,
		ID:            "sim",
		Name:          "Simulated queue",
		DialedNumbers: []string{dialedNumber},
		Strategy:      s.cfg.Strategy,
		RingAtOnce:    s.cfg.RingAtOnce,
		OfferTimeout:  s.cfg.OfferTimeout,
		WrapUp:        s.cfg.WrapUp,
		IsDefault:     true,
	}
	if err := s.step(func(e *routing.Engine) (cc.Changes, error) { return e.CreateQueue(s.now, queue) }); err != nil {
		return err
	}
	for i := range s.cfg.Operators {
		id := cc.OperatorID(fmt.Sprintf("op_%05d", i+1))
		a := &agent{id: id, state: cc.OperatorOffline}
		s.agents[id] = a
		s.byID = append(s.byID, a)
		op := cc.Operator{
			ID:          id,
			Name:        fmt.Sprintf("op%05d", i+1),
			DisplayName: fmt.Sprintf("Operator %d", i+1),
			Contact:     cc.Contact{Kind: cc.ContactUser, Target: string(id)},
			Queues:      []cc.QueueSkill{{Queue: "sim", Level: s.cfg.level(i)}},
			CreatedAt:   s.now,
		}
		if err := s.step(func(e *routing.Engine) (cc.Changes, error) { return e.CreateOperator(s.now, op) }); err != nil {
			return err
		}
	}
	if s.cfg.ClientShare > 0 {
		for i := range clientsPerOperator * s.cfg.Operators {
			err := s.step(func(e *routing.Engine) (cc.Changes, error) {
				_, ch, err := e.SetClient(s.now, clientNumber(i), s.byID[i%len(s.byID)].id, cc.AssignedByImport)
				return ch, err
			})
			if err != nil {
				return err
			}
		}
	}
	for _, a := range s.byID {
		if err := s.step(func(e *routing.Engine) (cc.Changes, error) { return e.Connect(s.now, a.id) }); err != nil {
			return err
		}
		if err := s.step(func(e *routing.Engine) (cc.Changes, error) { return e.GoReady(s.now, a.id) }); err != nil {
			return err
		}
	}
	return nil
}

// spareNumbers starts the phone numbers of simulated spare numbers.
const spareNumbers = "+1999000"

// clientsPerOperator is how many clients each operator manages when some callers are clients.
const clientsPerOperator = 20

func clientNumber(i int) string { return fmt.Sprintf("+1777%07d", i) }

func (s *sim) schedule(at time.Time, kind eventKind, c *caller, of *offerOut) {
	s.seq++
	heap.Push(&s.events, event{at: at, seq: s.seq, kind: kind, call: c, offer: of})
}

func (s *sim) interArrival() time.Duration {
	return seconds(s.arrivals.ExpFloat64() * 3600 / s.cfg.CallsPerHour)
}

func (s *sim) handleTime() time.Duration {
	mean := s.cfg.AHT.Seconds()
	if s.cfg.HandleDist == Lognormal {
		sigma := s.cfg.Sigma
		return seconds(math.Exp(math.Log(mean) - sigma*sigma/2 + sigma*s.handles.NormFloat64()))
	}
	return seconds(s.handles.ExpFloat64() * mean)
}

func seconds(f float64) time.Duration { return max(time.Duration(f*float64(time.Second)), 1) }

// arrive takes a call into the engine and schedules the next arrival, if the run wants more.
func (s *sim) arrive() error {
	var c *caller
	if s.script != nil {
		a := s.script[s.arrived]
		c = &caller{n: s.arrived, arrived: s.now, handle: a.talk, patience: a.patience}
	} else {
		c = &caller{n: s.arrived, arrived: s.now, handle: s.handleTime()}
		if s.cfg.Patience > 0 {
			c.patience = seconds(s.patience.ExpFloat64() * s.cfg.Patience.Seconds())
		}
	}
	s.arrived++
	s.outcome = append(s.outcome, outcome{arrived: s.now.Sub(Epoch)})
	number := fmt.Sprintf("+1555%07d", c.n%10_000_000)
	if s.cfg.ClientShare > 0 && s.clients.Float64() < s.cfg.ClientShare {
		i := s.clients.IntN(clientsPerOperator * s.cfg.Operators)
		number, c.manager = clientNumber(i), s.byID[i%len(s.byID)].id
		s.clientCalls++
	}
	in := cc.Intake{
		SessionID:    fmt.Sprintf("session_%d", c.n),
		AccessURL:    fmt.Sprintf("sim://call/%d", c.n),
		CallerNumber: number,
		DialedNumber: dialedNumber,
		ArrivedAt:    s.now,
	}
	err := s.step(func(e *routing.Engine) (cc.Changes, error) {
		call, ch, err := e.Intake(s.now, in)
		if err != nil {
			return ch, fmt.Errorf("intake of call %d: %w", c.n, err)
		}
		c.id = call.ID
		s.calls[c.id] = c
		s.request(&ch, c)
		return ch, nil
	})
	if err != nil {
		return err
	}
	if c.patience > 0 && !c.answered {
		s.schedule(s.now.Add(c.patience), abandon, c, nil)
	}
	if s.script != nil {
		return nil // every arrival was scheduled at the start
	}
	next := s.now.Add(s.interArrival())
	switch {
	case s.cfg.Calls > 0 && s.arrived >= s.cfg.Calls:
		s.arrivalsEnd = s.now
	case s.cfg.Calls == 0 && next.Sub(Epoch) >= s.cfg.Duration:
		s.arrivalsEnd = Epoch.Add(s.cfg.Duration)
	default:
		s.schedule(next, arrival, nil, nil)
	}
	return nil
}

// answer is the operator picking up: the engine must take it, since the offer is still out.
func (s *sim) answer(of *offerOut) error {
	if of.canceled {
		return nil // the cloud stopped dialing him
	}
	c := of.call
	if err := s.report(c, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: of.id, RingTime: s.now.Sub(of.dialed)}); err != nil {
		return err
	}
	if !c.answered {
		return fmt.Errorf("call %s: the engine did not connect live offer %s when it was answered", c.id, of.id)
	}
	return nil
}

// connected records an answered call and schedules its caller's hang-up; a callback's
// operator answered, and the scenario calls the customer.
func (s *sim) connected(c *caller) {
	c.answered = true
	if c.virtual {
		s.offerDone(c.out)
		c.noAnswer = s.customers.Float64() < s.cfg.CallbackNoAnswer
		ring := customerPicksUp
		if c.noAnswer {
			ring = cc.CustomerRingTimeout
		}
		s.schedule(s.now.Add(ring), customer, c, nil)
		return
	}
	if c.out != nil {
		s.offerDone(c.out)
		if c.out.spare != "" {
			s.toSpares++
		}
		if c.manager != "" && c.out.op != nil && c.out.op.id == c.manager {
			s.toManager++
		}
	}
	o := &s.outcome[c.n]
	o.answered, o.wait, o.talk = true, s.now.Sub(c.arrived), c.handle
	if c.out != nil {
		o.relaxStep = c.out.relaxStep
	}
	s.schedule(s.now.Add(c.handle), hangup, c, nil)
}

func (s *sim) hangUp(c *caller) error {
	if err := s.report(c, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: c.handle}); err != nil {
		return err
	}
	if !c.finished {
		return fmt.Errorf("call %s: still in progress after the caller hung up", c.id)
	}
	return nil
}

func (s *sim) abandon(c *caller) error {
	if c.answered || c.finished {
		return nil
	}
	if err := s.report(c, cc.CloudEvent{Kind: cc.CloudCallerAbandoned}); err != nil {
		return err
	}
	if !c.finished {
		return fmt.Errorf("call %s: still waiting after the caller abandoned", c.id)
	}
	s.outcome[c.n].abandoned = true
	return nil
}

// customerPicksUp is how long a callback's customer's phone rings before he answers.
const customerPicksUp = 10 * time.Second

// accept is the caller pressing the key for a callback: his call ends and a callback takes
// its place (unless he was put through meanwhile).
func (s *sim) accept(c *caller) error {
	if c.answered || c.finished {
		return nil
	}
	return s.report(c, cc.CloudEvent{Kind: cc.CloudCallbackAnswer, Accepted: true})
}

// attach is the callback scenario the cloud started for offer reporting in with its session;
// the engine dials the operator from it.
func (s *sim) attach(c *caller, offer cc.OfferID) error {
	if c.finished {
		return nil
	}
	return s.step(func(e *routing.Engine) (cc.Changes, error) {
		_, ch, err := e.AttachCallback(s.now, c.id, offer, "session_"+string(c.id), "sim://callback/"+string(c.id))
		if err != nil {
			return ch, fmt.Errorf("callback %s: the scenario started for offer %s was refused: %w", c.id, offer, err)
		}
		s.request(&ch, c)
		return ch, nil
	})
}

// customer is the callback's customer answering (he then talks as long as he would have on
// his first call) or, for an attempt he does not answer, his phone ringing out.
func (s *sim) customer(c *caller) error {
	if c.finished {
		return nil
	}
	if c.noAnswer {
		if err := s.report(c, cc.CloudEvent{Kind: cc.CloudCustomerFailed, Code: 480, Reason: "Temporarily Unavailable"}); err != nil {
			return err
		}
		if !c.finished {
			return fmt.Errorf("callback %s: still in progress after its customer did not answer", c.id)
		}
		return nil
	}
	if err := s.report(c, cc.CloudEvent{Kind: cc.CloudCustomerAnswered}); err != nil {
		return err
	}
	s.schedule(s.now.Add(c.handle), hangup, c, nil)
	return nil
}

// report is a cloud event about c's call, answered as the switchboard answers one.
func (s *sim) report(c *caller, ev cc.CloudEvent) error {
	return s.step(func(e *routing.Engine) (cc.Changes, error) {
		ch, err := e.Report(s.now, c.id, ev)
		s.request(&ch, c)
		return ch, err
	})
}

// request records the cloud request a step answered, as the switchboard does for every intake
// and event, so the store writes what it writes for a real call.
func (s *sim) request(ch *cc.Changes, c *caller) {
	s.requests++
	ch.Requests = append(ch.Requests, cc.CloudRequest{
		ID:    fmt.Sprintf("req_%010d", s.requests),
		Call:  c.id,
		At:    s.now,
		Reply: cc.Reply{Call: c.id, Queue: "sim"},
	})
}

// step runs fn as one engine step through the switchboard's core, which stores it (in a
// batch of cfg.Batch steps), then carries out its commands. Along the way it follows the
// stored states and checks the invariants.
func (s *sim) step(fn func(e *routing.Engine) (cc.Changes, error)) error {
	ch, err := s.core.Step(s.now, fn)
	if err != nil {
		return fmt.Errorf("engine at %s: %w", s.now.Sub(Epoch), err)
	}
	s.steps++
	if len(ch.Repairs) > 0 {
		r := ch.Repairs[0]
		return fmt.Errorf("at %s the sweeper mended %s (call %q, operator %q): the engine left a stuck state", s.now.Sub(Epoch), r.Kind, r.Call, r.Operator)
	}
	if s.core.Pending() >= s.cfg.Batch {
		if err := s.commit(); err != nil {
			return err
		}
	}
	for _, st := range ch.Statuses {
		if err := s.status(st); err != nil {
			return err
		}
	}
	for _, of := range ch.Offers {
		switch of.State {
		case cc.OfferCancelled:
			s.beaten++
		case cc.OfferFailed, cc.OfferExpired:
			s.missed++
		}
	}
	for _, call := range ch.Calls {
		if err := s.call(call); err != nil {
			return err
		}
	}
	for _, d := range ch.Decisions {
		if d.Relax != nil {
			s.relaxStep[d.Offer] = d.Relax.Step // read as the offer is dialed, in this step
		}
	}
	for _, cmd := range ch.Commands {
		if err := s.command(cmd); err != nil {
			return err
		}
	}
	clear(s.relaxStep)
	// A client's call may wait for his manager; under a relaxation, for a step that lets in
	// the free operators.
	if s.inLine > 0 && s.ready > 0 && s.cfg.ClientShare == 0 && !s.cfg.Relax.Active() {
		return fmt.Errorf("at %s %d operators are ready while %d calls wait without an offer", s.now.Sub(Epoch), s.ready, s.inLine)
	}
	return nil
}

// commit hands the steps not stored yet to the store, to be written in one transaction beside
// the engine (storeBeside); a store error of the batch before is reported here.
func (s *sim) commit() error {
	if _, err := s.core.Commit(s.ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// status follows an operator's stored state: the ready count and his busy time.
func (s *sim) status(st cc.OperatorStatus) error {
	a := s.agents[st.Operator]
	if a == nil {
		return fmt.Errorf("status of unknown operator %s", st.Operator)
	}
	if st.State == cc.OperatorReserved && st.Offer == "" {
		return fmt.Errorf("operator %s reserved with no offer", a.id)
	}
	if (st.State == cc.OperatorOnCall || st.State == cc.OperatorWrapUp) && st.Call == "" {
		return fmt.Errorf("operator %s %s with no call", a.id, st.State)
	}
	wasBusy, isBusy := workState(a.state), workState(st.State)
	switch {
	case !wasBusy && isBusy:
		a.busySince = s.now
	case wasBusy && !isBusy:
		s.addBusy(a.busySince, s.now)
	}
	if a.state == cc.OperatorReady {
		s.ready--
	}
	if st.State == cc.OperatorReady {
		s.ready++
	}
	if a.ringing != nil && st.State != cc.OperatorReserved {
		a.ringing = nil // answered, or taken back (the cancel command says so too)
	}
	a.state = st.State
	return nil
}

func workState(st cc.OperatorState) bool { return st == cc.OperatorOnCall || st == cc.OperatorWrapUp }

// addBusy counts busy time inside the measured window.
func (s *sim) addBusy(from, to time.Time) {
	if from.Before(s.measureFrom) {
		from = s.measureFrom
	}
	if !s.arrivalsEnd.IsZero() && to.After(s.arrivalsEnd) {
		to = s.arrivalsEnd
	}
	if to.After(from) {
		s.busy += to.Sub(from)
	}
}

// call follows a call's stored state: the line's length, answers and ends.
func (s *sim) call(call cc.Call) error {
	c := s.calls[call.ID]
	if c == nil && call.Callback.Virtual() && !call.State.Finished() {
		// A callback attempt the engine filed, for a caller who accepted one.
		of := s.calledBack[call.Callback.Of]
		if of == nil {
			return fmt.Errorf("callback %s for call %s, whose caller asked for none", call.ID, call.Callback.Of)
		}
		c = &caller{n: of.n, id: call.ID, arrived: call.ArrivedAt, handle: of.handle, state: cc.CallWaiting, virtual: true}
		s.calls[c.id] = c
	}
	if c == nil {
		return fmt.Errorf("changes name unknown call %s", call.ID)
	}
	if c.finished {
		return fmt.Errorf("call %s changed after it finished", c.id)
	}
	// A callback before its retry time is in no line: nobody may take it yet.
	lined := call.State == cc.CallWaiting && call.Offer == "" && !call.Callback.NotBefore.After(s.now)
	switch {
	case lined && !c.lined:
		s.inLine++
	case !lined && c.lined:
		s.inLine--
	}
	c.lined = lined
	if call.State == cc.CallConnected && c.state != cc.CallConnected {
		if of := s.offers[call.Offer]; of != nil && of.call == c {
			c.out = of // the leg that won its ring
		}
		s.connected(c)
	}
	c.state, c.offer = call.State, call.Offer
	if call.State.Finished() {
		if call.State != cc.CallEnded && call.State != cc.CallAbandoned {
			return fmt.Errorf("call %s is %s", c.id, call.State)
		}
		c.finished = true
		delete(s.calls, c.id)
		o := &s.outcome[c.n]
		switch {
		case c.virtual:
			if call.Callback.Result == cc.CallbackConnected {
				o.callbackConnected = true
			} else {
				o.attemptsFailed++
			}
			if call.Callback.GaveUp {
				o.callbackGivenUp = true
			}
			if o.callbackConnected || o.callbackGivenUp {
				delete(s.calledBack, call.Callback.Of)
			}
		case call.Exit.Kind == cc.ExitCallback && call.Exit.Answered:
			o.calledBack = true
			s.calledBack[c.id] = c
		case call.Exit.Ended():
			o.exited = true
		}
	}
	return nil
}

// command carries out what the engine told the cloud: dial an operator, or stop dialing him.
func (s *sim) command(cmd cc.Command) error {
	switch cmd.Type {
	case cc.CommandDial:
		s.dials++
		c := s.calls[cmd.Call]
		if strings.HasPrefix(cmd.Contact.Target, spareNumbers) {
			if c == nil || c.offer != cmd.Offer || s.offers[cmd.Offer] != nil {
				return fmt.Errorf("spare dial for call %s under offer %s does not match the call", cmd.Call, cmd.Offer)
			}
			of := &offerOut{id: cmd.Offer, call: c, spare: cc.SpareID(cmd.Contact.Target), dialed: s.now}
			s.offers[of.id] = of
			c.out = of
			c.live++
			s.schedule(s.now.Add(s.answerDelay()), answer, c, of)
			return nil
		}
		a := s.agents[cc.OperatorID(cmd.Contact.Target)]
		switch {
		case c == nil:
			return fmt.Errorf("dial for a call not in progress: %s", cmd.Call)
		case a == nil:
			return fmt.Errorf("dial to unknown contact %q", cmd.Contact.Target)
		case c.answered:
			return fmt.Errorf("call %s dialed to %s after it was answered", c.id, a.id)
		case a.ringing != nil:
			return fmt.Errorf("operator %s offered call %s while his phone rings for %s", a.id, c.id, a.ringing.call.id)
		case a.state != cc.OperatorReserved:
			return fmt.Errorf("operator %s dialed while %s", a.id, a.state)
		case c.offer != cmd.Offer && !cmd.RingAll: // a ring's other legs are not the call's offer
			return fmt.Errorf("call %s dialed under offer %s but its offer is %q", c.id, cmd.Offer, c.offer)
		case cmd.RingAll && (s.cfg.Strategy != cc.StrategyRingAll || c.state != cc.CallWaiting):
			return fmt.Errorf("ring_all dial for call %s (%s) of a %s queue", c.id, c.state, s.cfg.Strategy)
		case s.offers[cmd.Offer] != nil:
			return fmt.Errorf("offer %s dialed twice", cmd.Offer)
		}
		if c.live > 0 && !(cmd.RingAll && c.dialStep == s.steps) {
			return fmt.Errorf("call %s offered to %s while %d offers of it are out", c.id, a.id, c.live)
		}
		of := &offerOut{id: cmd.Offer, call: c, op: a, dialed: s.now, relaxStep: s.relaxStep[cmd.Offer]}
		s.offers[of.id] = of
		c.out, a.ringing = of, of
		c.live++
		c.dialStep = s.steps
		s.schedule(s.now.Add(s.answerDelay()), answer, c, of)
	case cc.CommandCancel:
		of := s.offers[cmd.Offer]
		if of == nil {
			return fmt.Errorf("cancel of offer %s that was never dialed", cmd.Offer)
		}
		s.cancels++
		of.canceled = true
		s.offerDone(of)
		if of.op != nil && of.op.ringing == of {
			of.op.ringing = nil
		}
	case cc.CommandOfferCallback:
		// The caller hears the offer; a share of them accept at once.
		c := s.calls[cmd.Call]
		if c == nil || c.virtual || c.answered {
			return fmt.Errorf("callback offered to call %s, which is not waiting", cmd.Call)
		}
		takes := s.takeUp.Float64() < s.cfg.CallbackTakeUp
		if s.script != nil {
			takes = s.script[c.n].callback // a replay's caller accepts if he did that day
		}
		if takes {
			s.schedule(s.now, accept, c, nil)
		}
	case cc.CommandStartCallback:
		// The cloud starts the callback scenario (StartScenarios), which reports in.
		c := s.calls[cmd.Call]
		switch {
		case c == nil || !c.virtual:
			return fmt.Errorf("start_callback for call %s, which is no callback in progress", cmd.Call)
		case c.offer != cmd.Offer:
			return fmt.Errorf("callback %s started under offer %s but its offer is %q", c.id, cmd.Offer, c.offer)
		case s.agents[cc.OperatorID(cmd.Contact.Target)] == nil:
			return fmt.Errorf("callback %s started for unknown contact %q", c.id, cmd.Contact.Target)
		}
		s.schedule(s.now, attach, c, &offerOut{id: cmd.Offer, call: c})
	case cc.CommandHangup, cc.CommandForward:
		// A cap's exit: the caller hears its message and the call ends (the engine ended it);
		// or a caller who accepted a callback hears the confirmation.
		if s.calls[cmd.Call] != nil {
			return fmt.Errorf("%s command for call %s, which the engine did not end", cmd.Type, cmd.Call)
		}
	default:
		return fmt.Errorf("unexpected %s command for call %s", cmd.Type, cmd.Call)
	}
	return nil
}

// answerDelay is how long the next phone dialed rings before it is answered.
func (s *sim) answerDelay() time.Duration {
	if s.cfg.AnswerSpread <= 0 {
		return s.cfg.AnswerDelay
	}
	return s.cfg.AnswerDelay + time.Duration(s.rings.Int64N(int64(s.cfg.AnswerSpread)))
}

// offerDone forgets an offer that is over: answered, or its dial stopped.
func (s *sim) offerDone(of *offerOut) {
	if s.offers[of.id] == of {
		delete(s.offers, of.id)
		of.call.live--
	}
}

// checkEnd checks that every call ended and every operator is ready again, and that the
// operators' marks count as misses exactly the offers that failed or expired (a ring's
// cancelled legs are nobody's).
func (s *sim) checkEnd() error {
	if len(s.calls) > 0 {
		return fmt.Errorf("%d calls never finished", len(s.calls))
	}
	if left := s.eng.Calls(""); len(left) > 0 {
		return fmt.Errorf("the engine still holds %d calls (first %s, %s)", len(left), left[0].Call.ID, left[0].Call.State)
	}
	missed := 0
	for _, a := range s.byID {
		v, err := s.eng.View(a.id)
		if err != nil {
			return err
		}
		if v.Status.State != cc.OperatorReady || a.state != cc.OperatorReady {
			return fmt.Errorf("operator %s ends %s (stored %s), not ready", a.id, v.Status.State, a.state)
		}
		missed += v.Status.Marks.OffersMissed
	}
	if missed != s.missed {
		return fmt.Errorf("the operators' marks count %d misses, %d offers failed or expired", missed, s.missed)
	}
	return nil
}

// result turns the outcomes into the figures, with the predictions for the same load.
func (s *sim) result() Result {
	r := Result{Steps: s.steps, Transactions: s.core.Applied(), Offers: s.dials, OffersCanceled: s.cancels, CallsToSpares: s.toSpares, ClientCalls: s.clientCalls, ManagerReached: s.toManager,
		LegsCancelled: s.beaten, OffersMissed: s.missed}
	window := s.arrivalsEnd.Sub(s.measureFrom)
	if window > 0 {
		r.SimulatedSeconds = window.Seconds()
		r.Occupancy = s.busy.Seconds() / (float64(s.cfg.Operators) * window.Seconds())
	}
	first, _ := slices.BinarySearchFunc(s.outcome, s.measureFrom.Sub(Epoch), func(o outcome, t time.Duration) int {
		return cmp.Compare(o.arrived, t)
	})
	measured := s.outcome[first:]
	r.WarmUpCalls = first
	t := tally(measured, s.cfg)
	r.CallsOffered, r.CallsAnswered, r.CallsAbandoned, r.CallsExited = t.offered, t.answered, t.abandoned, t.exited
	r.CallbacksRequested, r.CallbacksConnected, r.CallbacksGivenUp, r.CallbackAttemptsFailed = t.calledBack, t.callbacksConnected, t.callbacksGivenUp, t.attemptsFailed
	r.MaxWait = t.maxWait.Seconds()
	if s.cfg.Relax.Active() {
		r.AnsweredByRelaxStep = make([]int, 1+len(s.cfg.Relax.Steps))
		for _, o := range measured {
			if o.answered && !o.calledBack {
				r.AnsweredByRelaxStep[o.relaxStep]++
			}
		}
	}
	if t.offered > 0 {
		r.AbandonRate = float64(t.abandoned) / float64(t.offered)
	}
	if t.answered > 0 {
		n := float64(t.answered)
		r.ASA, r.PWait, r.ServiceLevel, r.AHT = t.wait/n, float64(t.waited)/n, float64(t.inSL)/n, t.talk/n
	}
	// Batch means: the figure in each of ciBatches consecutive groups of calls; groups long
	// against the queue's memory are nearly independent, so their spread gives the error.
	if n := len(measured) / ciBatches; n >= 10 {
		var asa, pw, sl, ab []float64
		for b := range ciBatches {
			t := tally(measured[b*n:(b+1)*n], s.cfg)
			if t.answered > 0 {
				asa = append(asa, t.wait/float64(t.answered))
				pw = append(pw, float64(t.waited)/float64(t.answered))
				sl = append(sl, float64(t.inSL)/float64(t.answered))
			}
			ab = append(ab, float64(t.abandoned)/float64(t.offered))
		}
		r.CI95 = Intervals{ASA: halfWidth(asa), PWait: halfWidth(pw), ServiceLevel: halfWidth(sl), AbandonRate: halfWidth(ab)}
	}
	r.ErlangC, r.ErlangA = Predict(s.cfg)
	return r
}

// counts are sums over a group of calls.
type counts struct {
	offered, answered, abandoned, exited, waited, inSL int
	calledBack, callbacksConnected, callbacksGivenUp   int
	attemptsFailed                                     int
	wait, talk                                         float64 // seconds
	maxWait                                            time.Duration
}

func tally(os []outcome, cfg Config) counts {
	var t counts
	for _, o := range os {
		t.offered++
		switch {
		case o.answered:
			t.answered++
			t.wait += o.wait.Seconds()
			t.talk += o.talk.Seconds()
			t.maxWait = max(t.maxWait, o.wait)
			if o.wait > cfg.AnswerDelay {
				t.waited++
			}
			if o.wait <= cfg.SLThreshold {
				t.inSL++
			}
		case o.abandoned:
			t.abandoned++
		case o.exited:
			t.exited++
		case o.calledBack:
			t.calledBack++
			t.callbacksConnected += b2i(o.callbackConnected)
			t.callbacksGivenUp += b2i(o.callbackGivenUp)
		}
		t.attemptsFailed += o.attemptsFailed
	}
	return t
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// halfWidth is the 95% confidence half-width of the mean of xs, taken as independent.
func halfWidth(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	var mean float64
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return t975 * math.Sqrt(ss/float64(len(xs)-1)/float64(len(xs)))
}

// Predict returns queueing theory's figures for cfg: Erlang C when callers never hang up and
// the load is below the operators' capacity, Erlang A when they do. Either is nil when it does
// not apply. cfg must be valid (as Run requires).
func Predict(cfg Config) (*ErlangCFigures, *ErlangAFigures) {
	lambda := cfg.CallsPerHour / 3600
	cycle := cfg.AnswerDelay + cfg.AHT + cfg.WrapUp // the operator's whole time per call
	mu := 1 / cycle.Seconds()
	exact := (cfg.HandleDist == "" || cfg.HandleDist == Exponential) && cfg.AnswerDelay == 0 && cfg.AnswerSpread == 0 && cfg.WrapUp == 0 && cfg.Spares == 0 && cfg.ClientShare == 0
	delay := cfg.AnswerDelay.Seconds()
	if cfg.Patience <= 0 {
		p, err := erlang.C(cfg.Operators, lambda, mu)
		if err != nil {
			return nil, nil
		}
		return &ErlangCFigures{
			PWait:        p.PWait,
			ASA:          p.ASA + delay,
			ServiceLevel: p.ServiceLevel(cfg.SLThreshold - cfg.AnswerDelay),
			Occupancy:    lambda * (cfg.AHT + cfg.WrapUp).Seconds() / float64(cfg.Operators),
			Exact:        exact,
			Prediction:   p,
		}, nil
	}
	p, err := erlang.A(cfg.Operators, lambda, mu, 1/cfg.Patience.Seconds())
	if err != nil {
		return nil, nil
	}
	// A caller may also hang up while the operator's phone rings (memoryless patience):
	// abandonment in line, then during the ring.
	ringAbandon := 1 - math.Exp(-delay/cfg.Patience.Seconds())
	abandon := p.PAbandon + (1-p.PAbandon)*ringAbandon
	return nil, &ErlangAFigures{
		PWait:       p.PWaitServed,
		ASA:         p.ASA + delay,
		AbandonRate: abandon,
		Occupancy:   lambda * (1 - abandon) * (cfg.AHT + cfg.WrapUp).Seconds() / float64(cfg.Operators),
		Exact:       exact,
		Prediction:  p,
	}
}

// level is operator i's level in the queue.
func (cfg *Config) level(i int) int {
	if len(cfg.Levels) == 0 {
		return 3
	}
	return cfg.Levels[i%len(cfg.Levels)]
}
