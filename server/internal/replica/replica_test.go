package replica

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/clock"
)

func TestPeerSignsTheCallersAddress(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_800_000_000, 0))
	p := NewPeer("cloud-secret", clk)
	header := p.Sign("203.0.113.7")
	r := httptest.NewRequest(http.MethodPost, "/x", nil)
	r.Header.Set(ForwardedHeader, header)
	if addr, ok := p.Forwarded(r); !ok || addr != "203.0.113.7" {
		t.Fatalf("Forwarded = %q, %v; want the signed address", addr, ok)
	}
	for name, h := range map[string]string{
		"another address":     strings.Replace(header, "203.0.113.7", "203.0.113.8", 1),
		"another time":        strings.Replace(header, ";1800000000;", ";1800000001;", 1),
		"not an address":      NewPeer("cloud-secret", clk).Sign("somewhere"),
		"another secret":      NewPeer("other-secret", clk).Sign("203.0.113.7"),
		"no signature":        "203.0.113.7",
		"an empty signature":  "203.0.113.7;1800000000;",
		"too many parts":      header + ";x",
		"a time that is text": "203.0.113.7;soon;" + strings.Split(header, ";")[2],
	} {
		r.Header.Set(ForwardedHeader, h)
		if addr, ok := p.Forwarded(r); ok {
			t.Errorf("%s: Forwarded = %q, true; want refused", name, addr)
		}
	}
	r.Header.Set(ForwardedHeader, header)
	clk.Advance(maxSkew + time.Second)
	if _, ok := p.Forwarded(r); ok {
		t.Error("a signature older than a minute was taken")
	}
	r.Header.Del(ForwardedHeader)
	if _, ok := p.Forwarded(r); ok {
		t.Error("a request without the header counted as forwarded")
	}
}

// leaderStub is a leader: it answers health checks and echoes what it got.
func leaderStub(t *testing.T, p *Peer) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == healthPath {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"status":"SERVING_STATUS_SERVING"}`)
			return
		}
		addr, ok := p.Forwarded(r)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"path": r.URL.Path, "body": string(body), "caller": addr, "signed": ok, "proto": r.Proto})
	}))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func newGateway(p *Peer) *Gateway {
	return New(Config{Peer: p, ClientAddress: func(r *http.Request) string { return "198.51.100.4" }})
}

func TestFollowerPassesRequestsToTheLeader(t *testing.T) {
	p := NewPeer("cloud-secret", clock.Real{})
	leader := leaderStub(t, p)
	g := newGateway(p)
	defer g.Close()

	// No leader known yet: unavailable, in Connect's error format, with a retry hint.
	w := httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/tandem.callintake.v1.CallIntakeService/RegisterCall", strings.NewReader("{}")))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), `"code":"unavailable"`) || w.Header().Get("Retry-After") == "" {
		t.Fatalf("without a leader: %d %s", w.Code, w.Body)
	}
	if status := health(t, g, ""); status != "SERVING_STATUS_NOT_SERVING" {
		t.Fatalf("health without a leader = %s", status)
	}

	for _, bad := range []string{"", "127.0.0.1:8080", "ftp://host", "http://"} {
		if err := g.Follow(bad); err == nil {
			t.Errorf("Follow(%q) took a bad address", bad)
		}
	}
	if err := g.Follow(leader.URL); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/tandem.callintake.v1.CallIntakeService/RegisterCall", strings.NewReader(`{"a":1}`))
	req.Header.Set(ForwardedHeader, NewPeer("cloud-secret", clock.Real{}).Sign("6.6.6.6")) // a caller's own copy
	w = httptest.NewRecorder()
	g.ServeHTTP(w, req)
	var got struct {
		Path, Body, Caller, Proto string
		Signed                    bool
	}
	if err := json.NewDecoder(w.Body).Decode(&got); err != nil || w.Code != http.StatusOK {
		t.Fatalf("passed on: %d %v", w.Code, err)
	}
	if got.Path != "/tandem.callintake.v1.CallIntakeService/RegisterCall" || got.Body != `{"a":1}` || !got.Signed || got.Caller != "198.51.100.4" || got.Proto != "HTTP/2.0" {
		t.Fatalf("the leader got %+v", got)
	}
	if status := health(t, g, ""); status != "SERVING_STATUS_SERVING" {
		t.Fatalf("health with a leader = %s", status)
	}
	if status := health(t, g, LeaderService); status != "SERVING_STATUS_NOT_SERVING" {
		t.Fatalf("a follower says it leads: %s", status)
	}

	// The leader gone: unavailable again, and no longer healthy.
	leader.Close()
	w = httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/x", strings.NewReader("{}")))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("with the leader gone: %d %s", w.Code, w.Body)
	}
	if status := health(t, g, ""); status != "SERVING_STATUS_NOT_SERVING" {
		t.Fatalf("health with the leader gone = %s", status)
	}

	// Taking over: its own API serves, and it says it leads.
	g.Lead(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "own api") }))
	w = httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/x", strings.NewReader("{}")))
	if w.Body.String() != "own api" {
		t.Fatalf("leading: %s", w.Body)
	}
	if status := health(t, g, LeaderService); status != "SERVING_STATUS_SERVING" {
		t.Fatalf("the leader's leader health = %s", status)
	}
}

// health asks g's health check about service and returns the status.
func health(t *testing.T, g *Gateway, service string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"service": service})
	req := httptest.NewRequest(http.MethodPost, healthPath, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	g.ServeHTTP(w, req)
	var answer struct{ Status string }
	if err := json.NewDecoder(w.Body).Decode(&answer); err != nil {
		t.Fatalf("health: %d %v", w.Code, err)
	}
	return answer.Status
}
