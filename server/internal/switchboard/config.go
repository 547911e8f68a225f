package switchboard

import (
	"context"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file holds the configuration commands and reads: queues, operators and spare numbers.
// Each is one step of the loop: a command's whole changes are stored before it returns.

// CreateQueue adds a queue.
func (s *Switchboard) CreateQueue(ctx context.Context, q cc.Queue) error {
	return s.do(ctx, func(now time.Time) (cc.Changes, error) { return s.engine.CreateQueue(now, q) })
}

// UpdateQueue replaces a queue's settings.
func (s *Switchboard) UpdateQueue(ctx context.Context, q cc.Queue) error {
	return s.do(ctx, func(now time.Time) (cc.Changes, error) { return s.engine.UpdateQueue(now, q) })
}

// Queue returns a queue's settings as the engine routes by them.
func (s *Switchboard) Queue(ctx context.Context, id cc.QueueID) (cc.Queue, error) {
	var q cc.Queue
	err := s.do(ctx, func(time.Time) (cc.Changes, error) {
		var ok bool
		if q, ok = s.engine.Queue(id); !ok {
			return cc.Changes{}, cc.NotFound("queue_id", "no queue %q", id)
		}
		return cc.Changes{}, nil
	})
	return q, err
}

// CreateOperator adds an operator.
func (s *Switchboard) CreateOperator(ctx context.Context, op cc.Operator) error {
	return s.do(ctx, func(now time.Time) (cc.Changes, error) { return s.engine.CreateOperator(now, op) })
}

// UpdateOperator changes an operator's configuration and returns it as changed.
func (s *Switchboard) UpdateOperator(ctx context.Context, id cc.OperatorID, u cc.OperatorUpdate) (cc.Operator, error) {
	var out cc.Operator
	err := s.do(ctx, func(now time.Time) (cc.Changes, error) {
		cur, ok := s.engine.Operator(id)
		if !ok {
			return cc.Changes{}, cc.NotFound("operator_id", "no operator %q", id)
		}
		ch, err := s.engine.UpdateOperator(now, u.Apply(cur))
		out, _ = s.engine.Operator(id)
		return ch, err
	})
	return out, err
}

// Operator returns an operator's configuration as the engine routes by it.
func (s *Switchboard) Operator(ctx context.Context, id cc.OperatorID) (cc.Operator, error) {
	var op cc.Operator
	err := s.do(ctx, func(time.Time) (cc.Changes, error) {
		var ok bool
		if op, ok = s.engine.Operator(id); !ok {
			return cc.Changes{}, cc.NotFound("operator_id", "no operator %q", id)
		}
		return cc.Changes{}, nil
	})
	return op, err
}

// CreateSpare adds a spare number and returns its use (none yet).
func (s *Switchboard) CreateSpare(ctx context.Context, sp cc.Spare) (cc.SpareStatus, error) {
	return s.putSpare(ctx, sp, false)
}

// UpdateSpare replaces a spare number's settings and returns its use.
func (s *Switchboard) UpdateSpare(ctx context.Context, sp cc.Spare) (cc.SpareStatus, error) {
	return s.putSpare(ctx, sp, true)
}

func (s *Switchboard) putSpare(ctx context.Context, sp cc.Spare, exists bool) (cc.SpareStatus, error) {
	var use cc.SpareStatus
	err := s.do(ctx, func(now time.Time) (cc.Changes, error) {
		switch _, _, ok := s.engine.Spare(sp.ID, now); {
		case ok && !exists:
			return cc.Changes{}, &cc.Error{Code: cc.CodeAlreadyExists, Field: "spare.spare_id", Message: "spare " + string(sp.ID) + " already exists"}
		case !ok && exists:
			return cc.Changes{}, cc.NotFound("spare.spare_id", "no spare %q", sp.ID)
		}
		ch, err := s.engine.PutSpare(now, sp)
		_, use, _ = s.engine.Spare(sp.ID, now)
		return ch, err
	})
	return use, err
}

// Spare returns a spare number and its use now.
func (s *Switchboard) Spare(ctx context.Context, id cc.SpareID) (cc.Spare, cc.SpareStatus, error) {
	var (
		sp  cc.Spare
		use cc.SpareStatus
	)
	err := s.do(ctx, func(now time.Time) (cc.Changes, error) {
		var ok bool
		if sp, use, ok = s.engine.Spare(id, now); !ok {
			return cc.Changes{}, cc.NotFound("spare_id", "no spare %q", id)
		}
		return cc.Changes{}, nil
	})
	return sp, use, err
}

// Spares lists the spare numbers by id, and each one's use now (use[i] is spares[i]'s).
func (s *Switchboard) Spares(ctx context.Context) (spares []cc.Spare, use []cc.SpareStatus, err error) {
	err = s.do(ctx, func(now time.Time) (cc.Changes, error) {
		spares = s.engine.Spares()
		use = make([]cc.SpareStatus, len(spares))
		for i, sp := range spares {
			_, use[i], _ = s.engine.Spare(sp.ID, now)
		}
		return cc.Changes{}, nil
	})
	return spares, use, err
}

// PreviewOverflow says which spare number a call of queue q overflowing at would go to, and
// why the others would not (at zero: now).
func (s *Switchboard) PreviewOverflow(ctx context.Context, q cc.QueueID, at time.Time) (cc.Decision, error) {
	var d cc.Decision
	err := s.do(ctx, func(now time.Time) (cc.Changes, error) {
		if at.IsZero() {
			at = now
		}
		var err error
		d, err = s.engine.PreviewOverflow(q, at)
		return cc.Changes{}, err
	})
	return d, err
}

// PutMenu creates or replaces an IVR menu and returns it as stored (defaults filled in).
func (s *Switchboard) PutMenu(ctx context.Context, m cc.Menu) (cc.Menu, error) {
	var out cc.Menu
	err := s.do(ctx, func(now time.Time) (cc.Changes, error) {
		ch, err := s.engine.PutMenu(now, m)
		out, _ = s.engine.Menu(m.ID)
		return ch, err
	})
	return out, err
}

// DeleteMenu deletes an IVR menu.
func (s *Switchboard) DeleteMenu(ctx context.Context, id cc.MenuID) error {
	return s.do(ctx, func(now time.Time) (cc.Changes, error) { return s.engine.DeleteMenu(now, id) })
}

// Menus lists the IVR menus by id.
func (s *Switchboard) Menus(ctx context.Context) ([]cc.Menu, error) {
	var out []cc.Menu
	err := s.do(ctx, func(time.Time) (cc.Changes, error) {
		out = s.engine.Menus()
		return cc.Changes{}, nil
	})
	return out, err
}

// Menu returns an IVR menu.
func (s *Switchboard) Menu(ctx context.Context, id cc.MenuID) (cc.Menu, error) {
	var m cc.Menu
	err := s.do(ctx, func(time.Time) (cc.Changes, error) {
		var ok bool
		if m, ok = s.engine.Menu(id); !ok {
			return cc.Changes{}, cc.NotFound("menu_id", "no menu %q", id)
		}
		return cc.Changes{}, nil
	})
	return m, err
}
