package main

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

// TestTransferOverConnect drives transfers through the real server: refusals naming the field;
// a warm transfer to boris cancelled, one the scenario refuses, one completed (anna to wrap-up,
// the call boris's with its first answer kept); boris's blind transfer to the queue (the call
// back in line at its arrival, with its priority, and routed again with the reason); anna's
// blind transfer to boris, who misses it (his miss; the call back at its place).
func TestTransferOverConnect(t *testing.T) {
	a := annaAnswers(t, tandem.Connect, "/x1")
	clk, admin, cloud, sess, anna, boris, reg := a.clk, a.admin, a.cloud, a.sess, a.anna, a.boris, a.reg
	ctx := context.Background()
	id := reg.GetCallId()
	transfer := func(c *tandem.Client, req *assignmentv1.TransferCallRequest) (*assignmentv1.Call, error) {
		if req.CallId == "" {
			req.CallId = id
		}
		res, err := c.Assignment.TransferCall(ctx, connect.NewRequest(req))
		if err != nil {
			return nil, err
		}
		return res.Msg.GetCall(), nil
	}
	toOperator := func(op string, mode commonv1.TransferMode) *assignmentv1.TransferCallRequest {
		return &assignmentv1.TransferCallRequest{Target: &assignmentv1.TransferCallRequest_OperatorId{OperatorId: op}, Mode: mode}
	}
	toQueue := func(q string, mode commonv1.TransferMode, priority uint32) *assignmentv1.TransferCallRequest {
		return &assignmentv1.TransferCallRequest{Target: &assignmentv1.TransferCallRequest_QueueId{QueueId: q}, Mode: mode, Priority: priority}
	}
	warm, blind := commonv1.TransferMode_TRANSFER_MODE_WARM, commonv1.TransferMode_TRANSFER_MODE_BLIND
	getCall := func() *assignmentv1.Call {
		res, err := admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: id}))
		if err != nil {
			t.Fatal(err)
		}
		return res.Msg.GetCall()
	}
	answered := getCall().GetAnsweredAt().AsTime()
	arrived := getCall().GetArrivedAt().AsTime()
	report := func(offer string, set func(*callintakev1.ReportCallEventRequest)) {
		t.Helper()
		ev := event(id, offer)
		set(ev)
		if _, err := cloud.report(ev); err != nil {
			t.Fatal(err)
		}
	}
	answer := func(offer string) {
		report(offer, func(ev *callintakev1.ReportCallEventRequest) {
			ev.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 2000}}
		})
	}

	// Refusals: each names its field and changes nothing.
	for _, tc := range []struct {
		name  string
		by    *tandem.Client
		req   *assignmentv1.TransferCallRequest
		code  connect.Code
		field string
	}{
		{"to herself", anna.client, toOperator(anna.id, blind), connect.CodeInvalidArgument, "operator_id"},
		{"to boris, not ready", anna.client, toOperator(boris.id, warm), connect.CodeFailedPrecondition, "operator_id"},
		{"to nobody", anna.client, toOperator("op-nobody", blind), connect.CodeNotFound, "operator_id"},
		{"to an unknown queue", anna.client, toQueue("nope", blind, 0), connect.CodeNotFound, "queue_id"},
		{"warm to a queue nobody is free in", anna.client, toQueue("support", warm, 0), connect.CodeFailedPrecondition, "queue_id"},
		{"no target", anna.client, &assignmentv1.TransferCallRequest{Mode: blind}, connect.CodeInvalidArgument, "target"},
		{"no mode", anna.client, toOperator(boris.id, commonv1.TransferMode_TRANSFER_MODE_UNSPECIFIED), connect.CodeInvalidArgument, "mode"},
		{"boris transfers anna's call", boris.client, toQueue("support", blind, 0), connect.CodePermissionDenied, "call_id"},
		{"a number that is no number", anna.client, &assignmentv1.TransferCallRequest{Mode: blind, Target: &assignmentv1.TransferCallRequest_Number{Number: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_USER, Target: "x"}}}, connect.CodeInvalidArgument, "number"},
	} {
		if code, field := fieldOf(t, second(transfer(tc.by, tc.req))); code != tc.code || field != tc.field {
			t.Errorf("%s: %v on %q, want %v on %q", tc.name, code, field, tc.code, tc.field)
		}
	}
	_, err := transfer(anna.client, toOperator(boris.id, warm))
	if ce := new(connect.Error); !errors.As(err, &ce) || !strings.Contains(ce.Message(), "boris is") {
		t.Errorf("to boris, not ready, says %v", err)
	}
	if c := getCall(); c.GetTransfer() != nil || c.GetOperatorId() != anna.id {
		t.Fatalf("the refusals changed the call: %v", c)
	}
	sess.none("/x1")

	// Warm to boris, cancelled while they consult.
	boris.ready()
	c, err := transfer(anna.client, toOperator(boris.id, warm))
	if err != nil || c.GetTransfer().GetState() != commonv1.TransferState_TRANSFER_STATE_DIALING {
		t.Fatalf("warm transfer: %v, %v", c, err)
	}
	cmd := sess.next("/x1")
	if cmd.GetType() != "transfer" || cmd.GetMode() != "warm" || cmd.GetContact().GetTarget() != "sip:boris@pbx.example.com" || cmd.GetOfferId() == "" {
		t.Fatalf("the cloud got %v", cmd)
	}
	boris.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
	if _, err := transfer(anna.client, toQueue("support", blind, 0)); err == nil {
		t.Fatal("a second transfer while one is in progress was taken")
	}
	answer(cmd.GetOfferId())
	boris.await(commonv1.OperatorState_OPERATOR_STATE_ON_CALL)
	anna.awaitStatus("consulting", func(st *presencev1.OperatorStatus) bool {
		return st.GetCall().GetTransfer().GetState() == commonv1.TransferState_TRANSFER_STATE_CONSULTING
	})
	if _, err := anna.client.Assignment.CancelTransfer(ctx, connect.NewRequest(&assignmentv1.CancelTransferRequest{CallId: id})); err != nil {
		t.Fatal(err)
	}
	if cmd := sess.next("/x1"); cmd.GetType() != "cancel_transfer" {
		t.Fatalf("the cloud got %v, want cancel_transfer", cmd)
	}
	boris.await(commonv1.OperatorState_OPERATOR_STATE_READY)

	// A transfer the scenario refuses: it fails, and anna, still on the call, is told.
	sess.mu.Lock()
	sess.status["/x1"] = http.StatusBadRequest
	sess.mu.Unlock()
	if _, err := transfer(anna.client, toOperator(boris.id, warm)); err != nil {
		t.Fatal(err)
	}
	anna.awaitStatus("told the transfer failed", func(st *presencev1.OperatorStatus) bool {
		tr := st.GetCall().GetTransfer()
		return tr.GetState() == commonv1.TransferState_TRANSFER_STATE_FAILED && strings.Contains(tr.GetReason(), "transfer failed")
	})
	boris.await(commonv1.OperatorState_OPERATOR_STATE_READY)
	sess.mu.Lock()
	sess.status["/x1"] = 0
	sess.mu.Unlock()

	// Warm to boris, completed: anna to wrap-up, the call boris's.
	clk.Advance(5 * time.Second)
	if _, err := transfer(anna.client, toOperator(boris.id, warm)); err != nil {
		t.Fatal(err)
	}
	cmd = sess.next("/x1")
	answer(cmd.GetOfferId())
	boris.await(commonv1.OperatorState_OPERATOR_STATE_ON_CALL)
	if _, err := anna.client.Assignment.CompleteTransfer(ctx, connect.NewRequest(&assignmentv1.CompleteTransferRequest{CallId: id})); err != nil {
		t.Fatal(err)
	}
	if got := sess.next("/x1"); got.GetType() != "complete_transfer" || got.GetOfferId() != cmd.GetOfferId() {
		t.Fatalf("the cloud got %v, want complete_transfer", got)
	}
	anna.await(commonv1.OperatorState_OPERATOR_STATE_WRAP_UP)
	if c := getCall(); c.GetOperatorId() != boris.id || !c.GetAnsweredAt().AsTime().Equal(answered) || c.GetTransfer().GetState() != commonv1.TransferState_TRANSFER_STATE_COMPLETED {
		t.Fatalf("after completing: %v", c)
	}

	// boris, blind to the queue with priority 5: back in line at its arrival; anna (ready after
	// her wrap-up, which ends before his) is offered it, and the decision says it was transferred.
	clk.Advance(3 * time.Second)
	c, err = transfer(boris.client, toQueue("support", blind, 5))
	if err != nil || c.GetState() != commonv1.CallState_CALL_STATE_WAITING || c.GetPriority() != 5 || !c.GetArrivedAt().AsTime().Equal(arrived) {
		t.Fatalf("blind to the queue: %v, %v", c, err)
	}
	if got := sess.next("/x1"); got.GetType() != "transfer" || got.GetMode() != "blind" || got.GetContact() != nil {
		t.Fatalf("the cloud got %v, want a blind transfer without a contact", got)
	}
	boris.await(commonv1.OperatorState_OPERATOR_STATE_WRAP_UP)
	clk.Advance(7 * time.Second)
	anna.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
	dial := sess.next("/x1")
	if dial.GetType() != "dial" || dial.GetContact().GetTarget() != "anna" {
		t.Fatalf("the cloud got %v, want anna dialed", dial)
	}
	why, err := admin.Assignment.ExplainCall(ctx, connect.NewRequest(&assignmentv1.ExplainCallRequest{CallId: id}))
	if err != nil {
		t.Fatal(err)
	}
	rules := ""
	for _, d := range why.Msg.GetDecisions() {
		rules += d.GetRule() + "\n"
	}
	if !strings.Contains(rules, "transfer from anna (warm) to boris") || !strings.Contains(rules, "transferred by boris") {
		t.Errorf("decision rules:\n%s", rules)
	}
	answer(dial.GetOfferId())
	anna.await(commonv1.OperatorState_OPERATOR_STATE_ON_CALL)

	// anna, blind to boris (ready after his wrap-up), who misses it: his miss, and the call goes
	// back to its place in line.
	clk.Advance(3 * time.Second)
	boris.await(commonv1.OperatorState_OPERATOR_STATE_READY)
	if _, err := transfer(anna.client, toOperator(boris.id, blind)); err != nil {
		t.Fatal(err)
	}
	cmd = sess.next("/x1")
	if cmd.GetType() != "transfer" || cmd.GetMode() != "blind" || cmd.GetOfferId() == "" {
		t.Fatalf("the cloud got %v", cmd)
	}
	anna.await(commonv1.OperatorState_OPERATOR_STATE_WRAP_UP)
	report(cmd.GetOfferId(), func(ev *callintakev1.ReportCallEventRequest) {
		ev.Event = &callintakev1.ReportCallEventRequest_DialFailed{DialFailed: &callintakev1.DialFailed{Code: 486, Reason: "busy", RingTimeMs: 1000}}
	})
	st := boris.await(commonv1.OperatorState_OPERATOR_STATE_AWAY)
	if st.GetMarks().GetOffersMissed() != 1 {
		t.Errorf("boris's misses = %d", st.GetMarks().GetOffersMissed())
	}
	if c := getCall(); c.GetState() != commonv1.CallState_CALL_STATE_WAITING || !c.GetArrivedAt().AsTime().Equal(arrived) || c.GetTransfer().GetState() != commonv1.TransferState_TRANSFER_STATE_FAILED {
		t.Fatalf("after boris missed: %v", c)
	}

	// The timeline has every leg: one arrival, each transfer's steps, each offer.
	tl, err := admin.Analytics.GetCallTimeline(ctx, connect.NewRequest(&analyticsv1.GetCallTimelineRequest{CallId: id}))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	var steps []string
	for _, e := range tl.Msg.GetEntries() {
		kinds[e.GetKind()]++
		if e.GetKind() == "transfer" {
			steps = append(steps, e.GetText())
		}
	}
	if kinds["arrived"] != 1 || kinds["offered"] != 6 || kinds["offer_failed"] != 1 {
		t.Errorf("timeline kinds %v", kinds)
	}
	for _, want := range []string{"warm transfer to operator " + boris.id + ": consulting", "warm transfer to operator " + boris.id + ": cancelled", "blind transfer to queue support: completed", "blind transfer to operator " + boris.id + ": failed"} {
		if !slices.ContainsFunc(steps, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("no %q in the transfer steps %q", want, steps)
		}
	}
}

// TestTransferSurvivesRestart: Tandem restarts while a warm transfer's target rings (the
// transfer command is sent again for the same leg), and again while the operators consult
// (the consultation goes on); then anna completes it and the call is boris's.
func TestTransferSurvivesRestart(t *testing.T) {
	a := annaAnswers(t, tandem.Connect, "/xr")
	clk, db, srv, sess, cloud, anna, boris := a.clk, a.db, a.srv, a.sess, a.cloud, a.anna, a.boris
	id := a.reg.GetCallId()
	answer := func(c *cloudClient, offer string) {
		t.Helper()
		ev := event(id, offer)
		ev.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 1000}}
		if _, err := c.report(ev); err != nil {
			t.Fatal(err)
		}
	}
	boris.ready()
	ctx := context.Background()
	if _, err := anna.client.Assignment.TransferCall(ctx, connect.NewRequest(&assignmentv1.TransferCallRequest{CallId: id, Mode: commonv1.TransferMode_TRANSFER_MODE_WARM, Target: &assignmentv1.TransferCallRequest_OperatorId{OperatorId: boris.id}})); err != nil {
		t.Fatal(err)
	}
	leg := sess.next("/xr")
	if leg.GetType() != "transfer" {
		t.Fatalf("the cloud got %v", leg)
	}
	restart := func() {
		t.Helper()
		anna.cancel()
		boris.cancel()
		srv.stop()
		clk.Advance(2 * time.Second)
		srv = startServer(t, db, clk)
		cloud = newCloud(t, srv.m.URL, tandem.Connect, false, clk)
	}
	getCall := func() *assignmentv1.Call {
		t.Helper()
		res, err := tandem.New(srv.m.URL, tandem.WithToken(testAdminKey)).Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: id}))
		if err != nil {
			t.Fatal(err)
		}
		return res.Msg.GetCall()
	}

	restart()
	again := sess.next("/xr")
	if again.GetType() != "transfer" || again.GetOfferId() != leg.GetOfferId() || again.GetMode() != "warm" || again.GetTimeoutS() > 18 {
		t.Fatalf("after the restart the session got %v, want the transfer of %s again for the rest of its ring", again, leg.GetOfferId())
	}
	if c := getCall(); c.GetTransfer().GetState() != commonv1.TransferState_TRANSFER_STATE_DIALING || c.GetOperatorId() != anna.id {
		t.Fatalf("after the restart: %v", c)
	}
	answer(cloud, leg.GetOfferId())
	if c := getCall(); c.GetTransfer().GetState() != commonv1.TransferState_TRANSFER_STATE_CONSULTING {
		t.Fatalf("after boris answered: %v", c)
	}

	restart()
	if c := getCall(); c.GetTransfer().GetState() != commonv1.TransferState_TRANSFER_STATE_CONSULTING || c.GetOperatorId() != anna.id {
		t.Fatalf("after the second restart: %v", c)
	}
	annaNow := tandem.New(srv.m.URL, tandem.WithToken(anna.token))
	if _, err := annaNow.Assignment.CompleteTransfer(ctx, connect.NewRequest(&assignmentv1.CompleteTransferRequest{CallId: id})); err != nil {
		t.Fatal(err)
	}
	if got := sess.next("/xr"); got.GetType() != "complete_transfer" || got.GetOfferId() != leg.GetOfferId() {
		t.Fatalf("the cloud got %v, want complete_transfer", got)
	}
	if c := getCall(); c.GetOperatorId() != boris.id || c.GetTransfer().GetState() != commonv1.TransferState_TRANSFER_STATE_COMPLETED {
		t.Fatalf("completed: %v", c)
	}
}
