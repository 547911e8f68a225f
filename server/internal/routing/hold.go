package routing

import (
	"fmt"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// HoldCall puts the caller of call id on hold for its operator by: the scenario plays the
// queue's hold music to him instead of the operator's voice. Holding a held call changes
// nothing. stored is the call as the store has it (nil when it does not know it), so that a
// call that already ended is refused as such rather than as unknown.
func (e *Engine) HoldCall(now time.Time, id cc.CallID, by cc.OperatorID, stored *cc.Call) (cc.Changes, error) {
	c, err := e.heldBy(id, by, stored)
	if err != nil {
		return e.fail(err)
	}
	if !c.HeldSince.IsZero() {
		return e.finish(now), nil
	}
	c.HeldSince = now
	music := ""
	if q := e.queues[c.Queue]; q != nil {
		music = q.HoldMusicURL
	}
	e.command(cc.Command{Type: cc.CommandHold, Call: c.ID, AccessURL: c.AccessURL, MusicURL: music})
	e.heldChanged(c)
	return e.finish(now), nil
}

// ResumeCall ends the hold of call id: caller and operator talk again, and the hold's length is
// added to the call's hold time. Resuming a call that is not held changes nothing.
func (e *Engine) ResumeCall(now time.Time, id cc.CallID, by cc.OperatorID, stored *cc.Call) (cc.Changes, error) {
	c, err := e.heldBy(id, by, stored)
	if err != nil {
		return e.fail(err)
	}
	if c.HeldSince.IsZero() {
		return e.finish(now), nil
	}
	endHold(now, c)
	e.command(cc.Command{Type: cc.CommandResume, Call: c.ID, AccessURL: c.AccessURL})
	e.heldChanged(c)
	return e.finish(now), nil
}

// HoldUndelivered takes back a hold or resume the scenario did not carry out (reason says why):
// the call's hold state goes back to what the caller hears, and the operator's view says why.
func (e *Engine) HoldUndelivered(now time.Time, cmd cc.Command, reason string) cc.Changes {
	c := e.calls[cmd.Call]
	if c == nil || c.State != cc.CallConnected {
		return e.finish(now)
	}
	switch {
	case cmd.Type == cc.CommandHold && !c.HeldSince.IsZero():
		c.HeldSince = time.Time{} // the caller never heard the music: no hold time
	case cmd.Type == cc.CommandResume && c.HeldSince.IsZero():
		c.HeldSince = now // still on hold; the time until the failure was counted already
	default:
		return e.finish(now)
	}
	c.holdFailure = string(cmd.Type) + " failed: " + reason
	e.heldChanged(c)
	return e.finish(now)
}

// heldBy finds the call in progress that operator by may hold or resume.
func (e *Engine) heldBy(id cc.CallID, by cc.OperatorID, stored *cc.Call) (*call, error) {
	c := e.calls[id]
	if c == nil {
		if stored == nil {
			return nil, cc.NotFound("call_id", "no call %q", id)
		}
		if err := stored.CheckHold(by); err != nil {
			return nil, err
		}
		return nil, cc.NotFound("call_id", "no call %q in progress", id)
	}
	if err := c.CheckHold(by); err != nil {
		return nil, err
	}
	if c.Transfer.Active() { // the transfer decides what the caller hears until it ends
		return nil, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s is being transferred: complete or cancel the transfer first", c.ID)}
	}
	c.holdFailure = ""
	return c, nil
}

// heldChanged stores the call and shows its operator the new hold state.
func (e *Engine) heldChanged(c *call) {
	e.touchCall(c)
	if o := e.operators[c.Operator]; o != nil {
		e.touchStatus(o)
	}
}

// endHold closes a hold in progress into the call's hold time.
func endHold(now time.Time, c *call) {
	if c.HeldSince.IsZero() {
		return
	}
	c.HoldTime = c.HeldFor(now)
	c.HeldSince = time.Time{}
}
