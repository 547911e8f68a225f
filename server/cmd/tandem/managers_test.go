package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestPersonalManagers plays the "your manager" features through the API: the client's call
// reaches his manager (the card says so), an absent manager is explained to the caller, and a
// caller who says yes to the voice opt-in gets that operator next time.
func TestPersonalManagers(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)) // a Thursday
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	ctx := context.Background()
	admin := tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	cloud := newCloud(t, srv.m.URL, tandem.Connect, true, clk) // plain JSON, as the scenario: the replies carry its next commands
	sess := newSession(t)
	anna := logIn(t, srv.m.URL, tandem.Connect, "anna")
	boris := logIn(t, srv.m.URL, tandem.Connect, "boris")
	anna.ready()
	clk.Advance(time.Second)
	boris.ready()
	caller := "+1 (555) 765-4321" // the intake's number, as people write it
	if _, err := admin.Admin.SetClient(ctx, connect.NewRequest(&adminv1.SetClientRequest{Number: caller, ManagerId: boris.id})); err != nil {
		t.Fatal(err)
	}
	// 1. The client's call goes to Boris, though Anna waited longer; his card says "your client".
	reg, err := cloud.register(intake(sess.srv.URL, "/m1"))
	if err != nil {
		t.Fatal(err)
	}
	if dial := sess.next("/m1"); dial.GetContact().GetTarget() != "sip:boris@pbx.example.com" {
		t.Fatalf("the client's call dialed %v", dial.GetContact())
	}
	if card := boris.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED).GetOffer(); !card.GetYourClient() {
		t.Fatalf("boris's card = %v", card)
	}
	ev := event(reg.GetCallId(), "")
	ev.Event = &callintakev1.ReportCallEventRequest_CallerAbandoned{CallerAbandoned: &callintakev1.CallerAbandoned{}}
	if _, err := cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	boris.await(commonv1.OperatorState_OPERATOR_STATE_READY)

	// 2. Boris on vacation: the caller hears why, and Anna takes the call.
	abs, err := admin.Admin.CreateAbsence(ctx, connect.NewRequest(&adminv1.CreateAbsenceRequest{OperatorId: boris.id, Kind: "vacation", From: "2026-11-25", To: "2026-12-02"}))
	if err != nil {
		t.Fatal(err)
	}
	reg, err = cloud.register(intake(sess.srv.URL, "/m2"))
	if err != nil {
		t.Fatal(err)
	}
	said := sess.next("/m2")
	if said.GetType() != "say" || !strings.Contains(said.GetText(), "on vacation until 3 December") {
		t.Fatalf("first command = %v, want the absence explained", said)
	}
	if dial := sess.next("/m2"); dial.GetContact().GetTarget() != "anna" {
		t.Fatalf("then dialed %v, want anna", dial.GetContact())
	}
	anna.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
	if _, err := admin.Admin.DeleteAbsence(ctx, connect.NewRequest(&adminv1.DeleteAbsenceRequest{AbsenceId: abs.Msg.GetAbsence().GetAbsenceId()})); err != nil {
		t.Fatal(err)
	}

	// 3. Anna talks to him and hangs up first: the reply asks whether Anna should be his
	// manager from now on; he says yes; his next call goes to Anna.
	calls := waitingCalls(t, admin)
	offerID := calls[0].GetOffers()[0].GetOfferId()
	ev = event(reg.GetCallId(), offerID)
	ev.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{}}
	if _, err := cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	ev = event(reg.GetCallId(), offerID)
	ev.Event = &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_OPERATOR}}
	res, err := cloud.report(ev)
	if err != nil {
		t.Fatal(err)
	}
	// Boris is his manager already: no question.
	if res.GetNext() != nil {
		t.Fatalf("a client with a manager was asked: %v", res.GetNext())
	}
	if _, err := admin.Admin.RemoveClient(ctx, connect.NewRequest(&adminv1.RemoveClientRequest{Number: caller})); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Second) // anna's wrap-up
	anna.await(commonv1.OperatorState_OPERATOR_STATE_READY)
	// Boris goes to lunch: the next call is anna's.
	if _, err := admin.Presence.GoAway(ctx, connect.NewRequest(&presencev1.GoAwayRequest{OperatorId: boris.id, Reason: "lunch"})); err != nil {
		t.Fatal(err)
	}
	reg, err = cloud.register(intake(sess.srv.URL, "/m3"))
	if err != nil {
		t.Fatal(err)
	}
	dial := sess.next("/m3")
	for _, e := range []*callintakev1.ReportCallEventRequest{
		{Event: &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{}}},
		{Event: &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_OPERATOR}}},
	} {
		e.RequestId, e.CallId, e.OfferId = tandem.NewRequestID(), reg.GetCallId(), dial.GetOfferId()
		if res, err = cloud.report(e); err != nil {
			t.Fatal(err)
		}
	}
	ask := res.GetNext()
	if ask.GetType() != "ask" || ask.GetQuestionId() == "" || !strings.Contains(ask.GetText(), "to answer your calls from now on") {
		t.Fatalf("after the operator hung up the reply was %v, want the opt-in question", ask)
	}
	ev = event(reg.GetCallId(), "")
	ev.Event = &callintakev1.ReportCallEventRequest_SpeechAnswer{SpeechAnswer: &callintakev1.SpeechAnswer{QuestionId: ask.GetQuestionId(), Text: "yes please", Verdict: callintakev1.SpeechVerdict_SPEECH_VERDICT_YES}}
	if res, err = cloud.report(ev); err != nil || res.GetNext().GetType() != "say" {
		t.Fatalf("after yes: %v %v", res, err)
	}
	got, err := admin.Admin.GetClient(ctx, connect.NewRequest(&adminv1.GetClientRequest{Number: "15557654321"}))
	if err != nil || got.Msg.GetClient().GetManagerId() != anna.id || got.Msg.GetClient().GetHow() != "voice" {
		t.Fatalf("client after yes: %v %v", got, err)
	}
}

// TestOverflowToASpareNumber: a call that waited past the queue's threshold with nobody free
// goes to a spare number; the preview explains the choice.
func TestOverflowToASpareNumber(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC))
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	ctx := context.Background()
	admin := tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	for _, sp := range []*adminv1.Spare{
		{SpareId: "night", Name: "Night desk", Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_PSTN, Target: "+15550009999"},
			Hours: &adminv1.WeekHours{TimeZone: "Europe/Berlin", Days: map[string]string{"thu": "20:00-23:59"}}},
		{SpareId: "tech", Name: "Tech support", Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_SIP, Target: "sip:tech@pbx.example.com"}, DailyCap: 10},
	} {
		if _, err := admin.Admin.CreateSpare(ctx, connect.NewRequest(&adminv1.CreateSpareRequest{Spare: sp})); err != nil {
			t.Fatal(err)
		}
	}
	q, err := admin.Admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "support"}))
	if err != nil {
		t.Fatal(err)
	}
	queue := q.Msg.GetQueue()
	queue.Overflow = &adminv1.Overflow{AfterS: 60, SpareIds: []string{"night", "tech"}}
	if _, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: queue})); err != nil {
		t.Fatal(err)
	}
	prev, err := admin.Admin.PreviewOverflow(ctx, connect.NewRequest(&adminv1.PreviewOverflowRequest{QueueId: "support"}))
	if err != nil || prev.Msg.GetSpareId() != "tech" || !strings.HasPrefix(prev.Msg.GetCandidates()[0].GetExcludedBecause(), "forbidden hours (Thu 16:00") {
		t.Fatalf("preview = %v %v", prev, err)
	}
	cloud := newCloud(t, srv.m.URL, tandem.Connect, false, clk)
	sess := newSession(t)
	if _, err := cloud.register(intake(sess.srv.URL, "/o1")); err != nil {
		t.Fatal(err)
	}
	sess.none("/o1")
	clk.Advance(61 * time.Second)
	dial := sess.next("/o1")
	if dial.GetType() != "dial" || dial.GetContact().GetKind() != "sip" || dial.GetContact().GetTarget() != "sip:tech@pbx.example.com" {
		t.Fatalf("after 61 s dialed %v, want the tech spare", dial)
	}
	spares, err := admin.Admin.ListSpares(ctx, connect.NewRequest(&adminv1.ListSparesRequest{}))
	if err != nil || spares.Msg.GetSpares()[1].GetUse().GetActive() != 1 {
		t.Fatalf("spares = %v %v", spares, err)
	}
}
