package routing

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// IVR menus: a call to a menu's dialed number enters the menu (cc.CallInMenu) instead of a
// line; the cloud runs the menu and reports how the caller left it (CloudMenuChosen), and the
// call then joins the queue he chose, is forwarded to a number, leaves a queue's voicemail, or
// ends.

// PutMenu creates or replaces a menu (see Menu.Check). The queues it names must exist, and its
// dialed numbers must not belong to another menu; a number a queue lists too is the menu's.
// Calls in the menu now go on by what the cloud reports.
func (e *Engine) PutMenu(now time.Time, m cc.Menu) (cc.Changes, error) {
	m, err := m.Check()
	if err != nil {
		return e.fail(err)
	}
	for field, a := range m.Actions {
		if a.Kind == cc.MenuToQueue && e.queues[a.Queue] == nil {
			return e.fail(cc.NotFound(field+".queue_id", "no queue %q", a.Queue))
		}
		if a.Kind == cc.MenuToVoicemail && e.queues[a.Queue] == nil {
			return e.fail(cc.NotFound(field+".voicemail_queue_id", "no queue %q", a.Queue))
		}
	}
	for i, n := range m.DialedNumbers {
		if owner, ok := e.menuByNumber[n]; ok && owner != m.ID {
			return e.fail(&cc.Error{Code: cc.CodeAlreadyExists, Field: fmt.Sprintf("menu.dialed_numbers[%d]", i), Message: "number " + n + " already leads to menu " + string(owner)})
		}
	}
	e.dropMenu(m.ID)
	m.Changed = now
	e.menus[m.ID] = &m
	for _, n := range m.DialedNumbers {
		e.menuByNumber[n] = m.ID
	}
	e.out.Menus = append(e.out.Menus, m)
	return e.finish(now), nil
}

// DeleteMenu deletes a menu: its numbers lead to their queues again. Calls in it now go on by
// what the cloud reports.
func (e *Engine) DeleteMenu(now time.Time, id cc.MenuID) (cc.Changes, error) {
	if e.menus[id] == nil {
		return e.fail(cc.NotFound("menu_id", "no menu %q", id))
	}
	e.dropMenu(id)
	e.out.Unmenu = append(e.out.Unmenu, id)
	return e.finish(now), nil
}

func (e *Engine) dropMenu(id cc.MenuID) {
	if old := e.menus[id]; old != nil {
		for _, n := range old.DialedNumbers {
			delete(e.menuByNumber, n)
		}
		delete(e.menus, id)
	}
}

// Menus lists the menus by id.
func (e *Engine) Menus() []cc.Menu {
	out := make([]cc.Menu, 0, len(e.menus))
	for _, m := range e.menus {
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b cc.Menu) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Menu returns a menu.
func (e *Engine) Menu(id cc.MenuID) (cc.Menu, bool) {
	m := e.menus[id]
	if m == nil {
		return cc.Menu{}, false
	}
	return *m, true
}

// enterMenu puts a new call in the menu of its dialed number, if it has one.
func (e *Engine) enterMenu(c *call) bool {
	id, ok := e.menuByNumber[c.DialedNumber]
	if !ok {
		return false
	}
	c.State, c.Queue, c.Menu, c.MenuAt = cc.CallInMenu, "", id, c.ArrivedAt
	return true
}

// menuChosen carries out how the caller left the menu: into the line of the queue he chose
// (his wait counts from now: ArrivedAt), forwarded to a number (the reply's forward command;
// the call leaves Tandem as ended), or hung up (abandoned in the menu, in no queue). The path
// is checked against the menu; only when the menu was changed or deleted since he entered it
// is the action the cloud reports taken instead, when it is one Tandem can carry out. A call
// no longer in its menu changes nothing: the report is a repeat.
func (e *Engine) menuChosen(now time.Time, c *call, x cc.MenuExit) error {
	if c.State != cc.CallInMenu {
		return nil
	}
	if len(x.Path) > cc.MaxMenuPathSteps {
		return cc.Invalid("menu_chosen.path", "at most %d steps", cc.MaxMenuPathSteps)
	}
	action, err := e.menuAction(c, x)
	if err != nil {
		return err
	}
	var contact cc.Contact
	if action.Kind == cc.MenuToNumber {
		if contact, err = cc.MenuNumberContact("menu_chosen.action.number", action.Number); err != nil {
			return err
		}
	}
	x.Action = action
	c.MenuPath, c.MenuExit = slices.Clone(x.Path), x.Name()
	switch action.Kind {
	case cc.MenuToQueue:
		c.State, c.ArrivedAt = cc.CallWaiting, now
		e.joinQueue(now, e.queues[action.Queue], c, true) // closed or full: its exit is the reply
		e.touchCall(c)
	case cc.MenuToNumber:
		c.State, c.EndedAt, c.HungUpBy = cc.CallEnded, now, cc.HangupSystem
		e.touchCall(c)
		delete(e.calls, c.ID)
		e.out.Next = &cc.Command{Type: cc.CommandForward, Call: c.ID, AccessURL: c.AccessURL, Contact: contact}
	case cc.MenuToVoicemail:
		// The queue's voicemail exit, taken from the menu: the message, once recorded, becomes
		// the queue's work (VoicemailLeft). He was never in its line (arrived now).
		const why = "chose voicemail in the menu"
		c.Queue, c.ArrivedAt = action.Queue, now
		c.Exit = cc.CallExit{Kind: cc.ExitVoicemail, Cause: cc.ExitMenu, Queue: action.Queue, Why: why, At: now}
		e.endByExit(now, c, cc.Command{Type: cc.CommandVoicemail, Text: cc.DefaultVoicemailPrompt, Timeout: cc.MaxVoicemail, Reason: why}, true)
	default:
		e.leaveMenu(now, c)
	}
	return nil
}

// menuAction is where the caller's reported path leads (zero: he hung up).
func (e *Engine) menuAction(c *call, x cc.MenuExit) (cc.MenuAction, error) {
	if m := e.menus[c.Menu]; m != nil {
		a, err := m.Follow(x)
		if err == nil {
			return a, nil
		}
		if x.Action.Kind == "" || !m.Changed.After(c.MenuAt) {
			return cc.MenuAction{}, err // the menu he heard is this one: the path is wrong
		}
	}
	switch a := x.Action; a.Kind {
	case "":
		return a, nil
	case cc.MenuToQueue:
		if e.queues[a.Queue] == nil {
			return a, cc.NotFound("menu_chosen.action.queue_id", "no queue %q", a.Queue)
		}
		return a, nil
	case cc.MenuToVoicemail:
		if e.queues[a.Queue] == nil {
			return a, cc.NotFound("menu_chosen.action.voicemail_queue_id", "no queue %q", a.Queue)
		}
		return a, nil
	case cc.MenuToNumber:
		_, err := cc.MenuNumberContact("menu_chosen.action.number", a.Number)
		return a, err
	default:
		return a, cc.Invalid("menu_chosen.action", "a caller leaves a menu for a queue, a number or a queue's voicemail, or hangs up")
	}
}

// leaveMenu ends a call whose caller hung up in its menu: abandoned, in no queue.
func (e *Engine) leaveMenu(now time.Time, c *call) {
	if c.MenuExit == "" {
		c.MenuExit = cc.MenuExit{}.Name()
	}
	c.State, c.EndedAt, c.HungUpBy = cc.CallAbandoned, now, cc.HangupCaller
	e.touchCall(c)
	delete(e.calls, c.ID)
}
