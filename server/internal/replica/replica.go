// Package replica lets every replica of a shared (PostgreSQL) store serve. One replica leads:
// it runs the switchboard and serves the API itself. The others follow: they pass every
// request — unary calls, the cloud's JSON, presence and wallboard streams — to the leader and
// its answer back, byte for byte, over HTTP/2. So a load balancer may send anything to any
// replica, and a follower that wins the leadership starts serving with its own API on the
// same listener. See docs/replicas.md.
package replica

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"

	"github.com/tandemcc/tandem/server/internal/clock"
)

// LeaderService is the health-check service name only the leader reports SERVING for (tools
// that need the leader itself ask for it; load balancers ask for "", which every replica
// that can reach a leader serves).
const LeaderService = "tandem.leader"

// ForwardedHeader carries the client's address from a follower to the leader, signed (see
// Peer): the leader's rate limits and audit log see the caller, not the follower.
const ForwardedHeader = "Tandem-Forwarded-For"

// Config sets a Gateway up.
type Config struct {
	// Peer signs the client's address for the leader.
	Peer *Peer
	// ClientAddress is the caller's address as this replica sees it (the API's own rule).
	ClientAddress func(*http.Request) string
	// TLS, when set, is how followers reach a leader that serves HTTPS (the roots that sign
	// its certificate); nil: the leader serves plain HTTP/2 (h2c).
	TLS    *tls.Config
	Logger *slog.Logger
	// Healthy, when set, is asked by every health check while this replica leads: an error
	// (its store can no longer store) makes it answer NOT_SERVING.
	Healthy func() error
}

// Gateway is a replica's HTTP handler: the API while the replica leads, a pass-through to the
// leader while it follows, and unavailable while no leader is known.
type Gateway struct {
	api    atomic.Pointer[http.Handler]
	leader atomic.Pointer[url.URL]
	cfg    Config
	proxy  *httputil.ReverseProxy
	client *http.Client // health checks of the leader
	health http.Handler
	errors *connect.ErrorWriter
	ctx    context.Context // ends at Close: the pass-through streams end with it
	cancel context.CancelFunc
}

// New returns a gateway that follows nobody yet.
func New(cfg Config) *Gateway {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	g := &Gateway{cfg: cfg, errors: connect.NewErrorWriter()}
	g.ctx, g.cancel = context.WithCancel(context.Background())
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 15 * time.Second}).DialContext,
		TLSClientConfig:     cfg.TLS,
		TLSHandshakeTimeout: 5 * time.Second,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     time.Minute,
		Protocols:           new(http.Protocols),
		HTTP2:               &http.HTTP2Config{PingTimeout: 5 * time.Second, SendPingTimeout: 15 * time.Second},
	}
	if cfg.TLS != nil {
		transport.Protocols.SetHTTP2(true)
	} else {
		transport.Protocols.SetUnencryptedHTTP2(true) // streams multiplexed on few connections
	}
	g.client = &http.Client{Transport: transport, Timeout: 2 * time.Second}
	g.proxy = &httputil.ReverseProxy{
		Transport:     transport,
		FlushInterval: -1, // streams: every message at once
		Rewrite:       g.rewrite,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() == nil {
				cfg.Logger.Warn("the leader did not answer", "path", r.URL.Path, "err", err)
			}
			g.unavailable(w, r, "the leader did not answer; retry")
		},
	}
	_, g.health = grpchealth.NewHandler(checker{g})
	return g
}

// Lead makes the gateway serve with api from now on: this replica leads.
func (g *Gateway) Lead(api http.Handler) { g.api.Store(&api) }

// Follow sets where the leader serves (an http:// or https:// URL).
func (g *Gateway) Follow(leader string) error {
	u, err := url.Parse(leader)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("replica: the leader's address %q is not an http(s) URL", leader)
	}
	g.leader.Store(u)
	return nil
}

// Close ends the streams passed through to the leader.
func (g *Gateway) Close() {
	g.cancel()
	g.client.CloseIdleConnections()
}

// ServeHTTP serves a request.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == healthPath {
		g.health.ServeHTTP(w, r)
		return
	}
	if api := g.api.Load(); api != nil {
		(*api).ServeHTTP(w, r)
		return
	}
	if g.leader.Load() == nil {
		g.unavailable(w, r, "no replica leads at the moment; retry")
		return
	}
	// The stream to the leader ends with the caller's request or this replica's Close.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(g.ctx, cancel)
	defer stop()
	g.proxy.ServeHTTP(w, r.WithContext(ctx))
}

const healthPath = "/grpc.health.v1.Health/Check"

func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(g.leader.Load())
	pr.Out.Host = pr.In.Host // the leader sees the name the caller used (CORS, logs)
	pr.Out.Header.Set(ForwardedHeader, g.cfg.Peer.Sign(g.cfg.ClientAddress(pr.In)))
}

func (g *Gateway) unavailable(w http.ResponseWriter, r *http.Request, msg string) {
	w.Header().Set("Retry-After", "1")
	_ = g.errors.Write(w, r, connect.NewError(connect.CodeUnavailable, errors.New(msg)))
}

// checker answers health checks: a healthy leader serves everything; a follower serves what
// its leader serves (it passes requests on), and never LeaderService.
type checker struct{ g *Gateway }

func (c checker) Check(ctx context.Context, req *grpchealth.CheckRequest) (*grpchealth.CheckResponse, error) {
	leading := c.g.api.Load() != nil
	if leading && c.g.cfg.Healthy != nil && c.g.cfg.Healthy() != nil {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	switch {
	case req.Service == LeaderService:
		if leading {
			return &grpchealth.CheckResponse{Status: grpchealth.StatusServing}, nil
		}
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	case leading:
		return &grpchealth.CheckResponse{Status: grpchealth.StatusServing}, nil
	}
	leader := c.g.leader.Load()
	if leader == nil {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	body, _ := json.Marshal(map[string]string{"service": req.Service})
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, leader.JoinPath(healthPath).String(), strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	res, err := c.g.client.Do(hreq)
	if err != nil {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	defer res.Body.Close()
	var answer struct{ Status string }
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&answer) != nil || !Serving(answer.Status) {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	return &grpchealth.CheckResponse{Status: grpchealth.StatusServing}, nil
}

// Peer signs and checks the client addresses followers pass to the leader. Every replica
// derives the same key from the cloud secret they share, so no new secret is configured.
type Peer struct {
	key   []byte
	clock clock.Clock
}

// maxSkew is how old (or how far ahead) a signed address may be.
const maxSkew = time.Minute

// NewPeer derives the peers' key from the cloud secret.
func NewPeer(cloudSecret string, c clock.Clock) *Peer {
	m := hmac.New(sha256.New, []byte(cloudSecret))
	m.Write([]byte("tandem replica forwarding v1"))
	return &Peer{key: m.Sum(nil), clock: c}
}

// Sign is the ForwardedHeader value for addr, now.
func (p *Peer) Sign(addr string) string {
	ts := strconv.FormatInt(p.clock.Now().Unix(), 10)
	return addr + ";" + ts + ";" + p.mac(addr, ts)
}

// Forwarded returns the client's address a follower passed on with r, when a peer signed it
// within a minute of now; false when r came straight from its caller (or the signature fails).
func (p *Peer) Forwarded(r *http.Request) (string, bool) {
	h := r.Header.Get(ForwardedHeader)
	if h == "" {
		return "", false
	}
	return p.verify(h, p.clock.Now())
}

func (p *Peer) verify(header string, now time.Time) (string, bool) {
	parts := strings.Split(header, ";")
	if len(parts) != 3 {
		return "", false
	}
	addr, ts, mac := parts[0], parts[1], parts[2]
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > maxSkew {
		return "", false
	}
	if !hmac.Equal([]byte(mac), []byte(p.mac(addr, ts))) || net.ParseIP(addr) == nil {
		return "", false
	}
	return addr, true
}

func (p *Peer) mac(addr, ts string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(addr + ";" + ts))
	return hex.EncodeToString(m.Sum(nil))
}

// Serving reports whether a health check's status in JSON means serving (connect-go's
// grpchealth spells it SERVING_STATUS_SERVING, gRPC's own SERVING).
func Serving(status string) bool {
	return status == "SERVING" || status == "SERVING_STATUS_SERVING"
}
