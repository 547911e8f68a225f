package routing

import (
	"cmp"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// CreateQueue adds a queue (see Queue.Check). Its id and dialed numbers must be free.
func (e *Engine) CreateQueue(now time.Time, q cc.Queue) (cc.Changes, error) {
	q, err := q.Check()
	if err != nil {
		return e.fail(err)
	}
	if e.queues[q.ID] != nil {
		return e.fail(&cc.Error{Code: cc.CodeAlreadyExists, Field: "queue.queue_id", Message: "queue " + string(q.ID) + " already exists"})
	}
	return e.saveQueue(now, q)
}

// UpdateQueue replaces a queue's settings (see Queue.Check). Calls waiting in it keep their
// places.
func (e *Engine) UpdateQueue(now time.Time, q cc.Queue) (cc.Changes, error) {
	q, err := q.Check()
	if err != nil {
		return e.fail(err)
	}
	if e.queues[q.ID] == nil {
		return e.fail(cc.NotFound("queue.queue_id", "no queue %q", q.ID))
	}
	return e.saveQueue(now, q)
}

func (e *Engine) saveQueue(now time.Time, q cc.Queue) (cc.Changes, error) {
	if field := q.Rules.CallbackField(); field != "" && !e.cfg.Callbacks {
		return e.fail(&cc.Error{Code: cc.CodeFailedPrecondition, Field: field, Message: "callbacks need Voximplant's Management API: tandem serve --voximplant-account-id, --voximplant-key-file and --callback-rule-id"})
	}
	if err := e.checkExitQueues(q); err != nil {
		return e.fail(err)
	}
	for _, x := range q.Rules.Relax.RelaxQueues() {
		if e.queues[x.Queue] == nil {
			return e.fail(cc.NotFound(x.Field, "no queue %q", x.Queue))
		}
	}
	for _, id := range q.Rules.Overflow.Spares {
		if e.spares[id] == nil {
			return e.fail(cc.NotFound("queue.overflow.spare_ids", "no spare number %q", id))
		}
	}
	for _, n := range q.DialedNumbers {
		if owner, ok := e.byNumber[n]; ok && owner != q.ID {
			return e.fail(&cc.Error{Code: cc.CodeAlreadyExists, Field: "queue.dialed_numbers", Message: "number " + n + " already leads to queue " + string(owner)})
		}
	}
	if q.IsDefault {
		for _, other := range e.queues {
			if other.ID != q.ID && other.IsDefault {
				cp := *other
				cp.IsDefault = false
				e.putQueue(cp)
				e.out.Queues = append(e.out.Queues, cp)
			}
		}
	}
	e.putQueue(q)
	e.out.Queues = append(e.out.Queues, q)
	e.releaseKept(now) // it may no longer require a disposition
	return e.finish(now), nil
}

func (e *Engine) putQueue(q cc.Queue) {
	if old := e.queues[q.ID]; old != nil {
		for _, n := range old.DialedNumbers {
			delete(e.byNumber, n)
		}
		if old.Rules.Overflow.After > 0 {
			e.overflowing--
		}
	}
	if q.Rules.Overflow.After > 0 {
		e.overflowing++
	}
	cp := q
	cp.DialedNumbers = append([]string(nil), q.DialedNumbers...)
	e.queues[q.ID] = &cp
	for _, n := range cp.DialedNumbers {
		e.byNumber[n] = q.ID
	}
	e.indexExits()
	e.indexRelax(&cp)
}

// indexExits lists the queues whose waiting calls may take an exit on a tick.
func (e *Engine) indexExits() {
	e.exiting = e.exiting[:0]
	clear(e.spells)
	for _, q := range e.queues {
		if q.Rules.ExitWaitingAtClose && q.Rules.Hours.Set() || q.Rules.LongestWait.After > 0 && !q.Rules.OverflowIsExit() {
			e.exiting = append(e.exiting, q)
		}
	}
	slices.SortFunc(e.exiting, func(a, b *cc.Queue) int { return cmp.Compare(a.ID, b.ID) })
}

// Queue returns a queue's settings.
func (e *Engine) Queue(id cc.QueueID) (cc.Queue, bool) {
	q := e.queues[id]
	if q == nil {
		return cc.Queue{}, false
	}
	return *q, true
}

// queueFor picks the queue for a dialed number: the one that lists it, else the default queue.
func (e *Engine) queueFor(number string) *cc.Queue {
	if id, ok := e.byNumber[number]; ok {
		return e.queues[id]
	}
	for _, q := range e.queues {
		if q.IsDefault {
			return q
		}
	}
	return nil
}

// CreateOperator adds an operator, offline (see Operator.Check). His name must be free and his
// queues must exist.
func (e *Engine) CreateOperator(now time.Time, op cc.Operator) (cc.Changes, error) {
	op, err := op.Check()
	if err != nil {
		return e.fail(err)
	}
	if _, taken := e.byName[op.Name]; taken {
		return e.fail(&cc.Error{Code: cc.CodeAlreadyExists, Field: "name", Message: "an operator named " + op.Name + " already exists"})
	}
	if e.operators[op.ID] != nil {
		return e.fail(&cc.Error{Code: cc.CodeAlreadyExists, Field: "operator_id", Message: "operator " + string(op.ID) + " already exists"})
	}
	if err := e.checkSkills(op.Queues); err != nil {
		return e.fail(err)
	}
	o := e.putOperator(now, op)
	e.out.Operators = append(e.out.Operators, op)
	e.touchStatus(o)
	return e.finish(now), nil
}

// UpdateOperator replaces an operator's configuration (see Operator.Check). Disabling him logs
// him off; he cannot be disabled while a call is offered to him or he talks.
func (e *Engine) UpdateOperator(now time.Time, op cc.Operator) (cc.Changes, error) {
	o, err := e.operatorOr404(op.ID)
	if err != nil {
		return e.fail(err)
	}
	op.Name, op.CreatedAt = o.cfg.Name, o.cfg.CreatedAt // the login name and history stay
	if op, err = op.Check(); err != nil {
		return e.fail(err)
	}
	if err := e.checkSkills(op.Queues); err != nil {
		return e.fail(err)
	}
	if op.Disabled && !o.cfg.Disabled && busy(o.st.State) {
		return e.fail(cc.Errorf(cc.CodeFailedPrecondition, "operator %s is on a call; disable him after it", op.Name))
	}
	old := o.cfg.Queues
	o.cfg = op
	e.indexQueues(o, old)
	e.touchStatus(o) // disabling changes whether he is free
	if op.Disabled && o.st.State != cc.OperatorOffline {
		e.setState(now, o, cc.OperatorOffline, "disabled")
	}
	e.out.Operators = append(e.out.Operators, op)
	return e.finish(now), nil
}

// checkSkills checks that an operator's queues exist (Operator.Check refused a queue listed twice).
func (e *Engine) checkSkills(skills []cc.QueueSkill) error {
	for _, s := range skills {
		if e.queues[s.Queue] == nil {
			return cc.NotFound("queues", "no queue %q", s.Queue)
		}
	}
	return nil
}

func (e *Engine) putOperator(now time.Time, op cc.Operator) *operator {
	o := e.operators[op.ID]
	var old []cc.QueueSkill
	if o == nil {
		o = &operator{st: cc.OperatorStatus{Operator: op.ID, State: cc.OperatorOffline, Since: now, Marks: cc.NewMarks()}}
		e.operators[op.ID] = o
	} else {
		old = o.cfg.Queues
	}
	o.cfg = op
	e.byDisplay = nil // the floor's order may change
	e.byName[op.Name] = op.ID
	e.indexQueues(o, old)
	e.indexOperator(o)
	return o
}

func byOperatorID(a *operator, id cc.OperatorID) int { return cmp.Compare(a.cfg.ID, id) }

// Operator returns an operator's configuration.
func (e *Engine) Operator(id cc.OperatorID) (cc.Operator, bool) {
	o := e.operators[id]
	if o == nil {
		return cc.Operator{}, false
	}
	return o.cfg, true
}

// OperatorNamed returns the id of the operator with a login name.
func (e *Engine) OperatorNamed(name string) (cc.OperatorID, bool) {
	id, ok := e.byName[name]
	return id, ok
}

func busy(s cc.OperatorState) bool { return s == cc.OperatorReserved || s == cc.OperatorOnCall }
