// Package metrics exposes Tandem for Prometheus: the live floor (calls waiting, longest wait,
// operators by state, today's service level) read from the switchboard at each scrape, the
// calls and offers counted since the process started, and the API's latencies.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Source is where the figures come from: the switchboard.
type Source interface {
	Floor(ctx context.Context) (analytics.Floor, error)
	SinceStart(ctx context.Context) (map[cc.QueueID]cc.Figures, error)
}

// Metrics is the registry and what feeds it.
type Metrics struct {
	registry *prometheus.Registry
	rpc      *prometheus.HistogramVec
}

// New registers the collectors.
func New(src Source) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		rpc: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tandem_rpc_duration_seconds",
			Help:    "Time to answer an RPC (unary) or to end a stream, by procedure and Connect code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"procedure", "code"}),
	}
	m.registry.MustRegister(m.rpc, floorCollector{src}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Counter adds a counter read from value at each scrape (a total since the process started).
func (m *Metrics) Counter(name, help string, value func() float64) {
	m.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, value))
}

// Gauge adds a gauge read from value at each scrape.
func (m *Metrics) Gauge(name, help string, value func() float64) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, value))
}

// Handler serves the registry in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Interceptor times every RPC.
func (m *Metrics) Interceptor() connect.Interceptor { return rpcTimer{m.rpc} }

type rpcTimer struct{ h *prometheus.HistogramVec }

func code(err error) string {
	if err == nil {
		return "ok"
	}
	return connect.CodeOf(err).String()
}

func (t rpcTimer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		start := time.Now()
		res, err := next(ctx, req)
		t.h.WithLabelValues(req.Spec().Procedure, code(err)).Observe(time.Since(start).Seconds())
		return res, err
	}
}

func (rpcTimer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (t rpcTimer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		start := time.Now()
		err := next(ctx, conn)
		t.observe(conn, start, err)
		return err
	}
}

// observe times a stream that ended. It is a function of its own so that the frame the
// interceptor keeps under every open stream is small (see presence's WatchOperator).
//
//go:noinline
func (t rpcTimer) observe(conn connect.StreamingHandlerConn, start time.Time, err error) {
	t.h.WithLabelValues(conn.Spec().Procedure, code(err)).Observe(time.Since(start).Seconds())
}

var (
	waitingDesc   = prometheus.NewDesc("tandem_calls_waiting", "Callers waiting on the line in the queue now (callbacks apart).", []string{"queue"}, nil)
	callbacksDesc = prometheus.NewDesc("tandem_callbacks_waiting", "Callbacks in the queue's line now (nobody on the line).", []string{"queue"}, nil)
	connectedDesc = prometheus.NewDesc("tandem_calls_connected", "Calls talking now.", []string{"queue"}, nil)
	longestDesc   = prometheus.NewDesc("tandem_longest_wait_seconds", "How long the longest-waiting call has waited.", []string{"queue"}, nil)
	operatorsDesc = prometheus.NewDesc("tandem_operators", "Operators serving the queue, by state.", []string{"queue", "state"}, nil)
	slDesc        = prometheus.NewDesc("tandem_service_level_today", "Today's service level (0..1) by the queue's rule; absent before the first call.", []string{"queue"}, nil)
	slTargetDesc  = prometheus.NewDesc("tandem_service_level_target", "The queue's service-level target (0..1).", []string{"queue"}, nil)
	callsDesc     = prometheus.NewDesc("tandem_calls_total", "Calls finished since the process started, by outcome (answered, abandoned, lost, other).", []string{"queue", "outcome"}, nil)
	offersDesc    = prometheus.NewDesc("tandem_offers_total", "Offers made since the process started.", []string{"queue"}, nil)
	missedDesc    = prometheus.NewDesc("tandem_offers_missed_total", "Offers that failed or expired since the process started.", []string{"queue"}, nil)
	overflowDesc  = prometheus.NewDesc("tandem_calls_overflowed_total", "Calls sent to a spare number since the process started.", []string{"queue"}, nil)
	states        = []cc.OperatorState{cc.OperatorReady, cc.OperatorReserved, cc.OperatorOnCall, cc.OperatorWrapUp, cc.OperatorAway, cc.OperatorBanned, cc.OperatorOffline}
)

// floorCollector reads the switchboard at each scrape.
type floorCollector struct{ src Source }

func (floorCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{waitingDesc, callbacksDesc, connectedDesc, longestDesc, operatorsDesc, slDesc, slTargetDesc, callsDesc, offersDesc, missedDesc, overflowDesc} {
		ch <- d
	}
}

func (c floorCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	floor, err := c.src.Floor(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(waitingDesc, err)
		return
	}
	for _, q := range floor.Queues {
		id := string(q.ID)
		ch <- prometheus.MustNewConstMetric(waitingDesc, prometheus.GaugeValue, float64(len(q.Waiting)), id)
		ch <- prometheus.MustNewConstMetric(callbacksDesc, prometheus.GaugeValue, float64(len(q.Callbacks)), id)
		ch <- prometheus.MustNewConstMetric(connectedDesc, prometheus.GaugeValue, float64(q.Connected), id)
		longest := 0.0
		for _, w := range q.Waiting {
			longest = max(longest, floor.At.Sub(w.Call.ArrivedAt).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(longestDesc, prometheus.GaugeValue, longest, id)
		for _, st := range states {
			ch <- prometheus.MustNewConstMetric(operatorsDesc, prometheus.GaugeValue, float64(q.States[st]), id, string(st))
		}
		if sl, ok := q.Today.ServiceLevel(q.ServiceLevel.Abandoned); ok {
			ch <- prometheus.MustNewConstMetric(slDesc, prometheus.GaugeValue, sl, id)
		}
		ch <- prometheus.MustNewConstMetric(slTargetDesc, prometheus.GaugeValue, float64(q.ServiceLevel.Target)/100, id)
	}
	totals, err := c.src.SinceStart(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(callsDesc, errors.Join(errors.New("totals"), err))
		return
	}
	for q, f := range totals {
		id := string(q)
		other := f.CallsReceived - f.CallsAnswered - f.CallsAbandoned - f.CallsLost
		for outcome, n := range map[string]int64{"answered": f.CallsAnswered, "abandoned": f.CallsAbandoned, "lost": f.CallsLost, "other": max(other, 0)} {
			ch <- prometheus.MustNewConstMetric(callsDesc, prometheus.CounterValue, float64(n), id, outcome)
		}
		ch <- prometheus.MustNewConstMetric(offersDesc, prometheus.CounterValue, float64(f.OffersMade), id)
		ch <- prometheus.MustNewConstMetric(missedDesc, prometheus.CounterValue, float64(f.OffersMissed), id)
		ch <- prometheus.MustNewConstMetric(overflowDesc, prometheus.CounterValue, float64(f.CallsOverflowed), id)
	}
}
