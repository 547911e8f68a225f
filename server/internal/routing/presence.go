package routing

import (
	"fmt"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Connect records that an app of the operator opened a presence stream.
func (e *Engine) Connect(now time.Time, id cc.OperatorID) (cc.Changes, error) {
	o, err := e.operatorOr404(id)
	if err != nil {
		return e.fail(err)
	}
	o.streams++
	o.absentSince = time.Time{}
	e.file(o)
	e.touchStatus(o)
	return e.finish(now), nil
}

// Disconnect records that a presence stream closed. With none left the operator gets no offers,
// and after the grace period he is logged off.
func (e *Engine) Disconnect(now time.Time, id cc.OperatorID) cc.Changes {
	if o := e.operators[id]; o != nil && o.streams > 0 {
		o.streams--
		if o.streams == 0 {
			o.absentSince = now
		}
		e.file(o)
		e.touchStatus(o)
	}
	return e.finish(now)
}

// GoReady makes an operator available for calls.
func (e *Engine) GoReady(now time.Time, id cc.OperatorID) (cc.Changes, error) {
	o, err := e.operatorOr404(id)
	if err != nil {
		return e.fail(err)
	}
	switch {
	case o.cfg.Disabled:
		return e.fail(cc.Errorf(cc.CodePermissionDenied, "operator %s is disabled", o.cfg.Name))
	case busy(o.st.State):
		return e.fail(cc.Errorf(cc.CodeFailedPrecondition, "operator %s is %s; he is ready again after the call", o.cfg.Name, o.st.State))
	case o.st.State == cc.OperatorBanned:
		return e.fail(cc.Errorf(cc.CodeFailedPrecondition, "operator %s is banned: %s", o.cfg.Name, o.st.Reason))
	case o.st.State == cc.OperatorReady:
		return e.finish(now), nil
	}
	e.setState(now, o, cc.OperatorReady, "")
	o.st.IdleSince = now
	if !o.present() && o.absentSince.IsZero() {
		o.absentSince = now // ready without an app: logged off after the grace period
	}
	return e.finish(now), nil
}

// GoAway takes an operator out of routing with a reason.
func (e *Engine) GoAway(now time.Time, id cc.OperatorID, reason string) (cc.Changes, error) {
	o, err := e.operatorOr404(id)
	if err != nil {
		return e.fail(err)
	}
	switch {
	case busy(o.st.State):
		return e.fail(cc.Errorf(cc.CodeFailedPrecondition, "operator %s is %s; go away after the call", o.cfg.Name, o.st.State))
	case o.st.State == cc.OperatorBanned:
		return e.fail(cc.Errorf(cc.CodeFailedPrecondition, "operator %s is banned: %s", o.cfg.Name, o.st.Reason))
	}
	e.setState(now, o, cc.OperatorAway, reason)
	return e.finish(now), nil
}

// LogOut takes an operator offline. Not while he talks (on a call, or his leg of another's
// call rings). A call offered to him refuses the log-out too, unless bySupervisor: then the
// offer is taken back through no fault of his (the call returns to its place in line, his
// marks stay) and he goes offline with cc.ReasonLoggedOutBySupervisor.
func (e *Engine) LogOut(now time.Time, id cc.OperatorID, bySupervisor bool) (cc.Changes, error) {
	o, err := e.operatorOr404(id)
	if err != nil {
		return e.fail(err)
	}
	if busy(o.st.State) {
		of := e.offers[o.st.Offer]
		var c *call
		if of != nil {
			c = e.calls[of.Call]
		}
		// Only an offer of a call in line to him: a leg of a transfer or of a call he is added
		// to belongs to a call someone talks on.
		if !bySupervisor || o.st.State != cc.OperatorReserved || of == nil || of.Operator != id || c == nil || !c.hasLeg(of.ID) {
			return e.fail(&cc.Error{Code: cc.CodeFailedPrecondition, Field: "operator_id", Message: fmt.Sprintf("operator %s is %s; log out after the call", o.cfg.Name, o.st.State)})
		}
		e.release(now, of, "operator logged out by supervisor")
	}
	if o.st.State != cc.OperatorOffline && o.st.State != cc.OperatorBanned {
		reason := "logged out"
		if bySupervisor {
			reason = cc.ReasonLoggedOutBySupervisor
		}
		e.setState(now, o, cc.OperatorOffline, reason)
	}
	return e.finish(now), nil
}

// EndWrapUp ends an operator's wrap-up early: he is ready at once. A note, if any, is kept with
// the call he just handled. Refused while the call's queue requires a disposition he has not set.
func (e *Engine) EndWrapUp(now time.Time, id cc.OperatorID, note string) (cc.Changes, error) {
	o, err := e.operatorOr404(id)
	if err != nil {
		return e.fail(err)
	}
	if o.st.State != cc.OperatorWrapUp {
		return e.fail(cc.Errorf(cc.CodeFailedPrecondition, "operator %s is %s, not in wrap-up", o.cfg.Name, o.st.State))
	}
	if e.needsDisposition(o) {
		return e.fail(&cc.Error{Code: cc.CodeFailedPrecondition, Field: "disposition",
			Message: "queue " + string(e.callInHand(o).Queue) + " requires a disposition: set one (SetDisposition) before Done"})
	}
	if note != "" {
		e.out.Notes = append(e.out.Notes, cc.CallNote{Call: o.st.Call, Note: note})
	}
	e.setState(now, o, cc.OperatorReady, "")
	o.st.IdleSince = now
	return e.finish(now), nil
}

// SaveCallNote keeps operator by's note on a call he answered, replacing his earlier one (see
// cc.CallNote.Check for when he may). stored is the call as the store has it, nil when the store
// does not know it; the engine's own copy, of a call in progress or in wrap-up, is newer and
// wins, and takes the note too, so his view shows it.
func (e *Engine) SaveCallNote(now time.Time, by cc.OperatorID, n cc.CallNote, stored *cc.Call) (cc.Changes, error) {
	o, err := e.operatorOr404(by)
	if err != nil {
		return e.fail(err)
	}
	held := e.callInHand(o)
	if held == nil || held.ID != n.Call {
		held = nil
		if c := e.calls[n.Call]; c != nil {
			held = &c.Call
		}
	}
	c := stored
	if held != nil {
		c = held
	}
	if c == nil {
		return e.fail(cc.NotFound("call_id", "no call %q", n.Call))
	}
	if err := n.Check(*c, by, now); err != nil {
		return e.fail(err)
	}
	if held != nil {
		held.Note = n.Note
		e.touchStatus(o) // his view shows the note
	}
	e.out.Notes = append(e.out.Notes, n)
	return e.finish(now), nil
}
