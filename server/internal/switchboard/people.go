package switchboard

import (
	"context"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file holds the commands and reads of personal managers (clients) and absences. Each is
// one step of the loop: a command's whole changes, with the offers the engine's assignment pass
// made on the way, are stored before it returns and its dials sent after.

// SetClient makes an operator a caller number's personal manager.
func (s *Switchboard) SetClient(ctx context.Context, number string, manager cc.OperatorID) (cc.Client, error) {
	var cl cc.Client
	err := s.do(ctx, func(now time.Time) (ch cc.Changes, err error) {
		cl, ch, err = s.engine.SetClient(now, number, manager, cc.AssignedByAdmin)
		return ch, err
	})
	return cl, err
}

// RemoveClient takes a caller number's personal manager away.
func (s *Switchboard) RemoveClient(ctx context.Context, number string) (cc.Client, error) {
	var cl cc.Client
	err := s.do(ctx, func(now time.Time) (ch cc.Changes, err error) {
		if _, ok := s.engine.Client(number); !ok {
			return ch, cc.NotFound("number", "no client %s", number)
		}
		cl, ch, err = s.engine.SetClient(now, number, "", cc.AssignedByAdmin)
		return ch, err
	})
	return cl, err
}

// ImportClients gives each line's caller number its manager, named by operator id or login
// name, all in one step. A line that cannot be carried out is left out with its reason; the
// others are imported.
func (s *Switchboard) ImportClients(ctx context.Context, lines []cc.ClientLine) (imported int, failed []cc.LineError, err error) {
	err = s.do(ctx, func(now time.Time) (cc.Changes, error) {
		imported, failed = 0, nil
		var all cc.Changes
		for _, l := range lines {
			id, ok := s.engine.OperatorNamed(l.Manager)
			if !ok {
				id = cc.OperatorID(l.Manager)
			}
			_, ch, err := s.engine.SetClient(now, l.Number, id, cc.AssignedByImport)
			if err != nil {
				failed = append(failed, cc.LineError{Line: l.Line, Message: err.Error()})
				continue
			}
			all.Merge(ch)
			imported++
		}
		return all, nil
	})
	return imported, failed, err
}

// ForgetClient drops what the engine holds in memory of a caller number, before his stored
// data is erased; nothing is written.
func (s *Switchboard) ForgetClient(ctx context.Context, number string) error {
	return s.do(ctx, func(time.Time) (cc.Changes, error) {
		s.engine.ForgetClient(number)
		return cc.Changes{}, nil
	})
}

// Client returns what Tandem knows of a caller number.
func (s *Switchboard) Client(ctx context.Context, number string) (cc.Client, error) {
	var cl cc.Client
	err := s.do(ctx, func(time.Time) (cc.Changes, error) {
		var ok bool
		if cl, ok = s.engine.Client(number); !ok {
			return cc.Changes{}, cc.NotFound("number", "Tandem knows nothing of %s", number)
		}
		return cc.Changes{}, nil
	})
	return cl, err
}

// Clients lists a manager's clients (everyone's when manager is ""); with orphans, those whose
// manager was dismissed.
func (s *Switchboard) Clients(ctx context.Context, manager cc.OperatorID, orphans bool) ([]cc.Client, error) {
	var out []cc.Client
	err := s.do(ctx, func(time.Time) (cc.Changes, error) {
		if _, ok := s.engine.Operator(manager); manager != "" && !ok {
			return cc.Changes{}, cc.NotFound("manager_id", "no operator %q", manager)
		}
		out = s.engine.Clients(manager, orphans)
		return cc.Changes{}, nil
	})
	return out, err
}

// PutAbsence adds an absence, or replaces the one with its id.
func (s *Switchboard) PutAbsence(ctx context.Context, a cc.Absence) error {
	return s.do(ctx, func(now time.Time) (cc.Changes, error) { return s.engine.PutAbsence(now, a) })
}

// DeleteAbsence removes an absence.
func (s *Switchboard) DeleteAbsence(ctx context.Context, id string) error {
	return s.do(ctx, func(now time.Time) (cc.Changes, error) { return s.engine.DeleteAbsence(now, id) })
}

// Absences lists an operator's absences (everyone's when id is ""), earliest first.
func (s *Switchboard) Absences(ctx context.Context, id cc.OperatorID) ([]cc.Absence, error) {
	var out []cc.Absence
	err := s.do(ctx, func(time.Time) (cc.Changes, error) {
		out = s.engine.Absences(id)
		return cc.Changes{}, nil
	})
	return out, err
}
