package switchboard

import (
	"context"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// AddToCall brings a third party (contact, or the operator target) into operator by's
// connected call; it returns the new party and the call as stored.
func (s *Switchboard) AddToCall(ctx context.Context, id cc.CallID, by cc.OperatorID, contact cc.Contact, target cc.OperatorID) (cc.Party, cc.Call, error) {
	return s.partyStep(ctx, id, func(now time.Time, stored *cc.Call) (cc.Party, cc.Changes, error) {
		return s.engine.AddToCall(now, id, by, contact, target, stored)
	})
}

// RemoveFromCall ends party pid's leg on call id, at the request of its operator by or of a
// supervisor (bySupervisor); it returns the call as stored.
func (s *Switchboard) RemoveFromCall(ctx context.Context, id cc.CallID, pid cc.PartyID, by cc.OperatorID, bySupervisor bool) (cc.Call, error) {
	_, c, err := s.partyStep(ctx, id, func(now time.Time, stored *cc.Call) (cc.Party, cc.Changes, error) {
		ch, err := s.engine.RemoveFromCall(now, id, pid, by, bySupervisor, stored)
		return cc.Party{}, ch, err
	})
	return c, err
}

// MonitorCall rings supervisor into call id in mode at contact, or switches his mode; it
// returns the monitoring party and the call as stored.
func (s *Switchboard) MonitorCall(ctx context.Context, id cc.CallID, mode cc.PartyMode, contact cc.Contact, supervisor string) (cc.Party, cc.Call, error) {
	return s.partyStep(ctx, id, func(now time.Time, stored *cc.Call) (cc.Party, cc.Changes, error) {
		return s.engine.MonitorCall(now, id, mode, contact, supervisor, stored)
	})
}

// StopMonitor ends the monitoring of call id; it returns the call as stored.
func (s *Switchboard) StopMonitor(ctx context.Context, id cc.CallID) (cc.Call, error) {
	_, c, err := s.partyStep(ctx, id, func(now time.Time, stored *cc.Call) (cc.Party, cc.Changes, error) {
		ch, err := s.engine.StopMonitor(now, id, stored)
		return cc.Party{}, ch, err
	})
	return c, err
}

// partyStep runs a party command as one step. The call is read from the store first so that
// one that ended is refused as ended.
func (s *Switchboard) partyStep(ctx context.Context, id cc.CallID, step func(time.Time, *cc.Call) (cc.Party, cc.Changes, error)) (cc.Party, cc.Call, error) {
	var stored *cc.Call
	c, _, err := s.store.Call(ctx, id)
	switch {
	case err == nil:
		stored = &c
	case cc.ErrorCode(err) != cc.CodeNotFound:
		return cc.Party{}, cc.Call{}, err
	}
	var p cc.Party
	err = s.do(ctx, func(now time.Time) (cc.Changes, error) {
		var ch cc.Changes
		var err error
		p, ch, err = step(now, stored)
		return ch, err
	})
	if err != nil {
		return cc.Party{}, cc.Call{}, err
	}
	c, _, err = s.store.Call(ctx, id)
	return p, c, err
}
