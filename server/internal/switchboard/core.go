package switchboard

import (
	"context"
	"time"

	"github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/routing"
)

// Applier stores one batch of changes in one transaction; the store is one.
type Applier interface {
	Apply(ctx context.Context, ch cc.Changes) error
}

// Core is what every engine step goes through on its way to the store: the step runs on the
// engine, the analytics recorder adds the history tallies and call events it makes, and its
// changes join the open batch, which Commit stores in one transaction (group commit). The
// switchboard's loop runs it on the clock and the simulator on virtual time, so both store
// exactly what the server stores. It is not safe for concurrent use: one loop owns it.
type Core struct {
	engine *routing.Engine
	record *analytics.Recorder
	store  Applier // nil: the engine alone (the simulator's baseline); nothing folded or stored

	batch   cc.Changes
	tallyAt map[tallyRow]int // where each history row's tally is in batch.Tallies
	pending int              // steps in the batch with something to store
	applied int              // batches stored
}

// tallyRow is the history row a tally adds to.
type tallyRow struct {
	scope cc.TallyScope
	id    string
	start int64 // unix ms
}

// NewCore runs engine and stores its steps' changes in store (nil: stores nothing).
func NewCore(engine *routing.Engine, store Applier) *Core {
	return &Core{engine: engine, record: analytics.New(), store: store, tallyAt: map[tallyRow]int{}}
}

// Engine is the routing engine the core steps; reads of it need no step.
func (c *Core) Engine() *routing.Engine { return c.engine }

// Load starts the engine and the recorder over from the stored state (as after a restart or a
// failed write) and runs the engine's first step, its repairs of what it found. The open batch
// is dropped: nothing in it was stored.
func (c *Core) Load(now time.Time, queues []cc.Queue, ops []cc.Operator, rt cc.Runtime, today []cc.Tally) cc.Changes {
	c.dropBatch()
	c.record.Load(now, queues, rt, today)
	ch, _ := c.Step(now, func(e *routing.Engine) (cc.Changes, error) { return e.Load(now, queues, ops, rt), nil })
	return ch
}

// Step runs fn on the engine as one step at now. A step that fails changes nothing and its
// changes are dropped; otherwise the recorder folds them (announcements are events too) and
// they join the open batch. The step's changes are returned for the caller to follow; its
// commands are not for the cloud before the batch is stored.
func (c *Core) Step(now time.Time, fn func(e *routing.Engine) (cc.Changes, error)) (cc.Changes, error) {
	ch, err := fn(c.engine)
	if err != nil || c.store == nil {
		return ch, err
	}
	if !ch.Empty() || len(ch.Commands) > 0 || ch.Next != nil {
		c.record.Fold(now, &ch)
	}
	if !ch.Empty() {
		c.pending++
	}
	c.merge(ch)
	return ch, nil
}

// merge adds a step's changes to the batch. Tallies of the same history row are added up as
// they come, as the store adds them up: each step brings several for the same rows.
func (c *Core) merge(ch cc.Changes) {
	tallies := ch.Tallies
	ch.Tallies = nil
	c.batch.Merge(ch)
	for _, t := range tallies {
		k := tallyRow{t.Scope, t.ID, t.Start.UnixMilli()}
		if i, ok := c.tallyAt[k]; ok {
			c.batch.Tallies[i].Figures.Add(t.Figures)
			continue
		}
		c.tallyAt[k] = len(c.batch.Tallies)
		c.batch.Tallies = append(c.batch.Tallies, t)
	}
}

// Pending is how many steps with something to store wait in the open batch.
func (c *Core) Pending() int { return c.pending }

// Applied is how many batches were stored.
func (c *Core) Applied() int { return c.applied }

// Commit stores the open batch in one transaction and starts a new one. It returns the batch:
// what was stored, and the commands of its steps for the cloud. When storing fails, the batch
// is dropped with the error; the engine is then ahead of the store and must be loaded again.
func (c *Core) Commit(ctx context.Context) (cc.Changes, error) {
	b := c.batch
	c.dropBatch()
	if b.Empty() {
		return b, nil
	}
	if err := c.store.Apply(ctx, b); err != nil {
		return b, err
	}
	c.applied++
	c.record.Stored(b.Tallies)
	return b, nil
}

func (c *Core) dropBatch() {
	c.batch, c.pending = cc.Changes{}, 0
	clear(c.tallyAt)
}
