package alerting_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/alerting"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/cloud"
)

type received struct {
	header http.Header
	body   []byte
}

// receiver is an alert webhook's receiver; it answers 503 while down.
type receiver struct {
	srv  *httptest.Server
	got  chan received
	mu   sync.Mutex
	down int // how many POSTs to refuse; -1: all
}

func newReceiver(t *testing.T, down int) *receiver {
	r := &receiver{got: make(chan received, 100), down: down}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		refuse := r.down != 0
		if r.down > 0 {
			r.down--
		}
		r.mu.Unlock()
		if refuse {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		r.got <- received{req.Header.Clone(), body}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) setDown(n int) {
	r.mu.Lock()
	r.down = n
	r.mu.Unlock()
}

// next returns the next POST taken, verified with the webhook's secret, and its body.
func (r *receiver) next(t *testing.T, now time.Time) (string, alerting.WebhookAlert) {
	t.Helper()
	var p received
	select {
	case p = <-r.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no POST")
	}
	verifier, _ := cloud.NewSigner("alert-webhook-secret")
	id, err := verifier.Verify(p.header, p.body, now)
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	wrong, _ := cloud.NewSigner("another-secret")
	if _, err := wrong.Verify(p.header, p.body, now); err == nil {
		t.Fatal("a POST verifies with another secret")
	}
	var body alerting.WebhookAlert
	if err := json.Unmarshal(p.body, &body); err != nil {
		t.Fatal(err)
	}
	return id, body
}

func (r *receiver) nothingMore(t *testing.T) {
	t.Helper()
	select {
	case p := <-r.got:
		t.Fatalf("unexpected POST %s", p.body)
	case <-time.After(200 * time.Millisecond):
	}
}

func startHook(t *testing.T, w *world, r *receiver) *alerting.Webhook {
	signer, err := cloud.NewSigner("alert-webhook-secret")
	if err != nil {
		t.Fatal(err)
	}
	return alerting.NewWebhook(alerting.WebhookConfig{URL: r.srv.URL, Signer: signer, Outbox: w.db, Clock: w.clock, Backoff: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// raise stores an alert raised now, as the watch does.
func (w *world) raise(a cc.Alert) cc.Alert {
	w.t.Helper()
	a.RaisedAt = w.clock.Now()
	id, err := w.db.RaiseAlert(w.t.Context(), a)
	if err != nil {
		w.t.Fatal(err)
	}
	a.ID = id
	return a
}

func (w *world) unsent() []cc.AlertEvent {
	w.t.Helper()
	events, err := w.db.UnsentAlertEvents(w.t.Context(), start.Add(-time.Hour), 100)
	if err != nil {
		w.t.Fatal(err)
	}
	return events
}

// allSent waits until the webhook has marked everything sent (it marks each event after its
// receiver took it).
func (w *world) allSent() {
	w.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); len(w.unsent()) != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			w.t.Fatalf("unsent: %+v", w.unsent())
		}
	}
}

// TestWebhookSignedRetriedInOrder: a raise and a clear are POSTed in order, signed with the
// webhook's secret (checked as the cloud's signatures are), the first after a 503 and a retry
// a second later; both are then marked sent.
func TestWebhookSignedRetriedInOrder(t *testing.T) {
	w := newWorld(t)
	r := newReceiver(t, 1)
	a := w.raise(cc.Alert{Queue: "sales", Kind: cc.AlertWaiting, Value: 4, Threshold: 3})
	if err := w.db.ClearAlert(t.Context(), a.ID, start.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	hook := startHook(t, w, r)
	defer hook.Close()
	if err := w.clock.AwaitArmed(t.Context(), 1); err != nil { // the retry's wait
		t.Fatal(err)
	}
	w.clock.Advance(time.Second)
	for i, want := range []struct {
		event   string
		cleared bool
	}{{"alert.raised", false}, {"alert.cleared", true}} {
		id, body := r.next(t, w.clock.Now())
		if id != want.event+"-"+strconv.FormatInt(a.ID, 10) {
			t.Fatalf("post %d: id %q", i, id)
		}
		if body.Event != want.event || body.AlertID != a.ID || body.QueueID != "sales" || body.Kind != "waiting" || body.Value != 4 ||
			body.Threshold != 3 || !body.RaisedAt.Equal(start) || (body.ClearedAt != nil) != want.cleared {
			t.Fatalf("post %d: %+v", i, body)
		}
	}
	r.nothingMore(t)
	w.allSent()
}

// TestWebhookSendsWhatARestartLeft: an alert raised while the receiver is down is still sent
// after a restart (by the next server's webhook), once; one raised later is sent too.
func TestWebhookSendsWhatARestartLeft(t *testing.T) {
	w := newWorld(t)
	r := newReceiver(t, -1)
	hook := startHook(t, w, r)
	a := w.raise(cc.Alert{Queue: "sales", Kind: cc.AlertLongestWait, Value: 95, Threshold: 90})
	hook.Send(a)
	if err := w.clock.AwaitArmed(t.Context(), 1); err != nil { // refused: waiting to retry
		t.Fatal(err)
	}
	hook.Close()
	if len(w.unsent()) != 1 {
		t.Fatalf("unsent after the refusal: %+v", w.unsent())
	}

	// The restart: a new store and webhook; the receiver is back.
	w.open()
	r.setDown(0)
	w.clock.Advance(10 * time.Minute)
	hook = startHook(t, w, r)
	if id, body := r.next(t, w.clock.Now()); id != "alert.raised-"+strconv.FormatInt(a.ID, 10) || body.Kind != "longest_wait" {
		t.Fatalf("after the restart: %q %+v", id, body)
	}
	b := w.raise(cc.Alert{Queue: "sales", Kind: cc.AlertWaiting, Value: 9, Threshold: 8})
	hook.Send(b)
	if id, _ := r.next(t, w.clock.Now()); id != "alert.raised-"+strconv.FormatInt(b.ID, 10) {
		t.Fatalf("the next alert: %q", id)
	}
	w.allSent()
	hook.Close()
	w.open()
	hook = startHook(t, w, r)
	defer hook.Close()
	r.nothingMore(t) // a further restart sends nothing twice
}

// TestWebhookGivesUpOnAnHourOldAlert: a receiver down for over an hour does not get the stale
// alert when it is back, but the ones after it.
func TestWebhookGivesUpOnAnHourOldAlert(t *testing.T) {
	w := newWorld(t)
	r := newReceiver(t, -1)
	stale := w.raise(cc.Alert{Queue: "sales", Kind: cc.AlertWaiting, Value: 4, Threshold: 3})
	hook := startHook(t, w, r)
	defer hook.Close()
	// Retries after 1, 2, 4 … 60 s: about an hour of them.
	for w.clock.Now().Sub(start) < time.Hour {
		if err := w.clock.AwaitArmed(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Minute)
	}
	// The hour is up at this last wake-up: the stale alert is dropped, not tried again.
	r.setDown(0)
	fresh := w.raise(cc.Alert{Queue: "sales", Kind: cc.AlertLongestWait, Value: 95, Threshold: 90})
	hook.Send(fresh)
	if id, _ := r.next(t, w.clock.Now()); id != "alert.raised-"+strconv.FormatInt(fresh.ID, 10) {
		t.Fatalf("after an hour down: %q, want the fresh alert (stale %d)", id, stale.ID)
	}
	r.nothingMore(t)
	w.allSent()
}

// TestWebhookDownNeverBlocks: with the receiver hanging, Send still returns at once.
func TestWebhookDownNeverBlocks(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer srv.Close()
	defer close(hang)
	w := newWorld(t)
	signer, _ := cloud.NewSigner("s")
	hook := alerting.NewWebhook(alerting.WebhookConfig{URL: srv.URL, Signer: signer, Outbox: w.db, Clock: w.clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer hook.Close()
	for i := range 1000 {
		hook.Send(w.raise(cc.Alert{Queue: "sales", Kind: cc.AlertWaiting, Value: float64(i)}))
	}
}
