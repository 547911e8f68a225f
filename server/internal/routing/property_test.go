package routing

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// memStore keeps what the engine's steps changed, as the real store would, so a test can
// restart the engine from it.
type memStore struct {
	statuses map[cc.OperatorID]cc.OperatorStatus
	calls    map[cc.CallID]cc.Call
	offers   map[cc.OfferID]cc.Offer
	cursors  map[cc.QueueID]cc.OperatorID
	clients  map[string]cc.Client
	spareUse map[cc.SpareID]cc.SpareStatus
	menus    map[cc.MenuID]cc.Menu
	// seen, when set, looks at every step's changes as they are stored.
	seen func(cc.Changes)
}

func newMemStore() *memStore {
	return &memStore{statuses: map[cc.OperatorID]cc.OperatorStatus{}, calls: map[cc.CallID]cc.Call{}, offers: map[cc.OfferID]cc.Offer{}, cursors: map[cc.QueueID]cc.OperatorID{}, clients: map[string]cc.Client{}, spareUse: map[cc.SpareID]cc.SpareStatus{}, menus: map[cc.MenuID]cc.Menu{}}
}

func (m *memStore) apply(ch cc.Changes) {
	if m.seen != nil {
		m.seen(ch)
	}
	for _, s := range ch.Statuses {
		m.statuses[s.Operator] = s
	}
	for _, c := range ch.Calls {
		m.calls[c.ID] = c
	}
	for _, o := range ch.Offers {
		m.offers[o.ID] = o
	}
	for q, o := range ch.Cursors {
		m.cursors[q] = o
	}
	for _, c := range ch.Clients {
		m.clients[c.Number] = c
	}
	for _, u := range ch.SpareUse {
		m.spareUse[u.Spare] = u
	}
	for _, x := range ch.Unmenu {
		delete(m.menus, x)
	}
	for _, x := range ch.Menus {
		m.menus[x.ID] = x
	}
}

func (m *memStore) runtime() cc.Runtime {
	var rt cc.Runtime
	for _, s := range m.statuses {
		rt.Statuses = append(rt.Statuses, s)
	}
	for _, c := range m.calls {
		if !c.State.Finished() {
			rt.Calls = append(rt.Calls, c)
		}
	}
	for _, o := range m.offers {
		if o.State == cc.OfferPending {
			rt.Offers = append(rt.Offers, o)
		}
		if c, ok := m.calls[o.Call]; ok && o.State == cc.OfferDeclined && !c.State.Finished() {
			rt.Declined = append(rt.Declined, o)
		}
	}
	rt.Cursors = m.cursors
	for _, c := range m.clients {
		rt.Clients = append(rt.Clients, c)
	}
	for _, u := range m.spareUse {
		rt.SpareUse = append(rt.SpareUse, u)
	}
	for _, x := range m.menus {
		rt.Menus = append(rt.Menus, x)
	}
	return rt
}

// TestEngineProperties drives the engine with random sequences of arrivals, answers, failures,
// ends, abandons, presence changes, duplicated and reordered events, time passing and restarts
// from what was stored, IVR menu calls (choices to either queue, a number, hang-ups, paths the
// menu does not have, the menu changed or deleted under them), and checks the invariants after
// every step: no operator with two offers or two calls, no call with two live offers, states
// agreeing with offers and calls, a call in a menu in no line and nobody's, a call never back in
// its menu once it left, and a finished call never coming back.
func TestEngineProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ids := 0
		cfg := Config{PresenceGrace: 10 * time.Second, OfferSlack: 5 * time.Second, Callbacks: true, NewID: func(p string) string {
			ids++
			return fmt.Sprintf("%s_%04d", p, ids)
		}}
		e := New(cfg)
		store := newMemStore()
		now := t0
		// No callback is started while its queue is closed (it waits for the opening). An
		// offer only moves forward: once settled it stays as it was settled. A leg of a ring
		// is cancelled (and its cancel sent) at most once.
		beaten := map[cc.OfferID]bool{}
		type ringKey struct {
			call cc.CallID
			step int
		}
		ringOf := map[cc.OfferID]ringKey{} // the legs of each ring, as they were dialed
		steps := 0
		store.seen = func(ch cc.Changes) {
			steps++
			for _, cmd := range ch.Commands {
				if _, known := store.offers[cmd.Offer]; cmd.Type == cc.CommandDial && cmd.RingAll && !known {
					ringOf[cmd.Offer] = ringKey{cmd.Call, steps}
				}
			}
			for _, of := range ch.Offers {
				if was, ok := store.offers[of.ID]; ok && was.State != cc.OfferPending && was.State != of.State {
					rt.Fatalf("offer %s settled %s, then %s", of.ID, was.State, of.State)
				}
			}
			for _, cmd := range ch.Commands {
				if cmd.Type == cc.CommandCancel && cmd.Reason == reasonBeaten {
					if beaten[cmd.Offer] {
						rt.Fatalf("leg %s cancelled twice", cmd.Offer)
					}
					beaten[cmd.Offer] = true
				}
				if cmd.Type == cc.CommandDial && cmd.RingAll {
					if c := e.calls[cmd.Call]; c == nil || e.queues[c.Queue].Strategy != cc.StrategyRingAll {
						rt.Fatalf("ring_all dial %+v for a call of no ring_all queue", cmd)
					}
				}
			}
			for _, cmd := range ch.Commands {
				if cmd.Type != cc.CommandStartCallback {
					continue
				}
				c := e.calls[cmd.Call]
				if c == nil || c.Offer != cmd.Offer {
					rt.Fatalf("start_callback %+v for no callback offered", cmd)
				}
				if q := e.queues[c.Queue]; q != nil {
					if open, why := q.Rules.Hours.Open(now); !open {
						rt.Fatalf("callback %s started at %v while %s is closed (%s)", c.ID, now, q.ID, why)
					}
				}
			}
		}
		// No call is offered by its queue to an operator its relaxation does not admit at the
		// call's step at that moment (its personal manager and an operator a transfer names
		// aside).
		store.seen = checkRelaxed(rt, func() *Engine { return e }, store.seen) // e changes at each restart
		step := func(ch cc.Changes, err error) {
			if err == nil {
				store.apply(ch)
			}
		}
		strategy := rapid.SampledFrom(append(slices.Clone(cc.Strategies), cc.StrategyRingAll, cc.StrategyRingAll)).Draw(rt, "strategy") // ring_all more often: it has more to go wrong
		queue := cc.Queue{ID: "q", DialedNumbers: []string{"+18005550001"}, OfferTimeout: 20 * time.Second, WrapUp: 5 * time.Second, Strategy: strategy, IsDefault: true,
			RingAtOnce: rapid.IntRange(cc.MinRingAtOnce, 3).Draw(rt, "ringAtOnce"),
			Rules: cc.QueueRules{AwayAfterMisses: rapid.IntRange(1, 3).Draw(rt, "away"), BanAfterMisses: rapid.IntRange(0, 4).Draw(rt, "ban"), BanWindow: time.Hour, BanSteps: []time.Duration{time.Minute}, AnnounceEvery: 30 * time.Second,
				ManagerWait: 20 * time.Second, OptIn: true, OptInCooldown: time.Hour,
				Callback: cc.CallbackRules{OfferAfter: time.Duration(rapid.IntRange(0, 60).Draw(rt, "callbackAfter")) * time.Second, Attempts: 2, RetryAfter: time.Minute},
				Overflow: cc.Overflow{After: time.Duration(rapid.IntRange(0, 90).Draw(rt, "overflow")) * time.Second, Spares: []cc.SpareID{"s1", "s2"}, MaxAtOnce: 2, Order: rapid.SampledFrom([]cc.SpareOrder{cc.SpareInTurn, cc.SpareLeastUsed, cc.SparePriority}).Draw(rt, "order")}}}
		spares := []cc.Spare{{ID: "s1", Contact: cc.Contact{Kind: cc.ContactPSTN, Target: "+15550000001"}, MaxConcurrent: 1, DailyCap: 5}, {ID: "s2", Contact: cc.Contact{Kind: cc.ContactSIP, Target: "sip:s2@x"}, MaxConcurrent: 2}}
		for _, sp := range spares {
			step(e.PutSpare(now, sp))
		}
		// Nobody serves q2: a call a supervisor (or an exit of q) moves there waits until he
		// moves it back.
		queue2 := cc.Queue{ID: "q2", DialedNumbers: []string{"+18005550002"}, OfferTimeout: 20 * time.Second, WrapUp: 5 * time.Second, Strategy: strategy}
		step(e.CreateQueue(now, queue2))
		drawExits(rt, &queue.Rules, "")
		// q3 is served by d alone: q's relaxation may bring him in.
		queue3 := cc.Queue{ID: "q3", DialedNumbers: []string{"+18005550004"}, OfferTimeout: 20 * time.Second, WrapUp: 5 * time.Second, Strategy: strategy}
		step(e.CreateQueue(now, queue3))
		queue.Rules.Relax = drawRelax(rt)
		step(e.CreateQueue(now, queue))
		names := []cc.OperatorID{"a", "b", "c"}
		var operators []cc.Operator
		for _, n := range names {
			o := cc.Operator{ID: n, Name: string(n), Contact: cc.Contact{Kind: cc.ContactUser, Target: string(n)}, Queues: []cc.QueueSkill{{Queue: "q", Level: 1 + len(operators)}}}
			operators = append(operators, o)
			step(e.CreateOperator(now, o))
		}
		d := cc.Operator{ID: "d", Name: "d", Contact: cc.Contact{Kind: cc.ContactUser, Target: "d"}, Queues: []cc.QueueSkill{{Queue: "q3", Level: 2}}}
		operators = append(operators, d)
		step(e.CreateOperator(now, d))
		names = append(names, "d")
		// A menu on a number of its own: 1 for q, 2 for a sub-menu (1: q2, 0: a number, 9: q2's
		// voicemail), silence: q.
		menu := cc.Menu{ID: "m", DialedNumbers: []string{"+18005550003"}, Nodes: []cc.MenuNode{
			{ID: "start", Text: "1 or 2", Choices: []cc.MenuChoice{
				{Digit: "1", Words: []string{"sales"}, Action: cc.MenuAction{Kind: cc.MenuToQueue, Queue: "q"}},
				{Digit: "2", Action: cc.MenuAction{Kind: cc.MenuToNode, Node: "more"}},
			}, Default: cc.MenuAction{Kind: cc.MenuToQueue, Queue: "q"}},
			{ID: "more", Text: "1 or 0", Choices: []cc.MenuChoice{
				{Digit: "1", Action: cc.MenuAction{Kind: cc.MenuToQueue, Queue: "q2"}},
				{Digit: "0", Action: cc.MenuAction{Kind: cc.MenuToNumber, Number: "+15559990001"}},
				{Digit: "9", Action: cc.MenuAction{Kind: cc.MenuToVoicemail, Queue: "q2"}},
			}, Default: cc.MenuAction{Kind: cc.MenuToQueue, Queue: "q"}},
		}}
		step(e.PutMenu(now, menu))
		leftMenu := map[cc.CallID]bool{}
		var events []struct {
			call cc.CallID
			ev   cc.CloudEvent
		} // every event sent so far, for duplicates
		offersOf := map[cc.CallID][]cc.OfferID{}
		finished := map[cc.CallID]bool{}
		rang := map[cc.OfferID]bool{} // offers a ringing event was sent for

		rt.Repeat(map[string]func(*rapid.T){
			"arrive": func(rt *rapid.T) {
				caller := rapid.SampledFrom([]string{"+15550001111", "+15550002222", "anonymous"}).Draw(rt, "caller")
				c, ch, err := e.Intake(now, cc.Intake{AccessURL: "u", DialedNumber: "+18005550001", CallerNumber: caller, Priority: rapid.IntRange(0, 2).Draw(rt, "prio")})
				step(ch, err)
				if err == nil {
					offersOf[c.ID] = nil
				}
			},
			// A customer asked to be called back: a callback at the place of a call that came
			// a while ago, maybe a retry not due yet.
			"callback": func(rt *rapid.T) {
				arrived := now.Add(-time.Duration(rapid.IntRange(0, 120).Draw(rt, "ago")) * time.Second)
				cb := cc.Callback{Of: "call_inbound", Number: "+15550003333", Attempt: rapid.IntRange(1, 3).Draw(rt, "attempt")}
				if rapid.Bool().Draw(rt, "later") {
					cb.NotBefore = now.Add(time.Duration(rapid.IntRange(1, 60).Draw(rt, "retryIn")) * time.Second)
				}
				c := e.fileCallback(now, "q", arrived, rapid.IntRange(0, 2).Draw(rt, "cbprio"), "+18005550001", cb)
				store.apply(e.finish(now))
				offersOf[c.ID] = nil
			},
			// The callback scenario of a pending offer reports in (maybe a second time, maybe
			// for an old offer), or could not be started.
			"attach": func(rt *rapid.T) {
				c, ok := liveCall(rt, e, offersOf, func(c cc.Call) bool { return c.Callback.Virtual() })
				if !ok {
					rt.Skip("no callback")
				}
				offer := c.Offer
				if os := offersOf[c.ID]; len(os) > 0 && rapid.Bool().Draw(rt, "oldOffer") {
					offer = rapid.SampledFrom(os).Draw(rt, "attachOffer")
				}
				_, ch, err := e.AttachCallback(now, c.ID, offer, "s-"+string(offer)+rapid.SampledFrom([]string{"", "-again"}).Draw(rt, "session"), "http://cloud/"+string(offer))
				step(ch, err)
			},
			// A caller answers a callback offer (maybe one never made): yes with his number, a
			// keyed-in one or a forbidden one, or no.
			"callbackAnswer": func(rt *rapid.T) {
				c, ok := liveCall(rt, e, offersOf, func(c cc.Call) bool { return c.State == cc.CallWaiting })
				if !ok {
					rt.Skip("no call waiting")
				}
				step(e.Report(now, c.ID, cc.CloudEvent{Kind: cc.CloudCallbackAnswer, Accepted: rapid.Bool().Draw(rt, "accepted"),
					Number: rapid.SampledFrom([]string{"", "+15550004444", "12"}).Draw(rt, "number")}))
			},
			"arriveMenu": func(rt *rapid.T) {
				c, ch, err := e.Intake(now, cc.Intake{AccessURL: "u", DialedNumber: "+18005550003", CallerNumber: "+15550001111"})
				step(ch, err)
				if err == nil {
					offersOf[c.ID] = nil
				}
			},
			"menuChosen": func(rt *rapid.T) {
				c, ok := liveCall(rt, e, offersOf, func(cc.Call) bool { return true })
				if !ok {
					rt.Skip("no call")
				}
				paths := [][]cc.MenuStep{
					{{Node: "start", Digit: "1"}},
					{{Node: "start", Words: "sales please"}},
					{{Node: "start", TimedOut: true}},
					{{Node: "start", Digit: "2"}, {Node: "more", Digit: "1"}},
					{{Node: "start", Digit: "2"}, {Node: "more", Digit: "0"}},
					{{Node: "start", Digit: "2"}, {Node: "more", Digit: "9"}},
					{{Node: "start", Digit: "2"}, {Node: "more"}}, // hung up
					{{Node: "start", Digit: "7"}},                 // no such choice
				}
				ev := cc.CloudEvent{Kind: cc.CloudMenuChosen, MenuExit: cc.MenuExit{Path: rapid.SampledFrom(paths).Draw(rt, "path")}}
				events = append(events, struct {
					call cc.CallID
					ev   cc.CloudEvent
				}{c.ID, ev})
				ch, err := e.Report(now, c.ID, ev)
				if err != nil && (c.State != cc.CallInMenu || cc.ErrorCode(err) != cc.CodeInvalid || !ch.Empty()) {
					rt.Fatalf("menu_chosen on a %s call: %v", c.State, err)
				}
				if after, _ := e.Call(c.ID); c.State != cc.CallInMenu && (after.State != c.State || after.Queue != c.Queue || after.MenuExit != c.MenuExit) {
					rt.Fatalf("menu_chosen moved a %s call: %+v", c.State, after)
				}
				step(ch, err)
			},
			"changeMenu": func(rt *rapid.T) {
				if rapid.Bool().Draw(rt, "delete") {
					step(e.DeleteMenu(now, menu.ID))
					return
				}
				m := menu
				m.Nodes = slices.Clone(menu.Nodes)
				m.Nodes[0].Choices = slices.Clone(menu.Nodes[0].Choices)
				m.Nodes[0].Choices[0].Digit = rapid.SampledFrom([]string{"1", "3"}).Draw(rt, "digit")
				step(e.PutMenu(now, m))
			},
			"connect":    func(rt *rapid.T) { step(e.Connect(now, rapid.SampledFrom(names).Draw(rt, "op"))) },
			"disconnect": func(rt *rapid.T) { store.apply(e.Disconnect(now, rapid.SampledFrom(names).Draw(rt, "op"))) },
			"ready":      func(rt *rapid.T) { step(e.GoReady(now, rapid.SampledFrom(names).Draw(rt, "op"))) },
			"away":       func(rt *rapid.T) { step(e.GoAway(now, rapid.SampledFrom(names).Draw(rt, "op"), "break")) },
			"endWrapUp":  func(rt *rapid.T) { step(e.EndWrapUp(now, rapid.SampledFrom(names).Draw(rt, "op"), "")) },
			"liftBan":    func(rt *rapid.T) { step(e.LiftBan(now, rapid.SampledFrom(names).Draw(rt, "op"))) },
			"logOut": func(rt *rapid.T) {
				step(e.LogOut(now, rapid.SampledFrom(names).Draw(rt, "op"), rapid.Bool().Draw(rt, "withdraw")))
			},
			// A supervisor requeues a call, maybe to the other queue, maybe at another priority:
			// a call not waiting is refused and stays as it was.
			"requeue": func(rt *rapid.T) {
				c, ok := liveCall(rt, e, offersOf, func(cc.Call) bool { return true })
				if !ok {
					rt.Skip("no call")
				}
				r := cc.Requeue{Call: c.ID, Queue: rapid.SampledFrom([]cc.QueueID{"", "q", "q2"}).Draw(rt, "to")}
				if p := rapid.IntRange(-1, 3).Draw(rt, "rprio"); p >= 0 {
					r.Priority = &p
				}
				got, ch, err := e.Requeue(now, r)
				if c.State != cc.CallWaiting {
					after, _ := e.Call(c.ID)
					if cc.ErrorCode(err) != cc.CodeFailedPrecondition || !ch.Empty() || after.Queue != c.Queue || after.Priority != c.Priority || after.State != c.State {
						rt.Fatalf("requeue of a %s call: %v, changes %v, after %+v", c.State, err, !ch.Empty(), after)
					}
					return
				}
				if err != nil {
					rt.Fatalf("requeue of a waiting call: %v", err)
				}
				store.apply(ch)
				if r.Queue != "" && got.Queue != r.Queue || r.Priority != nil && got.Priority != *r.Priority {
					rt.Fatalf("requeued %+v, got queue %s priority %d", r, got.Queue, got.Priority)
				}
			},
			// An admin changes q's hours, caps and exits while calls wait.
			"exits": func(rt *rapid.T) {
				q := queue
				q.Rules.Overflow.Spares = slices.Clone(q.Rules.Overflow.Spares)
				drawExits(rt, &q.Rules, "re")
				ch, err := e.UpdateQueue(now, q)
				if err != nil {
					rt.Fatalf("update with good exits: %v", err)
				}
				store.apply(ch)
				queue, _ = e.Queue("q")
			},
			// An admin changes q's skills relaxation while calls wait.
			"relax": func(rt *rapid.T) {
				q := queue
				q.Rules.Relax = drawRelax(rt)
				ch, err := e.UpdateQueue(now, q)
				if err != nil {
					rt.Fatalf("update with a good relaxation: %v", err)
				}
				store.apply(ch)
				queue, _ = e.Queue("q")
			},
			"manager": func(rt *rapid.T) {
				_, ch, err := e.SetClient(now, "+15550001111", rapid.SampledFrom(names).Draw(rt, "op"), cc.AssignedByAdmin)
				step(ch, err)
			},
			"speech": func(rt *rapid.T) {
				var ids []string
				for id := range e.questions {
					ids = append(ids, id)
				}
				if len(ids) == 0 {
					rt.Skip("no question")
				}
				slices.Sort(ids)
				step(e.Report(now, "", cc.CloudEvent{Kind: cc.CloudSpeechAnswer, QuestionID: rapid.SampledFrom(ids).Draw(rt, "q"), Verdict: cc.Verdict(rapid.IntRange(0, 2).Draw(rt, "verdict"))}))
			},
			"time": func(rt *rapid.T) {
				now = now.Add(time.Duration(rapid.IntRange(1, 40).Draw(rt, "seconds")) * time.Second)
				store.apply(e.Tick(now))
			},
			"event": func(rt *rapid.T) {
				var calls []cc.CallID
				for id := range offersOf {
					calls = append(calls, id)
				}
				if len(calls) == 0 {
					rt.Skip("no calls")
				}
				slices.Sort(calls)
				id := rapid.SampledFrom(calls).Draw(rt, "call")
				var offer cc.OfferID
				if os := offersOf[id]; len(os) > 0 {
					offer = rapid.SampledFrom(os).Draw(rt, "offer") // possibly an old one: out of order
				}
				ev := rapid.SampledFrom([]cc.CloudEvent{
					{Kind: cc.CloudOperatorAnswered, Offer: offer, RingTime: time.Second},
					{Kind: cc.CloudDialFailed, Offer: offer, Code: 486},
					{Kind: cc.CloudOperatorRinging, Offer: offer},
					{Kind: cc.CloudDialFailed, Offer: offer, Code: 408},
					{Kind: cc.CloudDialFailed, Offer: offer, Code: 480},
					{Kind: cc.CloudDialFailed, Offer: offer, Code: 503},
					{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupOperator, TalkTime: time.Minute},
					{Kind: cc.CloudCallEnded, Offer: offer, HungUpBy: cc.HangupOperator, TalkTime: time.Minute}, // a consulted target's leg, or the call
					{Kind: cc.CloudCallerAbandoned},
					{Kind: cc.CloudCustomerAnswered},
					{Kind: cc.CloudCustomerFailed, Code: 408},
					{Kind: cc.CloudCustomerFailed, Code: 486},
				}).Draw(rt, "kind")
				if ev.Kind == cc.CloudOperatorRinging {
					rang[offer] = true
				}
				events = append(events, struct {
					call cc.CallID
					ev   cc.CloudEvent
				}{id, ev})
				if finished[id] {
					if _, err := e.Report(now, id, ev); cc.ErrorCode(err) != cc.CodeNotFound {
						rt.Fatalf("event on finished call %s: %v", id, err)
					}
					return
				}
				step(e.Report(now, id, ev))
			},
			"duplicate": func(rt *rapid.T) {
				if len(events) == 0 {
					rt.Skip("no events")
				}
				d := rapid.SampledFrom(events).Draw(rt, "dup")
				if !finished[d.call] {
					step(e.Report(now, d.call, d.ev))
				}
			},
			"undelivered": func(rt *rapid.T) {
				for id := range offersOf {
					if c, ok := e.Call(id); ok && c.Offer != "" {
						store.apply(e.DialUndelivered(now, id, c.Offer, "HTTP 500"))
						return
					}
				}
			},
			// Transfers: blind or warm, to an operator (maybe busy, maybe himself), the queue or a
			// number; completed, cancelled, or not taken by the scenario.
			// answer: the pending offer of a waiting call, or a transfer's target leg, is answered,
			// so that calls get talked on, transferred and consulted often enough.
			"answer": func(rt *rapid.T) {
				c, ok := liveCall(rt, e, offersOf, func(c cc.Call) bool {
					return c.State == cc.CallWaiting && c.Offer != "" || c.Transfer.State == cc.TransferDialing && c.Transfer.Offer != ""
				})
				if !ok {
					op := rapid.SampledFrom(names).Draw(rt, "op")
					step(e.Connect(now, op))
					step(e.GoReady(now, op))
					rt.Skip("no offer out")
				}
				offer := c.Offer
				if c.State == cc.CallConnected {
					offer = c.Transfer.Offer
				}
				step(e.Report(now, c.ID, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: offer, RingTime: time.Second}))
			},
			"transfer": func(rt *rapid.T) {
				c, ok := liveCall(rt, e, offersOf, func(c cc.Call) bool { return c.State == cc.CallConnected && c.Operator != "" })
				if !ok {
					rt.Skip("no call talking")
				}
				r := cc.TransferRequest{Call: c.ID, By: c.Operator, Mode: rapid.SampledFrom([]cc.TransferMode{cc.TransferBlind, cc.TransferWarm}).Draw(rt, "mode")}
				switch rapid.IntRange(0, 2).Draw(rt, "target") {
				case 0:
					r.Target.Operator = rapid.SampledFrom(names).Draw(rt, "to")
				case 1:
					r.Target.Queue, r.Priority = "q", rapid.IntRange(0, 2).Draw(rt, "tprio")
				default:
					r.Target.Number = cc.Contact{Kind: cc.ContactPSTN, Target: "+15559990000"}
				}
				step(e.TransferCall(now, r, nil))
			},
			"completeTransfer": func(rt *rapid.T) {
				c, ok := liveCall(rt, e, offersOf, func(c cc.Call) bool { return c.Transfer.Active() })
				if !ok {
					rt.Skip("no transfer")
				}
				step(e.CompleteTransfer(now, c.ID, c.Operator, nil))
			},
			"cancelTransfer": func(rt *rapid.T) {
				c, ok := liveCall(rt, e, offersOf, func(c cc.Call) bool { return c.Transfer.Active() })
				if !ok {
					rt.Skip("no transfer")
				}
				step(e.CancelTransfer(now, c.ID, c.Operator, nil))
			},
			"transferUndelivered": func(rt *rapid.T) {
				c, ok := liveCall(rt, e, offersOf, func(c cc.Call) bool { return c.Transfer.From != "" })
				if !ok {
					rt.Skip("no transfer")
				}
				typ := rapid.SampledFrom([]cc.CommandType{cc.CommandTransfer, cc.CommandCompleteTransfer, cc.CommandCancelTransfer}).Draw(rt, "cmd")
				store.apply(e.TransferUndelivered(now, cc.Command{Type: typ, Call: c.ID, Offer: c.Transfer.Offer}, "refused"))
			},
			// A pending offer (maybe a leg of a ring) is taken back by a supervisor, or declined
			// by its operator.
			"withdrawOrDecline": func(rt *rapid.T) {
				var pending []cc.OfferID
				for id, of := range e.offers {
					if of.Operator != "" {
						pending = append(pending, id)
					}
				}
				if len(pending) == 0 {
					rt.Skip("no offer pending")
				}
				slices.Sort(pending)
				id := rapid.SampledFrom(pending).Draw(rt, "pendingOffer")
				if rapid.Bool().Draw(rt, "decline") {
					step(e.DeclineOffer(now, cc.Decline{Offer: id, Operator: e.offers[id].Operator}, nil))
					return
				}
				_, ch, err := e.WithdrawOffer(now, id, "")
				step(ch, err)
			},
			"gone": func(rt *rapid.T) {
				for id := range offersOf {
					if !finished[id] {
						store.apply(e.SessionGone(now, id, "gone"))
						return
					}
				}
			},
			"restart": func(rt *rapid.T) {
				e = New(cfg)
				r := store.runtime()
				r.Spares = spares
				store.apply(e.Load(now, []cc.Queue{queue, queue2, queue3}, operators, r))
			},
			"": func(rt *rapid.T) {
				// After every step: the invariants, and the store agrees with the engine.
				checkInvariants(rt, 0, 0, e)
				// The engine wakes up by the next step of any call waiting in q's line.
				next, due := e.NextDeadline()
				for _, c := range e.lines["q"] {
					for _, p := range e.relaxed["q"] {
						if p.Step == 0 {
							continue
						}
						if at := c.ArrivedAt.Add(p.After); at.After(e.lastStep) && (!due || next.After(at)) {
							rt.Fatalf("call %s reaches step %d at %v; the next deadline is %v (%v)", c.ID, p.Step, at, next, due)
						}
					}
				}
				for id, c := range store.calls {
					if _, known := offersOf[id]; !known && c.Callback.Virtual() {
						offersOf[id] = nil // a callback's next attempt
					}
					if c.Callback.Virtual() && c.Callback.Attempt > cc.DefaultCallbackAttempts+3 {
						rt.Fatalf("callback %s is attempt %d", id, c.Callback.Attempt)
					}
					// The customer's answer is dated only on a connected attempt, after its operator's.
					if at := c.Callback.ConnectedAt; !at.IsZero() && (c.Callback.Result != cc.CallbackConnected || at.Before(c.AnsweredAt) || c.AnsweredAt.IsZero()) {
						rt.Fatalf("callback %s: customer answered at %v, result %q, operator answered at %v", id, at, c.Callback.Result, c.AnsweredAt)
					}
				}
				for id, c := range store.calls {
					if _, live := offersOf[id]; !live {
						continue
					}
					if c.State == cc.CallInMenu && leftMenu[id] {
						rt.Fatalf("call %s is back in its menu", id)
					}
					leftMenu[id] = c.State != cc.CallInMenu
					for _, of := range store.offers {
						if of.Call == id && !slices.Contains(offersOf[id], of.ID) {
							offersOf[id] = append(offersOf[id], of.ID)
						}
					}
					_, inEngine := e.Call(id)
					if c.State.Finished() {
						finished[id] = true
						if inEngine {
							rt.Fatalf("call %s is %s in the store but live in the engine", id, c.State)
						}
					} else if !inEngine {
						rt.Fatalf("call %s is %s in the store but not in the engine", id, c.State)
					}
				}
				pending := 0
				for _, of := range store.offers {
					if of.State == cc.OfferPending {
						pending++
						if s := store.statuses[of.Operator]; of.Operator != "" && (s.State != cc.OperatorReserved || s.Offer != of.ID) {
							rt.Fatalf("stored offer %s pending but %s is %s/%s", of.ID, of.Operator, s.State, s.Offer)
						}
					}
				}
				if pending != len(e.offers) {
					rt.Fatalf("%d pending offers stored, %d in the engine", pending, len(e.offers))
				}
				// A call that left by an exit that ends it (message, number) is finished, and no
				// offer of it is pending or was made after the exit; one that took it at its
				// intake was never offered at all (a caller may accept a callback while he is
				// being offered, at any time).
				for id, c := range store.calls {
					if !c.Exit.Ended() {
						continue
					}
					if c.State != cc.CallEnded || c.HungUpBy != cc.HangupSystem {
						rt.Fatalf("call %s took the %s exit but is %s (by %s)", id, c.Exit.Kind, c.State, c.HungUpBy)
					}
					for _, of := range store.offers {
						if of.Call == id && (of.State == cc.OfferPending || of.OfferedAt.After(c.Exit.At) || c.Exit.At.Equal(c.ArrivedAt) && c.Exit.Cause != cc.ExitLongestWait && c.Exit.Cause != cc.ExitCallbackOffer && of.Operator != "") {
							rt.Fatalf("call %s took its exit at %v and has offer %s (%s, made %v)", id, c.Exit.At, of.ID, of.State, of.OfferedAt)
						}
					}
				}
				// Marks move only on offers that reached the phone: every miss counted is an
				// offer that failed or expired, and each of those had rung or was refused by
				// the phone itself (busy, declined).
				missed := map[cc.OperatorID]int{}
				for _, of := range store.offers {
					if of.Operator == "" || (of.State != cc.OfferFailed && of.State != cc.OfferExpired) {
						continue
					}
					missed[of.Operator]++
					if of.State == cc.OfferExpired && !rang[of.ID] || of.State == cc.OfferFailed && !cc.PhoneReached(of.FailureCode, rang[of.ID]) {
						rt.Fatalf("offer %s counted as %s's miss (%s, code %d) but never reached his phone", of.ID, of.Operator, of.State, of.FailureCode)
					}
				}
				// The legs of a ring (dialed in one step for one call): at most one answered;
				// once a leg was answered or cancelled none is pending; a cancelled leg's call
				// was answered (by another) and its operator is not held for it; cancelled legs
				// are nobody's miss (above: only failed and expired are).
				rings := map[ringKey][]cc.Offer{}
				for _, of := range store.offers {
					if k, ok := ringOf[of.ID]; ok {
						rings[k] = append(rings[k], of)
					} else if of.State == cc.OfferCancelled {
						rt.Fatalf("offer %s is cancelled but was no leg of a ring", of.ID)
					}
				}
				for k, legs := range rings {
					answered, over, pending := 0, false, 0
					for _, of := range legs {
						switch of.State {
						case cc.OfferAnswered:
							answered++
							over = true
						case cc.OfferCancelled:
							over = true
							if c := store.calls[k.call]; c.AnsweredAt.IsZero() || c.AnsweredAt.After(of.SettledAt) {
								rt.Fatalf("leg %s cancelled but call %s was not answered (%v)", of.ID, k.call, c.AnsweredAt)
							}
							if s := store.statuses[of.Operator]; s.Offer == of.ID {
								rt.Fatalf("%s is %s for cancelled leg %s", of.Operator, s.State, of.ID)
							}
						case cc.OfferPending:
							pending++
						}
					}
					if answered > 1 || over && pending > 0 {
						rt.Fatalf("ring of call %s (step %d): %d answered, %d pending: %+v", k.call, k.step, answered, pending, legs)
					}
				}
				for _, n := range names {
					if got := store.statuses[n].Marks.OffersMissed; got != missed[n] {
						rt.Fatalf("%s has %d misses in his marks, %d missed offers stored", n, got, missed[n])
					}
				}
			},
		})
	})
}

// drawExits gives queue rules r random hours (often closing a minute or two into the run, which
// starts Thursday 09:00 UTC, and maybe opening again a few minutes later), caps and exits: a message, a number, voicemail, a callback offer,
// or queue q2.
func drawExits(rt *rapid.T, r *cc.QueueRules, label string) {
	exit := func(name string) cc.Exit {
		switch rapid.IntRange(0, 4).Draw(rt, label+name) {
		case 0:
			return cc.Exit{Kind: cc.ExitMessage, Text: "Goodbye."}
		case 1:
			return cc.Exit{Kind: cc.ExitNumber, Number: "+15550009999"}
		case 2:
			return cc.Exit{Kind: cc.ExitVoicemail}
		case 3:
			return cc.Exit{Kind: cc.ExitCallback}
		}
		return cc.Exit{Kind: cc.ExitQueue, Queue: "q2"}
	}
	r.Hours, r.ClosedExit, r.ExitWaitingAtClose = cc.Hours{}, cc.Exit{}, false
	if rapid.Bool().Draw(rt, label+"hours") {
		to := time.Duration(rapid.IntRange(9*60+1, 9*60+5).Draw(rt, label+"closeAt")) * time.Minute
		r.Hours = cc.Hours{TimeZone: "UTC", Weekly: []cc.OpenSpan{{Day: time.Thursday, From: 9 * time.Hour, To: to}}}
		if gap := rapid.IntRange(0, 4).Draw(rt, label+"reopenAfter"); gap > 0 {
			r.Hours.Weekly = append(r.Hours.Weekly, cc.OpenSpan{Day: time.Thursday, From: to + time.Duration(gap)*time.Minute, To: 24 * time.Hour})
		}
		r.ClosedExit = exit("closedExit")
		r.ExitWaitingAtClose = rapid.Bool().Draw(rt, label+"outAtClose")
	}
	r.MaxWaiting = cc.CallsCap{}
	if n := rapid.IntRange(0, 3).Draw(rt, label+"maxWaiting"); n > 0 {
		r.MaxWaiting = cc.CallsCap{Calls: n, Exit: exit("maxWaitingExit")}
	}
	r.LongestWait = cc.WaitCap{}
	if s := rapid.IntRange(0, 120).Draw(rt, label+"longestWait"); s > 0 {
		r.LongestWait = cc.WaitCap{After: time.Duration(s) * time.Second, Exit: exit("longestWaitExit")}
	}
}

// liveCall draws one of the calls in progress that ok accepts.
func liveCall(rt *rapid.T, e *Engine, calls map[cc.CallID][]cc.OfferID, ok func(cc.Call) bool) (cc.Call, bool) {
	var ids []cc.CallID
	for id := range calls {
		if c, live := e.Call(id); live && ok(c) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return cc.Call{}, false
	}
	slices.Sort(ids)
	c, _ := e.Call(rapid.SampledFrom(ids).Draw(rt, "live"))
	return c, true
}

// drawRelax draws a relaxation for q (its operators are of levels 1 to 3): a starting level,
// then up to three steps lowering it or bringing in q3's operator.
func drawRelax(rt *rapid.T) cc.Relaxation {
	r := cc.Relaxation{MinLevel: rapid.IntRange(1, 3).Draw(rt, "minLevel")}
	level, after, also := r.MinLevel, 0, false
	for i := range rapid.IntRange(0, 3).Draw(rt, "relaxSteps") {
		after += rapid.IntRange(1, 40).Draw(rt, fmt.Sprintf("relaxAfter%d", i))
		s := cc.RelaxStep{After: time.Duration(after) * time.Second}
		if level > 1 && rapid.Bool().Draw(rt, fmt.Sprintf("relaxLower%d", i)) {
			s.MinLevel = rapid.IntRange(1, level-1).Draw(rt, fmt.Sprintf("relaxLevel%d", i))
			level = s.MinLevel
		}
		if !also && (s.MinLevel == 0 || rapid.Bool().Draw(rt, fmt.Sprintf("relaxAlso%d", i))) {
			s.AlsoQueues, also = []cc.QueueID{"q3"}, true
		}
		if s.MinLevel == 0 && len(s.AlsoQueues) == 0 {
			break
		}
		r.Steps = append(r.Steps, s)
	}
	return r
}

// checkRelaxed wraps a store's seen hook: every decision a queue's line made (not a spare's,
// not the personal manager's, not an operator a transfer named) went to an operator its
// queue's relaxation admits at the call's step at the decision's time.
func checkRelaxed(rt *rapid.T, engine func() *Engine, next func(cc.Changes)) func(cc.Changes) {
	return func(ch cc.Changes) {
		e := engine()
		for _, d := range ch.Decisions {
			c := e.calls[d.Call]
			if d.Operator == "" || c == nil || c.Manager == d.Operator || c.Transfer.Target.Operator == d.Operator {
				continue
			}
			q := e.queues[c.Queue]
			if t := c.Transfer; t.Target.Queue != "" && d.Offer == t.Offer {
				q = e.queues[t.Target.Queue] // a warm transfer's leg: picked in the target queue
			}
			o := e.operators[d.Operator]
			if q == nil || o == nil {
				continue
			}
			pools := q.Rules.Relax.Pools()
			k := 0
			for k+1 < len(pools) && !d.DecidedAt.Before(c.ArrivedAt.Add(pools[k+1].After)) {
				k++
			}
			if !admits(o, q.ID, &pools[k]) {
				rt.Fatalf("call %s (waited %v) offered to %s %v, outside %s's step %+v", c.ID, d.DecidedAt.Sub(c.ArrivedAt), o.cfg.ID, o.cfg.Queues, q.ID, pools[k])
			}
			if q.Rules.Relax.Active() && (d.Relax == nil || d.Relax.Step != k) && c.Transfer.Target.Queue == "" {
				rt.Fatalf("decision %+v names step %+v, want %d", d, d.Relax, k)
			}
		}
		if next != nil {
			next(ch)
		}
	}
}
