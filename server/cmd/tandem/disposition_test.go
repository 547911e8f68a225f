package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

// TestDispositions, end to end: a queue's dispositions configured (bad ones refused naming the
// entry), the operator's view carries them; refusals name the field (another operator, an
// unknown code, Done without the required one); past the wrap-up time she stays in wrap-up with
// the reason; set, Done, and the call keeps it: GetCall, SearchCalls, the timeline, the history
// and its CSV; after the wrap-up it can no longer change.
func TestDispositions(t *testing.T) {
	a := annaAnswers(t, tandem.Connect, "/d1")
	clk, admin, cloud, anna, boris, reg, dial := a.clk, a.admin, a.cloud, a.anna, a.boris, a.reg, a.dial
	ctx := context.Background()
	start := clk.Now()

	got, err := admin.Admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "support"}))
	if err != nil {
		t.Fatal(err)
	}
	q := got.Msg.GetQueue()
	update := func(q *adminv1.Queue) error {
		_, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q}))
		return err
	}
	for field, bad := range map[string][]*commonv1.Disposition{
		"queue.dispositions[1].code": {{Code: "sale"}, {Code: "sale", Label: "Twice"}},
		"queue.dispositions[0].code": {{Code: "Not A Code"}},
	} {
		q.Dispositions = bad
		if code, f := fieldOf(t, update(q)); code != connect.CodeInvalidArgument || f != field {
			t.Errorf("%v: %v on %q, want %q", bad, code, f, field)
		}
	}
	q.Dispositions, q.DispositionRequired = nil, true
	if code, f := fieldOf(t, update(q)); code != connect.CodeInvalidArgument || f != "queue.disposition_required" {
		t.Errorf("required without dispositions: %v on %q", code, f)
	}
	q.Dispositions = []*commonv1.Disposition{{Code: "sale", Label: "Sale made"}, {Code: "callback", Label: "Call back later"}}
	if err := update(q); err != nil {
		t.Fatal(err)
	}
	got, _ = admin.Admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "support"}))
	if g := got.Msg.GetQueue(); !g.GetDispositionRequired() || len(g.GetDispositions()) != 2 || g.GetDispositions()[1].GetLabel() != "Call back later" {
		t.Fatalf("queue as read back: %v", g)
	}

	set := func(c *tandem.Client, call, code string) (*presencev1.SetDispositionResponse, error) {
		res, err := c.Presence.SetDisposition(ctx, connect.NewRequest(&presencev1.SetDispositionRequest{CallId: call, Code: code}))
		if err != nil {
			return nil, err
		}
		return res.Msg, nil
	}
	st := anna.snapshot()
	if c := st.GetCall(); len(c.GetDispositions()) != 2 || !c.GetDispositionRequired() || c.GetDisposition() != "" {
		t.Fatalf("her view on the call: %v", c)
	}
	for what, c := range map[string]struct {
		client *tandem.Client
		call   string
		code   string
		want   connect.Code
		field  string
	}{
		"boris on anna's call": {boris.client, reg.GetCallId(), "sale", connect.CodePermissionDenied, "call_id"},
		"an unknown code":      {anna.client, reg.GetCallId(), "refund", connect.CodeInvalidArgument, "code"},
		"no code":              {anna.client, reg.GetCallId(), "", connect.CodeInvalidArgument, "code"},
		"no call":              {anna.client, "", "sale", connect.CodeInvalidArgument, "call_id"},
		"an unknown call":      {anna.client, "call_none", "sale", connect.CodeNotFound, "call_id"},
	} {
		_, err := set(c.client, c.call, c.code)
		if code, field := fieldOf(t, err); code != c.want || field != c.field {
			t.Errorf("%s: %v on %q, want %v on %q", what, code, field, c.want, c.field)
		}
	}

	ev := event(reg.GetCallId(), dial.GetOfferId())
	ev.Event = &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_CALLER, TalkTimeMs: 30000}}
	if _, err := cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	anna.await(commonv1.OperatorState_OPERATOR_STATE_WRAP_UP)
	_, err = anna.client.Presence.EndWrapUp(ctx, connect.NewRequest(&presencev1.EndWrapUpRequest{}))
	if code, field := fieldOf(t, err); code != connect.CodeFailedPrecondition || field != "disposition" {
		t.Errorf("Done without the required disposition: %v on %q", code, field)
	}
	clk.Advance(10 * time.Second) // the wrap-up time runs out: she stays
	kept := anna.awaitStatus("kept for a disposition", func(s *presencev1.OperatorStatus) bool { return s.GetReason() == "disposition needed" })
	if kept.GetState() != commonv1.OperatorState_OPERATOR_STATE_WRAP_UP || kept.GetWrapUpEndsAt() != nil || !kept.GetCall().GetDispositionRequired() {
		t.Fatalf("kept: %v", kept)
	}

	res, err := set(anna.client, reg.GetCallId(), "callback")
	if err != nil || res.GetDisposition().GetLabel() != "Call back later" {
		t.Fatalf("set: %v %v", res, err)
	}
	if res, err = set(anna.client, reg.GetCallId(), "sale"); err != nil || res.GetDisposition().GetCode() != "sale" {
		t.Fatalf("changed: %v %v", res, err)
	}
	anna.awaitStatus("her card shows it", func(s *presencev1.OperatorStatus) bool { return s.GetCall().GetDisposition() == "sale" })
	if _, err := anna.client.Presence.EndWrapUp(ctx, connect.NewRequest(&presencev1.EndWrapUpRequest{})); err != nil {
		t.Fatal(err)
	}
	anna.await(commonv1.OperatorState_OPERATOR_STATE_READY)
	_, err = set(anna.client, reg.GetCallId(), "callback")
	if code, field := fieldOf(t, err); code != connect.CodeFailedPrecondition || field != "call_id" {
		t.Errorf("after the wrap-up: %v on %q", code, field)
	}

	call, err := admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))
	if err != nil || call.Msg.GetCall().GetDisposition() != "sale" {
		t.Fatalf("GetCall: %v %v", call, err)
	}
	found, err := admin.Analytics.SearchCalls(ctx, connect.NewRequest(&analyticsv1.SearchCallsRequest{Disposition: "sale"}))
	if err != nil || len(found.Msg.GetCalls()) != 1 || found.Msg.GetCalls()[0].GetDisposition() != "sale" {
		t.Fatalf("SearchCalls by disposition: %v %v", found, err)
	}
	if none, err := admin.Analytics.SearchCalls(ctx, connect.NewRequest(&analyticsv1.SearchCallsRequest{Disposition: "callback"})); err != nil || len(none.Msg.GetCalls()) != 0 {
		t.Fatalf("SearchCalls by the replaced disposition: %v %v", none, err)
	}
	tl, err := admin.Analytics.GetCallTimeline(ctx, connect.NewRequest(&analyticsv1.GetCallTimelineRequest{CallId: reg.GetCallId()}))
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, e := range tl.Msg.GetEntries() {
		if e.GetKind() == "disposition" {
			codes = append(codes, e.GetText())
			if e.GetOperatorId() != anna.id {
				t.Errorf("disposition entry by %q", e.GetOperatorId())
			}
		}
	}
	if !slices.Equal(codes, []string{"callback", "sale"}) {
		t.Errorf("timeline's dispositions = %v", codes)
	}

	hist := &analyticsv1.GetHistoryRequest{QueueId: "support", Interval: analyticsv1.Interval_INTERVAL_DAY,
		Range: &analyticsv1.TimeRange{From: timestamppb.New(start.Add(-time.Hour)), To: timestamppb.New(start.Add(time.Hour))}}
	h, err := admin.Analytics.GetHistory(ctx, connect.NewRequest(hist))
	if err != nil {
		t.Fatal(err)
	}
	var counted []string
	for _, r := range h.Msg.GetRows() {
		for _, d := range r.GetFigures().GetDispositions() {
			counted = append(counted, d.GetCode())
			if d.GetCalls() != 1 {
				t.Errorf("%s counted %d times", d.GetCode(), d.GetCalls())
			}
		}
	}
	if !slices.Equal(counted, []string{"sale"}) {
		t.Errorf("history's dispositions = %v", counted)
	}
	exp, err := admin.Analytics.ExportHistory(ctx, connect.NewRequest(&analyticsv1.ExportHistoryRequest{History: hist}))
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(exp.Msg.GetCsv())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(records[0], "dispositions")
	var cells []string
	for _, r := range records[1:] {
		if r[col] != "" {
			cells = append(cells, r[col])
		}
	}
	if col < 0 || !slices.Equal(cells, []string{"sale=1"}) {
		t.Errorf("CSV: header %v, dispositions cells %v", records[0], cells)
	}
}
