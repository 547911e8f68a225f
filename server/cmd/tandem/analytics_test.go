package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// wallboard follows a WatchWallboard stream and keeps the picture it describes.
type wallboard struct {
	t      *testing.T
	queues map[string]*analyticsv1.QueueLive
	ops    map[string]*analyticsv1.OperatorLive
	msgs   chan *analyticsv1.WatchWallboardResponse
}

func watchWallboard(t *testing.T, c *tandem.Client, req *analyticsv1.WatchWallboardRequest) *wallboard {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stream, err := c.Analytics.WatchWallboard(ctx, connect.NewRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	w := &wallboard{t: t, queues: map[string]*analyticsv1.QueueLive{}, ops: map[string]*analyticsv1.OperatorLive{}, msgs: make(chan *analyticsv1.WatchWallboardResponse, 64)}
	if !stream.Receive() {
		t.Fatalf("wallboard: %v", stream.Err())
	}
	if !stream.Msg().GetSnapshot() {
		t.Fatalf("the first message is not a snapshot: %v", stream.Msg())
	}
	w.apply(stream.Msg())
	go func() {
		defer close(w.msgs)
		for stream.Receive() {
			w.msgs <- stream.Msg()
		}
	}()
	return w
}

func (w *wallboard) apply(m *analyticsv1.WatchWallboardResponse) {
	if m.GetSnapshot() {
		w.queues, w.ops = map[string]*analyticsv1.QueueLive{}, map[string]*analyticsv1.OperatorLive{}
	}
	for _, q := range m.GetQueues() {
		w.queues[q.GetQueueId()] = q
	}
	for _, o := range m.GetOperators() {
		w.ops[o.GetOperatorId()] = o
	}
	for _, id := range m.GetRemovedQueueIds() {
		delete(w.queues, id)
	}
	for _, id := range m.GetRemovedOperatorIds() {
		delete(w.ops, id)
	}
}

// await applies changes until ok holds.
func (w *wallboard) await(what string, ok func() bool) {
	w.t.Helper()
	timeout := time.After(10 * time.Second)
	for !ok() {
		select {
		case m, open := <-w.msgs:
			if !open {
				w.t.Fatalf("the wallboard stream ended waiting for %s", what)
			}
			w.apply(m)
		case <-timeout:
			w.t.Fatalf("the wallboard never showed %s: %v", what, w.queues)
		}
	}
}

// TestAnalyticsFromCallsToTheWallboardHistoryAndCSV plays calls through the real server and
// reads them back live on a wallboard stream, then as history, CSV and timelines, also after a
// restart.
func TestAnalyticsFromCallsToTheWallboardHistoryAndCSV(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	dbPath := filepath.Join(t.TempDir(), "tandem.db")
	srv := startServer(t, dbPath, clk)
	url := srv.m.URL
	admin := tandem.New(url, tandem.WithToken(testAdminKey))
	setup(t, admin)
	// A 10 s service-level threshold for the support queue, abandons within it counted as met.
	q, err := admin.Admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "support"}))
	if err != nil {
		t.Fatal(err)
	}
	sl := q.Msg.GetQueue()
	sl.ServiceLevelThresholdS, sl.ServiceLevelTargetPercent, sl.ServiceLevelAbandoned = 10, 90, "count_within_threshold_as_met"
	if _, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: sl})); err != nil {
		t.Fatal(err)
	}
	sl.ServiceLevelAbandoned = "sometimes"
	if _, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: sl})); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("an unknown abandon rule: %v", err)
	}

	cloud := newCloud(t, url, tandem.Connect, false, clk)
	sess := newSession(t)
	anna := logIn(t, url, tandem.Connect, "anna")
	board := watchWallboard(t, admin, &analyticsv1.WatchWallboardRequest{Operators: true})
	if s := board.queues["support"]; s == nil || len(s.GetWaiting()) != 0 || s.GetServiceLevelRule().GetThresholdS() != 10 {
		t.Fatalf("snapshot: %v", board.queues)
	}
	if o := board.ops[anna.id]; o == nil || o.GetState() != commonv1.OperatorState_OPERATOR_STATE_OFFLINE && o.GetState() != commonv1.OperatorState_OPERATOR_STATE_AWAY {
		t.Fatalf("anna in the snapshot: %v", o)
	}

	// A call waits: nobody is ready.
	reg, err := cloud.register(intake(sess.srv.URL, "/s1"))
	if err != nil {
		t.Fatal(err)
	}
	board.await("a waiting call", func() bool {
		s := board.queues["support"]
		return len(s.GetWaiting()) == 1 && s.GetWaiting()[0].GetPosition() == 1 && s.GetLongestWaitingSince().AsTime().Equal(start)
	})
	// Anna presses Ready 4 s later and answers after 2 s of ringing: answered in 6 s, within 10.
	clk.Advance(4 * time.Second)
	anna.ready()
	dial := sess.next("/s1")
	clk.Advance(2 * time.Second)
	ev := event(reg.GetCallId(), dial.GetOfferId())
	ev.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 2000}}
	if _, err := cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	board.await("the call connected to anna", func() bool {
		s := board.queues["support"]
		return len(s.GetWaiting()) == 0 && s.GetCallsConnected() == 1 && board.ops[anna.id].GetState() == commonv1.OperatorState_OPERATOR_STATE_ON_CALL
	})
	clk.Advance(time.Minute)
	ev = event(reg.GetCallId(), dial.GetOfferId())
	ev.Event = &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_CALLER, TalkTimeMs: 60000}}
	if _, err := cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	board.await("today's answered call", func() bool {
		return board.queues["support"].GetToday().GetCallsAnswered() == 1
	})
	// Anna's wrap-up (10 s) ends; a second caller hangs up after 8 s (within the threshold),
	// a third after 30 s (late); a fourth after 2 s (a short abandon).
	clk.Advance(10 * time.Second)
	anna.await(commonv1.OperatorState_OPERATOR_STATE_READY)
	if _, err := anna.client.Presence.GoAway(ctx, connect.NewRequest(&presencev1.GoAwayRequest{Reason: "break"})); err != nil {
		t.Fatal(err)
	}
	for i, wait := range []time.Duration{8 * time.Second, 30 * time.Second, 2 * time.Second} {
		path := "/a" + strconv.Itoa(i)
		r, err := cloud.register(intake(sess.srv.URL, path))
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(wait)
		ev := event(r.GetCallId(), "")
		ev.Event = &callintakev1.ReportCallEventRequest_CallerAbandoned{CallerAbandoned: &callintakev1.CallerAbandoned{}}
		if _, err := cloud.report(ev); err != nil {
			t.Fatal(err)
		}
	}
	board.await("three abandons", func() bool { return board.queues["support"].GetToday().GetCallsAbandoned() == 3 })
	today := board.queues["support"].GetToday()
	// SL: (1 answered within + 1 abandoned within) / (1 answered + 3 abandoned − 1 short).
	if today.GetServiceLevel() != 2.0/3 || today.GetShortAbandons() != 1 || today.GetAsaMs() != 6000 || today.GetAhtMs() != 70000 {
		t.Errorf("today = %v", today)
	}
	if a := board.ops[anna.id].GetToday(); a.GetOnCallMs() != 60000 || a.GetWrapUpMs() != 10000 || a.GetCallsAnswered() != 1 || a.GetRingTimeTotalMs() != 2000 {
		t.Errorf("anna today = %v", a)
	}

	// History: today's quarter-hours of the queue, as rows and as CSV.
	hist := &analyticsv1.GetHistoryRequest{QueueId: "support", Interval: analyticsv1.Interval_INTERVAL_15_MINUTES,
		Range: &analyticsv1.TimeRange{From: timestamppb.New(start), To: timestamppb.New(start.Add(time.Hour))}}
	h, err := admin.Analytics.GetHistory(ctx, connect.NewRequest(hist))
	if err != nil {
		t.Fatal(err)
	}
	if rows := h.Msg.GetRows(); len(rows) != 1 || !rows[0].GetStart().AsTime().Equal(start) || !proto.Equal(rows[0].GetFigures(), today) {
		t.Fatalf("history rows = %v\nwant today's %v", rows, today)
	}
	exp, err := admin.Analytics.ExportHistory(ctx, connect.NewRequest(&analyticsv1.ExportHistoryRequest{History: hist}))
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(exp.Msg.GetCsv())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 || exp.Msg.GetFileName() != "tandem-support-2026-11-26-15min.csv" {
		t.Fatalf("csv %q as %s", records, exp.Msg.GetFileName())
	}
	col := func(name string) string { return records[1][slices.Index(records[0], name)] }
	if col("calls_received") != "4" || col("calls_abandoned") != "3" || col("service_level") != strconv.FormatFloat(2.0/3, 'f', -1, 64) || col("queue_id") != "support" {
		t.Errorf("csv row %v", records)
	}
	// Bad requests name the field.
	for _, bad := range []*analyticsv1.GetHistoryRequest{
		{QueueId: "support", Range: hist.Range},
		{QueueId: "support", OperatorId: anna.id, Range: hist.Range, Interval: analyticsv1.Interval_INTERVAL_HOUR},
		{QueueId: "support", Interval: analyticsv1.Interval_INTERVAL_HOUR, Range: hist.Range, TimeZone: "Mars/Olympus"},
		{QueueId: "support", Interval: analyticsv1.Interval_INTERVAL_15_MINUTES, Range: &analyticsv1.TimeRange{From: timestamppb.New(start), To: timestamppb.New(start.AddDate(0, 2, 0))}},
		{QueueId: "nope", Interval: analyticsv1.Interval_INTERVAL_HOUR, Range: hist.Range},
	} {
		if _, err := admin.Analytics.GetHistory(ctx, connect.NewRequest(bad)); connect.CodeOf(err) != connect.CodeInvalidArgument && connect.CodeOf(err) != connect.CodeNotFound {
			t.Errorf("GetHistory(%v) = %v", bad, err)
		}
	}

	// The first call's timeline.
	tl, err := admin.Analytics.GetCallTimeline(ctx, connect.NewRequest(&analyticsv1.GetCallTimelineRequest{CallId: reg.GetCallId()}))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range tl.Msg.GetEntries() {
		kinds = append(kinds, e.GetKind())
	}
	if want := []string{"arrived", "offered", "answered", "ended"}; !slices.Equal(kinds, want) {
		t.Fatalf("timeline %v, want %v", kinds, want)
	}
	if d := tl.Msg.GetEntries()[1].GetDecision(); d.GetOperatorId() != anna.id || d.GetRule() == "" {
		t.Errorf("the offer's decision = %v", d)
	}
	if e := tl.Msg.GetEntries()[3]; e.GetHungUpBy() != commonv1.HangupParty_HANGUP_PARTY_CALLER {
		t.Errorf("ended = %v", e)
	}

	// Prometheus: the same figures, for readers only.
	scrape := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, url+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	if code, _ := scrape(""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without credentials: %d", code)
	}
	if code, _ := scrape(anna.token); code != http.StatusForbidden {
		t.Errorf("/metrics for an operator: %d", code)
	}
	code, text := scrape(testAdminKey)
	for _, line := range []string{
		`tandem_calls_total{outcome="answered",queue="support"} 1`,
		`tandem_calls_total{outcome="abandoned",queue="support"} 3`,
		`tandem_calls_waiting{queue="support"} 0`,
		`tandem_callbacks_waiting{queue="support"} 0`,
		`tandem_operators{queue="support",state="away"} 1`,
		`tandem_service_level_today{queue="support"} 0.6666666666666666`,
		`tandem_service_level_target{queue="support"} 0.9`,
		`tandem_rpc_duration_seconds_count{code="ok",procedure="/tandem.callintake.v1.CallIntakeService/RegisterCall"} 4`,
	} {
		if code != http.StatusOK || !strings.Contains(text, line+"\n") {
			t.Errorf("/metrics (%d) lacks %s", code, line)
		}
	}
	// Where the server's time went: the switchboard's loop and the SQLite store.
	value := func(name string) float64 {
		for line := range strings.Lines(text) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Errorf("/metrics %s: %v", name, err)
				}
				return f
			}
		}
		t.Errorf("/metrics lacks %s", name)
		return -1
	}
	steps, batches := value("tandem_switchboard_steps_total"), value("tandem_switchboard_batches_total")
	if steps < 8 || batches < 1 || batches > steps { // four calls, each at least registered and ended
		t.Errorf("/metrics: %v steps in %v batches", steps, batches)
	}
	for _, name := range []string{"tandem_switchboard_engine_seconds_total", "tandem_switchboard_store_seconds_total",
		"tandem_switchboard_publish_seconds_total", "tandem_sqlite_commit_seconds_total"} {
		if v := value(name); v <= 0 {
			t.Errorf("/metrics %s = %v, want some time", name, v)
		}
	}
	for _, name := range []string{"tandem_switchboard_wait_seconds_total", "tandem_sqlite_checkpoints_total",
		"tandem_sqlite_checkpoint_seconds_total", "tandem_sqlite_checkpoint_held_seconds_total", "tandem_sqlite_log_frames"} {
		if v := value(name); v < 0 {
			t.Errorf("/metrics %s = %v", name, v)
		}
	}

	// After a restart: the same history, and the wallboard's today picks up where it was.
	srv.stop()
	srv = startServer(t, dbPath, clk)
	admin = tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	again, err := admin.Analytics.GetHistory(ctx, connect.NewRequest(hist))
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(again.Msg, h.Msg) {
		t.Errorf("history after a restart = %v\nwant %v", again.Msg, h.Msg)
	}
	board = watchWallboard(t, admin, &analyticsv1.WatchWallboardRequest{QueueIds: []string{"support"}})
	if got := board.queues["support"].GetToday(); !proto.Equal(got, today) {
		t.Errorf("today after a restart = %v\nwant %v", got, today)
	}
	stats, err := admin.Analytics.GetQueueStats(ctx, connect.NewRequest(&analyticsv1.GetQueueStatsRequest{QueueId: "support"}))
	if err != nil {
		t.Fatal(err)
	}
	if s := stats.Msg.GetQueues()[0]; s.GetCallsReceived() != 4 || s.GetAverageAnswerTimeMs() != 6000 || !proto.Equal(s.GetFigures(), today) {
		t.Errorf("queue stats = %v", s)
	}
	if _, err := admin.Analytics.WatchWallboard(ctx, connect.NewRequest(&analyticsv1.WatchWallboardRequest{QueueIds: []string{"nope"}})); err == nil {
		// A server stream's error arrives with its first message.
		stream, _ := admin.Analytics.WatchWallboard(ctx, connect.NewRequest(&analyticsv1.WatchWallboardRequest{QueueIds: []string{"nope"}}))
		if stream.Receive() || connect.CodeOf(stream.Err()) != connect.CodeNotFound {
			t.Errorf("watching an unknown queue: %v", stream.Err())
		}
	}
}
