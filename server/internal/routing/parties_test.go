package routing

import (
	"errors"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

func (f *fixture) party(id cc.CallID, pid cc.PartyID) cc.Party {
	f.t.Helper()
	c, ok := f.e.Call(id)
	if !ok {
		f.t.Fatalf("call %s not in progress", id)
	}
	p, ok := c.PartyOf(pid)
	if !ok {
		f.t.Fatalf("call %s has no party %s: %+v", id, pid, c.Parties)
	}
	return p
}

var guest = cc.Contact{Kind: cc.ContactPSTN, Target: "+14155550177"}

// annaOnACallBorisReady: anna has answered a call and boris is ready to be brought in to it.
func annaOnACallBorisReady(t *testing.T) (*fixture, cc.CallID) {
	t.Helper()
	f := newFixture(t, "anna", "boris")
	f.ready("anna")
	id := f.answered("anna")
	f.ready("boris")
	return f, id
}

// addBoris: anna adds boris to her call id.
func (f *fixture) addBoris(id cc.CallID) (cc.Party, cc.Changes) {
	f.t.Helper()
	p, ch, err := f.e.AddToCall(f.now, id, "anna", cc.Contact{}, "boris", nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return p, ch
}

// A contact added by the operator is dialed in conference mode with the caller's number; it
// joins, and leaves when he hangs up; repeated events change nothing; the stored call carries
// each state.
func TestAddedContactJoinsAndLeaves(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.answered("anna")

	p, ch, err := f.e.AddToCall(f.now, id, "anna", guest, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Commands) != 1 {
		t.Fatalf("commands %+v", ch.Commands)
	}
	cmd := ch.Commands[0]
	if cmd.Type != cc.CommandAddParty || cmd.Party != p.ID || cmd.PartyMode != cc.PartyConference || cmd.Contact != guest || cmd.CallerID != "+200" || cmd.Timeout != 20*time.Second || cmd.AccessURL != "http://cloud/x" {
		t.Fatalf("add_party = %+v", cmd)
	}
	if c := callIn(t, ch, id); len(c.Parties) != 1 || c.Parties[0].State != cc.PartyDialing || c.Parties[0].AddedBy != "anna" {
		t.Fatalf("stored parties %+v", c.Parties)
	}
	f.now = f.now.Add(3 * time.Second)
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudPartyJoined, Party: p.ID, RingTime: 3 * time.Second}))
	if c := callIn(t, ch, id); c.Parties[0].State != cc.PartyJoined || !c.Parties[0].JoinedAt.Equal(f.now) {
		t.Fatalf("after joined: %+v", c.Parties)
	}
	if ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudPartyJoined, Party: p.ID})); len(ch.Calls) != 0 {
		t.Fatalf("a repeated joined changed %+v", ch.Calls)
	}
	if v := f.view("anna"); v.Call == nil || len(v.Call.Parties) != 1 {
		t.Fatalf("anna's view does not show the party: %+v", v.Call)
	}
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudPartyLeft, Party: p.ID}))
	if got := f.party(id, p.ID); got.State != cc.PartyLeft || got.Reason != "hung up" {
		t.Fatalf("after left: %+v", got)
	}
	if ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudPartyJoined, Party: p.ID})); len(ch.Calls) != 0 {
		t.Fatalf("a late joined revived the party: %+v", ch.Calls)
	}
	if f.state("anna") != cc.OperatorOnCall {
		t.Fatalf("anna = %s after the party left", f.state("anna"))
	}
}

// An operator brought in is reserved for the leg under a lease, gets no offers meanwhile, and
// is marked like any offer: his answer counts with its ring time; when the call ends he is
// ready again while the call's own operator wraps up.
func TestAddedOperatorIsReservedAndMarked(t *testing.T) {
	f, id := annaOnACallBorisReady(t)
	before := f.view("boris").Status.Marks

	p, ch := f.addBoris(id)
	if p.Operator != "boris" || p.Contact.Target != "boris" || !p.ExpiresAt.Equal(f.now.Add(25*time.Second)) {
		t.Fatalf("party %+v", p)
	}
	if ch.Commands[0].Contact != (cc.Contact{Kind: cc.ContactUser, Target: "boris"}) {
		t.Fatalf("dialed %+v", ch.Commands[0].Contact)
	}
	if f.state("boris") != cc.OperatorReserved {
		t.Fatalf("boris = %s, want reserved", f.state("boris"))
	}
	other := f.intake() // a new call does not go to boris while his leg rings
	if f.offerOf(other) != "" {
		t.Fatalf("boris was offered another call while reserved for a party leg")
	}
	f.now = f.now.Add(4 * time.Second)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudPartyJoined, Party: p.ID, RingTime: 4 * time.Second}))
	v := f.view("boris")
	if v.Status.State != cc.OperatorOnCall || v.Status.Call != id || v.Call == nil || v.Call.ID != id {
		t.Fatalf("boris after answering: %+v", v.Status)
	}
	if v.Status.Marks.RingTime <= before.RingTime {
		t.Fatalf("boris's ring time %v, want his answer counted (was %v)", v.Status.Marks.RingTime, before.RingTime)
	}
	f.e.Tick(f.now) // the sweeper leaves an operator on a party leg alone
	if f.state("boris") != cc.OperatorOnCall {
		t.Fatalf("the sweeper moved boris to %s", f.state("boris"))
	}

	f.now = f.now.Add(time.Minute)
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute}))
	if c := callIn(t, ch, id); c.Parties[0].State != cc.PartyLeft || c.Parties[0].Reason != "the call ended" {
		t.Fatalf("the call ended with the party %+v", c.Parties)
	}
	// boris may take the waiting call at once; anna wraps up.
	if f.state("anna") != cc.OperatorWrapUp || f.offerOf(other) == "" {
		t.Fatalf("anna = %s, the waiting call's offer %q", f.state("anna"), f.offerOf(other))
	}
}

// A party leg of an operator that rang and was not answered is his miss; one whose phone the
// cloud never said rang, and whose lease ran out, is nobody's.
func TestAddedOperatorMissAndLease(t *testing.T) {
	f, id := annaOnACallBorisReady(t)

	p, _ := f.addBoris(id)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudPartyRinging, Party: p.ID}))
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudPartyFailed, Party: p.ID, Code: 408, Reason: "no answer"}))
	if v := f.view("boris"); v.Status.State != cc.OperatorAway || v.Status.Marks.OffersMissed != 1 {
		t.Fatalf("boris after a missed party leg: %+v", v.Status)
	}
	if got := f.party(id, p.ID); !got.Missed {
		t.Fatalf("the missed leg is not marked his miss: %+v", got)
	}

	f.ready("boris")
	p, _ = f.addBoris(id)
	due, ok := f.e.NextDeadline()
	if !ok || due.After(p.ExpiresAt) {
		t.Fatalf("next deadline %v (%v), want by the lease %v", due, ok, p.ExpiresAt)
	}
	f.now = p.ExpiresAt
	ch := f.e.Tick(f.now)
	if got := commandTypes(ch); len(got) != 1 || got[0] != cc.CommandDropParty {
		t.Fatalf("expiry sent %v, want drop_party", got)
	}
	if v := f.view("boris"); v.Status.State != cc.OperatorReady || v.Status.Marks.OffersMissed != 1 {
		t.Fatalf("boris after a lease that ran out unheard: %+v", v.Status)
	}
	if got := f.party(id, p.ID); got.State != cc.PartyFailed || got.Missed {
		t.Fatalf("the expired leg is %s (missed %v), want failed, nobody's miss", got.State, got.Missed)
	}
}

// Refusals name the field at fault and change nothing.
func TestAddToCallRefusals(t *testing.T) {
	f := newFixture(t, "anna", "boris", "vera")
	f.ready("anna")
	id := f.answered("anna")
	f.ready("vera")
	f.must(f.e.Connect(f.now, "boris")) // present, not ready
	waiting := f.intake()
	ended := cc.Call{ID: "gone", State: cc.CallEnded, Operator: "anna", AnsweredAt: f.now, EndedAt: f.now}
	veraBefore := f.view("vera").Status
	for _, tc := range []struct {
		name    string
		call    cc.CallID
		by      cc.OperatorID
		contact cc.Contact
		target  cc.OperatorID
		stored  *cc.Call
		code    cc.Code
		field   string
	}{
		{"someone else's call", id, "vera", guest, "", nil, cc.CodePermissionDenied, "call_id"},
		{"a waiting call", waiting, "anna", guest, "", nil, cc.CodePermissionDenied, "call_id"},
		{"an ended call", "gone", "anna", guest, "", &ended, cc.CodeFailedPrecondition, "call_id"},
		{"an unknown call", "nope", "anna", guest, "", nil, cc.CodeNotFound, "call_id"},
		{"nobody", id, "anna", cc.Contact{}, "", nil, cc.CodeInvalid, "contact"},
		{"both", id, "anna", guest, "vera", nil, cc.CodeInvalid, "operator_id"},
		{"a bad number", id, "anna", cc.Contact{Kind: cc.ContactPSTN, Target: "12"}, "", nil, cc.CodeInvalid, "contact.target"},
		{"a bad kind", id, "anna", cc.Contact{Kind: "fax", Target: "x"}, "", nil, cc.CodeInvalid, "contact.kind"},
		{"a busy operator", id, "anna", cc.Contact{}, "boris", nil, cc.CodeFailedPrecondition, "operator_id"},
		{"himself", id, "anna", cc.Contact{}, "anna", nil, cc.CodeInvalid, "operator_id"},
		{"an unknown operator", id, "anna", cc.Contact{}, "zed", nil, cc.CodeNotFound, "operator_id"},
	} {
		_, ch, err := f.e.AddToCall(f.now, tc.call, tc.by, tc.contact, tc.target, tc.stored)
		var e *cc.Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Field != tc.field {
			t.Errorf("%s: err = %v, want %s on %s", tc.name, err, tc.code, tc.field)
		}
		if len(ch.Calls) != 0 || len(ch.Commands) != 0 || len(ch.Statuses) != 0 {
			t.Errorf("%s: changed %+v", tc.name, ch)
		}
	}
	if c, _ := f.e.Call(id); len(c.Parties) != 0 {
		t.Fatalf("a refused add left parties %+v", c.Parties)
	}
	if v := f.view("vera").Status; v.State != veraBefore.State || v.Offer != veraBefore.Offer || v.Call != "" {
		t.Fatalf("vera %+v after refusals, was %+v", v, veraBefore)
	}
}

// A supervisor monitors in one mode, switches without a new dial, and stops; the same mode
// twice changes nothing; refusals name the field. Only the operator's own parties are his to
// remove; the monitor is the supervisor's.
func TestMonitorSwitchesWithoutRedialing(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.answered("anna")
	sup := cc.Contact{Kind: cc.ContactSIP, Target: "sip:olga@pbx.example"}

	p, ch, err := f.e.MonitorCall(f.now, id, cc.PartyListen, sup, "olga-key", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ch.Commands; len(got) != 1 || got[0].Type != cc.CommandAddParty || got[0].PartyMode != cc.PartyListen || got[0].Contact != sup {
		t.Fatalf("monitor sent %+v", got)
	}
	if !p.Monitor || p.AddedBy != "olga-key" {
		t.Fatalf("monitor party %+v", p)
	}
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudPartyJoined, Party: p.ID}))
	_, ch, err = f.e.MonitorCall(f.now, id, cc.PartyWhisper, cc.Contact{}, "olga-key", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ch.Commands; len(got) != 1 || got[0].Type != cc.CommandPartyMode || got[0].Party != p.ID || got[0].PartyMode != cc.PartyWhisper {
		t.Fatalf("switch sent %+v", got)
	}
	if got := f.party(id, p.ID); got.Mode != cc.PartyWhisper || got.State != cc.PartyJoined {
		t.Fatalf("after the switch: %+v", got)
	}
	if _, ch, err := f.e.MonitorCall(f.now, id, cc.PartyWhisper, cc.Contact{}, "olga-key", nil); err != nil || len(ch.Commands) != 0 || len(ch.Calls) != 0 {
		t.Fatalf("the same mode again: %+v, %v", ch, err)
	}
	if _, err := f.e.RemoveFromCall(f.now, id, p.ID, "anna", false, nil); cc.ErrorCode(err) != cc.CodePermissionDenied {
		t.Fatalf("anna removed the monitor: %v", err)
	}

	waiting := f.intake()
	for _, tc := range []struct {
		name    string
		call    cc.CallID
		mode    cc.PartyMode
		contact cc.Contact
		code    cc.Code
		field   string
	}{
		{"no mode", id, "", sup, cc.CodeInvalid, "mode"},
		{"conference is not a monitoring mode", id, cc.PartyConference, sup, cc.CodeInvalid, "mode"},
		{"a waiting call", waiting, cc.PartyListen, sup, cc.CodeFailedPrecondition, "call_id"},
		{"an unknown call", "nope", cc.PartyListen, sup, cc.CodeNotFound, "call_id"},
	} {
		_, ch, err := f.e.MonitorCall(f.now, tc.call, tc.mode, tc.contact, "olga-key", nil)
		var e *cc.Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Field != tc.field {
			t.Errorf("%s: err = %v, want %s on %s", tc.name, err, tc.code, tc.field)
		}
		if len(ch.Calls) != 0 || len(ch.Commands) != 0 {
			t.Errorf("%s: changed %+v", tc.name, ch)
		}
	}

	ch = f.must(f.e.StopMonitor(f.now, id, nil))
	if got := ch.Commands; len(got) != 1 || got[0].Type != cc.CommandDropParty || got[0].Party != p.ID {
		t.Fatalf("stop sent %+v", got)
	}
	if got := f.party(id, p.ID); got.State != cc.PartyLeft {
		t.Fatalf("after stop: %+v", got)
	}
	if ch := f.must(f.e.StopMonitor(f.now, id, nil)); len(ch.Commands) != 0 || len(ch.Calls) != 0 {
		t.Fatalf("a second stop changed %+v", ch)
	}
	if _, _, err := f.e.MonitorCall(f.now, id, cc.PartyBarge, cc.Contact{}, "olga-key", nil); cc.ErrorCode(err) != cc.CodeInvalid {
		t.Fatalf("a new monitor without a contact: %v", err)
	}
}

// An add_party the scenario did not carry out ends the leg and frees the operator brought in,
// without a miss; a lost call ends its parties.
func TestUndeliveredPartyAndLostCall(t *testing.T) {
	f, id := annaOnACallBorisReady(t)
	p, ch := f.addBoris(id)
	f.e.PartyUndelivered(f.now, ch.Commands[0], "no media")
	if got := f.party(id, p.ID); got.State != cc.PartyFailed || got.Reason != "add_party failed: no media" {
		t.Fatalf("undelivered party: %+v", got)
	}
	if v := f.view("boris"); v.Status.State != cc.OperatorReady || v.Status.Marks.OffersMissed != 0 {
		t.Fatalf("boris: %+v", v.Status)
	}

	g, _, err := f.e.AddToCall(f.now, id, "anna", guest, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ch = f.e.SessionGone(f.now, id, "gone")
	c := callIn(t, ch, id)
	if p, _ := c.PartyOf(g.ID); c.State != cc.CallLost || p.State != cc.PartyFailed || p.Reason != "the call was lost" {
		t.Fatalf("lost call: %+v", c)
	}
}

// After a restart, a dialing operator leg is known again: the sweeper leaves its operator
// reserved, and its lease still runs out (nobody's miss: no word that his phone rang).
func TestRestoredPartyLegKeepsItsLease(t *testing.T) {
	f, id := annaOnACallBorisReady(t)
	p, _ := f.addBoris(id)
	c, _ := f.e.Call(id)
	anna, boris := f.view("anna").Status, f.view("boris").Status
	queues := []cc.Queue{{ID: "support", DialedNumbers: []string{"+18005550100"}, OfferTimeout: 20 * time.Second, WrapUp: 10 * time.Second, IsDefault: true}}
	var ops []cc.Operator
	for _, n := range []cc.OperatorID{"anna", "boris"} {
		ops = append(ops, f.view(string(n)).Operator)
	}
	f.e.Load(f.now, queues, ops, cc.Runtime{Statuses: []cc.OperatorStatus{anna, boris}, Calls: []cc.Call{c}})
	f.must(f.e.Connect(f.now, "boris"))
	f.e.Tick(f.now.Add(time.Second))
	if v := f.view("boris"); v.Status.State != cc.OperatorReserved {
		t.Fatalf("the sweeper moved boris to %s after the restart", v.Status.State)
	}
	due, ok := f.e.NextDeadline()
	if !ok || due.After(p.ExpiresAt) {
		t.Fatalf("next deadline %v (%v), want by the lease %v", due, ok, p.ExpiresAt)
	}
	f.e.Tick(p.ExpiresAt)
	if v := f.view("boris"); v.Status.State != cc.OperatorReady || v.Status.Marks.OffersMissed != 0 {
		t.Fatalf("boris after the restored lease ran out: %+v", v.Status)
	}
}

// An operator reserved for a party leg is held as for an offer: going away, logging out or
// being dismissed is refused and changes nothing, so his answer afterwards finds him reserved
// for the leg and puts him on the call.
func TestAddedOperatorCannotLeaveWhileHisLegRings(t *testing.T) {
	f, id := annaOnACallBorisReady(t)
	p, _ := f.addBoris(id)
	if _, err := f.e.GoAway(f.now, "boris", "lunch"); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Fatalf("away while his leg rings: %v", err)
	}
	if _, err := f.e.LogOut(f.now, "boris", true); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Fatalf("log out while his leg rings: %v", err)
	}
	dismissed := f.view("boris").Operator
	dismissed.Disabled = true
	if _, err := f.e.UpdateOperator(f.now, dismissed); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Fatalf("dismissed while his leg rings: %v", err)
	}
	if v := f.view("boris"); v.Status.State != cc.OperatorReserved || v.Status.Call != id {
		t.Fatalf("boris after the refusals: %+v", v.Status)
	}
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudPartyJoined, Party: p.ID, RingTime: time.Second}))
	if v := f.view("boris"); v.Status.State != cc.OperatorOnCall || v.Status.Call != id {
		t.Fatalf("boris after answering: %+v", v.Status)
	}
}
