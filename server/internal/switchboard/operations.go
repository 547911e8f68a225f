package switchboard

import (
	"context"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// RegisterCall puts a new call in line. A request id seen before gets its first reply again.
func (s *Switchboard) RegisterCall(ctx context.Context, requestID string, in cc.Intake) (cc.Reply, error) {
	return s.cloudStep(ctx, requestID, func(now time.Time) (cc.Reply, cc.Changes, error) {
		c, ch, err := s.engine.Intake(now, in)
		if err != nil {
			return cc.Reply{}, ch, err
		}
		if ch.Next != nil { // it took an exit of its queue as it arrived: the scenario carries it out
			return cc.Reply{Call: c.ID, Queue: c.Queue, Next: ch.Next}, ch, nil
		}
		if m, ok := s.engine.Menu(c.Menu); ok && c.State == cc.CallInMenu {
			return cc.Reply{Call: c.ID, Menu: &m}, ch, nil
		}
		return s.queued(c, now), ch, nil
	})
}

// AttachCallback takes the report of a callback scenario started for offer of call id (its
// token checked): the reply says whom it calls back; the operator's dial follows as a command.
// A request id seen before gets its first reply again.
func (s *Switchboard) AttachCallback(ctx context.Context, requestID string, id cc.CallID, offer cc.OfferID, session, accessURL string) (cc.Reply, error) {
	return s.cloudStep(ctx, requestID, func(now time.Time) (cc.Reply, cc.Changes, error) {
		c, ch, err := s.engine.AttachCallback(now, id, offer, session, accessURL)
		if err != nil {
			return cc.Reply{}, ch, err
		}
		q, _ := s.engine.Queue(c.Queue)
		return cc.Reply{Call: c.ID, Queue: c.Queue, Callback: cc.CustomerLeg(q, c)}, ch, nil
	})
}

// queued is the reply for call c, which joined its queue's line at now: the queue's music,
// greeting and recording notice, his place and, when the queue announces it, his expected wait.
func (s *Switchboard) queued(c cc.Call, now time.Time) cc.Reply {
	q, _ := s.engine.Queue(c.Queue)
	reply := cc.Reply{Call: c.ID, Queue: c.Queue, Position: s.engine.Position(c.ID), HoldMusicURL: q.HoldMusicURL, Greeting: q.Greeting,
		Record: q.RecordCalls, RecordingNotice: q.RecordingNotice}
	w, trusted := s.engine.ExpectedWait(c.ID, now)
	if trusted {
		reply.ExpectedWait = w.Wait
	}
	if reply.Position > 0 && q.Rules.AnnounceEvery > 0 {
		reply.Announcement = cc.PositionAnnouncement(reply.Position, w, trusted)
	}
	return reply
}

// ReportEvent applies a cloud event. A request id seen before gets its first reply again; an
// event for a call that already finished changes nothing.
func (s *Switchboard) ReportEvent(ctx context.Context, requestID string, id cc.CallID, ev cc.CloudEvent) (cc.Reply, error) {
	return s.cloudStep(ctx, requestID, func(now time.Time) (cc.Reply, cc.Changes, error) {
		reply := cc.Reply{Call: id}
		var ch cc.Changes
		before, live := s.engine.Call(id)
		if !live {
			stored, _, err := s.store.Call(ctx, id)
			if err != nil {
				return reply, ch, err // unknown call: not_found
			}
			if ev.Kind == cc.CloudVoicemailRecorded { // the record stops as the call ends
				ch, err = s.engine.VoicemailLeft(now, stored, ev.RecordingURL, ev.Length)
				return reply, ch, err
			}
		}
		if live || ev.Kind == cc.CloudSpeechAnswer { // an answer may come after the call ended
			var err error
			if ch, err = s.engine.Report(now, id, ev); err != nil {
				return reply, ch, err
			}
			reply.Next = ch.Next
		}
		if c, ok := s.engine.Call(id); ok {
			reply.Queue = c.Queue
			if before.State == cc.CallInMenu && c.State == cc.CallWaiting {
				next := reply.Next
				reply = s.queued(c, now)
				reply.Queued, reply.Next = true, next
			}
		}
		return reply, ch, nil
	})
}

// cloudStep runs a cloud request as one step, once: a request id seen before gets the reply it
// got the first time and changes nothing; a new one is carried out by fn and its reply
// remembered with its changes. The store is asked about the id before the step, on the
// caller's goroutine, so the serial loop does not wait on a read for every request.
func (s *Switchboard) cloudStep(ctx context.Context, requestID string, fn func(now time.Time) (cc.Reply, cc.Changes, error)) (cc.Reply, error) {
	ctx = context.WithoutCancel(ctx) // once taken, the step completes whatever the caller does
	checked := s.forgets.Load()
	if prev, ok, err := s.store.CloudRequest(ctx, requestID); err != nil || ok {
		return prev.Reply, err
	}
	var reply cc.Reply
	err := s.do(ctx, func(now time.Time) (cc.Changes, error) {
		if prev, ok, err := s.firstReply(ctx, requestID, checked); err != nil || ok {
			reply = prev
			return cc.Changes{}, err
		}
		r, ch, err := fn(now)
		if err != nil {
			return ch, err
		}
		reply = r
		s.remember(&ch, cc.CloudRequest{ID: requestID, Call: r.Call, At: now, Reply: r})
		return ch, nil
	})
	return reply, err
}

// SessionGone ends a call whose cloud session cannot be reached.
func (s *Switchboard) SessionGone(id cc.CallID, reason string) {
	err := s.do(context.Background(), func(now time.Time) (cc.Changes, error) {
		return s.engine.SessionGone(now, id, reason), nil
	})
	if err != nil {
		s.log.Error("session gone not stored", "call_id", id, "err", err)
	}
}

// Undelivered takes back a command that never reached the call's cloud session, or that its
// scenario did not carry out: a dial's offer (nobody's miss; the next operator is tried), a
// hold or resume, a transfer, complete or cancel, a party's add or mode switch; the operator's
// view or the call's parties say why.
func (s *Switchboard) Undelivered(cmd cc.Command, reason string) {
	err := s.do(context.Background(), func(now time.Time) (cc.Changes, error) {
		switch cmd.Type {
		case cc.CommandDial, cc.CommandStartCallback:
			return s.engine.DialUndelivered(now, cmd.Call, cmd.Offer, reason), nil
		case cc.CommandAddParty, cc.CommandPartyMode:
			return s.engine.PartyUndelivered(now, cmd, reason), nil
		case cc.CommandTransfer, cc.CommandCompleteTransfer, cc.CommandCancelTransfer:
			return s.engine.TransferUndelivered(now, cmd, reason), nil
		default:
			return s.engine.HoldUndelivered(now, cmd, reason), nil
		}
	})
	if err != nil {
		s.log.Error("undelivered command not stored", "call_id", cmd.Call, "command", cmd.Type, "offer_id", cmd.Offer, "err", err)
	}
}

// viewAfter runs an operator step and returns his view after it.
func (s *Switchboard) viewAfter(ctx context.Context, id cc.OperatorID, fn func(now time.Time) (cc.Changes, error)) (cc.OperatorView, error) {
	var v cc.OperatorView
	err := s.do(ctx, func(now time.Time) (cc.Changes, error) {
		ch, err := fn(now)
		if err != nil {
			return ch, err
		}
		v, err = s.engine.View(id)
		return ch, err
	})
	return v, err
}

// GoReady makes an operator available.
func (s *Switchboard) GoReady(ctx context.Context, id cc.OperatorID) (cc.OperatorView, error) {
	return s.viewAfter(ctx, id, func(now time.Time) (cc.Changes, error) { return s.engine.GoReady(now, id) })
}

// GoAway takes an operator out of routing.
func (s *Switchboard) GoAway(ctx context.Context, id cc.OperatorID, reason string) (cc.OperatorView, error) {
	return s.viewAfter(ctx, id, func(now time.Time) (cc.Changes, error) { return s.engine.GoAway(now, id, reason) })
}

// LogOut takes an operator offline; a supervisor's log-out takes back an offer out to him
// instead of refusing.
func (s *Switchboard) LogOut(ctx context.Context, id cc.OperatorID, bySupervisor bool) (cc.OperatorView, error) {
	return s.viewAfter(ctx, id, func(now time.Time) (cc.Changes, error) { return s.engine.LogOut(now, id, bySupervisor) })
}

// EndWrapUp ends an operator's wrap-up early.
func (s *Switchboard) EndWrapUp(ctx context.Context, id cc.OperatorID, note string) (cc.OperatorView, error) {
	return s.viewAfter(ctx, id, func(now time.Time) (cc.Changes, error) { return s.engine.EndWrapUp(now, id, note) })
}

// SaveCallNote keeps an operator's note on a call he answered. The call is read from the store
// before the step, off the loop: the engine holds only calls in progress or in wrap-up, and a
// finished call changes no more (but for its note).
func (s *Switchboard) SaveCallNote(ctx context.Context, by cc.OperatorID, n cc.CallNote) error {
	var stored *cc.Call
	c, _, err := s.store.Call(ctx, n.Call)
	switch {
	case err == nil:
		stored = &c
	case cc.ErrorCode(err) != cc.CodeNotFound:
		return err
	}
	return s.do(ctx, func(now time.Time) (cc.Changes, error) { return s.engine.SaveCallNote(now, by, n, stored) })
}

// DeclineOffer ends the offer out to an operator at his word; it returns his view after it. The
// offer is read from the store before the step, off the loop, to tell an unknown offer from
// one already settled: the engine holds only pending offers.
func (s *Switchboard) DeclineOffer(ctx context.Context, d cc.Decline) (cc.OperatorView, error) {
	var stored *cc.Offer
	of, err := s.store.Offer(ctx, d.Offer)
	switch {
	case err == nil:
		stored = &of
	case cc.ErrorCode(err) != cc.CodeNotFound:
		return cc.OperatorView{}, err
	}
	return s.viewAfter(ctx, d.Operator, func(now time.Time) (cc.Changes, error) { return s.engine.DeclineOffer(now, d, stored) })
}

// SetDisposition sets the disposition of a call in its operator's hands; by is that operator,
// "" for a supervisor. The call is read from the store first, off the loop, to find the operator
// of a call that ended (the engine holds only his copy in his wrap-up).
func (s *Switchboard) SetDisposition(ctx context.Context, by cc.OperatorID, d cc.CallDisposition) (cc.Disposition, error) {
	var stored *cc.Call
	c, _, err := s.store.Call(ctx, d.Call)
	switch {
	case err == nil:
		stored = &c
	case cc.ErrorCode(err) != cc.CodeNotFound:
		return cc.Disposition{}, err
	}
	kept := cc.Disposition{Code: d.Code, Label: d.Code}
	err = s.do(ctx, func(now time.Time) (cc.Changes, error) {
		ch, err := s.engine.SetDisposition(now, by, d, stored)
		if n := len(ch.Dispositions); err == nil && n > 0 {
			kept.Label = ch.Dispositions[n-1].Label
		}
		return ch, err
	})
	return kept, err
}

// LiftBan ends an operator's ban early.
func (s *Switchboard) LiftBan(ctx context.Context, id cc.OperatorID) (cc.OperatorView, error) {
	return s.viewAfter(ctx, id, func(now time.Time) (cc.Changes, error) { return s.engine.LiftBan(now, id) })
}

// OperatorView returns an operator's live view.
func (s *Switchboard) OperatorView(ctx context.Context, id cc.OperatorID) (cc.OperatorView, error) {
	return s.viewAfter(ctx, id, func(time.Time) (cc.Changes, error) { return cc.Changes{}, nil })
}

// Calls lists the calls in progress in line order.
func (s *Switchboard) Calls(ctx context.Context, q cc.QueueID) ([]cc.WaitingCall, error) {
	var out []cc.WaitingCall
	err := s.do(ctx, func(time.Time) (cc.Changes, error) {
		if q != "" {
			if _, ok := s.engine.Queue(q); !ok {
				return cc.Changes{}, cc.NotFound("queue_id", "no queue %q", q)
			}
		}
		out = s.engine.Calls(q)
		return cc.Changes{}, nil
	})
	return out, err
}

// WithdrawOffer takes back a pending offer.
func (s *Switchboard) WithdrawOffer(ctx context.Context, id cc.OfferID, reason string) (cc.Call, error) {
	return s.callStep(ctx, func(now time.Time) (cc.Call, cc.Changes, error) { return s.engine.WithdrawOffer(now, id, reason) })
}

// Requeue puts a waiting call back in line, maybe in another queue or at another priority.
func (s *Switchboard) Requeue(ctx context.Context, r cc.Requeue) (cc.Call, error) {
	return s.callStep(ctx, func(now time.Time) (cc.Call, cc.Changes, error) { return s.engine.Requeue(now, r) })
}

// callStep runs an engine step that returns a call.
func (s *Switchboard) callStep(ctx context.Context, fn func(now time.Time) (cc.Call, cc.Changes, error)) (cc.Call, error) {
	var c cc.Call
	err := s.do(ctx, func(now time.Time) (ch cc.Changes, err error) {
		c, ch, err = fn(now)
		return ch, err
	})
	return c, err
}

// HoldCall puts the caller of operator by's connected call on hold (the queue's music plays to
// him) and returns the call as stored. The call is read from the store first so that one that
// ended is refused as ended.
func (s *Switchboard) HoldCall(ctx context.Context, id cc.CallID, by cc.OperatorID) (cc.Call, error) {
	return s.holdStep(ctx, id, func(now time.Time, stored *cc.Call) (cc.Changes, error) {
		return s.engine.HoldCall(now, id, by, stored)
	})
}

// ResumeCall ends the hold of operator by's call and returns the call as stored.
func (s *Switchboard) ResumeCall(ctx context.Context, id cc.CallID, by cc.OperatorID) (cc.Call, error) {
	return s.holdStep(ctx, id, func(now time.Time, stored *cc.Call) (cc.Changes, error) {
		return s.engine.ResumeCall(now, id, by, stored)
	})
}

func (s *Switchboard) holdStep(ctx context.Context, id cc.CallID, step func(time.Time, *cc.Call) (cc.Changes, error)) (cc.Call, error) {
	var stored *cc.Call
	c, _, err := s.store.Call(ctx, id)
	switch {
	case err == nil:
		stored = &c
	case cc.ErrorCode(err) != cc.CodeNotFound:
		return cc.Call{}, err
	}
	if err := s.do(ctx, func(now time.Time) (cc.Changes, error) { return step(now, stored) }); err != nil {
		return cc.Call{}, err
	}
	c, _, err = s.store.Call(ctx, id)
	return c, err
}

// TransferCall starts operator r.By's transfer of his connected call and returns the call as
// stored. The call is read from the store first so that one that ended is refused as ended.
func (s *Switchboard) TransferCall(ctx context.Context, r cc.TransferRequest) (cc.Call, error) {
	return s.holdStep(ctx, r.Call, func(now time.Time, stored *cc.Call) (cc.Changes, error) {
		return s.engine.TransferCall(now, r, stored)
	})
}

// CompleteTransfer hands the caller of operator by's warm transfer to its consulted target.
func (s *Switchboard) CompleteTransfer(ctx context.Context, id cc.CallID, by cc.OperatorID) (cc.Call, error) {
	return s.holdStep(ctx, id, func(now time.Time, stored *cc.Call) (cc.Changes, error) {
		return s.engine.CompleteTransfer(now, id, by, stored)
	})
}

// CancelTransfer ends operator by's warm transfer: the caller is back with him.
func (s *Switchboard) CancelTransfer(ctx context.Context, id cc.CallID, by cc.OperatorID) (cc.Call, error) {
	return s.holdStep(ctx, id, func(now time.Time, stored *cc.Call) (cc.Changes, error) {
		return s.engine.CancelTransfer(now, id, by, stored)
	})
}

// TransferTargets lists whom operator by may transfer a call to now.
func (s *Switchboard) TransferTargets(ctx context.Context, by cc.OperatorID) (cc.TransferTargets, error) {
	var out cc.TransferTargets
	err := s.do(ctx, func(time.Time) (cc.Changes, error) {
		out = s.engine.TransferTargets(by)
		return cc.Changes{}, nil
	})
	return out, err
}
