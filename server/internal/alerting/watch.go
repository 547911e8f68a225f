package alerting

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// Store keeps the alerts.
type Store interface {
	RaiseAlert(ctx context.Context, a cc.Alert) (int64, error)
	ClearAlert(ctx context.Context, id int64, at time.Time) error
	AcknowledgeAlert(ctx context.Context, id int64, by string, at time.Time) (cc.Alert, error)
	Alerts(ctx context.Context, q cc.AlertQuery) ([]cc.Alert, error)
}

// Floor is where the live figures come from: the switchboard's floor, as the wallboard sees
// it, but for the operators without a miss in a row, which it may leave out.
type Floor interface {
	AlertFloor(ctx context.Context) (analytics.Floor, error)
}

// Every is how often the watch reads the floor.
const Every = time.Second

// Watch reads the floor every second, raises and clears alerts, stores them and tells its
// watchers (the wallboards' streams) and Sent (the webhook). It runs beside the engine and never
// holds it up: a slow store or webhook delays only the next reading.
type Watch struct {
	store Store
	floor Floor
	clock clock.Clock
	log   *slog.Logger
	// Sent is given each alert raised or cleared (nil: nobody); it must not block.
	Sent func(cc.Alert)

	checking sync.Mutex // one Check at a time: the evaluator's memory is its own
	eval     *Evaluator
	mu       sync.Mutex
	open     []cc.Alert
	subs     map[chan struct{}]bool
}

// NewWatch returns a watch; Load reads the open alerts a restart left.
func NewWatch(store Store, floor Floor, clk clock.Clock, log *slog.Logger) *Watch {
	return &Watch{store: store, floor: floor, clock: clk, log: log, eval: NewEvaluator(), subs: map[chan struct{}]bool{}}
}

// Load reads the alerts still open from the store.
func (w *Watch) Load(ctx context.Context) error {
	open, err := w.store.Alerts(ctx, cc.AlertQuery{OpenOnly: true, Limit: 10000})
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.open = open
	w.mu.Unlock()
	return nil
}

// Run reads the floor every second until ctx ends.
func (w *Watch) Run(ctx context.Context) {
	t := w.clock.NewTimer(Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := w.Check(ctx); err != nil && ctx.Err() == nil {
				w.log.Error("alerts not checked", "err", err)
			}
			t.Reset(Every)
		}
	}
}

// Check reads the floor once, at the clock's time, and raises and clears what it must.
func (w *Watch) Check(ctx context.Context) error {
	w.checking.Lock()
	defer w.checking.Unlock()
	floor, err := w.floor.AlertFloor(ctx)
	if err != nil {
		return err
	}
	now := w.clock.Now()
	w.mu.Lock()
	open := append([]cc.Alert(nil), w.open...)
	w.mu.Unlock()
	raise, clear := w.eval.Step(now, floor, open)
	if len(raise) == 0 && len(clear) == 0 {
		return nil
	}
	cleared := map[int64]bool{}
	for _, a := range clear {
		if err := w.store.ClearAlert(ctx, a.ID, a.ClearedAt); err != nil {
			return err
		}
		cleared[a.ID] = true
		w.log.Info("alert cleared", "queue", a.Queue, "kind", a.Kind, "operator", a.Operator, "id", a.ID)
	}
	var raised []cc.Alert
	for _, a := range raise {
		if a.ID, err = w.store.RaiseAlert(ctx, a); err != nil {
			return err
		}
		raised = append(raised, a)
		w.log.Warn("alert raised", "queue", a.Queue, "kind", a.Kind, "operator", a.Operator, "value", a.Value, "threshold", a.Threshold, "id", a.ID)
	}
	w.mu.Lock()
	kept := raised
	for _, a := range w.open {
		if !cleared[a.ID] {
			kept = append(kept, a)
		}
	}
	w.open = kept
	w.mu.Unlock()
	w.signal()
	if w.Sent != nil {
		for _, a := range clear {
			w.Sent(a)
		}
		for _, a := range raised {
			w.Sent(a)
		}
	}
	return nil
}

// Open returns the open alerts, newest first.
func (w *Watch) Open() []cc.Alert {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]cc.Alert(nil), w.open...)
}

// Acknowledge records that by saw the alert; an alert acknowledged already keeps its first.
func (w *Watch) Acknowledge(ctx context.Context, id int64, by string) (cc.Alert, error) {
	a, err := w.store.AcknowledgeAlert(ctx, id, by, w.clock.Now())
	if err != nil {
		return a, err
	}
	w.mu.Lock()
	for i := range w.open {
		if w.open[i].ID == id {
			w.open[i] = a
		}
	}
	w.mu.Unlock()
	w.signal()
	return a, nil
}

// Subscribe returns a channel signalled after the open alerts change (several changes may make
// one signal), and a function to stop.
func (w *Watch) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	w.subs[ch] = true
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		delete(w.subs, ch)
		w.mu.Unlock()
	}
}

func (w *Watch) signal() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
