package main

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

// partyEvent is a cloud report about a party leg of call.
func partyEvent(call string, set func(*callintakev1.ReportCallEventRequest)) *callintakev1.ReportCallEventRequest {
	ev := event(call, "")
	set(ev)
	return ev
}

// TestConferenceAndMonitoring: anna brings boris (ready) into her call; the cloud dials him as
// a conference party, he answers and is on the call, marked for his answer; a supervisor
// listens (anna is not told), switches to whisper and barge without a new dial, and stops; an
// operator or a read-only key may not monitor; refusals name their field; the call's end ends
// every leg, boris is ready again; the timeline has every party's moves.
func TestConferenceAndMonitoring(t *testing.T) {
	a := annaAnswers(t, tandem.Connect, "/c1")
	clk, admin, cloud, sess, anna, boris, reg := a.clk, a.admin, a.cloud, a.sess, a.anna, a.boris, a.reg
	ctx := context.Background()
	id := reg.GetCallId()
	url := a.url
	supervisor := tandem.New(url, tandem.WithToken(newKey(t, admin, "olga", adminv1.KeyRole_KEY_ROLE_SUPERVISOR)))
	readonly := tandem.New(url, tandem.WithToken(newKey(t, admin, "wallboard", adminv1.KeyRole_KEY_ROLE_READONLY)))
	olgaPhone := &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_PSTN, Target: "+14155550123"}

	addOp := func(c *tandem.Client, op string) (*assignmentv1.AddToCallResponse, error) {
		res, err := c.Assignment.AddToCall(ctx, connect.NewRequest(&assignmentv1.AddToCallRequest{CallId: id, OperatorId: op}))
		if err != nil {
			return nil, err
		}
		return res.Msg, nil
	}
	monitor := func(c *tandem.Client, call string, mode commonv1.PartyMode, contact *commonv1.Contact) (*assignmentv1.MonitorCallResponse, error) {
		res, err := c.Assignment.MonitorCall(ctx, connect.NewRequest(&assignmentv1.MonitorCallRequest{CallId: call, Mode: mode, Contact: contact}))
		if err != nil {
			return nil, err
		}
		return res.Msg, nil
	}

	// boris is not ready: a clear refusal naming operator_id, nothing dialed.
	if code, field := fieldOf(t, second(addOp(anna.client, boris.id))); code != connect.CodeFailedPrecondition || field != "operator_id" {
		t.Fatalf("adding boris while he is not ready: %v on %q", code, field)
	}
	if code, field := fieldOf(t, second(anna.client.Assignment.AddToCall(ctx, connect.NewRequest(&assignmentv1.AddToCallRequest{CallId: id,
		Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_PSTN, Target: "555"}})))); code != connect.CodeInvalidArgument || field != "contact.target" {
		t.Fatalf("adding a bad number: %v on %q", code, field)
	}
	if code, field := fieldOf(t, second(boris.client.Assignment.AddToCall(ctx, connect.NewRequest(&assignmentv1.AddToCallRequest{CallId: id, Contact: olgaPhone})))); code != connect.CodePermissionDenied || field != "call_id" {
		t.Fatalf("boris adds to anna's call: %v on %q", code, field)
	}
	boris.ready()
	added, err := addOp(anna.client, boris.id)
	if err != nil {
		t.Fatal(err)
	}
	p := added.GetParty()
	if p.GetState() != commonv1.PartyState_PARTY_STATE_DIALING || p.GetMode() != commonv1.PartyMode_PARTY_MODE_CONFERENCE || p.GetOperatorId() != boris.id {
		t.Fatalf("party %v", p)
	}
	cmd := sess.next("/c1")
	if cmd.GetType() != "add_party" || cmd.GetPartyId() != p.GetPartyId() || cmd.GetMode() != "conference" || cmd.GetContact().GetTarget() != "sip:boris@pbx.example.com" {
		t.Fatalf("the cloud got %v, want add_party for boris", cmd)
	}
	boris.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
	clk.Advance(2 * time.Second)
	if _, err := cloud.report(partyEvent(id, func(ev *callintakev1.ReportCallEventRequest) {
		ev.Event = &callintakev1.ReportCallEventRequest_PartyJoined{PartyJoined: &callintakev1.PartyJoined{PartyId: p.GetPartyId(), RingTimeMs: 2000}}
	})); err != nil {
		t.Fatal(err)
	}
	st := boris.await(commonv1.OperatorState_OPERATOR_STATE_ON_CALL)
	if st.GetCall().GetCallId() != id || st.GetMarks().GetRingTimeMs() == 0 {
		t.Fatalf("boris on the call: %v, marks %v", st.GetCall(), st.GetMarks())
	}

	// Monitoring is the floor's.
	for name, c := range map[string]*tandem.Client{"an operator": anna.client, "a read-only key": readonly} {
		if _, err := monitor(c, id, commonv1.PartyMode_PARTY_MODE_LISTEN, olgaPhone); connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Errorf("%s monitors: %v", name, err)
		}
	}
	if code, field := fieldOf(t, second(monitor(supervisor, id, commonv1.PartyMode_PARTY_MODE_CONFERENCE, olgaPhone))); code != connect.CodeInvalidArgument || field != "mode" {
		t.Errorf("monitor in conference mode: %v on %q", code, field)
	}
	if code, field := fieldOf(t, second(monitor(supervisor, id, commonv1.PartyMode_PARTY_MODE_LISTEN, nil))); code != connect.CodeInvalidArgument || field != "contact" {
		t.Errorf("monitor without a contact: %v on %q", code, field)
	}
	if code, field := fieldOf(t, second(monitor(supervisor, "no-such-call", commonv1.PartyMode_PARTY_MODE_LISTEN, olgaPhone))); code != connect.CodeNotFound || field != "call_id" {
		t.Errorf("monitor of an unknown call: %v on %q", code, field)
	}

	mon, err := monitor(supervisor, id, commonv1.PartyMode_PARTY_MODE_LISTEN, olgaPhone)
	if err != nil {
		t.Fatal(err)
	}
	m := mon.GetParty()
	if !m.GetMonitor() || m.GetAddedBy() != "olga" {
		t.Fatalf("monitor party %v", m)
	}
	if cmd := sess.next("/c1"); cmd.GetType() != "add_party" || cmd.GetMode() != "listen" || cmd.GetContact().GetTarget() != olgaPhone.GetTarget() {
		t.Fatalf("the cloud got %v, want add_party listen", cmd)
	}
	if _, err := cloud.report(partyEvent(id, func(ev *callintakev1.ReportCallEventRequest) {
		ev.Event = &callintakev1.ReportCallEventRequest_PartyJoined{PartyJoined: &callintakev1.PartyJoined{PartyId: m.GetPartyId()}}
	})); err != nil {
		t.Fatal(err)
	}
	parties := func(st *presencev1.OperatorStatus) []string {
		var out []string
		for _, p := range st.GetCall().GetParties() {
			out = append(out, p.GetPartyId()+" "+p.GetMode().String()+" "+p.GetState().String())
		}
		return out
	}
	got, err := admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: id}))
	if err != nil {
		t.Fatal(err)
	}
	if ps := got.Msg.GetCall().GetParties(); len(ps) != 2 || ps[1].GetState() != commonv1.PartyState_PARTY_STATE_JOINED || ps[1].GetMode() != commonv1.PartyMode_PARTY_MODE_LISTEN {
		t.Fatalf("the call's parties: %v", ps)
	}
	// anna is not told of a listen: her call shows boris only.
	st = anna.awaitStatus("boris joined", func(st *presencev1.OperatorStatus) bool {
		ps := st.GetCall().GetParties()
		return len(ps) == 1 && ps[0].GetState() == commonv1.PartyState_PARTY_STATE_JOINED
	})
	for _, ps := range st.GetCall().GetParties() {
		if ps.GetMonitor() {
			t.Fatalf("anna is told of a listen: %v", parties(st))
		}
	}

	// Switch to whisper, then barge: no new dial; anna now sees the supervisor.
	for _, mode := range []struct {
		proto commonv1.PartyMode
		cloud string
	}{{commonv1.PartyMode_PARTY_MODE_WHISPER, "whisper"}, {commonv1.PartyMode_PARTY_MODE_BARGE, "barge"}} {
		res, err := monitor(supervisor, id, mode.proto, nil)
		if err != nil || res.GetParty().GetPartyId() != m.GetPartyId() || res.GetParty().GetMode() != mode.proto {
			t.Fatalf("switch to %s: %v, %v", mode.cloud, res, err)
		}
		if cmd := sess.next("/c1"); cmd.GetType() != "party_mode" || cmd.GetPartyId() != m.GetPartyId() || cmd.GetMode() != mode.cloud {
			t.Fatalf("the cloud got %v, want party_mode %s", cmd, mode.cloud)
		}
	}
	anna.awaitStatus("told of the barge", func(st *presencev1.OperatorStatus) bool {
		for _, p := range st.GetCall().GetParties() {
			if p.GetMonitor() && p.GetMode() == commonv1.PartyMode_PARTY_MODE_BARGE {
				return true
			}
		}
		return false
	})
	if _, err := supervisor.Assignment.StopMonitor(ctx, connect.NewRequest(&assignmentv1.StopMonitorRequest{CallId: id})); err != nil {
		t.Fatal(err)
	}
	if cmd := sess.next("/c1"); cmd.GetType() != "drop_party" || cmd.GetPartyId() != m.GetPartyId() {
		t.Fatalf("the cloud got %v, want drop_party", cmd)
	}

	// The call ends: boris's leg with it; he is ready again, anna wraps up.
	clk.Advance(30 * time.Second)
	ev := event(id, a.dial.GetOfferId())
	ev.Event = &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_CALLER, TalkTimeMs: 32000}}
	if _, err := cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	boris.await(commonv1.OperatorState_OPERATOR_STATE_READY)
	anna.await(commonv1.OperatorState_OPERATOR_STATE_WRAP_UP)
	if code, field := fieldOf(t, second(monitor(supervisor, id, commonv1.PartyMode_PARTY_MODE_LISTEN, olgaPhone))); code != connect.CodeFailedPrecondition || field != "call_id" {
		t.Errorf("monitor of an ended call: %v on %q", code, field)
	}
	if code, field := fieldOf(t, second(addOp(anna.client, boris.id))); code != connect.CodeFailedPrecondition || field != "call_id" {
		t.Errorf("add to an ended call: %v on %q", code, field)
	}

	got, err = admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: id}))
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range got.Msg.GetCall().GetParties() {
		if ps.GetState() != commonv1.PartyState_PARTY_STATE_LEFT || ps.GetLeftAt() == nil {
			t.Errorf("after the call a party is %v", ps)
		}
	}
	tl, err := admin.Analytics.GetCallTimeline(ctx, connect.NewRequest(&analyticsv1.GetCallTimelineRequest{CallId: id}))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range tl.Msg.GetEntries() {
		if e.GetPartyId() != "" {
			kinds = append(kinds, e.GetKind()+" "+e.GetText())
		}
	}
	want := []string{"party_dialed conference", "party_joined conference", "party_dialed listen", "party_joined listen",
		"monitor_mode whisper", "monitor_mode barge", "party_left monitoring stopped", "party_left the call ended"}
	if len(kinds) != len(want) {
		t.Fatalf("timeline of the parties:\n got %q\nwant %q", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("timeline of the parties:\n got %q\nwant %q", kinds, want)
		}
	}
}
