package rpc

import (
	"context"
	"strconv"
	"testing"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	"github.com/tandemcc/tandem/server/internal/alerting"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

// TestQueueAlertThresholds: the alert fields round-trip; a bad one is refused with its field
// and changes nothing.
func TestQueueAlertThresholds(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup()
	ctx := context.Background()
	admin := a.admin()
	q := &adminv1.Queue{QueueId: "support", DialedNumbers: []string{testLine}, IsDefault: true,
		AlertServiceLevelUnderPercent: 70, AlertLongestWaitOverS: 90, AlertWaitingOver: 3, AlertMissesInRow: 2,
		AlertAbandonmentOverPercent: 15, AlertWindowS: 600, AlertHoldS: 5}
	if _, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q})); err != nil {
		t.Fatal(err)
	}
	got, err := admin.Admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "support"}))
	if err != nil {
		t.Fatal(err)
	}
	g := got.Msg.GetQueue()
	if g.GetAlertServiceLevelUnderPercent() != 70 || g.GetAlertLongestWaitOverS() != 90 || g.GetAlertWaitingOver() != 3 || g.GetAlertMissesInRow() != 2 ||
		g.GetAlertAbandonmentOverPercent() != 15 || g.GetAlertWindowS() != 600 || g.GetAlertHoldS() != 5 {
		t.Fatalf("read back %v", g)
	}
	for field, bad := range map[string]func(*adminv1.Queue){
		"queue.alert_service_level_under_percent": func(q *adminv1.Queue) { q.AlertServiceLevelUnderPercent = 101 },
		"queue.alert_abandonment_over_percent":    func(q *adminv1.Queue) { q.AlertAbandonmentOverPercent = 100 },
		"queue.alert_misses_in_row":               func(q *adminv1.Queue) { q.AlertMissesInRow = 101 },
		"queue.alert_window_s":                    func(q *adminv1.Queue) { q.AlertWindowS = 30 },
		"queue.alert_hold_s":                      func(q *adminv1.Queue) { q.AlertHoldS = 601 },
		"queue.alert_longest_wait_over_s":         func(q *adminv1.Queue) { q.AlertLongestWaitOverS = 86401 },
		"queue.alert_waiting_over":                func(q *adminv1.Queue) { q.AlertWaitingOver = 100001 },
	} {
		q := &adminv1.Queue{QueueId: "support", DialedNumbers: []string{testLine}, IsDefault: true}
		bad(q)
		_, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q}))
		wantField(t, err, connect.CodeInvalidArgument, field)
	}
	after, err := admin.Admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "support"}))
	if err != nil {
		t.Fatal(err)
	}
	if after.Msg.GetQueue().GetAlertWaitingOver() != 3 {
		t.Fatalf("a refused update changed the queue: %v", after.Msg.GetQueue())
	}
}

// TestAlertOnTheWallboardAcknowledgedAndListed: calls waiting past a queue's threshold raise
// an alert that the wallboard stream carries; a supervisor acknowledges it (audited), a
// read-only key may not; it clears when the line is back under the threshold.
func TestAlertOnTheWallboardAcknowledgedAndListed(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	admin := a.admin()
	if _, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: &adminv1.Queue{
		QueueId: "support", DialedNumbers: []string{testLine}, IsDefault: true, AlertWaitingOver: 1, AlertHoldS: 2}})); err != nil {
		t.Fatal(err)
	}
	stream, err := admin.Analytics.WatchWallboard(ctx, connect.NewRequest(&analyticsv1.WatchWallboardRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	alertsOf := func() []*analyticsv1.Alert {
		t.Helper()
		for stream.Receive() {
			if m := stream.Msg(); m.GetAlertsChanged() {
				return m.GetAlerts()
			}
		}
		t.Fatalf("stream ended: %v", stream.Err())
		return nil
	}
	if got := alertsOf(); len(got) != 0 {
		t.Fatalf("snapshot alerts %v", got)
	}
	var calls []cc.CallID
	for i := range 2 {
		r, err := a.board.RegisterCall(ctx, "r-"+strconv.Itoa(i), cc.Intake{SessionID: "s-" + strconv.Itoa(i), AccessURL: "https://cloud.example/s",
			CallerNumber: "+15550009999", DialedNumber: testLine})
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, r.Call)
	}
	// Two calls wait for the 2 s hold (the watch reads the floor every second).
	a.checkAlerts(3)
	got := alertsOf()
	if len(got) != 1 || got[0].GetKind() != "waiting" || got[0].GetQueueId() != "support" || got[0].GetValue() != 2 || got[0].GetThreshold() != 1 {
		t.Fatalf("alerts %v", got)
	}
	id := got[0].GetAlertId()

	key, err := admin.Admin.CreateApiKey(ctx, connect.NewRequest(&adminv1.CreateApiKeyRequest{Name: "tv", Role: adminv1.KeyRole_KEY_ROLE_READONLY}))
	if err != nil {
		t.Fatal(err)
	}
	readonly := a.client(tandem.WithToken(key.Msg.GetSecret()))
	_, err = readonly.Analytics.AcknowledgeAlert(ctx, connect.NewRequest(&analyticsv1.AcknowledgeAlertRequest{AlertId: id}))
	if connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("read-only acknowledges: %v", err)
	}
	_, err = admin.Analytics.AcknowledgeAlert(ctx, connect.NewRequest(&analyticsv1.AcknowledgeAlertRequest{AlertId: id + 100}))
	wantField(t, err, connect.CodeNotFound, "alert_id")
	_, err = admin.Analytics.AcknowledgeAlert(ctx, connect.NewRequest(&analyticsv1.AcknowledgeAlertRequest{}))
	wantField(t, err, connect.CodeInvalidArgument, "alert_id")
	ack, err := admin.Analytics.AcknowledgeAlert(ctx, connect.NewRequest(&analyticsv1.AcknowledgeAlertRequest{AlertId: id}))
	if err != nil {
		t.Fatal(err)
	}
	if ack.Msg.GetAlert().GetAcknowledgedBy() != "admin-key" || ack.Msg.GetAlert().GetAcknowledgedAt() == nil {
		t.Fatalf("acknowledged %v", ack.Msg.GetAlert())
	}
	if got := alertsOf(); len(got) != 1 || got[0].GetAcknowledgedBy() != "admin-key" {
		t.Fatalf("stream after the acknowledgement: %v", got)
	}
	entries, err := a.db.AuditEntries(ctx, cc.AuditQuery{Procedure: "AcknowledgeAlert"})
	if err != nil || len(entries) != 1 || entries[0].Actor != "admin-key" {
		t.Fatalf("audit %v %v", entries, err)
	}

	// One call ends: one waits, not over 1. Cleared after the hold.
	if _, err := a.board.ReportEvent(ctx, "e-0", calls[0], cc.CloudEvent{Kind: cc.CloudCallerAbandoned}); err != nil {
		t.Fatal(err)
	}
	a.checkAlerts(3)
	if got := alertsOf(); len(got) != 0 {
		t.Fatalf("not cleared: %v", got)
	}
	list, err := admin.Analytics.ListAlerts(ctx, connect.NewRequest(&analyticsv1.ListAlertsRequest{Since: nil}))
	if err != nil || len(list.Msg.GetAlerts()) != 0 {
		t.Fatalf("open alerts %v %v", list, err)
	}
	hist, err := readonly.Analytics.ListAlerts(ctx, connect.NewRequest(&analyticsv1.ListAlertsRequest{Since: ack.Msg.GetAlert().GetRaisedAt()}))
	if err != nil || len(hist.Msg.GetAlerts()) != 1 || hist.Msg.GetAlerts()[0].GetClearedAt() == nil {
		t.Fatalf("history %v %v", hist, err)
	}
	_, err = admin.Analytics.ListAlerts(ctx, connect.NewRequest(&analyticsv1.ListAlertsRequest{Limit: 1001}))
	wantField(t, err, connect.CodeInvalidArgument, "limit")
}

// checkAlerts moves the clock on by n seconds, checking the alerts after each (as the watch's
// own loop does, without waiting for it to have armed its timer).
func (a *testAPI) checkAlerts(n int) {
	a.t.Helper()
	for range n {
		a.clock.Advance(alerting.Every)
		if err := a.api.alerts.Check(context.Background()); err != nil {
			a.t.Fatal(err)
		}
	}
}
