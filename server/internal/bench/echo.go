package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"

	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
)

// echoProcedure is the bare connect-go service the baseline measures: it takes the cloud's
// intake message and answers with an intake reply, doing nothing else.
const echoProcedure = "/tandem.bench.v1.EchoService/Echo"

// EchoHandler is the echo service.
func EchoHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(echoProcedure, connect.NewUnaryHandler(echoProcedure,
		func(_ context.Context, req *connect.Request[callintakev1.RegisterCallRequest]) (*connect.Response[callintakev1.RegisterCallResponse], error) {
			return connect.NewResponse(&callintakev1.RegisterCallResponse{
				CallId: "call_" + req.Msg.GetSessionId(), QueueId: "support", Position: 1,
				Greeting: "Thank you for calling. An operator will be with you shortly.",
			}), nil
		}))
	return mux
}

// NewHTTPServer is an http.Server with the settings tandem serve uses (HTTP/1.1 and h2c,
// the same timeouts and stream limits), for the baseline to be served the same way.
func NewHTTPServer(h http.Handler) *http.Server {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           h,
		Protocols:         protocols,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: 10000},
	}
}

// ServeEcho serves the echo service on addr and writes its URL as the first line of out;
// it returns when ctx ends. `tandem bench --echo-server` runs it in a process of its own.
func ServeEcho(ctx context.Context, addr string, out io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := NewHTTPServer(EchoHandler())
	fmt.Fprintf(out, "http://%s\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		<-done
		return nil
	case err := <-done:
		return err
	}
}

// http1Client is a keep-alive HTTP/1.1 client with room for every worker's connection.
func http1Client(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns * 2
	t.MaxIdleConnsPerHost = conns * 2
	t.MaxConnsPerHost = 0
	t.Proxy = nil
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// h2cClient speaks HTTP/2 without TLS over one connection (or a few when streams run out).
func h2cClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Protocols = new(http.Protocols)
	t.Protocols.SetUnencryptedHTTP2(true)
	t.Proxy = nil
	t.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: 10000}
	return &http.Client{Transport: t}
}

// closedLoop runs fn from workers goroutines back to back for d and returns how many calls
// succeeded per second, their latencies and the errors.
func closedLoop(ctx context.Context, workers int, d time.Duration, fn func(ctx context.Context) error) (rate float64, lat *latencies, errs int64) {
	lat = &latencies{}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var ok, bad atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				t := time.Now()
				err := fn(ctx)
				if ctx.Err() != nil {
					return // cut off by the end of the run: neither counted
				}
				if err != nil {
					bad.Add(1)
					continue
				}
				lat.add(time.Since(t))
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(ok.Load()) / time.Since(start).Seconds(), lat, bad.Load()
}

// EchoResult is the baseline of one protocol.
type EchoResult struct {
	RPS    float64
	P50    time.Duration
	P99    time.Duration
	Errors int64
}

// runEcho drives the echo service at url with the load generator: Connect JSON over HTTP/1.1
// (as the cloud's JSON) and Connect binary over h2c (as the Go client).
func runEcho(ctx context.Context, url string, workers int, d time.Duration) (jsonRes, binRes EchoResult, err error) {
	msg := &callintakev1.RegisterCallRequest{
		RequestId: "req_0123456789abcdef01234567", SessionId: "3301", AccessUrl: "http://127.0.0.1:1/request/3301",
		CallerNumber: "+15557654321", DialedNumber: "+18005550100", DisplayName: "Jane",
	}
	run := func(hc *http.Client, opts ...connect.ClientOption) (EchoResult, error) {
		c := connect.NewClient[callintakev1.RegisterCallRequest, callintakev1.RegisterCallResponse](hc, url+echoProcedure, opts...)
		if _, err := c.CallUnary(ctx, connect.NewRequest(msg)); err != nil { // warm the connections
			return EchoResult{}, fmt.Errorf("echo: %w", err)
		}
		rate, lat, errs := closedLoop(ctx, workers, d, func(ctx context.Context) error {
			_, err := c.CallUnary(ctx, connect.NewRequest(msg))
			return err
		})
		p := lat.percentiles(0.5, 0.99)
		return EchoResult{RPS: rate, P50: p[0], P99: p[1], Errors: errs}, nil
	}
	h1, h2 := http1Client(workers), h2cClient()
	defer h1.CloseIdleConnections()
	defer h2.CloseIdleConnections()
	if jsonRes, err = run(h1, connect.WithProtoJSON()); err != nil {
		return
	}
	binRes, err = run(h2)
	if err == nil && (jsonRes.RPS == 0 || binRes.RPS == 0) {
		err = errors.New("echo: no request succeeded")
	}
	return
}
