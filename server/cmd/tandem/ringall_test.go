package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestRingAllEndToEnd: a ring_all queue (ring_at_once out of range refused, naming the field)
// rings anna and boris at once, each leg a dial with ring_all on the wire (the cloud's plain
// JSON); boris answers; anna's leg is cancelled (the API shows OFFER_STATE_CANCELLED, her
// phone gets a cancel, she is ready with no miss), and her late answer is told to hang up.
func TestRingAllEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := clock.NewFake(time.Now())
	srv := startServer(t, tempSQLite(t), clk)
	url := srv.m.URL
	admin := tandem.New(url, tandem.WithProtocol(tandem.ConnectJSON), tandem.WithToken(testAdminKey))
	setup(t, admin)
	got, err := admin.Admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "support"}))
	if err != nil {
		t.Fatal(err)
	}
	q := got.Msg.GetQueue()
	q.Strategy, q.RingAtOnce = "ring_all", 1
	_, err = admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q}))
	if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != "queue.ring_at_once" {
		t.Fatalf("ringing one at once: %v on %q", code, field)
	}
	q.RingAtOnce = 0
	up, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q}))
	if err != nil || up.Msg.GetQueue().GetStrategy() != "ring_all" || up.Msg.GetQueue().GetRingAtOnce() != 5 {
		t.Fatalf("ring_all queue = %v (%v), want ring_at_once 5", up.Msg.GetQueue(), err)
	}

	cloud := newCloud(t, url, tandem.ConnectJSON, true, clk)
	sess := newSession(t)
	anna := logIn(t, url, tandem.ConnectJSON, "anna")
	boris := logIn(t, url, tandem.ConnectJSON, "boris")
	anna.ready()
	boris.ready()
	reg, err := cloud.register(intake(sess.srv.URL, "/r1"))
	if err != nil {
		t.Fatal(err)
	}
	legs := map[string]string{} // by contact target
	for range 2 {
		dial := sess.next("/r1")
		if dial.GetType() != "dial" || !dial.GetRingAll() || dial.GetCallId() != reg.GetCallId() {
			t.Fatalf("dial = %v, want a ring_all leg", dial)
		}
		legs[dial.GetContact().GetTarget()] = dial.GetOfferId()
	}
	annaLeg, borisLeg := legs["anna"], legs["sip:boris@pbx.example.com"]
	if annaLeg == "" || borisLeg == "" {
		t.Fatalf("legs = %v, want anna's and boris's", legs)
	}
	anna.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
	boris.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)

	ev := event(reg.GetCallId(), borisLeg)
	ev.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 2100}}
	if _, err := cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	boris.await(commonv1.OperatorState_OPERATOR_STATE_ON_CALL)
	ready := anna.await(commonv1.OperatorState_OPERATOR_STATE_READY)
	if ready.GetMarks().GetOffersMissed() != 0 || ready.GetMarks().GetDeclines() != 0 {
		t.Fatalf("anna's marks after boris answered: %v", ready.GetMarks())
	}
	if cancel := sess.next("/r1"); cancel.GetType() != "cancel" || cancel.GetOfferId() != annaLeg {
		t.Fatalf("after boris answered: %v, want anna's leg cancelled", cancel)
	}
	call, err := admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]commonv1.OfferState{}
	for _, of := range call.Msg.GetCall().GetOffers() {
		states[of.GetOfferId()] = of.GetState()
	}
	if states[annaLeg] != commonv1.OfferState_OFFER_STATE_CANCELLED || states[borisLeg] != commonv1.OfferState_OFFER_STATE_ANSWERED ||
		call.Msg.GetCall().GetOperatorId() != boris.id {
		t.Fatalf("call %v, offers %v", call.Msg.GetCall(), states)
	}
	// Why this operator: a decision for each leg, each naming the other rung with it.
	why, err := admin.Assignment.ExplainCall(ctx, connect.NewRequest(&assignmentv1.ExplainCallRequest{CallId: reg.GetCallId()}))
	if err != nil {
		t.Fatal(err)
	}
	if ds := why.Msg.GetDecisions(); len(ds) != 2 || ds[0].GetStrategy() != "ring_all" || ds[0].GetOfferId() == ds[1].GetOfferId() ||
		!strings.Contains(ds[0].GetRule(), "rung together with") || !strings.Contains(ds[1].GetRule(), "rung together with") {
		t.Fatalf("decisions %v, want one a leg naming the ring", ds)
	}
	// Her answer comes after all (both answered at once): the reply tells the scenario to hang
	// her leg up, and the call stays boris's.
	ev = event(reg.GetCallId(), annaLeg)
	ev.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 2200}}
	res, err := cloud.report(ev)
	if err != nil {
		t.Fatal(err)
	}
	if next := res.GetNext(); next.GetType() != "cancel" || next.GetOfferId() != annaLeg {
		t.Fatalf("anna's late answer: next %v, want her leg hung up", next)
	}
}
