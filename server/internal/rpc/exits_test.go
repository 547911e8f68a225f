package rpc

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

// TestQueueHoursAndExitsThroughTheAdminAPI: good hours, closures, exits and caps are saved and
// read back as sent (the clock, Monday 10:00 UTC, is outside the hours: closed now); bad ones
// name the request's field and save nothing.
func TestQueueHoursAndExitsThroughTheAdminAPI(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup()
	admin := a.admin().Admin
	ctx := context.Background()
	night := &adminv1.QueueHours{TimeZone: "Europe/Berlin", Weekly: []*adminv1.OpenSpan{
		{Day: "mon", From: "18:00", To: "24:00"}, {Day: "tue", From: "00:00", To: "08:00"}},
		Closures: []*adminv1.Closure{{First: "2026-12-31", Last: "2027-01-01", Name: "New Year"}}}
	good := &adminv1.Queue{QueueId: "night", Hours: night,
		ClosedExit:         &adminv1.QueueExit{Kind: "number", Text: "Our day team will help you.", Number: "+14155550100"},
		ExitWaitingAtClose: true,
		MaxWaiting:         5, MaxWaitingExit: &adminv1.QueueExit{Kind: "queue", QueueId: "support"},
		LongestWaitS: 300, LongestWaitExit: &adminv1.QueueExit{Kind: "message", Text: "Please call again."}}
	res, err := admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: good}))
	if err != nil {
		t.Fatal(err)
	}
	got := res.Msg.GetQueue()
	if !proto.Equal(got.GetHours(), night) || !proto.Equal(got.GetClosedExit(), good.ClosedExit) || !got.GetExitWaitingAtClose() ||
		got.GetMaxWaiting() != 5 || !proto.Equal(got.GetMaxWaitingExit(), good.MaxWaitingExit) ||
		got.GetLongestWaitS() != 300 || !proto.Equal(got.GetLongestWaitExit(), good.LongestWaitExit) {
		t.Fatalf("saved = %v", got)
	}
	if !got.GetClosedNow() || got.GetClosedWhy() != "closed until Mon 18:00" {
		t.Fatalf("closed now %v, why %q", got.GetClosedNow(), got.GetClosedWhy())
	}

	bad := func(f func(q *adminv1.Queue)) error {
		q := proto.Clone(good).(*adminv1.Queue)
		q.QueueId = "sales"
		f(q)
		_, err := admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: q}))
		return err
	}
	for _, tc := range []struct {
		field string
		code  connect.Code
		err   error
	}{
		{"queue.hours.weekly[2]", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) {
			q.Hours = proto.Clone(night).(*adminv1.QueueHours)
			q.Hours.Weekly = append(q.Hours.Weekly, &adminv1.OpenSpan{Day: "mon", From: "20:00", To: "22:00"})
		})},
		{"queue.hours.time_zone", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) {
			q.Hours = proto.Clone(night).(*adminv1.QueueHours)
			q.Hours.TimeZone = "Mars/Olympus"
		})},
		{"queue.hours.weekly[0].day", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) {
			q.Hours = &adminv1.QueueHours{TimeZone: "UTC", Weekly: []*adminv1.OpenSpan{{Day: "funday", From: "09:00", To: "10:00"}}}
		})},
		{"queue.hours.weekly[0].to", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) {
			q.Hours = &adminv1.QueueHours{TimeZone: "UTC", Weekly: []*adminv1.OpenSpan{{Day: "mon", From: "09:00", To: "25:00"}}}
		})},
		{"queue.hours.closures[0].first", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) {
			q.Hours = &adminv1.QueueHours{TimeZone: "UTC", Closures: []*adminv1.Closure{{First: "31.12.2026"}}}
		})},
		{"queue.closed_exit.kind", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) { q.ClosedExit = &adminv1.QueueExit{Kind: "voicemail"} })},
		{"queue.closed_exit.number", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) {
			q.ClosedExit = &adminv1.QueueExit{Kind: "number", Number: "4155550100"}
		})},
		{"queue.max_waiting_exit.queue_id", connect.CodeNotFound, bad(func(q *adminv1.Queue) {
			q.MaxWaitingExit = &adminv1.QueueExit{Kind: "queue", QueueId: "nowhere"}
		})},
		{"queue.max_waiting_exit.queue_id", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) {
			q.MaxWaitingExit = &adminv1.QueueExit{Kind: "queue", QueueId: "sales"}
		})},
		{"queue.longest_wait_exit.kind", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) { q.LongestWaitExit = nil })},
	} {
		wantField(t, tc.err, tc.code, tc.field)
	}
	// support → night → support: a cycle of queue exits.
	sup, err := admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "support"}))
	if err != nil {
		t.Fatal(err)
	}
	q := sup.Msg.GetQueue()
	q.LongestWaitS, q.LongestWaitExit = 60, &adminv1.QueueExit{Kind: "queue", QueueId: "night"}
	_, err = admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q}))
	wantField(t, err, connect.CodeInvalidArgument, "queue.longest_wait_exit.queue_id")

	qs, err := admin.ListQueues(ctx, connect.NewRequest(&adminv1.ListQueuesRequest{}))
	if err != nil || len(qs.Msg.GetQueues()) != 2 {
		t.Fatalf("queues after refusals: %v %v", qs, err)
	}
	for _, q := range qs.Msg.GetQueues() {
		if q.GetQueueId() == "support" && q.GetLongestWaitExit() != nil {
			t.Fatalf("a refused update changed support: %v", q)
		}
	}
}
