package bench

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	tandem "github.com/tandemcc/tandem/clients/go"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

// PresenceResult is phase 3.
type PresenceResult struct {
	Streams        int     `json:"streams_held"`
	OpenSeconds    float64 `json:"open_seconds"`     // to open them all
	BytesPerStream int64   `json:"bytes_per_stream"` // server RSS growth ÷ streams
	ServerRSS      int64   `json:"server_rss_bytes"`
	FanoutP50      float64 `json:"fanout_p50_ms"` // one change per operator: request → delivered on his stream
	FanoutP99      float64 `json:"fanout_p99_ms"`
	FanoutAll      float64 `json:"fanout_all_ms"` // first request → the last watcher has his change
	Delivered      int     `json:"delivered"`
	// One WatchWallboard stream (every queue and operator) held through the wave: its frames,
	// the biggest, and how long after the wave's last GoReady was answered it showed every
	// operator ready.
	WallboardFrames   int     `json:"wallboard_frames"`
	WallboardMaxBytes int     `json:"wallboard_max_frame_bytes"`
	WallboardLagMS    float64 `json:"wallboard_lag_ms"`
	Wallboard         string  `json:"wallboard,omitempty"` // what went wrong with it, if anything
}

// runPresence opens n OperatorPresence streams on one server, then has every operator press
// Ready (64 at a time, each with his own token) and times each change's way to his stream.
func runPresence(ctx context.Context, cfg Config, dir string, logf func(string, ...any)) (PresenceResult, error) {
	res := PresenceResult{}
	n := cfg.Streams
	db := filepath.Join(dir, "presence.db")
	ops, err := seedDB(ctx, db, seed{queues: 50, operators: n, skills: 3, wrapUp: time.Minute})
	if err != nil {
		return res, err
	}
	srv, err := startServer(ctx, cfg, dir, db)
	if err != nil {
		return res, err
	}
	defer srv.stop()
	time.Sleep(500 * time.Millisecond)
	before := rss(srv.cmd.Process.Pid)

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	conns := max(n/500, 1)
	hcs := make([]*http.Client, conns)
	for i := range hcs {
		hcs[i] = h2cClient()
	}
	defer func() {
		for _, h := range hcs {
			h.CloseIdleConnections()
		}
	}()
	sendAt := make([]atomic.Int64, n)
	fan := &latencies{}
	var opened, delivered atomic.Int64
	var lastDelivery atomic.Int64
	var streamErr atomic.Value
	var wg sync.WaitGroup
	clients := make([]*tandem.Client, n)
	start := time.Now()
	for i := range n {
		clients[i] = tandem.New(srv.url, tandem.WithToken(ops.tokens[i]), tandem.WithHTTPClient(hcs[i%conns]))
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := clients[i].Presence.WatchOperator(sctx, connect.NewRequest(&presencev1.WatchOperatorRequest{OperatorId: string(ops.operators[i])}))
			if err != nil {
				streamErr.Store(err.Error())
				return
			}
			defer st.Close()
			first := true
			for st.Receive() {
				s := st.Msg().GetSnapshot()
				if s == nil {
					s = st.Msg().GetChanged()
				}
				if s == nil {
					continue
				}
				if first {
					first = false
					opened.Add(1)
				}
				if s.GetState() == commonv1.OperatorState_OPERATOR_STATE_READY {
					if t := sendAt[i].Swap(0); t != 0 {
						now := time.Now()
						fan.add(now.Sub(time.Unix(0, t)))
						delivered.Add(1)
						lastDelivery.Store(now.UnixNano())
					}
				}
			}
			if err := st.Err(); err != nil && sctx.Err() == nil {
				streamErr.Store(err.Error())
			}
		}()
	}
	deadline := time.Now().Add(max(2*cfg.Duration, 2*time.Minute))
	for opened.Load() < int64(n) && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	res.Streams = int(opened.Load())
	res.OpenSeconds = time.Since(start).Seconds()
	time.Sleep(time.Second) // let the server settle (and its GC run) before measuring memory
	res.ServerRSS = rss(srv.cmd.Process.Pid)
	if res.Streams > 0 {
		res.BytesPerStream = (res.ServerRSS - before) / int64(res.Streams)
	}
	logf("  %d streams open in %.1f s; server RSS %d MiB (%d bytes per stream)", res.Streams, res.OpenSeconds, res.ServerRSS>>20, res.BytesPerStream)
	if cfg.ProfileDir != "" {
		srv.snapshot(cfg.ProfileDir, "presence", "heap", "goroutine", "heap?debug=1")
	}
	if res.Streams < n {
		cancel()
		wg.Wait()
		return res, fmt.Errorf("only %d of %d streams opened: %v", res.Streams, n, streamErr.Load())
	}

	// A wallboard watching everyone, held through the wave.
	wb := watchWallboard(sctx, tandem.New(srv.url, tandem.WithToken(benchAdminKey), tandem.WithHTTPClient(hcs[0])), n)

	// The wave: every operator presses Ready.
	var prof chan struct{}
	if cfg.ProfileDir != "" {
		prof = srv.profile(cfg.ProfileDir, "presence-wave", 5*time.Second)
	}
	waveStart := time.Now()
	next := atomic.Int64{}
	var reqErr atomic.Value
	var workers sync.WaitGroup
	for range cfg.Workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				sendAt[i].Store(time.Now().UnixNano())
				if _, err := clients[i].Presence.GoReady(sctx, connect.NewRequest(&presencev1.GoReadyRequest{OperatorId: string(ops.operators[i])})); err != nil {
					reqErr.Store(err.Error())
				}
			}
		}()
	}
	workers.Wait()
	waveEnd := time.Now()
	deadline = time.Now().Add(30 * time.Second)
	for delivered.Load() < int64(n) && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	if prof != nil {
		<-prof
	}
	res.Delivered = int(delivered.Load())
	if t := lastDelivery.Load(); t != 0 {
		res.FanoutAll = ms(time.Unix(0, t).Sub(waveStart))
	}
	p := fan.percentiles(0.5, 0.99)
	res.FanoutP50, res.FanoutP99 = ms(p[0]), ms(p[1])
	logf("  a change for each of %d operators: delivered %d, p50 %.1f ms, p99 %.1f ms, all in %.0f ms", n, res.Delivered, res.FanoutP50, res.FanoutP99, res.FanoutAll)
	select {
	case <-wb.allReady:
	case <-time.After(5 * time.Second):
	}
	res.WallboardFrames, res.WallboardMaxBytes = int(wb.frames.Load()), int(wb.maxBytes.Load())
	if t := wb.allReadyAt.Load(); t != 0 {
		res.WallboardLagMS = ms(time.Unix(0, t).Sub(waveEnd))
		logf("  one wallboard stream: %d frames (the biggest %d KiB), every operator ready on it %.0f ms after the last GoReady was answered",
			res.WallboardFrames, res.WallboardMaxBytes>>10, res.WallboardLagMS)
	} else {
		res.Wallboard = fmt.Sprintf("did not show every operator ready (%d frames): %v", res.WallboardFrames, wb.err.Load())
		logf("  wallboard: %s", res.Wallboard)
	}
	cancel()
	wg.Wait()
	if e := reqErr.Load(); e != nil {
		return res, fmt.Errorf("GoReady: %v", e)
	}
	return res, nil
}

// wallboard is a WatchWallboard stream of every queue and operator, following how many
// operators are ready.
type wallboard struct {
	frames, maxBytes, allReadyAt atomic.Int64
	allReady                     chan struct{}
	err                          atomic.Value
}

func watchWallboard(ctx context.Context, c *tandem.Client, operators int) *wallboard {
	wb := &wallboard{allReady: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		st, err := c.Analytics.WatchWallboard(ctx, connect.NewRequest(&analyticsv1.WatchWallboardRequest{Operators: true}))
		if err != nil {
			wb.err.Store(err.Error())
			close(ready)
			return
		}
		defer st.Close()
		state := map[string]commonv1.OperatorState{}
		nready := 0
		first := true
		for st.Receive() {
			m := st.Msg()
			wb.frames.Add(1)
			if size := int64(proto.Size(m)); size > wb.maxBytes.Load() {
				wb.maxBytes.Store(size)
			}
			for _, o := range m.GetOperators() {
				was, seen := state[o.GetOperatorId()]
				if seen && was == commonv1.OperatorState_OPERATOR_STATE_READY {
					nready--
				}
				state[o.GetOperatorId()] = o.GetState()
				if o.GetState() == commonv1.OperatorState_OPERATOR_STATE_READY {
					nready++
				}
			}
			if first {
				first = false
				close(ready)
			}
			if nready == operators && wb.allReadyAt.Load() == 0 {
				wb.allReadyAt.Store(time.Now().UnixNano())
				close(wb.allReady)
			}
		}
		if err := st.Err(); err != nil && ctx.Err() == nil {
			wb.err.Store(err.Error())
		}
		if first {
			close(ready)
		}
	}()
	select { // the snapshot first, so the wave is all changes
	case <-ready:
	case <-time.After(30 * time.Second):
	}
	return wb
}
