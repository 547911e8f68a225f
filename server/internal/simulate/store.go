package simulate

import (
	"context"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/switchboard"
)

// storeBeside writes each batch of steps on a goroutine of its own while the engine runs on,
// one batch at a time: a simulator answers nobody, so nothing waits for a batch to be stored
// (the switchboard's loop does wait: it answers the requests of a batch once it is stored).
// The engine decides in memory, so when a batch is written changes no decision; what is
// written is what the switchboard's Core handed over, which neither it nor the engine
// changes afterwards. A batch's error is reported when the next batch is handed over or by
// wait, and the run stops then.
type storeBeside struct {
	store switchboard.Applier
	done  chan error // the outcome of the batch being written; nil when none is
}

// Apply waits for the batch before ch to be stored, then starts writing ch and returns.
func (b *storeBeside) Apply(ctx context.Context, ch cc.Changes) error {
	if err := b.wait(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- b.store.Apply(ctx, ch) }()
	b.done = done
	return nil
}

// wait waits for the batch being written, if any, and returns its error.
func (b *storeBeside) wait() error {
	if b.done == nil {
		return nil
	}
	err := <-b.done
	b.done = nil
	return err
}
