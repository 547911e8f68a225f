package routing

import (
	"slices"
	"strings"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file routes a caller to his personal manager, explains the manager's absences, and
// asks callers by voice whether they want a manager.

// question is an opt-in asked of a caller: "should this operator answer your calls?".
type question struct {
	number    string
	operator  cc.OperatorID
	call      cc.CallID
	accessURL string
	asked     int
}

// absence says why an operator cannot take his clients' calls now, and until when; "" when he can.
func (e *Engine) absence(now time.Time, o *operator) (cc.ManagerAbsence, time.Time) {
	if o.cfg.Disabled {
		return cc.AbsentDismissed, time.Time{}
	}
	loc := o.cfg.Hours.Location()
	today := now.In(loc).Format(time.DateOnly)
	for _, a := range e.absences[o.cfg.ID] {
		if a.Covers(today) {
			back, _ := time.ParseInLocation(time.DateOnly, a.To, loc)
			why := cc.AbsentOnVacation
			if a.Kind == cc.AbsenceSick {
				why = cc.AbsentSick
			}
			return why, back.AddDate(0, 0, 1)
		}
	}
	if !o.cfg.Hours.Within(now) {
		next, _ := o.cfg.Hours.NextStart(now)
		return cc.AbsentOffHours, next
	}
	return "", time.Time{}
}

// absenceText is what the caller hears when his manager is absent.
func absenceText(q *cc.Queue, why cc.ManagerAbsence, o *operator, until time.Time) string {
	tmpl := cc.DefaultAbsenceTemplates[why]
	if t := q.Rules.AbsenceTemplates[why]; t != "" {
		tmpl = t
	}
	var when string
	switch why {
	case cc.AbsentOnVacation, cc.AbsentSick:
		when = until.Format("2 January")
	case cc.AbsentOffHours:
		when = until.Format("at 15:04 on Monday")
	}
	return strings.NewReplacer("{name}", o.cfg.DisplayName, "{until}", when).Replace(tmpl)
}

// routeToManager sets a new call up for the caller's personal manager: the call waits for him
// for a while, or, when he is absent, the caller hears why and the call goes on as any other.
func (e *Engine) routeToManager(now time.Time, q *cc.Queue, c *call) {
	cl := e.clients[c.Client]
	if cl == nil || cl.Manager == "" {
		return
	}
	o := e.operators[cl.Manager]
	if o == nil {
		return
	}
	if why, until := e.absence(now, o); why != "" {
		c.managerNote = "personal manager " + o.cfg.Name + " absent: " + string(why)
		e.command(cc.Command{Type: cc.CommandSay, Call: c.ID, AccessURL: c.AccessURL, Text: absenceText(q, why, o, until)})
		return
	}
	c.Manager, c.ManagerUntil = o.cfg.ID, now.Add(q.Rules.ManagerWait)
}

// askOptIn asks a caller without a manager, after the operator ended the call, whether that
// operator should answer his calls from now on — unless the queue does not ask or he said no
// recently.
func (e *Engine) askOptIn(now time.Time, c *call, by cc.HangupParty) {
	q, o := e.queues[c.Queue], e.operators[c.Operator]
	if q == nil || o == nil || !q.Rules.OptIn || by != cc.HangupOperator || c.Client == "" {
		return
	}
	if cl := e.clients[c.Client]; cl != nil && (cl.Manager != "" || (!cl.DeclinedAt.IsZero() && now.Sub(cl.DeclinedAt) < q.Rules.OptInCooldown)) {
		return
	}
	id := e.cfg.NewID("ask")
	qu := &question{number: c.Client, operator: o.cfg.ID, call: c.ID, accessURL: c.AccessURL, asked: 1}
	e.questions[id] = qu
	e.out.Next = &cc.Command{Type: cc.CommandAsk, Call: c.ID, AccessURL: c.AccessURL, QuestionID: id,
		Text: "Would you like " + o.cfg.DisplayName + " to answer your calls from now on? Please say yes or no."}
}

// speech takes a caller's answer to an opt-in question. Yes makes the operator his manager; no
// is remembered so he is not asked again soon; an unclear answer is asked once more, then dropped.
func (e *Engine) speech(now time.Time, questionID string, v cc.Verdict) {
	qu := e.questions[questionID]
	if qu == nil {
		return // answered already, or never asked: nothing to do
	}
	say := func(text string) {
		e.out.Next = &cc.Command{Type: cc.CommandSay, Call: qu.call, AccessURL: qu.accessURL, Text: text}
	}
	name := string(qu.operator)
	if o := e.operators[qu.operator]; o != nil {
		name = o.cfg.DisplayName
	}
	switch v {
	case cc.VerdictYes:
		delete(e.questions, questionID)
		e.putClient(cc.Client{Number: qu.number, Manager: qu.operator, How: cc.AssignedByVoice, AssignedAt: now})
		say("Thank you. " + name + " will answer your calls from now on.")
	case cc.VerdictNo:
		delete(e.questions, questionID)
		cl := cc.Client{Number: qu.number}
		if old := e.clients[qu.number]; old != nil {
			cl = *old
		}
		cl.DeclinedAt = now
		e.putClient(cl)
		say("Thank you. Goodbye.")
	default:
		if qu.asked >= 2 {
			delete(e.questions, questionID)
			say("Sorry, I did not understand. Goodbye.")
			return
		}
		qu.asked++
		e.out.Next = &cc.Command{Type: cc.CommandAsk, Call: qu.call, AccessURL: qu.accessURL, QuestionID: questionID,
			Text: "Sorry, I did not understand. Would you like " + name + " to answer your calls from now on? Please say yes or no."}
	}
}

func (e *Engine) putClient(cl cc.Client) {
	cp := cl
	e.clients[cl.Number] = &cp
	e.out.Clients = append(e.out.Clients, cl)
}

// SetClient makes an operator a caller's personal manager (or, with manager "", takes his
// manager away). The number is normalised (see Client.Check).
func (e *Engine) SetClient(now time.Time, number string, manager cc.OperatorID, how cc.AssignedHow) (cc.Client, cc.Changes, error) {
	in, err := cc.Client{Number: number, Manager: manager, How: how}.Check()
	if err != nil {
		_, err = e.fail(err)
		return cc.Client{}, cc.Changes{}, err
	}
	cl := cc.Client{Number: in.Number}
	if old := e.clients[in.Number]; old != nil {
		cl = *old
	}
	if manager != "" {
		o := e.operators[manager]
		if o == nil {
			_, err := e.fail(cc.NotFound("manager_id", "no operator %q", manager))
			return cl, cc.Changes{}, err
		}
		if o.cfg.Disabled {
			_, err := e.fail(cc.Errorf(cc.CodeFailedPrecondition, "operator %s is dismissed", o.cfg.Name))
			return cl, cc.Changes{}, err
		}
	}
	cl.Manager, cl.How, cl.AssignedAt = manager, how, now
	e.putClient(cl)
	return cl, e.finish(now), nil
}

// ForgetClient drops what the engine holds of a caller number, for the erasure of his data
// (the store erases its own copy). Nothing is written.
func (e *Engine) ForgetClient(number string) {
	delete(e.clients, number)
	for id, q := range e.questions {
		if q.number == number {
			delete(e.questions, id)
		}
	}
}

// Clients lists the clients of a manager (all clients with a manager when id is ""), or, with
// orphans, the clients whose manager was dismissed and who wait to be reassigned.
func (e *Engine) Clients(id cc.OperatorID, orphans bool) []cc.Client {
	var out []cc.Client
	for _, cl := range e.clients {
		if cl.Manager == "" || (id != "" && cl.Manager != id) {
			continue
		}
		if orphans {
			if o := e.operators[cl.Manager]; o != nil && !o.cfg.Disabled {
				continue
			}
		}
		out = append(out, *cl)
	}
	slices.SortFunc(out, func(a, b cc.Client) int { return strings.Compare(a.Number, b.Number) })
	return out
}

// Client returns what Tandem knows of a caller number.
func (e *Engine) Client(number string) (cc.Client, bool) {
	cl := e.clients[number]
	if cl == nil {
		return cc.Client{}, false
	}
	return *cl, true
}

// PutAbsence adds or changes an absence (see Absence.Check).
func (e *Engine) PutAbsence(now time.Time, a cc.Absence) (cc.Changes, error) {
	a, err := a.Check()
	if err != nil {
		return e.fail(err)
	}
	if e.operators[a.Operator] == nil {
		return e.fail(cc.NotFound("operator_id", "no operator %q", a.Operator))
	}
	e.dropAbsence(a.ID)
	e.absences[a.Operator] = append(e.absences[a.Operator], a)
	e.out.Absences = append(e.out.Absences, a)
	return e.finish(now), nil
}

// DeleteAbsence removes an absence.
func (e *Engine) DeleteAbsence(now time.Time, id string) (cc.Changes, error) {
	if !e.dropAbsence(id) {
		return e.fail(cc.NotFound("absence_id", "no absence %q", id))
	}
	e.out.Unabsent = append(e.out.Unabsent, id)
	return e.finish(now), nil
}

func (e *Engine) dropAbsence(id string) bool {
	for op, as := range e.absences {
		for i, a := range as {
			if a.ID == id {
				e.absences[op] = slices.Delete(as, i, i+1)
				return true
			}
		}
	}
	return false
}

// Absences lists an operator's absences (everyone's when id is ""), earliest first.
func (e *Engine) Absences(id cc.OperatorID) []cc.Absence {
	var out []cc.Absence
	for op, as := range e.absences {
		if id == "" || op == id {
			out = append(out, as...)
		}
	}
	slices.SortFunc(out, func(a, b cc.Absence) int {
		return strings.Compare(string(a.Operator)+a.From+a.ID, string(b.Operator)+b.From+b.ID)
	})
	return out
}
