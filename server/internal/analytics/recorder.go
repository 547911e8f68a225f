// Package analytics turns what the switchboard changes into figures and timelines: the history
// rows (15-minute tallies per queue and per operator), each call's timeline, and today's and the
// process's running totals for the live views and /metrics. It is pure: it sees the changes of
// each step as they are stored and keeps just enough memory to know what moved.
//
// The rules (the Analytics API's proto says the same to its readers):
//   - a call's figures go to its queue's interval of ARRIVAL, when it finishes;
//   - an operator's offers go to his interval of the offer, when they settle (made when made);
//   - an operator's time in a state is split exactly over the intervals it spans, and counted
//     when he leaves the state; his wrap-up also goes to the queue of the call he wrapped up.
package analytics

import (
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Recorder follows the changes of the switchboard. It is not safe for concurrent use: the
// switchboard's loop owns it.
type Recorder struct {
	queues map[cc.QueueID]cc.ServiceLevel
	ops    map[cc.OperatorID]*opTrack
	calls  map[cc.CallID]*callTrack // calls not finished
	asked  map[string]asked         // opt-in questions out, by client number

	day       time.Time // the start (UTC) of the day `today` is for
	today     map[key]*cc.Figures
	sinceBoot map[key]*cc.Figures

	fold fold // Fold's scratch
}

// key names whose figures: a queue's or an operator's.
type key struct {
	Scope cc.TallyScope
	ID    string
}

type opTrack struct {
	status cc.OperatorStatus
	// The call he talks on or wraps up, for his wrap-up time.
	queue   cc.QueueID
	arrived time.Time
}

type callTrack struct {
	queue   cc.QueueID
	arrived time.Time
	client  string
	state   cc.CallState
	manager cc.OperatorID // the client's manager, when the call ever named him
	spare   bool
	offers  map[cc.OfferID]cc.Offer // as last seen
	parties map[cc.PartyID]cc.Party // as last seen (nil: none yet)
	// transfer is the call's transfer as last seen: a change is a timeline event.
	transfer cc.Transfer
	exit     cc.CallExit // as last seen: a change is a timeline event
	menuExit string      // how it left its IVR menu, once it did: a timeline event
}

type asked struct {
	call cc.CallID
	at   time.Time
}

// New returns a recorder that knows nothing yet; Load tells it where things stand.
func New() *Recorder {
	r := &Recorder{}
	r.Load(time.Time{}, nil, cc.Runtime{}, nil)
	return r
}

// Load starts the recorder over from the stored state: the queues, the operators' statuses,
// the calls in progress and their pending offers, and the figures already stored for today
// (summed per queue and operator).
func (r *Recorder) Load(now time.Time, queues []cc.Queue, rt cc.Runtime, today []cc.Tally) {
	r.queues = map[cc.QueueID]cc.ServiceLevel{}
	for _, q := range queues {
		r.queues[q.ID] = q.Rules.ServiceLevel.OrDefaults()
	}
	r.ops = map[cc.OperatorID]*opTrack{}
	for _, st := range rt.Statuses {
		r.ops[st.Operator] = &opTrack{status: st}
	}
	r.calls = map[cc.CallID]*callTrack{}
	for _, c := range rt.Calls {
		r.calls[c.ID] = r.track(c)
	}
	for _, of := range rt.Offers {
		if t := r.calls[of.Call]; t != nil {
			t.offers[of.ID] = of
		}
	}
	for _, c := range rt.WrappedUp {
		if o := r.ops[c.Operator]; o != nil && o.status.Call == c.ID {
			o.queue, o.arrived = c.Queue, c.ArrivedAt
		}
	}
	for _, o := range r.ops {
		if t := r.calls[o.status.Call]; t != nil {
			o.queue, o.arrived = t.queue, t.arrived
		}
	}
	r.asked = map[string]asked{}
	r.day = DayStart(now)
	r.today = map[key]*cc.Figures{}
	for _, t := range today {
		if !t.Start.Before(r.day) {
			add(r.today, key{t.Scope, t.ID}, t.Figures)
		}
	}
	if r.sinceBoot == nil {
		r.sinceBoot = map[key]*cc.Figures{}
	}
}

// DayStart is the start (UTC) of the day t is in: "today" of the live figures.
func DayStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func add(m map[key]*cc.Figures, k key, f cc.Figures) {
	if cur := m[k]; cur != nil {
		cur.Add(f)
	} else {
		m[k] = &f
	}
}

func (r *Recorder) track(c cc.Call) *callTrack {
	t := &callTrack{queue: c.Queue, arrived: c.ArrivedAt, client: c.Client, state: c.State,
		manager: c.Manager, spare: c.Spare != "", offers: map[cc.OfferID]cc.Offer{}, transfer: c.Transfer, exit: c.Exit, menuExit: c.MenuExit}
	for _, p := range c.Parties { // loaded with the call: counted and on its timeline already
		if t.parties == nil {
			t.parties = map[cc.PartyID]cc.Party{}
		}
		t.parties[p.ID] = p
	}
	return t
}

// fold collects the tallies and events of one step.
type fold struct {
	r       *Recorder
	tallies map[tallyKey]*cc.Figures
	order   []tallyKey
	events  []cc.CallEvent
}

type tallyKey struct {
	key
	start int64 // unix ms of the interval's start
}

func (f *fold) tally(scope cc.TallyScope, id string, at time.Time, fn func(*cc.Figures)) {
	k := tallyKey{key{scope, id}, cc.IntervalStart(at).UnixMilli()}
	fig := f.tallies[k]
	if fig == nil {
		fig = &cc.Figures{}
		f.tallies[k] = fig
		f.order = append(f.order, k)
	}
	fn(fig)
}

func (f *fold) event(e cc.CallEvent) { f.events = append(f.events, e) }

// Fold reads the changes of a step about to be stored and adds to them the history tallies and
// the call events they make. now is the step's time.
func (r *Recorder) Fold(now time.Time, ch *cc.Changes) {
	if d := DayStart(now); d.After(r.day) {
		r.day, r.today = d, map[key]*cc.Figures{}
	}
	f := &r.fold // one step's scratch, reused: the switchboard folds every step
	f.r, f.order, f.events = r, f.order[:0], f.events[:0]
	if f.tallies == nil || len(f.tallies) > 32 { // a map keeps the size it once had: start small again
		f.tallies = map[tallyKey]*cc.Figures{}
	} else {
		clear(f.tallies)
	}
	for _, q := range ch.Queues {
		r.queues[q.ID] = q.Rules.ServiceLevel.OrDefaults()
	}
	// New calls first, so their offers find them; their ends after the offers, so a call that
	// finishes counts every offer it had.
	for _, c := range ch.Calls {
		if voicemailLeft(c) {
			f.tally(cc.ScopeQueue, string(c.Queue), c.ArrivedAt, func(g *cc.Figures) { g.Voicemails++ })
			continue
		}
		f.arrived(c)
	}
	for _, of := range ch.Offers {
		f.offer(now, of)
	}
	for _, c := range ch.Calls {
		if !voicemailLeft(c) {
			f.call(now, c)
		}
	}
	for _, st := range ch.Statuses {
		f.status(st)
	}
	cmds := ch.Commands
	if ch.Next != nil {
		cmds = append(cmds[:len(cmds):len(cmds)], *ch.Next)
	}
	for _, cmd := range cmds {
		f.command(now, cmd)
	}
	for _, cl := range ch.Clients {
		f.client(now, cl)
	}
	for _, d := range ch.Dispositions {
		ev := cc.CallEvent{Call: d.Call, At: d.At, Kind: cc.EventDisposition, Text: d.Code}
		if !d.Supervisor {
			ev.Operator = cc.OperatorID(d.By)
		}
		f.event(ev)
	}
	// Calls finish after their offers and commands are read: those may name them.
	for id, t := range r.calls {
		if t.state.Finished() {
			delete(r.calls, id)
		}
	}
	for n, a := range r.asked {
		if now.Sub(a.at) > time.Hour {
			delete(r.asked, n)
		}
	}
	for _, k := range f.order {
		ch.Tallies = append(ch.Tallies, cc.Tally{Scope: k.Scope, ID: k.ID, Start: time.UnixMilli(k.start).UTC(), Figures: *f.tallies[k]})
	}
	ch.Events = append(ch.Events, f.events...)
}

// Stored adds the tallies of changes that were stored to today's and the process's totals.
func (r *Recorder) Stored(ts []cc.Tally) {
	for _, t := range ts {
		k := key{t.Scope, t.ID}
		if !t.Start.Before(r.day) {
			add(r.today, k, t.Figures)
		}
		add(r.sinceBoot, k, t.Figures)
	}
}

// arrived starts following a call seen for the first time. A finished call never seen was
// counted before (or before the history began).
//
// A call first seen with an exit took it as it arrived (closed, its line full): it is followed
// from its arrival in the queue it left, so the exit is on its timeline and in the figures.
func (f *fold) arrived(c cc.Call) {
	atIntake := c.Exit.Taken()
	if f.r.calls[c.ID] != nil || c.State.Finished() && !atIntake {
		return
	}
	t := f.r.track(c)
	if atIntake {
		t.state, t.queue, t.exit = cc.CallWaiting, c.Exit.Queue, cc.CallExit{}
	}
	f.r.calls[c.ID] = t
	f.event(cc.CallEvent{Call: c.ID, At: c.ArrivedAt, Kind: cc.EventArrived, QueueAfter: t.queue})
}

func (f *fold) call(now time.Time, c cc.Call) {
	t := f.r.calls[c.ID]
	if t == nil || t.state.Finished() {
		return
	}
	f.parties(now, t, c)
	if c.MenuExit != "" && t.menuExit == "" {
		t.menuExit = c.MenuExit
		f.event(cc.CallEvent{Call: c.ID, At: now, Kind: cc.EventMenu, QueueAfter: c.Queue, Text: cc.MenuTripText(c)})
		t.queue = c.Queue // the menu's exit says which queue: no requeue
	}
	if c.Exit != t.exit && c.Exit.Taken() {
		t.exit = c.Exit
		f.exited(t, c)
		t.queue = c.Queue
	}
	if c.Queue != t.queue {
		f.event(cc.CallEvent{Call: c.ID, At: now, Kind: cc.EventRequeued, QueueAfter: c.Queue, Text: string(t.queue)})
		t.queue = c.Queue
	}
	if tr := c.Transfer; tr.State != "" && tr != t.transfer {
		t.transfer = tr
		f.event(cc.CallEvent{Call: c.ID, At: now, Kind: cc.EventTransfer, Operator: tr.From, Offer: tr.Offer, Text: transferText(tr)})
	}
	if t.manager == "" {
		t.manager = c.Manager
	}
	t.spare = t.spare || c.Spare != ""
	t.client = c.Client
	t.state = c.State
	if !c.State.Finished() {
		return
	}
	switch c.State {
	case cc.CallEnded:
		f.event(cc.CallEvent{Call: c.ID, At: c.EndedAt, Kind: cc.EventEnded, HungUpBy: c.HungUpBy, TalkTime: c.TalkTime, Operator: c.Operator, Spare: c.Spare})
	case cc.CallAbandoned:
		f.event(cc.CallEvent{Call: c.ID, At: c.EndedAt, Kind: cc.EventAbandoned})
	case cc.CallLost:
		f.event(cc.CallEvent{Call: c.ID, At: c.EndedAt, Kind: cc.EventLost})
	}
	f.finished(t, c)
}

// exited puts a call's exit on its timeline and counts it in the figures of the queue it left
// (at the call's arrival).
func (f *fold) exited(t *callTrack, c cc.Call) {
	x := c.Exit
	ev := cc.CallEvent{Call: c.ID, At: x.At, Kind: cc.EventExited, Text: string(x.Kind) + ": " + x.Why}
	if x.Kind == cc.ExitQueue {
		ev.QueueAfter = cc.QueueID(x.Target)
	} else if x.Target != "" {
		ev.Text += " → " + x.Target
	}
	f.event(ev)
	f.tally(cc.ScopeQueue, string(x.Queue), t.arrived, func(g *cc.Figures) { g.CountExit(x) })
}

// parties puts on the call's timeline what became of its party legs since last seen: dialed,
// joined, failed, left, and a monitor's switch of mode.
func (f *fold) parties(now time.Time, t *callTrack, c cc.Call) {
	for _, p := range c.Parties {
		prev, seen := t.parties[p.ID]
		if seen && prev.State == p.State && prev.Mode == p.Mode {
			continue
		}
		if t.parties == nil {
			t.parties = map[cc.PartyID]cc.Party{}
		}
		t.parties[p.ID] = p
		ev := cc.CallEvent{Call: c.ID, At: now, Operator: p.Operator, Party: p.ID}
		if !seen {
			e := ev
			e.At, e.Kind, e.Text = p.InvitedAt, cc.EventPartyDialed, string(p.Mode)
			f.event(e)
		} else if prev.Mode != p.Mode {
			e := ev
			e.Kind, e.Text = cc.EventMonitorSwitch, string(p.Mode)
			f.event(e)
		}
		if seen && prev.State == p.State {
			continue
		}
		f.partyFigures(p, seen)
		switch p.State {
		case cc.PartyJoined:
			ev.At, ev.Kind, ev.Text = p.JoinedAt, cc.EventPartyJoined, string(p.Mode)
		case cc.PartyFailed:
			ev.At, ev.Kind, ev.Text = p.LeftAt, cc.EventPartyFailed, p.Reason
		case cc.PartyLeft:
			ev.At, ev.Kind, ev.Text = p.LeftAt, cc.EventPartyLeft, p.Reason
		default:
			continue
		}
		f.event(ev)
	}
}

// partyFigures counts an operator's party leg (AddToCall) in his figures as his marks count it,
// like an offer: made when he is dialed, answered when he joins (ring time to then), missed
// when it ended as his miss; his time on the call as a party is his talk. The queue's figures
// count the call once: its party legs are not its offers.
func (f *fold) partyFigures(p cc.Party, seen bool) {
	if p.Operator == "" || p.Monitor {
		return
	}
	op := string(p.Operator)
	if !seen {
		f.tally(cc.ScopeOperator, op, p.InvitedAt, func(g *cc.Figures) { g.OffersMade++ })
	}
	switch {
	case p.State == cc.PartyJoined:
		f.tally(cc.ScopeOperator, op, p.InvitedAt, func(g *cc.Figures) {
			g.CallsAnswered++
			g.RingTimeTotal += max(p.JoinedAt.Sub(p.InvitedAt), 0)
		})
	case p.State == cc.PartyFailed && p.Missed:
		f.tally(cc.ScopeOperator, op, p.InvitedAt, func(g *cc.Figures) { g.OffersMissed++ })
	case p.State == cc.PartyLeft && !p.JoinedAt.IsZero():
		f.tally(cc.ScopeOperator, op, p.JoinedAt, func(g *cc.Figures) { g.TalkTime += max(p.LeftAt.Sub(p.JoinedAt), 0) })
	}
}

// voicemailLeft reports whether c is a call that ended at a voicemail exit, seen again as its
// caller's message is kept (routing's VoicemailLeft): the message is counted, nothing else.
func voicemailLeft(c cc.Call) bool { return c.State.Finished() && c.VoicemailURL != "" }

// callbackFigures counts a finished callback attempt, or a caller who accepted a call back, in
// the queue's interval of arrival; it says whether the call is counted so (and nowhere else).
func (f *fold) callbackFigures(c cc.Call) bool {
	switch {
	case c.Callback.Virtual():
		f.tally(cc.ScopeQueue, string(c.Queue), c.ArrivedAt, func(g *cc.Figures) {
			if c.Callback.Result == cc.CallbackConnected {
				g.CallbacksConnected++
			} else {
				g.CallbackAttemptsFailed++
			}
			if c.Callback.GaveUp {
				g.CallbacksGivenUp++
			}
		})
	case c.Exit.Kind == cc.ExitCallback && c.Exit.Answered && c.Exit.Target != "":
		f.tally(cc.ScopeQueue, string(c.Queue), c.ArrivedAt, func(g *cc.Figures) { g.CallbacksRequested++ })
	default:
		return false
	}
	return true
}

// finished adds a finished call to its queue's interval of arrival.
func (f *fold) finished(t *callTrack, c cc.Call) {
	if f.callbackFigures(c) {
		f.operatorTalk(c)
		return
	}
	if c.Queue == "" {
		return // it never left its IVR menu for a queue: counted in the menu's report only
	}
	sl := f.r.queues[c.Queue]
	if sl == (cc.ServiceLevel{}) {
		sl = cc.DefaultServiceLevel
	}
	if (c.Exit.Cause == cc.ExitClosed || c.Exit.Cause == cc.ExitMenu) && c.Exit.Ended() {
		// A closed queue's call is counted in ExitsClosed only, one sent to its voicemail from a
		// menu in ExitsVoicemail (exited): neither was ever in line.
		return
	}
	f.tally(cc.ScopeQueue, string(c.Queue), c.ArrivedAt, func(g *cc.Figures) {
		g.CallsReceived++
		if t.spare {
			g.CallsOverflowed++
		}
		if t.manager != "" {
			g.ManagerCalls++
		}
		answered := !c.AnsweredAt.IsZero()
		if answered {
			wait := max(c.AnsweredAt.Sub(c.ArrivedAt), 0)
			g.CallsAnswered++
			g.AnswerTimeTotal += wait
			g.AnswerTimeMax = max(g.AnswerTimeMax, wait)
			g.Histogram[cc.HistogramBucket(wait)]++
			if wait <= sl.Threshold {
				g.AnsweredWithin++
			}
			g.TalkTime += c.TalkTime
			g.HoldTime += c.HoldTime
			if c.Operator == "" && c.Spare != "" {
				g.AnsweredBySpare++
			}
			if t.manager != "" && c.Operator == t.manager {
				g.ManagerReached++
			}
			switch c.HungUpBy {
			case cc.HangupCaller:
				g.HungUpByCaller++
			case cc.HangupOperator:
				g.HungUpByOperator++
			case cc.HangupSystem:
				g.HungUpBySys++
			}
		}
		switch c.State {
		case cc.CallAbandoned:
			wait := max(c.EndedAt.Sub(c.ArrivedAt), 0)
			g.CallsAbandoned++
			if wait < sl.ShortAbandon {
				g.ShortAbandons++
			} else if wait <= sl.Threshold {
				g.AbandonedWithin++
			}
		case cc.CallLost:
			g.CallsLost++
		}
	})
	f.operatorTalk(c)
}

// operatorTalk credits a finished call's operator with his talk and hold on it.
func (f *fold) operatorTalk(c cc.Call) {
	if c.Operator == "" || c.AnsweredAt.IsZero() {
		return
	}
	talk, hold, from := c.TalkTime, c.HoldTime, c.AnsweredAt
	if o := f.r.ops[c.Operator]; c.Transfer.From != "" && o != nil && o.status.State == cc.OperatorOnCall && o.status.Call == c.ID {
		// A transferred call's talk is shared: his is his leg, from when he came on the call
		// (his statuses are read after the calls, so this is still his leg's start). Its holds
		// are not split by leg: the queue counts them, the operators do not.
		talk, hold, from = max(c.EndedAt.Sub(o.status.Since), 0), 0, o.status.Since
	}
	f.tally(cc.ScopeOperator, string(c.Operator), from, func(g *cc.Figures) { g.TalkTime += talk; g.HoldTime += hold })
}

// legEnded credits operator o, leaving the call he talked on (st is his new status), with his
// leg's talk when the call goes on without him because he transferred it: the call's end
// credits only whoever is on it then.
func (f *fold) legEnded(o *opTrack, st cc.OperatorStatus) {
	prev := o.status
	if prev.State != cc.OperatorOnCall || st.State == cc.OperatorOnCall && st.Call == prev.Call {
		return
	}
	t := f.r.calls[prev.Call]
	if t == nil || t.state.Finished() || t.transfer.From != prev.Operator || !st.Since.After(prev.Since) {
		return
	}
	f.tally(cc.ScopeOperator, string(prev.Operator), prev.Since, func(g *cc.Figures) { g.TalkTime += st.Since.Sub(prev.Since) })
}

func (f *fold) offer(now time.Time, of cc.Offer) {
	t := f.r.calls[of.Call]
	if t == nil {
		return
	}
	prev, seen := t.offers[of.ID]
	if seen && prev.State == of.State {
		return
	}
	t.offers[of.ID] = of
	if !seen {
		f.event(cc.CallEvent{Call: of.Call, At: of.OfferedAt, Kind: cc.EventOffered, Operator: of.Operator, Spare: of.Spare, Offer: of.ID})
		f.tally(cc.ScopeQueue, string(t.queue), t.arrived, func(g *cc.Figures) { g.OffersMade++ })
		if of.Operator != "" {
			f.tally(cc.ScopeOperator, string(of.Operator), of.OfferedAt, func(g *cc.Figures) { g.OffersMade++ })
		}
	}
	at := of.SettledAt
	if at.IsZero() {
		at = now
	}
	ev := cc.CallEvent{Call: of.Call, At: at, Operator: of.Operator, Spare: of.Spare, Offer: of.ID, Text: of.Reason, Code: of.FailureCode, RingTime: of.RingTime}
	switch of.State {
	case cc.OfferAnswered:
		ev.Kind = cc.EventAnswered
		f.tally(cc.ScopeQueue, string(t.queue), t.arrived, func(g *cc.Figures) { g.RingTimeTotal += of.RingTime })
		if of.Operator != "" {
			f.tally(cc.ScopeOperator, string(of.Operator), of.OfferedAt, func(g *cc.Figures) {
				g.CallsAnswered++
				g.RingTimeTotal += of.RingTime
			})
		}
	case cc.OfferFailed, cc.OfferExpired:
		f.tally(cc.ScopeQueue, string(t.queue), t.arrived, func(g *cc.Figures) { g.OffersMissed++ })
		ev.Kind = cc.EventOfferFailed
		if of.State == cc.OfferExpired {
			ev.Kind = cc.EventOfferExpired
		}
		if of.Operator != "" {
			f.tally(cc.ScopeOperator, string(of.Operator), of.OfferedAt, func(g *cc.Figures) { g.OffersMissed++ })
		}
	case cc.OfferWithdrawn:
		ev.Kind = cc.EventOfferWithdrawn
	case cc.OfferDeclined: // his choice, not a miss: on the call's timeline, not in his misses
		ev.Kind = cc.EventOfferDeclined
	case cc.OfferCancelled: // a leg of a ring another operator answered first: nobody's miss
		ev.Kind = cc.EventOfferCancelled
	default:
		return
	}
	f.event(ev)
}

func (f *fold) status(st cc.OperatorStatus) {
	o := f.r.ops[st.Operator]
	if o == nil {
		o = &opTrack{status: st}
		f.r.ops[st.Operator] = o
	} else if o.status.State != st.State || !o.status.Since.Equal(st.Since) {
		f.legEnded(o, st)
		from, to := o.status.Since, st.Since
		if ends := o.status.WrapUpEndsAt; o.status.State == cc.OperatorWrapUp && !ends.IsZero() && ends.After(from) && ends.Before(to) {
			// The wrap-up ran out before the switchboard moved him on (a restart, a late
			// timer): the time after it is his free time.
			f.stateTime(o, cc.OperatorWrapUp, from, ends)
			from = ends
			f.stateTime(o, cc.OperatorReady, from, to)
		} else {
			f.stateTime(o, o.status.State, from, to)
		}
	}
	if st.State == cc.OperatorOnCall {
		if t := f.r.calls[st.Call]; t != nil {
			o.queue, o.arrived = t.queue, t.arrived
		}
	}
	o.status = st
}

// stateTime adds an operator's time in state from..to to his intervals, split where they end;
// wrap-up also goes to the queue of the call he wrapped up.
func (f *fold) stateTime(o *opTrack, state cc.OperatorState, from, to time.Time) {
	if from.IsZero() || !to.After(from) {
		return
	}
	for t := from; t.Before(to); {
		end := cc.IntervalStart(t).Add(cc.TallyInterval)
		if end.After(to) {
			end = to
		}
		d := end.Sub(t)
		f.tally(cc.ScopeOperator, string(o.status.Operator), t, func(g *cc.Figures) {
			g.AddStateTime(state, d)
			if state == cc.OperatorWrapUp {
				g.WrapUpTime += d
			}
		})
		f.tally(cc.ScopeCenter, "", t, func(g *cc.Figures) { g.AddStateTime(state, d) })
		t = end
	}
	if state == cc.OperatorWrapUp && o.queue != "" {
		f.tally(cc.ScopeQueue, string(o.queue), o.arrived, func(g *cc.Figures) { g.WrapUpTime += to.Sub(from) })
	}
}

func (f *fold) command(now time.Time, cmd cc.Command) {
	switch cmd.Type {
	case cc.CommandSay:
		f.event(cc.CallEvent{Call: cmd.Call, At: now, Kind: cc.EventAnnounced, Text: cmd.Text})
	case cc.CommandAsk:
		f.event(cc.CallEvent{Call: cmd.Call, At: now, Kind: cc.EventAsked, Text: cmd.Text})
		if t := f.r.calls[cmd.Call]; t != nil && t.client != "" {
			f.r.asked[t.client] = asked{call: cmd.Call, at: now}
		}
	}
}

func (f *fold) client(now time.Time, cl cc.Client) {
	a, ok := f.r.asked[cl.Number]
	if !ok {
		return
	}
	switch {
	case cl.How == cc.AssignedByVoice && cl.AssignedAt.Equal(now):
		f.event(cc.CallEvent{Call: a.call, At: now, Kind: cc.EventManagerAccepted, Operator: cl.Manager})
	case cl.DeclinedAt.Equal(now):
		f.event(cc.CallEvent{Call: a.call, At: now, Kind: cc.EventManagerDeclined})
	default:
		return
	}
	delete(f.r.asked, cl.Number)
}

// Today returns the figures stored today (UTC) for a queue or an operator. An operator's time
// in his present state is not in them until he leaves it.
func (r *Recorder) Today(now time.Time, scope cc.TallyScope, id string) cc.Figures {
	if t := r.today[key{scope, id}]; t != nil && r.day.Equal(DayStart(now)) {
		return *t
	}
	return cc.Figures{}
}

// SinceStart returns the figures counted since the process started, for every queue: the
// counters /metrics exposes.
func (r *Recorder) SinceStart() map[cc.QueueID]cc.Figures {
	out := map[cc.QueueID]cc.Figures{}
	for k, f := range r.sinceBoot {
		if k.Scope == cc.ScopeQueue {
			out[cc.QueueID(k.ID)] = *f
		}
	}
	return out
}

// transferText says where a transfer is, for the call's timeline, e.g. "warm transfer to
// operator op-boris: consulting".
func transferText(t cc.Transfer) string {
	to := ""
	switch {
	case t.Target.Operator != "":
		to = "operator " + string(t.Target.Operator)
	case t.Target.Queue != "":
		to = "queue " + string(t.Target.Queue)
	default:
		to = t.Target.Number.Target
	}
	text := string(t.Mode) + " transfer to " + to + ": " + string(t.State)
	if t.Reason != "" {
		text += " (" + t.Reason + ")"
	}
	return text
}
