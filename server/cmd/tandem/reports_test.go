package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/sqlite"
)

// TestReportsOverPeriods asks a stored history (two queues, one operator, quarter-hours around
// the autumn's daylight-saving change in Berlin and the end of February) for a report's periods:
// a week of days, a month of days, the whole range split by queue and by operator, in Berlin's
// days; an empty period; ranges too long for their rows, and bad ones, refused naming the field.
func TestReportsOverPeriods(t *testing.T) {
	ctx := context.Background()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	dbPath := filepath.Join(t.TempDir(), "tandem.db")
	quarter := func(scope callcenter.TallyScope, id string, at time.Time, f callcenter.Figures) callcenter.Tally {
		return callcenter.Tally{Scope: scope, ID: id, Start: at, Figures: f}
	}
	calls := func(received, answered, within, abandoned int64) callcenter.Figures {
		return callcenter.Figures{CallsReceived: received, CallsAnswered: answered, AnsweredWithin: within,
			CallsAbandoned: abandoned, AnswerTimeTotal: time.Duration(answered) * 10 * time.Second,
			TalkTime: time.Duration(answered) * time.Minute, HoldTime: time.Duration(answered) * 2 * time.Second}
	}
	utc := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, time.UTC) }
	{
		db, err := sqlite.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		// Two ended calls with dispositions: counted by their arrival, with their queue and operator.
		ended := func(id callcenter.CallID, q callcenter.QueueID, at time.Time) callcenter.Call {
			return callcenter.Call{ID: id, Queue: q, State: callcenter.CallEnded, Operator: "op-x", ArrivedAt: at,
				AnsweredAt: at.Add(10 * time.Second), EndedAt: at.Add(time.Minute), CallerNumber: "+15550100"}
		}
		err = db.Apply(ctx, callcenter.Changes{Calls: []callcenter.Call{ended("c-sale", "sales", utc(10, 20, 9, 5)), ended("c-back", "support", utc(10, 24, 22, 5))},
			Dispositions: []callcenter.CallDisposition{{Call: "c-sale", Code: "sale", By: "op-x", At: utc(10, 20, 9, 6)},
				{Call: "c-back", Code: "callback", By: "op-x", At: utc(10, 24, 22, 6)}}})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Apply(ctx, callcenter.Changes{Tallies: []callcenter.Tally{
			// Sunday 25 October 2026 has 25 hours in Berlin: 22:00 UTC on the 24th to 23:00 UTC on the 25th.
			quarter(callcenter.ScopeQueue, "support", utc(10, 24, 21, 45), calls(1, 1, 1, 0)), // Saturday 23:45
			quarter(callcenter.ScopeQueue, "support", utc(10, 24, 22, 0), calls(2, 1, 1, 1)),  // Sunday 00:00
			quarter(callcenter.ScopeQueue, "support", utc(10, 25, 22, 45), calls(4, 4, 2, 0)), // Sunday 23:45
			quarter(callcenter.ScopeQueue, "support", utc(10, 25, 23, 0), calls(8, 8, 8, 0)),  // Monday the 26th: next week
			quarter(callcenter.ScopeQueue, "sales", utc(10, 20, 9, 0), calls(3, 2, 1, 1)),     // Tuesday
			quarter(callcenter.ScopeOperator, "op-x", utc(10, 20, 9, 0), callcenter.Figures{CallsAnswered: 2, OnCall: 3 * time.Minute, Ready: time.Minute}),
			quarter(callcenter.ScopeCenter, "", utc(10, 20, 9, 0), callcenter.Figures{OnCall: 3 * time.Minute, Ready: time.Minute}),
			// The last quarter of February in Berlin (22:45 UTC), and the first of March (23:00 UTC).
			quarter(callcenter.ScopeQueue, "support", time.Date(2027, 2, 28, 22, 45, 0, 0, time.UTC), calls(5, 5, 5, 0)),
			quarter(callcenter.ScopeQueue, "support", time.Date(2027, 2, 28, 23, 0, 0, 0, time.UTC), calls(7, 7, 7, 0)),
		}})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	srv := startServer(t, dbPath, clock.NewFake(time.Date(2027, 3, 10, 12, 0, 0, 0, time.UTC)))
	admin := tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	// Sales leaves abandoned calls out of its service level: its row is judged by its own rule.
	if _, err := admin.Admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: &adminv1.Queue{
		QueueId: "sales", Name: "Sales", DialedNumbers: []string{"+15550002000"}, OfferTimeoutS: 20, ServiceLevelAbandoned: "ignore",
	}})); err != nil {
		t.Fatal(err)
	}
	local := func(y int, m time.Month, d int) *timestamppb.Timestamp {
		return timestamppb.New(time.Date(y, m, d, 0, 0, 0, 0, berlin))
	}
	history := func(req *analyticsv1.GetHistoryRequest) *analyticsv1.GetHistoryResponse {
		t.Helper()
		res, err := admin.Analytics.GetHistory(ctx, connect.NewRequest(req))
		if err != nil {
			t.Fatalf("%v: %v", req, err)
		}
		return res.Msg
	}
	week := &analyticsv1.TimeRange{From: local(2026, 10, 19), To: local(2026, 10, 26)}

	t.Run("a week of Berlin's days", func(t *testing.T) {
		h := history(&analyticsv1.GetHistoryRequest{Range: week, Interval: analyticsv1.Interval_INTERVAL_DAY, TimeZone: "Europe/Berlin"})
		type row struct {
			day      string
			received uint32
		}
		var got []row
		for _, r := range h.GetRows() {
			got = append(got, row{r.GetStart().AsTime().In(berlin).Format("2006-01-02 15:04"), r.GetFigures().GetCallsReceived()})
		}
		want := []row{{"2026-10-20 00:00", 3}, {"2026-10-24 00:00", 1}, {"2026-10-25 00:00", 6}}
		if len(got) != len(want) {
			t.Fatalf("rows %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("row %d = %v, want %v", i, got[i], want[i])
			}
		}
		if tot := h.GetTotal(); tot.GetCallsReceived() != 10 || tot.GetOnCallMs() != 180000 {
			t.Errorf("total = %v", tot)
		}
	})

	t.Run("the whole week per queue, each by its own rule", func(t *testing.T) {
		h := history(&analyticsv1.GetHistoryRequest{Range: week, Interval: analyticsv1.Interval_INTERVAL_RANGE, TimeZone: "Europe/Berlin", ByQueue: true})
		rows := h.GetRows()
		if len(rows) != 2 || rows[0].GetQueueId() != "sales" || rows[1].GetQueueId() != "support" {
			t.Fatalf("rows = %v", rows)
		}
		for _, r := range rows {
			if !r.GetStart().AsTime().Equal(week.GetFrom().AsTime()) {
				t.Errorf("%s starts at %v, want the range's start", r.GetQueueId(), r.GetStart().AsTime())
			}
		}
		sales, support := rows[0].GetFigures(), rows[1].GetFigures()
		if sales.GetCallsReceived() != 3 || sales.GetServiceLevel() != 0.5 { // ignore: 1 within of 2 answered
			t.Errorf("sales = %v, want 3 calls and 50 %% (abandons ignored)", sales)
		}
		if support.GetCallsReceived() != 7 || support.GetServiceLevel() != 4.0/7 { // count_against: 4 of 6 answered + 1 abandoned
			t.Errorf("support = %v, want 7 calls and 4/7", support)
		}
		if h.GetTotal().GetCallsReceived() != 10 {
			t.Errorf("total = %v", h.GetTotal())
		}
		if sales.GetHoldTimeMs() != 4000 || support.GetHoldTimeMs() != 12000 {
			t.Errorf("hold: sales %d ms, support %d ms; want 4000 and 12000", sales.GetHoldTimeMs(), support.GetHoldTimeMs())
		}
		if d := sales.GetDispositions(); len(d) != 1 || d[0].GetCode() != "sale" || d[0].GetCalls() != 1 {
			t.Errorf("sales' dispositions = %v, want sale=1", d)
		}
		if d := support.GetDispositions(); len(d) != 1 || d[0].GetCode() != "callback" || d[0].GetCalls() != 1 {
			t.Errorf("support's dispositions = %v, want callback=1", d)
		}
		ops := history(&analyticsv1.GetHistoryRequest{Range: week, Interval: analyticsv1.Interval_INTERVAL_RANGE, TimeZone: "Europe/Berlin", ByOperator: true})
		if r := ops.GetRows(); len(r) != 1 || r[0].GetOperatorId() != "op-x" || r[0].GetFigures().GetCallsAnswered() != 2 || r[0].GetFigures().GetOccupancy() != 0.75 {
			t.Errorf("operator rows = %v", r)
		}
		if r := ops.GetRows(); len(r) > 0 && len(r[0].GetFigures().GetDispositions()) != 2 {
			d := r[0].GetFigures().GetDispositions()
			t.Errorf("op-x's dispositions = %v, want callback and sale", d)
		}
		one := history(&analyticsv1.GetHistoryRequest{Range: week, Interval: analyticsv1.Interval_INTERVAL_RANGE, TimeZone: "Europe/Berlin", QueueId: "support"})
		if r := one.GetRows(); len(r) != 1 || r[0].GetFigures().GetCallsReceived() != 7 {
			t.Errorf("support's week = %v", r)
		}
	})

	t.Run("February has 28 days, March starts at Berlin's midnight", func(t *testing.T) {
		feb := &analyticsv1.TimeRange{From: local(2027, 2, 1), To: local(2027, 3, 1)}
		h := history(&analyticsv1.GetHistoryRequest{Range: feb, Interval: analyticsv1.Interval_INTERVAL_DAY, TimeZone: "Europe/Berlin"})
		if r := h.GetRows(); len(r) != 1 || r[0].GetStart().AsTime().In(berlin).Format("01-02") != "02-28" || r[0].GetFigures().GetCallsReceived() != 5 {
			t.Errorf("February's rows = %v", r)
		}
		utcFeb := history(&analyticsv1.GetHistoryRequest{Interval: analyticsv1.Interval_INTERVAL_RANGE,
			Range: &analyticsv1.TimeRange{From: timestamppb.New(time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)), To: timestamppb.New(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC))}})
		if got := utcFeb.GetTotal().GetCallsReceived(); got != 12 {
			t.Errorf("February in UTC has %d calls, want both quarters' 12", got)
		}
	})

	t.Run("an empty period: no rows, a zero total", func(t *testing.T) {
		h := history(&analyticsv1.GetHistoryRequest{Range: &analyticsv1.TimeRange{From: local(2026, 12, 1), To: local(2027, 1, 1)},
			Interval: analyticsv1.Interval_INTERVAL_DAY, TimeZone: "Europe/Berlin"})
		if len(h.GetRows()) != 0 || h.GetTotal().GetCallsReceived() != 0 || h.GetTotal().ServiceLevel != nil {
			t.Errorf("empty month = %v", h)
		}
	})

	t.Run("the CSV of a week per queue", func(t *testing.T) {
		req := &analyticsv1.GetHistoryRequest{Range: week, Interval: analyticsv1.Interval_INTERVAL_RANGE, TimeZone: "Europe/Berlin", ByQueue: true}
		exp, err := admin.Analytics.ExportHistory(ctx, connect.NewRequest(&analyticsv1.ExportHistoryRequest{History: req}))
		if err != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(bytes.NewReader(exp.Msg.GetCsv())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := exp.Msg.GetFileName(); got != "tandem-center-by-queue-2026-10-19-to-2026-10-25-total.csv" {
			t.Errorf("file name %s", got)
		}
		d := slices.Index(records[0], "dispositions")
		if len(records) != 3 || records[1][0] != "2026-10-19T00:00:00+02:00" || records[1][1] != "sales" || records[2][1] != "support" || records[2][3] != "7" ||
			d < 0 || records[1][d] != "sale=1" || records[2][d] != "callback=1" {
			t.Errorf("csv = %q", records)
		}
		if i := slices.Index(records[0], "hold_time_ms"); i < 0 || records[2][i] != "12000" {
			t.Errorf("csv hold column %d in %q", i, records)
		}
	})

	t.Run("ranges too long for their rows, and bad ones, are refused naming the field", func(t *testing.T) {
		// October in Berlin is 31 days and an hour: a month of quarter-hours still.
		october := &analyticsv1.TimeRange{From: local(2026, 10, 1), To: local(2026, 11, 1)}
		if h := history(&analyticsv1.GetHistoryRequest{Range: october, Interval: analyticsv1.Interval_INTERVAL_15_MINUTES, TimeZone: "Europe/Berlin"}); h.GetTotal().GetCallsReceived() != 18 {
			t.Errorf("October's quarters add up to %d calls, want 18", h.GetTotal().GetCallsReceived())
		}
		for _, tc := range []struct {
			name  string
			req   *analyticsv1.GetHistoryRequest
			field string
		}{
			{"32 days of quarter-hours", &analyticsv1.GetHistoryRequest{Range: &analyticsv1.TimeRange{From: local(2026, 10, 1), To: local(2026, 11, 2)},
				Interval: analyticsv1.Interval_INTERVAL_15_MINUTES, TimeZone: "Europe/Berlin"}, "range"},
			{"93 days of hours", &analyticsv1.GetHistoryRequest{Range: &analyticsv1.TimeRange{From: local(2026, 10, 1), To: local(2027, 1, 2)},
				Interval: analyticsv1.Interval_INTERVAL_HOUR}, "range"},
			{"four years in one row", &analyticsv1.GetHistoryRequest{Range: &analyticsv1.TimeRange{From: local(2023, 1, 1), To: local(2027, 1, 2)},
				Interval: analyticsv1.Interval_INTERVAL_RANGE}, "range"},
			{"a range backwards", &analyticsv1.GetHistoryRequest{Range: &analyticsv1.TimeRange{From: local(2026, 10, 26), To: local(2026, 10, 19)},
				Interval: analyticsv1.Interval_INTERVAL_DAY}, "range"},
			{"no end", &analyticsv1.GetHistoryRequest{Range: &analyticsv1.TimeRange{From: local(2026, 10, 19)}, Interval: analyticsv1.Interval_INTERVAL_DAY}, "range"},
			{"no interval", &analyticsv1.GetHistoryRequest{Range: week}, "interval"},
			{"an unknown zone", &analyticsv1.GetHistoryRequest{Range: week, Interval: analyticsv1.Interval_INTERVAL_DAY, TimeZone: "Europe/Atlantis"}, "time_zone"},
			{"an operator's rows split by queue", &analyticsv1.GetHistoryRequest{Range: week, Interval: analyticsv1.Interval_INTERVAL_RANGE, OperatorId: "op-x", ByQueue: true}, "by_queue"},
		} {
			_, err := admin.Analytics.GetHistory(ctx, connect.NewRequest(tc.req))
			if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != tc.field {
				t.Errorf("%s: %v %q (%v), want invalid_argument naming %s", tc.name, code, field, err, tc.field)
			}
			_, err = admin.Analytics.ExportHistory(ctx, connect.NewRequest(&analyticsv1.ExportHistoryRequest{History: tc.req}))
			if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != "history."+tc.field {
				t.Errorf("%s, exported: %v %q, want invalid_argument naming history.%s", tc.name, code, field, tc.field)
			}
		}
	})
}
