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

// WebhookConfig configures a Webhook. URL and Signer are required.
type WebhookConfig struct {
	URL string
	// Signer signs each POST as Tandem signs its commands to the cloud (Standard Webhooks
	// headers), with the webhook's own secret.
	Signer *cloud.Signer
	// Client sends the POSTs. Default: a 10 s timeout.
	Client *http.Client
	Clock  clock.Clock
	// Attempts per alert (default 5), waiting Backoff (default 1 s) before the first retry,
	// doubling after each.
	Attempts int
	Backoff  time.Duration
	Logger   *slog.Logger
}

// webhookQueue is how many alerts may wait to be sent; past it the newest are dropped (and
// logged): a webhook that is down never holds up the watch.
const webhookQueue = 256

// Webhook POSTs every alert raised or cleared, as JSON, signed, in order, retrying a failed POST
// a bounded number of times. Send never blocks.
type Webhook struct {
	cfg  WebhookConfig
	in   chan cc.Alert
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

// NewWebhook starts a webhook's sender; Close stops it.
func NewWebhook(cfg WebhookConfig) *Webhook {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	w := &Webhook{cfg: cfg, in: make(chan cc.Alert, webhookQueue), stop: make(chan struct{})}
	w.done.Add(1)
	go w.run()
	return w
}

// Send queues an alert to be POSTed; when the queue is full it is dropped and logged.
func (w *Webhook) Send(a cc.Alert) {
	select {
	case w.in <- a:
	default:
		w.cfg.Logger.Error("alert webhook behind: alert not sent", "id", a.ID, "queue", a.Queue, "kind", a.Kind)
	}
}

// Close stops sending; alerts still queued are not sent.
func (w *Webhook) Close() {
	close(w.stop)
	w.done.Wait()
}

func (w *Webhook) run() {
	defer w.done.Done()
	for {
		select {
		case <-w.stop:
			return
		case a := <-w.in:
			w.deliver(a)
		}
	}
}

func (w *Webhook) deliver(a cc.Alert) {
	body := WebhookAlert{Event: "alert.raised", AlertID: a.ID, QueueID: string(a.Queue), Kind: string(a.Kind), OperatorID: string(a.Operator),
		Value: a.Value, Threshold: a.Threshold, RaisedAt: a.RaisedAt, AcknowledgedBy: a.AckedBy}
	if !a.Open() {
		body.Event, body.ClearedAt = "alert.cleared", &a.ClearedAt
	}
	data, err := json.Marshal(body)
	if err != nil {
		w.cfg.Logger.Error("alert webhook", "err", err)
		return
	}
	// One id per event, the same on every attempt: the receiver can drop a repeat.
	id := body.Event + "-" + strconv.FormatInt(a.ID, 10)
	wait := w.cfg.Backoff
	for attempt := 1; ; attempt++ {
		err := w.post(id, data)
		if err == nil {
			return
		}
		if attempt == w.cfg.Attempts {
			w.cfg.Logger.Error("alert webhook: gave up", "id", id, "attempts", attempt, "err", err)
			return
		}
		w.cfg.Logger.Warn("alert webhook: will retry", "id", id, "attempt", attempt, "err", err)
		select {
		case <-w.stop:
			return
		case <-w.cfg.Clock.After(wait):
		}
		wait *= 2
	}
}

func (w *Webhook) post(id string, body []byte) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-w.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
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
