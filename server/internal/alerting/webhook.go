package alerting

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
)

// Outbox is where the webhook finds what to send: the stored alerts whose raising or clearing
// it has not POSTed yet. A restart, or a receiver down for a while, loses nothing.
type Outbox interface {
	UnsentAlertEvents(ctx context.Context, since time.Time, limit int) ([]cc.AlertEvent, error)
	AlertEventSent(ctx context.Context, e cc.AlertEvent, at time.Time) error
}

// WebhookConfig configures a Webhook. URL, Signer and Outbox are required.
type WebhookConfig struct {
	URL string
	// Signer signs each POST as Tandem signs its commands to the cloud (Standard Webhooks
	// headers), with the webhook's own secret.
	Signer *cloud.Signer
	Outbox Outbox
	// Client sends the POSTs. Default: a 10 s timeout.
	Client *http.Client
	Clock  clock.Clock
	// A failed POST is tried again after Backoff (default 1 s), doubling up to a minute, for as
	// long as the event is younger than GiveUpAfter (default an hour): after that the alert is
	// old news, and is logged, not sent.
	Backoff     time.Duration
	GiveUpAfter time.Duration
	Logger      *slog.Logger
}

// webhookBatch is how many events are read from the outbox at a time.
const webhookBatch = 100

// maxBackoff is the longest wait between two tries of a POST.
const maxBackoff = time.Minute

// Webhook POSTs every alert raised or cleared, as JSON, signed, in order, from the store's
// outbox: it sends what is not marked sent, marks each once its receiver took it, and tries a
// failed POST again, spaced, until it is an hour old. Send (a new alert stored) never blocks.
type Webhook struct {
	cfg  WebhookConfig
	wake chan struct{}
	stop chan struct{}
	done sync.WaitGroup
}

// WebhookAlert is the JSON body of a webhook POST.
type WebhookAlert struct {
	// Event is "alert.raised" or "alert.cleared".
	Event          string     `json:"event"`
	AlertID        int64      `json:"alert_id"`
	QueueID        string     `json:"queue_id"`
	Kind           string     `json:"kind"`
	OperatorID     string     `json:"operator_id,omitempty"`
	Value          float64    `json:"value"`
	Threshold      float64    `json:"threshold"`
	RaisedAt       time.Time  `json:"raised_at"`
	ClearedAt      *time.Time `json:"cleared_at,omitempty"`
	AcknowledgedBy string     `json:"acknowledged_by,omitempty"`
}

// NewWebhook starts a webhook's sender, which sends at once what the outbox holds; Close stops it.
func NewWebhook(cfg WebhookConfig) *Webhook {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.GiveUpAfter <= 0 {
		cfg.GiveUpAfter = time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	w := &Webhook{cfg: cfg, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	w.done.Add(1)
	go w.run()
	return w
}

// Send tells the sender an alert was stored raised or cleared; it sends it from the outbox.
func (w *Webhook) Send(cc.Alert) {
	select {
	case w.wake <- struct{}{}:
	default: // already told
	}
}

// Close stops sending; what is unsent stays in the outbox for the next start.
func (w *Webhook) Close() {
	close(w.stop)
	w.done.Wait()
}

func (w *Webhook) run() {
	defer w.done.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-w.stop
		cancel()
	}()
	wait := w.cfg.Backoff
	for {
		err := w.sendAll(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			wait = w.cfg.Backoff
			select {
			case <-w.stop:
				return
			case <-w.wake:
			}
			continue
		}
		w.cfg.Logger.Warn("alert webhook: will retry", "in", wait, "err", err)
		select {
		case <-w.stop:
			return
		case <-w.cfg.Clock.After(wait):
		}
		wait = min(2*wait, maxBackoff)
	}
}

// sendAll sends the outbox's events in order until none is left, or one fails.
func (w *Webhook) sendAll(ctx context.Context) error {
	for {
		now := w.cfg.Clock.Now()
		events, err := w.cfg.Outbox.UnsentAlertEvents(ctx, now.Add(-w.cfg.GiveUpAfter), webhookBatch)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		for _, e := range events {
			if now.Sub(e.At()) >= w.cfg.GiveUpAfter { // went stale while the ones before were tried
				w.cfg.Logger.Error("alert webhook: gave up, too old", "id", eventID(e))
			} else if err := w.post(ctx, e); err != nil {
				return fmt.Errorf("%s: %w", eventID(e), err)
			}
			// Taken: marked even while stopping, or the next start sends it again.
			if err := w.cfg.Outbox.AlertEventSent(context.WithoutCancel(ctx), e, w.cfg.Clock.Now()); err != nil {
				return err
			}
		}
	}
}

// eventID is the event's id, the same on every try: the receiver can drop a repeat.
func eventID(e cc.AlertEvent) string {
	if e.Cleared {
		return "alert.cleared-" + strconv.FormatInt(e.Alert.ID, 10)
	}
	return "alert.raised-" + strconv.FormatInt(e.Alert.ID, 10)
}

func (w *Webhook) post(ctx context.Context, e cc.AlertEvent) error {
	a := e.Alert
	event := WebhookAlert{Event: "alert.raised", AlertID: a.ID, QueueID: string(a.Queue), Kind: string(a.Kind), OperatorID: string(a.Operator),
		Value: a.Value, Threshold: a.Threshold, RaisedAt: a.RaisedAt, AcknowledgedBy: a.AckedBy}
	if e.Cleared {
		event.Event, event.ClearedAt = "alert.cleared", &a.ClearedAt
	}
	body, err := json.Marshal(event)
	if err != nil {
		return err
	}
	id := eventID(e)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	w.cfg.Signer.SignRequest(req, id, w.cfg.Clock.Now(), body)
	res, err := w.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	_ = res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d", res.StatusCode)
	}
	return nil
}
