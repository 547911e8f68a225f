// Package switchboard runs the routing engine as one serial loop: every request, timer and
// cloud outcome becomes a step of that loop, whose changes are stored before anyone is answered
// and whose commands go to the cloud sender after. Each command and read is a named method
// (there is no door to run arbitrary code on the engine); the step-and-commit code is Core,
// which the simulator runs too. It also fans operator state out to the presence streams
// without ever waiting on them.
package switchboard

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/routing"
)

// Store is what the switchboard needs of storage.
type Store interface {
	Apply(ctx context.Context, ch cc.Changes) error
	LoadRuntime(ctx context.Context) (cc.Runtime, error)
	Queues(ctx context.Context) ([]cc.Queue, error)
	Operators(ctx context.Context) ([]cc.Operator, error)
	CloudRequest(ctx context.Context, id string) (cc.CloudRequest, bool, error)
	Tallies(ctx context.Context, scope cc.TallyScope, id string, from, to time.Time) ([]cc.Tally, error)
	Call(ctx context.Context, id cc.CallID) (cc.Call, []cc.Offer, error)
	Offer(ctx context.Context, id cc.OfferID) (cc.Offer, error)
}

// Sender delivers commands to cloud sessions without blocking.
type Sender interface {
	Send(cmd cc.Command)
}

// Config wires a Switchboard.
type Config struct {
	Store   Store
	Sender  Sender
	Clock   clock.Clock
	Logger  *slog.Logger
	Routing routing.Config
}

// Switchboard owns the engine. Its methods are safe for concurrent use.
type Switchboard struct {
	store  Store
	sender Sender
	clock  clock.Clock
	log    *slog.Logger
	core   *Core
	engine *routing.Engine // the core's, for the steps' reads
	record *analytics.Recorder

	steps    chan step
	stop     context.CancelFunc
	done     chan struct{}
	watchers map[cc.OperatorID]map[*Watcher]bool // touched only by the loop
	// answered holds the replies to the last cloud requests (4 097 to 8 192 of them), so a
	// retry of one is answered without a read; older ones are looked up in the store. Each
	// time the older half is forgotten, forgets counts one more.
	answered, answeredBefore map[string]cc.Reply
	forgets                  atomic.Uint64

	work loopWork // what the loop did, for LoopWork

	reloading  bool             // commit is reloading the state after a failed write (loop only)
	version    uint64           // counts stored changes (loop only)
	floor      *analytics.Floor // the last floor built (loop only)
	floorWatch floorWatchers
}

// maxBatch bounds how many steps share one transaction.
const maxBatch = 256

type step struct {
	ctx  context.Context
	fn   func(now time.Time) (cc.Changes, error)
	done chan error
	sent time.Time // when its caller handed it to the loop
}

// LoopWork is what the loop did since it started: the steps it ran and the batches they were
// stored in, the time it spent in the engine and in the store, and the time steps waited for
// it (from their caller handing them over to their batch's start). The loop is busy for
// Engine+Store+Publish: past about 60 % of the wall clock, requests queue behind its commits.
// Steps are requests, cloud events and reads; the timers' ticks are not counted among them.
type LoopWork struct {
	Steps, Batches uint64
	Engine, Store  time.Duration
	Publish        time.Duration // logging the changes, handing commands to the sender, waking watchers
	Wait           time.Duration
}

// loopWork is LoopWork's counters, written by the loop and read by anyone.
type loopWork struct {
	steps, batches               atomic.Uint64
	engine, store, publish, wait atomic.Int64 // nanoseconds
}

// LoopWork reports what the loop did since it started. It is the process's own accounting,
// timed by the wall clock whatever clock the switchboard runs on.
func (s *Switchboard) LoopWork() LoopWork {
	w := &s.work
	return LoopWork{Steps: w.steps.Load(), Batches: w.batches.Load(),
		Engine: time.Duration(w.engine.Load()), Store: time.Duration(w.store.Load()),
		Publish: time.Duration(w.publish.Load()), Wait: time.Duration(w.wait.Load())}
}

// ErrStopped is returned by calls made after the switchboard stopped.
var ErrStopped = &cc.Error{Code: cc.CodeUnavailable, Message: "the switchboard is stopping"}

// New returns a switchboard; Start loads its state and starts its loop.
func New(cfg Config) *Switchboard {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	core := NewCore(routing.New(cfg.Routing), cfg.Store)
	return &Switchboard{
		store:    cfg.Store,
		sender:   cfg.Sender,
		clock:    cfg.Clock,
		log:      cfg.Logger,
		core:     core,
		engine:   core.engine,
		record:   core.record,
		steps:    make(chan step),
		done:     make(chan struct{}),
		watchers: map[cc.OperatorID]map[*Watcher]bool{},
		answered: map[string]cc.Reply{},
	}
}

// Start rebuilds the live state from the store and starts the loop.
func (s *Switchboard) Start(ctx context.Context) error {
	if err := s.load(ctx); err != nil {
		return err
	}
	loopCtx, stop := context.WithCancel(context.Background())
	s.stop = stop
	go s.loop(loopCtx)
	return nil
}

// Stop ends the loop after the step in progress.
func (s *Switchboard) Stop() {
	if s.stop != nil {
		s.stop()
		<-s.done
	}
}

func (s *Switchboard) load(ctx context.Context) error {
	queues, err := s.store.Queues(ctx)
	if err != nil {
		return err
	}
	ops, err := s.store.Operators(ctx)
	if err != nil {
		return err
	}
	rt, err := s.store.LoadRuntime(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	var today []cc.Tally
	for _, scope := range []cc.TallyScope{cc.ScopeQueue, cc.ScopeOperator} {
		t, err := s.store.Tallies(ctx, scope, "", analytics.DayStart(now), now.Add(cc.TallyInterval))
		if err != nil {
			return err
		}
		today = append(today, t...)
	}
	s.core.Load(now, queues, ops, rt, today)
	s.log.Info("switchboard loaded", "queues", len(queues), "operators", len(ops), "calls", len(rt.Calls), "offers", len(rt.Offers))
	return s.commit(ctx)
}

func (s *Switchboard) loop(ctx context.Context) {
	defer close(s.done)
	// A step taken is stored whatever happens meanwhile: Stop ends the loop between steps, never
	// in the middle of one's write (which would fail it and reload the engine on the way out).
	work := context.WithoutCancel(ctx)
	// One timer for the engine's next deadline, stopped when the deadline moves, so a clock
	// never keeps the waits of deadlines that are gone.
	var (
		timer   *clock.Timer
		due     <-chan time.Time // timer's channel; nil while no deadline is set
		timerAt time.Time
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		next, ok := s.engine.NextDeadline()
		if !ok || !next.Equal(timerAt) {
			if timer != nil {
				timer.Stop()
			}
			timer, due, timerAt = nil, nil, time.Time{}
			if ok {
				timer = s.clock.NewTimer(next.Sub(s.clock.Now()))
				due, timerAt = timer.C, next
			}
		}
		select {
		case <-ctx.Done():
			return
		case st := <-s.steps:
			s.runBatch(work, st)
		case <-due:
			timer, due, timerAt = nil, nil, time.Time{}
			now := s.clock.Now()
			start := time.Now()
			_, _ = s.core.Step(now, func(e *routing.Engine) (cc.Changes, error) { return e.Tick(now), nil })
			s.work.engine.Add(int64(time.Since(start)))
			if err := s.commit(work); err != nil {
				s.log.Error("tick not stored", "err", err)
			}
		}
	}
}

// runBatch runs the step st and every step already waiting behind it (up to maxBatch), then
// stores all their changes in one transaction — group commit — and only then answers them.
func (s *Switchboard) runBatch(ctx context.Context, first step) {
	batch := []step{first}
	for len(batch) < maxBatch {
		select {
		case st := <-s.steps:
			batch = append(batch, st)
			continue
		default:
		}
		break
	}
	now := s.clock.Now()
	start := time.Now()
	errs := make([]error, len(batch))
	for i, st := range batch {
		s.work.wait.Add(int64(start.Sub(st.sent)))
		_, errs[i] = s.core.Step(now, func(*routing.Engine) (cc.Changes, error) { return st.fn(now) })
	}
	s.work.engine.Add(int64(time.Since(start)))
	s.work.steps.Add(uint64(len(batch)))
	err := s.commit(ctx)
	for i, st := range batch {
		if errs[i] == nil {
			errs[i] = err
		}
		st.done <- errs[i]
	}
	if len(s.answered) > 4096 {
		s.answeredBefore, s.answered = s.answered, map[string]cc.Reply{}
		s.forgets.Add(1)
	}
}

// firstReply is the reply a cloud request got before, if it was carried out. The caller
// looked the id up in the store when forgets was at checked: any request carried out since
// then, or not yet stored then, is still in memory unless the memory was cleared twice since,
// and only then is the store read again (inside the loop).
func (s *Switchboard) firstReply(ctx context.Context, id string, checked uint64) (cc.Reply, bool, error) {
	if r, ok := s.answered[id]; ok {
		return r, true, nil
	}
	if r, ok := s.answeredBefore[id]; ok {
		return r, true, nil
	}
	if s.forgets.Load()-checked < 2 {
		return cc.Reply{}, false, nil
	}
	prev, ok, err := s.store.CloudRequest(ctx, id)
	return prev.Reply, ok, err
}

// remember notes a cloud request's reply in a step's changes, for retries.
func (s *Switchboard) remember(ch *cc.Changes, r cc.CloudRequest) {
	ch.Requests = append(ch.Requests, r)
	s.answered[r.ID] = r.Reply
}

// do runs fn as one step of the loop and waits for its changes to be stored.
func (s *Switchboard) do(ctx context.Context, fn func(now time.Time) (cc.Changes, error)) error {
	st := step{ctx: context.WithoutCancel(ctx), fn: fn, done: make(chan error, 1), sent: time.Now()}
	select {
	case s.steps <- st:
	case <-s.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, the step runs to the end whatever the caller does; wait for its outcome.
	return <-st.done
}

// commit stores the steps taken since the last commit, then sends their commands and tells
// the watchers. When storing fails the engine is rebuilt from the store, so memory never runs
// ahead of what is stored.
func (s *Switchboard) commit(ctx context.Context) error {
	start := time.Now()
	ch, err := s.core.Commit(ctx)
	if !ch.Empty() {
		s.work.store.Add(int64(time.Since(start)))
		s.work.batches.Add(1)
	}
	if err != nil {
		s.log.Error("changes not stored; reloading state", "err", err)
		s.answered, s.answeredBefore = map[string]cc.Reply{}, nil
		s.forgets.Add(2) // everything forgotten: every step in flight reads the store again
		// The reload commits its own repairs; when that fails too it is not reloaded again
		// (a store that refuses every write would recurse without end).
		if !s.reloading {
			s.reloading = true
			if lerr := s.load(ctx); lerr != nil {
				s.log.Error("reload failed", "err", lerr)
			}
			s.reloading = false
		}
		if cc.ErrorCode(err) == cc.CodeUnavailable {
			return err // the store says why and that it is not the request's fault (its file is gone)
		}
		return errors.Join(cc.Errorf(cc.CodeInternal, "could not store the change"), err)
	}
	published := time.Now()
	defer func() { s.work.publish.Add(int64(time.Since(published))) }()
	if !ch.Empty() {
		s.version++
		s.floorWatch.signal()
	}
	for _, r := range ch.Repairs {
		s.log.Warn("sweeper repaired a stuck state", "kind", r.Kind, "call_id", r.Call, "operator_id", r.Operator)
	}
	for _, c := range ch.Calls {
		s.log.Info("call", "call_id", c.ID, "queue_id", c.Queue, "state", c.State, "operator_id", c.Operator, "offer_id", c.Offer)
	}
	for _, cmd := range ch.Commands {
		s.log.Info("command", "call_id", cmd.Call, "type", cmd.Type, "offer_id", cmd.Offer, "target", cmd.Contact.Target)
		s.sender.Send(cmd)
	}
	for _, st := range ch.Statuses {
		s.notify(st.Operator)
	}
	return nil
}

// Watcher receives an operator's view whenever it changes. Slow readers miss intermediate views,
// never the latest: the loop only replaces the view and signals.
type Watcher struct {
	board    *Switchboard
	operator cc.OperatorID
	presence bool
	session  string // the login the watch belongs to
	signal   chan struct{}
	ended    chan struct{} // closed when a newer login took the operator over
	mu       sync.Mutex
	view     cc.OperatorView
}

var _ cc.OperatorWatch = (*Watcher)(nil)

// Ended is closed when the watch's login was taken over by a newer one or logged out.
func (w *Watcher) Ended() <-chan struct{} { return w.ended }

// Changed is signalled after the view changed.
func (w *Watcher) Changed() <-chan struct{} { return w.signal }

// View is the latest view.
func (w *Watcher) View() cc.OperatorView {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.view
}

func (w *Watcher) set(v cc.OperatorView) {
	w.mu.Lock()
	w.view = v
	w.mu.Unlock()
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

func (s *Switchboard) notify(id cc.OperatorID) {
	ws := s.watchers[id]
	if len(ws) == 0 {
		return
	}
	v, err := s.engine.View(id)
	if err != nil {
		return
	}
	for w := range ws {
		w.set(v)
	}
}

// Watch starts watching an operator. With presence, the watch is his app's live connection
// under the given login: he is routed calls only while one is open. The first view is ready in
// View at return.
func (s *Switchboard) Watch(ctx context.Context, id cc.OperatorID, presence bool, session string) (cc.OperatorWatch, error) {
	w := &Watcher{board: s, operator: id, presence: presence, session: session, signal: make(chan struct{}, 1), ended: make(chan struct{})}
	err := s.do(ctx, func(now time.Time) (cc.Changes, error) {
		var ch cc.Changes
		if presence {
			var err error
			if ch, err = s.engine.Connect(now, id); err != nil {
				return ch, err
			}
		}
		v, err := s.engine.View(id)
		if err != nil {
			return ch, err
		}
		w.view = v
		if s.watchers[id] == nil {
			s.watchers[id] = map[*Watcher]bool{}
		}
		s.watchers[id][w] = true
		return ch, nil
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// TakeOver ends the presence watches of an operator that belong to another login than keep
// (all of them when keep is ""): a newer login took over, or he logged out.
func (s *Switchboard) TakeOver(ctx context.Context, id cc.OperatorID, keep string) error {
	return s.do(ctx, func(time.Time) (cc.Changes, error) {
		for w := range s.watchers[id] {
			if w.presence && w.session != keep {
				select {
				case <-w.ended:
				default:
					close(w.ended)
				}
			}
		}
		return cc.Changes{}, nil
	})
}

// Stop ends the watch; with presence, his app's connection is gone.
func (w *Watcher) Stop() {
	s := w.board
	_ = s.do(context.Background(), func(now time.Time) (cc.Changes, error) {
		delete(s.watchers[w.operator], w)
		if len(s.watchers[w.operator]) == 0 {
			delete(s.watchers, w.operator)
		}
		if w.presence {
			return s.engine.Disconnect(now, w.operator), nil
		}
		return cc.Changes{}, nil
	})
}
