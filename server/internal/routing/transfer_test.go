package routing

import (
	"errors"
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// transferFixture: anna talks on a call of support; boris is ready; sales is a second queue
// (with its own music) that boris alone serves.
func transferFixture(t *testing.T) (*fixture, cc.CallID) {
	t.Helper()
	f := newFixture(t, "anna", "boris")
	f.must(f.e.CreateQueue(f.now, cc.Queue{ID: "sales", Name: "Sales", DialedNumbers: []string{"+18005550200"}, OfferTimeout: 15 * time.Second, WrapUp: 5 * time.Second, HoldMusicURL: "https://cdn.example/sales.mp3"}))
	boris := f.view("boris").Operator
	boris.Queues = append(boris.Queues, cc.QueueSkill{Queue: "sales", Level: 2})
	f.must(f.e.UpdateOperator(f.now, boris))
	f.ready("anna")
	id := f.answered("anna")
	f.now = f.now.Add(30 * time.Second)
	f.ready("boris")
	return f, id
}

func (f *fixture) transfer(r cc.TransferRequest) (cc.Changes, error) {
	if r.By == "" {
		r.By = "anna"
	}
	return f.e.TransferCall(f.now, r, nil)
}

func (f *fixture) live(id cc.CallID) cc.Call {
	f.t.Helper()
	c, ok := f.e.Call(id)
	if !ok {
		f.t.Fatalf("call %s is not in progress", id)
	}
	return c
}

func onlyCommand(t *testing.T, ch cc.Changes, typ cc.CommandType) cc.Command {
	t.Helper()
	var found []cc.Command
	for _, c := range ch.Commands {
		if c.Type == typ {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("commands = %+v, want one %s", ch.Commands, typ)
	}
	return found[0]
}

// Blind to an operator: anna goes to wrap-up at once, boris is offered the call under a lease
// with a decision saying it is a transfer, the scenario is told to drop anna's leg and dial
// boris; boris answers and talks. The call keeps its first answer (its speed of answer).
func TestBlindTransferToOperator(t *testing.T) {
	f, id := transferFixture(t)
	answered := f.live(id).AnsweredAt
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Operator: "boris"}}))
	cmd := onlyCommand(t, ch, cc.CommandTransfer)
	c := f.live(id)
	if cmd.Mode != cc.TransferBlind || cmd.Contact.Target != "boris" || cmd.Offer == "" || cmd.Offer != c.Offer || cmd.Timeout != 20*time.Second {
		t.Fatalf("transfer command = %+v, call %+v", cmd, c)
	}
	if c.State != cc.CallWaiting || c.Operator != "boris" || c.Transfer.State != cc.TransferDialing || c.Transfer.From != "anna" {
		t.Fatalf("call while boris rings = %+v", c)
	}
	if f.state("anna") != cc.OperatorWrapUp || f.state("boris") != cc.OperatorReserved {
		t.Fatalf("anna %s, boris %s; want wrap_up, reserved", f.state("anna"), f.state("boris"))
	}
	if m := f.marksOf("anna"); m.CallsHandled != 1 || m.TalkTime != 30*time.Second {
		t.Fatalf("anna's marks = %+v: want her call handled, 30s talk", m)
	}
	if len(ch.Decisions) != 1 || !strings.Contains(ch.Decisions[0].Rule, "transfer from anna") || ch.Decisions[0].Operator != "boris" {
		t.Fatalf("decisions = %+v", ch.Decisions)
	}
	f.now = f.now.Add(4 * time.Second)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: cmd.Offer, RingTime: 4 * time.Second}))
	c = f.live(id)
	if c.State != cc.CallConnected || c.Operator != "boris" || !c.AnsweredAt.Equal(answered) || c.Transfer.State != cc.TransferCompleted {
		t.Fatalf("after boris answered: %+v", c)
	}
	if f.state("boris") != cc.OperatorOnCall {
		t.Fatalf("boris = %s", f.state("boris"))
	}
	// Her retry of the transfer changes nothing.
	if ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Operator: "boris"}})); len(ch.Commands) != 0 || len(ch.Calls) != 0 {
		t.Fatalf("repeated transfer changed %+v", ch)
	}
	f.now = f.now.Add(time.Minute)
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, Offer: cmd.Offer, HungUpBy: cc.HangupCaller, TalkTime: 95 * time.Second}))
	if m := f.marksOf("boris"); m.CallsHandled != 1 || m.TalkTime != time.Minute {
		t.Fatalf("boris's marks = %+v: want his minute only", m)
	}
}

// Blind to an operator who misses: the miss is his, and the call goes back to its queue at its
// old place (its arrival).
func TestBlindTransferMissReturnsCallToItsPlace(t *testing.T) {
	f, id := transferFixture(t)
	arrived := f.live(id).ArrivedAt
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Operator: "boris"}}))
	offer := onlyCommand(t, ch, cc.CommandTransfer).Offer
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorRinging, Offer: offer}))
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: offer, Code: 486, Reason: "busy"}))
	if m := f.marksOf("boris"); m.OffersMissed != 1 {
		t.Fatalf("boris's misses = %d, want 1", m.OffersMissed)
	}
	c := f.live(id)
	if c.State != cc.CallWaiting || c.Offer != "" || !c.ArrivedAt.Equal(arrived) || c.Queue != "support" || c.Transfer.State != cc.TransferFailed {
		t.Fatalf("after the miss: %+v", c)
	}
	if f.e.Position(id) != 1 {
		t.Fatalf("position = %d", f.e.Position(id))
	}
}

// Blind to a queue: the call waits in the queue's line keeping its arrival, with the priority
// given; anna is in wrap-up; the caller hears the queue's music; routing offers it to boris.
func TestBlindTransferToQueueKeepsArrival(t *testing.T) {
	f, id := transferFixture(t)
	f.must(f.e.GoAway(f.now, "boris", "break"))
	arrived := f.live(id).ArrivedAt
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Queue: "sales"}, Priority: 7}))
	cmd := onlyCommand(t, ch, cc.CommandTransfer)
	if cmd.Contact != (cc.Contact{}) || cmd.Offer != "" || cmd.MusicURL != "https://cdn.example/sales.mp3" {
		t.Fatalf("transfer command = %+v", cmd)
	}
	c := f.live(id)
	if c.Queue != "sales" || c.State != cc.CallWaiting || c.Priority != 7 || !c.ArrivedAt.Equal(arrived) || c.Operator != "" || c.Transfer.State != cc.TransferCompleted {
		t.Fatalf("call after the transfer: %+v", c)
	}
	if f.state("anna") != cc.OperatorWrapUp {
		t.Fatalf("anna = %s", f.state("anna"))
	}
	ch = f.must(f.e.GoReady(f.now, "boris"))
	if len(ch.Decisions) != 1 || ch.Decisions[0].Operator != "boris" || !strings.Contains(ch.Decisions[0].Rule, "transferred by anna") {
		t.Fatalf("routing after the transfer: %+v", ch.Decisions)
	}
}

// Warm to an operator, completed: the caller holds while boris rings and then consults with
// anna; on complete anna goes to wrap-up and the call is boris's.
func TestWarmTransferComplete(t *testing.T) {
	f, id := transferFixture(t)
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: cc.TransferTarget{Operator: "boris"}}))
	cmd := onlyCommand(t, ch, cc.CommandTransfer)
	if cmd.Mode != cc.TransferWarm || cmd.Contact.Target != "boris" {
		t.Fatalf("command = %+v", cmd)
	}
	if c := f.live(id); c.State != cc.CallConnected || c.Operator != "anna" || c.Transfer.State != cc.TransferDialing {
		t.Fatalf("while boris rings: %+v", c)
	}
	if _, err := f.e.CompleteTransfer(f.now, id, "anna", nil); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Fatalf("complete before the answer: %v", err)
	}
	if _, err := f.e.HoldCall(f.now, id, "anna", nil); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Fatalf("hold during the transfer: %v", err)
	}
	f.now = f.now.Add(3 * time.Second)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: cmd.Offer, RingTime: 3 * time.Second}))
	if c := f.live(id); c.Transfer.State != cc.TransferConsulting || c.Operator != "anna" {
		t.Fatalf("consulting: %+v", c)
	}
	if f.state("anna") != cc.OperatorOnCall || f.state("boris") != cc.OperatorOnCall {
		t.Fatalf("consulting: anna %s, boris %s", f.state("anna"), f.state("boris"))
	}
	if v := f.view("boris"); v.Call == nil || v.Call.ID != id {
		t.Fatalf("boris's view while consulting: %+v", v.Call)
	}
	checkInvariants(t, 0, 0, f.e)
	f.now = f.now.Add(10 * time.Second)
	ch = f.must(f.e.CompleteTransfer(f.now, id, "anna", nil))
	onlyCommand(t, ch, cc.CommandCompleteTransfer)
	if c := f.live(id); c.Operator != "boris" || c.Transfer.State != cc.TransferCompleted {
		t.Fatalf("completed: %+v", c)
	}
	if f.state("anna") != cc.OperatorWrapUp || f.state("boris") != cc.OperatorOnCall {
		t.Fatalf("completed: anna %s, boris %s", f.state("anna"), f.state("boris"))
	}
	if m := f.marksOf("anna"); m.TalkTime != 43*time.Second {
		t.Fatalf("anna's talk = %v, want 43s (to the completion)", m.TalkTime)
	}
	checkInvariants(t, 0, 0, f.e)
	if _, err := f.e.CancelTransfer(f.now, id, "anna", nil); cc.ErrorCode(err) != cc.CodePermissionDenied {
		t.Fatalf("cancel after completing: %v", err)
	}
}

// Warm, cancelled while consulting: boris is free again, the caller is back with anna.
func TestWarmTransferCancel(t *testing.T) {
	f, id := transferFixture(t)
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: cc.TransferTarget{Operator: "boris"}}))
	offer := onlyCommand(t, ch, cc.CommandTransfer).Offer
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: offer, RingTime: time.Second}))
	ch = f.must(f.e.CancelTransfer(f.now, id, "anna", nil))
	if cmd := onlyCommand(t, ch, cc.CommandCancelTransfer); cmd.Offer != offer {
		t.Fatalf("cancel command = %+v", cmd)
	}
	if c := f.live(id); c.Operator != "anna" || c.Transfer.State != cc.TransferCancelled {
		t.Fatalf("cancelled: %+v", c)
	}
	if f.state("boris") != cc.OperatorReady || f.state("anna") != cc.OperatorOnCall {
		t.Fatalf("cancelled: anna %s, boris %s", f.state("anna"), f.state("boris"))
	}
	// Cancelled while ringing: not boris's miss.
	f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: cc.TransferTarget{Operator: "boris"}}))
	f.must(f.e.CancelTransfer(f.now, id, "anna", nil))
	if m := f.marksOf("boris"); m.OffersMissed != 0 || f.state("boris") != cc.OperatorReady {
		t.Fatalf("boris after a cancel while ringing: %s, %+v", f.state("boris"), m)
	}
}

// Warm, the target does not answer: his miss, the transfer failed with why, the call stays
// anna's.
func TestWarmTransferNoAnswer(t *testing.T) {
	f, id := transferFixture(t)
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: cc.TransferTarget{Operator: "boris"}}))
	offer := onlyCommand(t, ch, cc.CommandTransfer).Offer
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorRinging, Offer: offer}))
	f.now = f.now.Add(26 * time.Second)
	ch = f.e.Tick(f.now)
	if cmd := onlyCommand(t, ch, cc.CommandCancel); cmd.Offer != offer {
		t.Fatalf("cancel = %+v", cmd)
	}
	c := f.live(id)
	if c.State != cc.CallConnected || c.Operator != "anna" || c.Transfer.State != cc.TransferFailed || !strings.Contains(c.Transfer.Reason, "did not answer") {
		t.Fatalf("after no answer: %+v", c)
	}
	if v := f.view("anna"); v.Call == nil || v.Call.Transfer.State != cc.TransferFailed {
		t.Fatalf("anna's view: %+v", v.Call)
	}
	if m := f.marksOf("boris"); m.OffersMissed != 1 {
		t.Fatalf("boris's misses = %d", m.OffersMissed)
	}
	checkInvariants(t, 0, 0, f.e)
}

// Warm to a queue picks a free operator of it now, or is refused with the advice to go blind.
func TestWarmTransferToQueue(t *testing.T) {
	f, id := transferFixture(t)
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: cc.TransferTarget{Queue: "sales"}}))
	if cmd := onlyCommand(t, ch, cc.CommandTransfer); cmd.Contact.Target != "boris" {
		t.Fatalf("command = %+v", cmd)
	}
	if len(ch.Decisions) != 1 || !strings.Contains(ch.Decisions[0].Rule, "to queue Sales") {
		t.Fatalf("decision = %+v", ch.Decisions)
	}
	f.must(f.e.CancelTransfer(f.now, id, "anna", nil))
	f.must(f.e.GoAway(f.now, "boris", "lunch"))
	_, err := f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: cc.TransferTarget{Queue: "sales"}})
	var e *cc.Error
	if !errors.As(err, &e) || e.Code != cc.CodeFailedPrecondition || e.Field != "queue_id" || !strings.Contains(e.Message, "transfer blind") {
		t.Fatalf("warm to a queue nobody is free in: %v", err)
	}
}

// Blind to a number: anna is released, the number is dialed under a lease of its own; on answer
// the transfer is complete and the call ends "transferred".
func TestBlindTransferToNumber(t *testing.T) {
	f, id := transferFixture(t)
	number := cc.Contact{Kind: cc.ContactPSTN, Target: "+15557654321"}
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Number: number}}))
	cmd := onlyCommand(t, ch, cc.CommandTransfer)
	if cmd.Contact != number || cmd.Offer == "" {
		t.Fatalf("command = %+v", cmd)
	}
	if f.state("anna") != cc.OperatorWrapUp {
		t.Fatalf("anna = %s", f.state("anna"))
	}
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: cmd.Offer, RingTime: time.Second}))
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, Offer: cmd.Offer, HungUpBy: cc.HangupCaller, TalkTime: time.Minute}))
	if c := callIn(t, ch, id); c.State != cc.CallEnded || !c.Transferred() {
		t.Fatalf("ended: %+v", c)
	}
}

// Bad requests are refused with the field at fault, and change nothing.
func TestTransferRefusals(t *testing.T) {
	f, id := transferFixture(t)
	f.must(f.e.CreateOperator(f.now, cc.Operator{ID: "vera", Name: "vera", Contact: cc.Contact{Kind: cc.ContactUser, Target: "vera"}, Disabled: true}))
	f.must(f.e.CreateOperator(f.now, cc.Operator{ID: "gleb", Name: "gleb", Contact: cc.Contact{Kind: cc.ContactUser, Target: "gleb"}}))
	f.ready("gleb")
	f.must(f.e.GoAway(f.now, "gleb", "lunch"))
	ended := cc.Call{ID: "gone", State: cc.CallEnded, Operator: "anna", AnsweredAt: f.now, EndedAt: f.now}
	to := func(op cc.OperatorID) cc.TransferTarget { return cc.TransferTarget{Operator: op} }
	for _, tc := range []struct {
		name  string
		r     cc.TransferRequest
		code  cc.Code
		field string
		says  string
	}{
		{"himself", cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: to("anna")}, cc.CodeInvalid, "operator_id", "yourself"},
		{"unknown operator", cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: to("nobody")}, cc.CodeNotFound, "operator_id", ""},
		{"dismissed", cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: to("vera")}, cc.CodeInvalid, "operator_id", "dismissed"},
		{"away", cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: to("gleb")}, cc.CodeFailedPrecondition, "operator_id", "gleb is away"},
		{"unknown queue", cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Queue: "nope"}}, cc.CodeNotFound, "queue_id", ""},
		{"no target", cc.TransferRequest{Call: id, Mode: cc.TransferBlind}, cc.CodeInvalid, "target", ""},
		{"no mode", cc.TransferRequest{Call: id, Target: to("boris")}, cc.CodeInvalid, "mode", ""},
		{"bad number", cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Number: cc.Contact{Kind: cc.ContactUser, Target: "x"}}}, cc.CodeInvalid, "number", ""},
		{"priority to an operator", cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: to("boris"), Priority: 3}, cc.CodeInvalid, "priority", ""},
		{"not his call", cc.TransferRequest{Call: id, By: "boris", Mode: cc.TransferBlind, Target: to("gleb")}, cc.CodePermissionDenied, "call_id", ""},
		{"unknown call", cc.TransferRequest{Call: "nope", Mode: cc.TransferBlind, Target: to("boris")}, cc.CodeNotFound, "call_id", ""},
	} {
		ch, err := f.transfer(tc.r)
		var e *cc.Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Field != tc.field || !strings.Contains(e.Message, tc.says) {
			t.Errorf("%s: err = %v, want %s on %s saying %q", tc.name, err, tc.code, tc.field, tc.says)
		}
		if len(ch.Calls) != 0 || len(ch.Commands) != 0 || len(ch.Statuses) != 0 {
			t.Errorf("%s: changed %+v", tc.name, ch)
		}
	}
	if _, err := f.e.TransferCall(f.now, cc.TransferRequest{Call: "gone", By: "anna", Mode: cc.TransferBlind, Target: to("boris")}, &ended); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Errorf("ended call: %v", err)
	}
	// boris on a call of his own: "boris is on a call".
	f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: to("boris")}))
	_, err := f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Queue: "sales"}})
	var e *cc.Error
	if !errors.As(err, &e) || e.Code != cc.CodeFailedPrecondition || e.Field != "call_id" || !strings.Contains(e.Message, "being transferred") {
		t.Fatalf("second transfer: %v", err)
	}
	if c := f.live(id); c.Transfer.Mode != cc.TransferWarm || c.Queue != "support" {
		t.Fatalf("the refused transfer changed the call: %+v", c)
	}
	f.must(f.e.CancelTransfer(f.now, id, "anna", nil))
	other := f.intake()
	f.must(f.e.Report(f.now, other, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(other), RingTime: time.Second}))
	_, err = f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: to("boris")})
	if !errors.As(err, &e) || e.Code != cc.CodeFailedPrecondition || e.Field != "operator_id" || e.Message != "boris is on a call" {
		t.Fatalf("to boris on a call: %v", err)
	}
	if _, err := f.e.CompleteTransfer(f.now, id, "anna", nil); !errors.As(err, &e) || e.Code != cc.CodeFailedPrecondition || e.Field != "call_id" {
		t.Fatalf("complete without a transfer: %v", err)
	}
}

// A transfer the scenario did not take is taken back: blind, anna is on the call again; warm,
// boris is free again; both say why.
func TestUndeliveredTransferIsTakenBack(t *testing.T) {
	f, id := transferFixture(t)
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Operator: "boris"}}))
	f.e.TransferUndelivered(f.now, onlyCommand(t, ch, cc.CommandTransfer), "the call is talking")
	c := f.live(id)
	if c.State != cc.CallConnected || c.Operator != "anna" || c.Transfer.State != cc.TransferFailed || !strings.Contains(c.Transfer.Reason, "the call is talking") {
		t.Fatalf("blind, undelivered: %+v", c)
	}
	if f.state("anna") != cc.OperatorOnCall || f.state("boris") != cc.OperatorReady {
		t.Fatalf("blind, undelivered: anna %s, boris %s", f.state("anna"), f.state("boris"))
	}
	if m := f.marksOf("boris"); m.OffersMissed != 0 {
		t.Fatalf("boris blamed: %+v", m)
	}
	checkInvariants(t, 0, 0, f.e)

	ch = f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: cc.TransferTarget{Operator: "boris"}}))
	f.e.TransferUndelivered(f.now, onlyCommand(t, ch, cc.CommandTransfer), "no media")
	if c := f.live(id); c.Operator != "anna" || c.Transfer.State != cc.TransferFailed {
		t.Fatalf("warm, undelivered: %+v", c)
	}
	if f.state("boris") != cc.OperatorReady {
		t.Fatalf("boris = %s", f.state("boris"))
	}
	checkInvariants(t, 0, 0, f.e)
}

// A restart while a warm transfer's target rings keeps the leg and sends its command again;
// one while they consult keeps both operators on the call.
func TestTransferSurvivesRestart(t *testing.T) {
	f, id := transferFixture(t)
	store := newMemStore()
	var ops []cc.Operator
	for _, n := range []string{"anna", "boris"} {
		v := f.view(n)
		ops = append(ops, v.Operator)
		store.statuses[v.Operator.ID] = v.Status
	}
	store.calls[id] = f.live(id)
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: cc.TransferTarget{Operator: "boris"}}))
	store.apply(ch)
	offer := onlyCommand(t, ch, cc.CommandTransfer).Offer
	queues := []cc.Queue{*f.e.queues["support"], *f.e.queues["sales"]}

	f.now = f.now.Add(5 * time.Second)
	e := New(f.e.cfg)
	ch = e.Load(f.now, queues, ops, store.runtime())
	store.apply(ch)
	cmd := onlyCommand(t, ch, cc.CommandTransfer)
	if cmd.Offer != offer || cmd.Mode != cc.TransferWarm || cmd.Contact.Target != "boris" || cmd.Timeout != 15*time.Second {
		t.Fatalf("redialed transfer = %+v", cmd)
	}
	e.Connect(f.now, "anna")
	e.Connect(f.now, "boris")
	store.apply(e.finish(f.now))
	ch, err := e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: offer, RingTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	store.apply(ch)
	checkInvariants(t, 0, 0, e)

	e = New(f.e.cfg)
	ch = e.Load(f.now, queues, ops, store.runtime())
	store.apply(ch)
	store.apply(e.Tick(f.now.Add(time.Second)))
	if len(ch.Repairs) != 0 || e.operators["boris"].st.State != cc.OperatorOnCall || e.calls[id].Transfer.State != cc.TransferConsulting {
		t.Fatalf("after a restart while consulting: repairs %+v, boris %s, call %+v", ch.Repairs, e.operators["boris"].st.State, e.calls[id].Call)
	}
	if _, err := e.CompleteTransfer(f.now, id, "anna", nil); err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, 0, 0, e)
}

// The targets list his colleagues, the free first, the others with why, never himself or a
// dismissed one; and the queues with how many are free in each.
func TestTransferTargets(t *testing.T) {
	f, _ := transferFixture(t)
	f.must(f.e.CreateOperator(f.now, cc.Operator{ID: "vera", Name: "vera", Contact: cc.Contact{Kind: cc.ContactUser, Target: "vera"}, Disabled: true}))
	f.must(f.e.CreateOperator(f.now, cc.Operator{ID: "gleb", Name: "gleb", Contact: cc.Contact{Kind: cc.ContactUser, Target: "gleb"}, Queues: []cc.QueueSkill{{Queue: "support", Level: 1}}}))
	f.ready("gleb")
	f.must(f.e.GoAway(f.now, "gleb", "lunch"))
	tt := f.e.TransferTargets("anna")
	var got []string
	for _, o := range tt.Operators {
		got = append(got, string(o.Operator)+":"+o.Busy)
	}
	if strings.Join(got, ",") != "boris:,gleb:gleb is away" {
		t.Fatalf("operators = %v", got)
	}
	if len(tt.Queues) != 2 || tt.Queues[0].Queue != "sales" || tt.Queues[0].Free != 1 || tt.Queues[1].Queue != "support" || tt.Queues[1].Free != 1 {
		t.Fatalf("queues = %+v", tt.Queues)
	}
}

// Blind back to his own queue with no wrap-up: he is free at once, but a free colleague is
// offered the call first.
func TestBlindTransferToQueueGoesToAColleagueFirst(t *testing.T) {
	f, id := transferFixture(t)
	f.must(f.e.UpdateQueue(f.now, cc.Queue{ID: "support", DialedNumbers: []string{"+18005550100"}, OfferTimeout: 20 * time.Second, IsDefault: true}))
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Queue: "support"}}))
	if len(ch.Decisions) != 1 || ch.Decisions[0].Operator != "boris" {
		t.Fatalf("decisions = %+v, want boris offered the call", ch.Decisions)
	}
	if f.state("anna") != cc.OperatorReady {
		t.Fatalf("anna = %s", f.state("anna"))
	}
}

// Transfers and third legs: a call with a party the operator added is not handed on until the
// party leaves; a supervisor's monitoring ends with the transfer; while a transfer is under way
// nobody is added and nobody starts monitoring. Each refusal changes nothing.
func TestTransferAndParties(t *testing.T) {
	f, id := transferFixture(t)
	guest := cc.Contact{Kind: cc.ContactPSTN, Target: "+15550100"}
	p, _, err := f.e.AddToCall(f.now, id, "anna", guest, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	before := f.live(id)
	_, err = f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Operator: "boris"}})
	var ce *cc.Error
	if !errors.As(err, &ce) || ce.Code != cc.CodeFailedPrecondition || ce.Field != "call_id" {
		t.Fatalf("transfer with a party on the call: err = %v, want failed_precondition on call_id", err)
	}
	if after := f.live(id); after.Transfer != before.Transfer || after.Operator != "anna" || f.state("boris") != cc.OperatorReady {
		t.Fatalf("a refused transfer changed the call: %+v", after)
	}
	f.must(f.e.RemoveFromCall(f.now, id, p.ID, "anna", false, nil))

	sup := cc.Contact{Kind: cc.ContactSIP, Target: "sip:olga@pbx"}
	m, _, err := f.e.MonitorCall(f.now, id, cc.PartyListen, sup, "olga", nil)
	if err != nil {
		t.Fatal(err)
	}
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: cc.TransferTarget{Operator: "boris"}}))
	drop := onlyCommand(t, ch, cc.CommandDropParty)
	if drop.Party != m.ID || f.party(id, m.ID).State != cc.PartyFailed && f.party(id, m.ID).State != cc.PartyLeft {
		t.Fatalf("monitoring after a transfer began: drop %+v, party %+v", drop, f.party(id, m.ID))
	}
	if _, _, err := f.e.AddToCall(f.now, id, "anna", guest, "", nil); !errors.As(err, &ce) || ce.Code != cc.CodeFailedPrecondition || ce.Field != "call_id" {
		t.Fatalf("AddToCall during a transfer: err = %v, want failed_precondition on call_id", err)
	}
	if _, _, err := f.e.MonitorCall(f.now, id, cc.PartyBarge, sup, "olga", nil); !errors.As(err, &ce) || ce.Code != cc.CodeFailedPrecondition || ce.Field != "call_id" {
		t.Fatalf("MonitorCall during a transfer: err = %v, want failed_precondition on call_id", err)
	}
	if n := len(f.live(id).Parties); n != 2 {
		t.Fatalf("parties = %d, want the two that were (nothing added by the refusals)", n)
	}
}

// A blind transfer the scenario did not carry out gives anna her call back: her marks do not
// count it handled while she is on it again, and its end counts it once with all her talk. A
// blind transfer to a queue taken back leaves the call in its own queue at its own priority.
func TestUndoneBlindTransferCountsTheCallOnce(t *testing.T) {
	f, id := transferFixture(t)
	before := f.marksOf("anna")
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Operator: "boris"}}))
	f.now = f.now.Add(time.Second)
	f.e.TransferUndelivered(f.now, onlyCommand(t, ch, cc.CommandTransfer), "the call is talking")
	if m := f.marksOf("anna"); f.state("anna") != cc.OperatorOnCall || m.CallsHandled != before.CallsHandled || m.CallsToday != before.CallsToday {
		t.Fatalf("anna back on the call: %s, handled %d (today %d); want on call, %d (%d)", f.state("anna"), m.CallsHandled, m.CallsToday, before.CallsHandled, before.CallsToday)
	}

	ch = f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Queue: "sales"}, Priority: 7}))
	if c := f.live(id); c.Queue != "sales" || c.Priority != 7 {
		t.Fatalf("blind to sales: %+v", c)
	}
	f.e.TransferUndelivered(f.now, onlyCommand(t, ch, cc.CommandTransfer), "the call is talking")
	c := f.live(id)
	if c.Queue != "support" || c.Priority != 0 || c.State != cc.CallConnected || c.Operator != "anna" || f.state("boris") != cc.OperatorReady {
		t.Fatalf("blind to sales taken back: call %+v, boris %s; want anna's again in support", c, f.state("boris"))
	}
	checkInvariants(t, 0, 0, f.e)

	f.now = f.now.Add(time.Minute)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: 92 * time.Second}))
	if m := f.marksOf("anna"); m.CallsHandled != before.CallsHandled+1 || m.CallsToday != before.CallsToday+1 {
		t.Fatalf("anna after the call: handled %d (today %d), want %d (%d)", m.CallsHandled, m.CallsToday, before.CallsHandled+1, before.CallsToday+1)
	}
}

// A blind transfer to a queue taken back while the call waits in that line, ahead of another
// call by the transfer's priority: the call leaves the line (found there by the priority it was
// filed at), so nobody is offered a call anna is talking on and the other call is first.
func TestUndoneBlindTransferLeavesTheLine(t *testing.T) {
	f, id := transferFixture(t)
	f.must(f.e.GoAway(f.now, "boris", "break"))
	other, _, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/y", CallerNumber: "+300", DialedNumber: "+18005550200", Priority: 3})
	if err != nil {
		t.Fatal(err)
	}
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Queue: "sales"}, Priority: 7}))
	if pos := f.e.Position(id); pos != 1 {
		t.Fatalf("position in sales = %d, want 1", pos)
	}
	f.e.TransferUndelivered(f.now, onlyCommand(t, ch, cc.CommandTransfer), "the call is talking")
	checkInvariants(t, 0, 0, f.e)
	if pos := f.e.Position(id); pos != 0 {
		t.Fatalf("position after the take-back = %d, want 0 (anna talks on it)", pos)
	}
	if pos := f.e.Position(other.ID); pos != 1 {
		t.Fatalf("the other call's position = %d, want 1", pos)
	}
	ch = f.must(f.e.GoReady(f.now, "boris"))
	if len(ch.Decisions) != 1 || ch.Decisions[0].Call != other.ID {
		t.Fatalf("boris ready: decisions %+v; want the other call offered to him", ch.Decisions)
	}
	checkInvariants(t, 0, 0, f.e)
}

// Anna hangs up during her warm transfer. Consulting, boris gets the caller: the transfer
// completes, anna goes to wrap-up, and the call goes on until boris ends it. Ringing, boris'
// leg is withdrawn (not his miss) and the call is back in line at its place, offered anew.
func TestOperatorHangsUpDuringWarmTransfer(t *testing.T) {
	f, id := transferFixture(t)
	first := f.live(id).Offer
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: cc.TransferTarget{Operator: "boris"}}))
	leg := onlyCommand(t, ch, cc.CommandTransfer).Offer
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: leg, RingTime: time.Second}))
	f.now = f.now.Add(10 * time.Second)
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, Offer: first, HungUpBy: cc.HangupOperator, TalkTime: 40 * time.Second}))
	c := f.live(id)
	if c.State != cc.CallConnected || c.Operator != "boris" || c.Offer != leg || c.Transfer.State != cc.TransferCompleted {
		t.Fatalf("after anna hung up while consulting: %+v", c)
	}
	if f.state("anna") == cc.OperatorOnCall || f.state("boris") != cc.OperatorOnCall || len(ch.Commands) != 0 {
		t.Fatalf("anna %s, boris %s, commands %+v; want anna off the call, boris on it, nothing sent", f.state("anna"), f.state("boris"), ch.Commands)
	}
	checkInvariants(t, 0, 0, f.e)
	f.now = f.now.Add(time.Minute)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, Offer: leg, HungUpBy: cc.HangupCaller, TalkTime: 100 * time.Second}))
	if _, ok := f.e.Call(id); ok || f.state("boris") == cc.OperatorOnCall {
		t.Fatalf("the call goes on after boris' end: boris %s", f.state("boris"))
	}

	f, id = transferFixture(t)
	arrived, first := f.live(id).ArrivedAt, f.live(id).Offer
	before := f.marksOf("boris")
	ch = f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferWarm, Target: cc.TransferTarget{Operator: "boris"}}))
	leg = onlyCommand(t, ch, cc.CommandTransfer).Offer
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, Offer: first, HungUpBy: cc.HangupOperator, TalkTime: 40 * time.Second}))
	if of := settled(t, ch, leg); of.State != cc.OfferWithdrawn {
		t.Fatalf("boris' ringing leg = %+v, want withdrawn", of)
	}
	c = f.live(id)
	if c.Transfer.State != cc.TransferCancelled || !c.ArrivedAt.Equal(arrived) || f.state("anna") == cc.OperatorOnCall {
		t.Fatalf("after anna hung up while boris rang: call %+v, anna %s", c, f.state("anna"))
	}
	if c.State != cc.CallWaiting || c.Offer == "" || c.Offer == leg || onlyCommand(t, ch, cc.CommandDial).Offer != c.Offer {
		t.Fatalf("call %+v, commands %+v: want it back in line and offered anew", c, ch.Commands)
	}
	if m := f.marksOf("boris"); m.OffersMissed != before.OffersMissed {
		t.Fatalf("boris blamed for the withdrawn leg: %+v", m)
	}
	checkInvariants(t, 0, 0, f.e)
}
