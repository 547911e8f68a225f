package main

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

// TestVoicemailEndToEnd plays a voicemail as work through the real server: a caller who finds
// the line full leaves a message; the supervisors' list shows it waiting with its recording;
// when anna is ready she is offered the callback with the message to hear (on her own stream
// only: an admin watching her sees a callback without it), and the list says she calls; once
// the customer answers it says she called him back. Bad requests name their field.
func TestVoicemailEndToEnd(t *testing.T) {
	m, sess, tokens, clk := callbackServer(t)
	ctx := context.Background()
	admin := tandem.New(m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	q := getQueue(t, admin, "support")
	q.MaxWaiting, q.MaxWaitingExit = 1, &adminv1.QueueExit{Kind: "voicemail"}
	if _, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q})); err != nil {
		t.Fatal(err)
	}
	cl := newCloud(t, m.URL, tandem.Connect, false, clk)
	first, err := cl.register(intake(sess.srv.URL, "/first"))
	if err != nil {
		t.Fatal(err)
	}
	in := intake(sess.srv.URL, "/in")
	in.CallerNumber, in.DisplayName = "+15550009999", "Vera Caller"
	vm, err := cl.register(in)
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://records.example.com/vm-1.mp3"
	rec := event(vm.GetCallId(), "")
	rec.Event = &callintakev1.ReportCallEventRequest_VoicemailRecorded{VoicemailRecorded: &callintakev1.VoicemailRecorded{Url: url, LengthMs: 7000}}
	if _, err := cl.report(rec); err != nil {
		t.Fatal(err)
	}
	// The first caller gives up: the callback is next in line.
	gone := event(first.GetCallId(), "")
	gone.Event = &callintakev1.ReportCallEventRequest_CallerAbandoned{CallerAbandoned: &callintakev1.CallerAbandoned{}}
	if _, err := cl.report(gone); err != nil {
		t.Fatal(err)
	}

	list := func() *analyticsv1.Voicemail {
		t.Helper()
		res, err := admin.Analytics.ListVoicemails(ctx, connect.NewRequest(&analyticsv1.ListVoicemailsRequest{QueueId: "support"}))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(res.Msg.GetVoicemails()); n != 1 {
			t.Fatalf("%d voicemails, want 1: %v", n, res.Msg)
		}
		return res.Msg.GetVoicemails()[0]
	}
	v := list()
	if v.GetCallId() != vm.GetCallId() || v.GetUrl() != url || v.GetLengthMs() != 7000 || v.GetCallerNumber() != "+15550009999" ||
		v.GetCallerName() != "Vera Caller" || v.GetState() != analyticsv1.VoicemailState_VOICEMAIL_STATE_WAITING || v.GetAttempt() != 1 {
		t.Fatalf("the voicemail before anyone is ready: %v", v)
	}

	for _, tc := range []struct {
		name  string
		req   *analyticsv1.ListVoicemailsRequest
		field string
	}{
		{"backwards", &analyticsv1.ListVoicemailsRequest{Range: &analyticsv1.TimeRange{From: timestamppb.New(clk.Now()), To: timestamppb.New(clk.Now().Add(-time.Hour))}}, "range"},
		{"too long", &analyticsv1.ListVoicemailsRequest{Range: &analyticsv1.TimeRange{From: timestamppb.New(clk.Now().AddDate(-1, 0, 0)), To: timestamppb.New(clk.Now())}}, "range"},
		{"bad page token", &analyticsv1.ListVoicemailsRequest{PageToken: "%%%"}, "page_token"},
		{"page too big", &analyticsv1.ListVoicemailsRequest{PageSize: 500}, "page_size"},
	} {
		_, err := admin.Analytics.ListVoicemails(ctx, connect.NewRequest(tc.req))
		if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != tc.field {
			t.Errorf("%s: %v %q, want invalid_argument on %s", tc.name, code, field, tc.field)
		}
	}
	// An unknown queue is not found, as in SearchCalls.
	_, err = admin.Analytics.ListVoicemails(ctx, connect.NewRequest(&analyticsv1.ListVoicemailsRequest{QueueId: "nope"}))
	if code, field := fieldOf(t, err); code != connect.CodeNotFound || field != "queue_id" {
		t.Errorf("unknown queue: %v %q, want not_found on queue_id", code, field)
	}
	if _, err := tandem.New(m.URL).Analytics.ListVoicemails(ctx, connect.NewRequest(&analyticsv1.ListVoicemailsRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("without credentials: %v", err)
	}

	anna := logIn(t, m.URL, tandem.Connect, "anna")
	watched, err := admin.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{OperatorId: anna.id}))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = watched.Close() }()
	anna.ready()
	var token string
	select {
	case token = <-tokens:
	case <-time.After(10 * time.Second):
		t.Fatal("the callback scenario was not started")
	}
	reserved := anna.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
	if past := reserved.GetOffer().GetRecentCalls(); len(past) != 1 || past[0].GetCallId() != vm.GetCallId() || past[0].GetExitKind() != "voicemail" {
		t.Fatalf("anna's offer's recent calls: %v, want the call he left his message on", past)
	}
	offered := reserved.GetOffer().GetCallback()
	if offered.GetNumber() != "+15550009999" || offered.GetAttempt() != 1 || offered.GetAttempts() != 3 || offered.GetVoicemailUrl() != url ||
		offered.GetVoicemailLengthMs() != 7000 || offered.GetOfCallId() != vm.GetCallId() {
		t.Fatalf("anna's offer: %v", offered)
	}
	for watched.Receive() {
		st := watched.Msg().GetSnapshot()
		if st == nil {
			st = watched.Msg().GetChanged()
		}
		if st.GetState() == commonv1.OperatorState_OPERATOR_STATE_RESERVED {
			if cb := st.GetOffer().GetCallback(); cb.GetNumber() != "+15550009999" || cb.GetVoicemailUrl() != "" {
				t.Fatalf("the admin's view of anna's offer: %v, want the callback without its recording", cb)
			}
			break
		}
	}
	if v := list(); v.GetState() != analyticsv1.VoicemailState_VOICEMAIL_STATE_CALLING || v.GetOperatorId() != anna.id || v.GetOperatorName() == "" {
		t.Fatalf("the voicemail while anna is offered it: %v", v)
	}

	reg, err := cl.register(&callintakev1.RegisterCallRequest{RequestId: tandem.NewRequestID(), SessionId: "cb", AccessUrl: sess.url("/cb"), CallbackToken: token})
	if err != nil {
		t.Fatal(err)
	}
	dial := sess.next("/cb")
	for _, ev := range []*callintakev1.ReportCallEventRequest{
		{Event: &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 900}}},
		{Event: &callintakev1.ReportCallEventRequest_CustomerRinging{CustomerRinging: &callintakev1.CustomerRinging{}}},
	} {
		e := event(reg.GetCallId(), dial.GetOfferId())
		e.Event = ev.Event
		if _, err := cl.report(e); err != nil {
			t.Fatal(err)
		}
	}
	talking := anna.await(commonv1.OperatorState_OPERATOR_STATE_ON_CALL).GetCall().GetCallback()
	if talking.GetNumber() != "+15550009999" || talking.GetVoicemailUrl() != url || talking.GetAttempts() != 3 {
		t.Fatalf("anna's call: %v", talking)
	}
	if v := list(); v.GetState() != analyticsv1.VoicemailState_VOICEMAIL_STATE_CALLING || v.GetOperatorId() != anna.id {
		t.Fatalf("the voicemail while the customer's phone rings: %v", v)
	}
	e := event(reg.GetCallId(), dial.GetOfferId())
	e.Event = &callintakev1.ReportCallEventRequest_CustomerAnswered{CustomerAnswered: &callintakev1.CustomerAnswered{RingTimeMs: 4000}}
	if _, err := cl.report(e); err != nil {
		t.Fatal(err)
	}
	v = list()
	if v.GetState() != analyticsv1.VoicemailState_VOICEMAIL_STATE_CALLED_BACK || v.GetOperatorId() != anna.id || v.GetCalledBackAt() == nil ||
		v.GetCallbackCallId() != reg.GetCallId() {
		t.Fatalf("the voicemail once the customer answered: %v", v)
	}
}
