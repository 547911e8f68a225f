package storetest

import (
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// Alerts: raised, cleared once, acknowledged once, listed open or since a time, kept on reopen.
func (st suite) Alerts(t *testing.T) {
	ctx := t.Context()
	open := st.open(t)
	db, err := open(ctx)
	must(t, err)
	waiting := callcenter.Alert{Queue: "sales", Kind: callcenter.AlertWaiting, Value: 4, Threshold: 3, RaisedAt: at(0)}
	misses := callcenter.Alert{Queue: "sales", Kind: callcenter.AlertMissesInRow, Operator: "ann", Value: 2, Threshold: 2, RaisedAt: at(time.Minute)}
	id1, err := db.RaiseAlert(ctx, waiting)
	must(t, err)
	id2, err := db.RaiseAlert(ctx, misses)
	must(t, err)
	if id1 <= 0 || id2 <= id1 {
		t.Fatalf("ids %d, %d", id1, id2)
	}
	waiting.ID, misses.ID = id1, id2
	must(t, db.ClearAlert(ctx, id1, at(2*time.Minute)))
	must(t, db.ClearAlert(ctx, id1, at(3*time.Minute))) // the first clearing stays
	waiting.ClearedAt = at(2 * time.Minute)
	got, err := db.AcknowledgeAlert(ctx, id2, "sup", at(4*time.Minute))
	must(t, err)
	misses.AckedBy, misses.AckedAt = "sup", at(4*time.Minute)
	equal(t, "acknowledged", got, misses)
	got, err = db.AcknowledgeAlert(ctx, id2, "other", at(5*time.Minute))
	must(t, err)
	equal(t, "acknowledged twice keeps the first", got, misses)
	_, err = db.AcknowledgeAlert(ctx, 999, "sup", at(0))
	wantErr(t, err, callcenter.CodeNotFound, "alert_id")

	must(t, db.Close())
	db, err = open(ctx)
	must(t, err)
	t.Cleanup(func() { _ = db.Close() })
	all, err := db.Alerts(ctx, callcenter.AlertQuery{})
	must(t, err)
	equal(t, "all, newest first, after a reopen", all, []callcenter.Alert{misses, waiting})
	openOnes, err := db.Alerts(ctx, callcenter.AlertQuery{OpenOnly: true})
	must(t, err)
	equal(t, "open", openOnes, []callcenter.Alert{misses})
	recent, err := db.Alerts(ctx, callcenter.AlertQuery{Since: at(30 * time.Second)})
	must(t, err)
	equal(t, "since: raised after, or still open", recent, []callcenter.Alert{misses})
	one, err := db.Alerts(ctx, callcenter.AlertQuery{Limit: 1})
	must(t, err)
	equal(t, "limit", one, []callcenter.Alert{misses})
}

// AlertWebhookOutbox: raisings and clearings not marked sent come back oldest first (a raising
// before its clearing, the newer ones after a limit's cut), from since on; marked ones do not,
// and the marks survive a reopen.
func (st suite) AlertWebhookOutbox(t *testing.T) {
	ctx := t.Context()
	open := st.open(t)
	db, err := open(ctx)
	must(t, err)
	old := callcenter.Alert{Queue: "sales", Kind: callcenter.AlertWaiting, Value: 4, Threshold: 3, RaisedAt: at(0)}
	first := callcenter.Alert{Queue: "sales", Kind: callcenter.AlertLongestWait, Value: 95, Threshold: 90, RaisedAt: at(time.Hour)}
	second := callcenter.Alert{Queue: "support", Kind: callcenter.AlertWaiting, Value: 9, Threshold: 8, RaisedAt: at(time.Hour + time.Minute)}
	for _, a := range []*callcenter.Alert{&old, &first, &second} {
		a.ID, err = db.RaiseAlert(ctx, *a)
		must(t, err)
	}
	must(t, db.ClearAlert(ctx, first.ID, at(time.Hour+2*time.Minute)))
	first.ClearedAt = at(time.Hour + 2*time.Minute)
	since := at(30 * time.Minute) // old is older: not sent any more

	got, err := db.UnsentAlertEvents(ctx, since, 10)
	must(t, err)
	equal(t, "unsent", got, []callcenter.AlertEvent{{Alert: first}, {Alert: second}, {Alert: first, Cleared: true}})
	got, err = db.UnsentAlertEvents(ctx, since, 2)
	must(t, err)
	equal(t, "unsent, limited", got, []callcenter.AlertEvent{{Alert: first}, {Alert: second}})

	must(t, db.AlertEventSent(ctx, callcenter.AlertEvent{Alert: first}, at(time.Hour+3*time.Minute)))
	must(t, db.AlertEventSent(ctx, callcenter.AlertEvent{Alert: first, Cleared: true}, at(time.Hour+3*time.Minute)))
	must(t, db.Close())
	db, err = open(ctx)
	must(t, err)
	t.Cleanup(func() { _ = db.Close() })
	got, err = db.UnsentAlertEvents(ctx, since, 10)
	must(t, err)
	equal(t, "after marks and a reopen", got, []callcenter.AlertEvent{{Alert: second}})
	// second's clearing is a new event, unsent though its raising was sent.
	must(t, db.AlertEventSent(ctx, callcenter.AlertEvent{Alert: second}, at(time.Hour+4*time.Minute)))
	must(t, db.ClearAlert(ctx, second.ID, at(time.Hour+5*time.Minute)))
	second.ClearedAt = at(time.Hour + 5*time.Minute)
	got, err = db.UnsentAlertEvents(ctx, since, 10)
	must(t, err)
	equal(t, "a clearing after its raising was sent", got, []callcenter.AlertEvent{{Alert: second, Cleared: true}})
}
