package cloud

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// Commands is what the switchboard hands the engine's commands to: a Sender, or a Launcher in
// front of one.
type Commands interface{ Send(callcenter.Command) }

// Launcher carries out the engine's start_callback commands through a Dialer (the Management
// API), and passes every other command to Next. A start is retried while the attempt's lease
// leaves time, with a growing pause, when the failure may pass (CallbackRetryable); a start that
// fails for good, or runs out of time, is reported to Undelivered, as a dial that did not reach
// the scenario is: the operator reserved for it is released, no one's miss.
type Launcher struct {
	Next        Commands
	Dialer      Dialer // nil: callbacks are off, and every start is undelivered
	Undelivered func(cmd callcenter.Command, reason string)
	Clock       clock.Clock
	Logger      *slog.Logger

	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// launchPause is the pause after the first failed start of a scenario; it doubles per retry.
const launchPause = 500 * time.Millisecond

// Send starts a callback's scenario in the background, or passes cmd on; it never waits.
func (l *Launcher) Send(cmd callcenter.Command) {
	if cmd.Type != callcenter.CommandStartCallback {
		l.Next.Send(cmd)
		return
	}
	l.once.Do(func() { l.ctx, l.cancel = context.WithCancel(context.Background()) })
	if l.ctx.Err() != nil {
		return // closing: the offer's lease runs out and releases the operator
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		if reason := l.start(cmd); reason != "" {
			l.Logger.Warn("callback scenario not started", "call_id", string(cmd.Call), "offer_id", string(cmd.Offer), "reason", reason)
			l.Undelivered(cmd, reason)
		}
	}()
}

// start tries to start cmd's scenario until it starts, fails for good or the time to report
// in runs out; it returns why it did not start ("" when it did).
func (l *Launcher) start(cmd callcenter.Command) string {
	if l.Dialer == nil {
		return "callbacks are off: tandem serve --voximplant-account-id, --voximplant-key-file and --callback-rule-id"
	}
	deadline := l.Clock.Now().Add(callcenter.CallbackStartAllowance)
	pause := launchPause
	for {
		ctx, cancel := context.WithDeadline(l.ctx, deadline)
		s, err := l.Dialer.StartCallback(ctx, CallbackStart{Call: cmd.Call, Offer: cmd.Offer, Expires: deadline})
		cancel()
		switch {
		case err == nil:
			l.Logger.Info("callback scenario started", "call_id", string(cmd.Call), "offer_id", string(cmd.Offer), "session_id", s.SessionID)
			return ""
		case l.ctx.Err() != nil:
			return "" // closing: the lease releases the operator
		case !CallbackRetryable(err) || l.Clock.Now().Add(pause).After(deadline):
			return err.Error()
		}
		t := l.Clock.NewTimer(pause)
		select {
		case <-t.C:
		case <-l.ctx.Done():
			t.Stop()
			return ""
		}
		pause *= 2
	}
}

// Close stops retrying starts and waits for the ones under way.
func (l *Launcher) Close() {
	l.once.Do(func() { l.ctx, l.cancel = context.WithCancel(context.Background()) })
	l.cancel()
	l.wg.Wait()
}
