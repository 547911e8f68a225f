package alerting_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/alerting"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
)

type received struct {
	header http.Header
	body   []byte
}

// TestWebhookSignedRetriedInOrder: a raise and a clear are POSTed signed with the webhook's
// secret (checked as the cloud's signatures are), the first after a 503 and one retry.
func TestWebhookSignedRetriedInOrder(t *testing.T) {
	got := make(chan received, 10)
	fail := 1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if fail > 0 {
			fail--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got <- received{r.Header.Clone(), body}
	}))
	defer srv.Close()
	signer, err := cloud.NewSigner("alert-webhook-secret")
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(start)
	hook := alerting.NewWebhook(alerting.WebhookConfig{URL: srv.URL, Signer: signer, Clock: clk, Backoff: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer hook.Close()
	raised := cc.Alert{ID: 7, Queue: "sales", Kind: cc.AlertWaiting, Value: 4, Threshold: 3, RaisedAt: start}
	cleared := raised
	cleared.ClearedAt = start.Add(time.Minute)
	hook.Send(raised)
	hook.Send(cleared)
	if err := clk.AwaitArmed(t.Context(), 1); err != nil { // the retry's wait
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	for i, want := range []struct {
		event, id string
		cleared   bool
	}{{"alert.raised", "alert.raised-7", false}, {"alert.cleared", "alert.cleared-7", true}} {
		r := <-got
		verifier, _ := cloud.NewSigner("alert-webhook-secret")
		id, err := verifier.Verify(r.header, r.body, clk.Now())
		if err != nil || id != want.id {
			t.Fatalf("post %d: signature %v, id %q", i, err, id)
		}
		wrong, _ := cloud.NewSigner("another-secret")
		if _, err := wrong.Verify(r.header, r.body, clk.Now()); err == nil {
			t.Fatalf("post %d verifies with another secret", i)
		}
		var body alerting.WebhookAlert
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Event != want.event || body.AlertID != 7 || body.QueueID != "sales" || body.Kind != "waiting" || body.Value != 4 ||
			body.Threshold != 3 || !body.RaisedAt.Equal(start) || (body.ClearedAt != nil) != want.cleared {
			t.Fatalf("post %d: %s", i, r.body)
		}
	}
}

// TestWebhookDownNeverBlocks: with the webhook hanging, Send still returns at once, past its
// queue too (the excess is dropped).
func TestWebhookDownNeverBlocks(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer srv.Close()
	defer close(hang)
	signer, _ := cloud.NewSigner("s")
	hook := alerting.NewWebhook(alerting.WebhookConfig{URL: srv.URL, Signer: signer, Clock: clock.NewFake(start),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer hook.Close()
	for i := range 1000 {
		hook.Send(cc.Alert{ID: int64(i), Queue: "sales", Kind: cc.AlertWaiting, RaisedAt: start})
	}
}
