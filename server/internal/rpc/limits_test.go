package rpc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	"github.com/tandemcc/tandem/gen/go/tandem/admin/v1/adminv1connect"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

// TestRequestRatesPerCaller spends one caller's burst: he is refused with resource_exhausted
// (HTTP 429 and Retry-After on the REST paths) while others go on, and gets through again once
// the clock has moved.
func TestRequestRatesPerCaller(t *testing.T) {
	a := newTestAPI(t, limits.Limits{Rates: map[auth.Role]limits.Rate{auth.RoleAdmin: {PerSecond: 1, Burst: 3}, auth.RoleCloud: {PerSecond: 1, Burst: 1}, auth.Public: {PerSecond: 1, Burst: 2}}})
	ctx := context.Background()
	admin := a.admin()
	list := func(c *tandem.Client) error {
		_, err := c.Admin.ListQueues(ctx, connect.NewRequest(&adminv1.ListQueuesRequest{}))
		return err
	}
	for i := range 3 {
		if err := list(admin); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if err := list(admin); connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("over the burst: %v", err)
	}
	// An API key is another caller.
	a.clock.Advance(time.Second)
	res, err := admin.Admin.CreateApiKey(ctx, connect.NewRequest(&adminv1.CreateApiKeyRequest{Name: "tool", Role: adminv1.KeyRole_KEY_ROLE_ADMIN}))
	if err != nil {
		t.Fatal(err)
	}
	if err := list(a.client(tandem.WithToken(res.Msg.GetSecret()))); err != nil {
		t.Fatalf("another key refused: %v", err)
	}
	if err := list(admin); connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("a second later, one token was spent on the key: %v", err)
	}
	a.clock.Advance(2 * time.Second)
	if err := list(admin); err != nil {
		t.Fatalf("after refill: %v", err)
	}

	// The cloud on the REST path: 429 with Retry-After.
	post := func() *http.Response {
		body := []byte(`{"request_id":"r-rate","access_url":"http://127.0.0.1:1/x","dialed_number":"` + testLine + `"}`)
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/v1/calls", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		a.signer.SignRequest(req, tandem.NewRequestID(), a.clock.Now(), body)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	post()
	if res := post(); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" {
		t.Fatalf("cloud over its rate: HTTP %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}

	// Callers without credentials are counted by address.
	anon := a.client()
	for range 2 {
		_, _ = anon.Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: "x", Password: "y"}))
	}
	_, err = anon.Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: "x", Password: "y"}))
	if connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("anonymous over the rate: %v", err)
	}
	// So are guessed credentials: they count against the address too.
	a.clock.Advance(time.Minute)
	for i, want := range []connect.Code{connect.CodeUnauthenticated, connect.CodeUnauthenticated, connect.CodeResourceExhausted} {
		if err := list(a.client(tandem.WithToken(fmt.Sprint("tdk_guess", i)))); connect.CodeOf(err) != want {
			t.Fatalf("guessed key %d: %v, want %v", i, err, want)
		}
	}
}

// fromAddress sends requests as if from addr: the API runs behind a proxy that appends it.
type fromAddress string

func (a fromAddress) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Add("X-Forwarded-For", string(a))
	return http.DefaultTransport.RoundTrip(r)
}

// behindProxy has the API take client addresses from X-Forwarded-For.
func behindProxy(c *Config) { c.BehindProxy = true }

// logInFrom logs in as name with password from addr.
func (a *testAPI) logInFrom(addr, name, password string) (*presencev1.LogInResponse, error) {
	c := a.client(tandem.WithHTTPClient(&http.Client{Transport: fromAddress(addr)}))
	res, err := c.Presence.LogIn(context.Background(), connect.NewRequest(&presencev1.LogInRequest{Name: name, Password: password}))
	if err != nil {
		return nil, err
	}
	return res.Msg, nil
}

// TestAStrangerCannotLockAnOperatorOut: a stranger's wrong passwords for anna back off the
// stranger's address for anna (with a growing wait, said in Retry-After), never anna logging
// in from her own; she sees them when she does, and a supervisor sees them and can unlock.
func TestAStrangerCannotLockAnOperatorOut(t *testing.T) {
	a := newTestAPI(t, limits.Limits{}, behindProxy)
	a.setup("anna", "boris")
	ctx := context.Background()
	const stranger, annas = "198.51.100.9", "203.0.113.7"
	for i := range 5 {
		if _, err := a.logInFrom(stranger, "anna", "guess"); connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), "wrong name or password") {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	// An unknown name answers the same as a wrong password, back-off and all.
	for i := range 5 {
		if _, err := a.logInFrom(stranger, "nobody", "guess"); connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), "wrong name or password") {
			t.Fatalf("unknown name, guess %d: %v", i, err)
		}
	}
	for _, name := range []string{"anna", "ANNA", "nobody"} {
		_, err := a.logInFrom(stranger, name, "password-anna")
		var ce *connect.Error
		if !errors.As(err, &ce) || ce.Code() != connect.CodeResourceExhausted || ce.Meta().Get("Retry-After") != "1" || !strings.Contains(err.Error(), "try again in 1s") {
			t.Fatalf("%s from the stranger's address after 5 guesses: %v", name, err)
		}
	}
	// Anna from her own address is let in, and told about the guesses.
	res, err := a.logInFrom(annas, "anna", "password-anna")
	if err != nil {
		t.Fatalf("anna from her address: %v", err)
	}
	if f := res.GetFailedLogins(); f.GetCount() != 5 || f.GetLastAddress() != stranger || !f.GetLastAt().AsTime().Equal(a.clock.Now()) {
		t.Fatalf("anna's failed logins: %v", f)
	}
	// The stranger's back-off grows: 1 s, then 2 s.
	a.clock.Advance(time.Second)
	if _, err := a.logInFrom(stranger, "anna", "guess"); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("after the first back-off: %v", err)
	}
	a.clock.Advance(time.Second)
	var ce *connect.Error
	if _, err := a.logInFrom(stranger, "anna", "guess"); !errors.As(err, &ce) || ce.Meta().Get("Retry-After") != "1" {
		t.Fatalf("a second into the second back-off (2 s): %v", err)
	}

	// The supervisor sees it (operators by name, not unknown names) and unlocks anna.
	key, err := a.admin().Admin.CreateApiKey(ctx, connect.NewRequest(&adminv1.CreateApiKeyRequest{Name: "floor", Role: adminv1.KeyRole_KEY_ROLE_SUPERVISOR}))
	if err != nil {
		t.Fatal(err)
	}
	sup := a.client(tandem.WithToken(key.Msg.GetSecret()))
	list, err := sup.Admin.ListLoginFailures(ctx, connect.NewRequest(&adminv1.ListLoginFailuresRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	ops := list.Msg.GetOperators()
	if len(ops) != 1 || ops[0].GetName() != "anna" || ops[0].GetOperatorId() != res.GetOperatorId() || ops[0].GetFailures() != 1 ||
		len(ops[0].GetBackedOff()) != 1 || ops[0].GetBackedOff()[0].GetAddress() != stranger || ops[0].GetBackedOff()[0].GetFailures() != 6 ||
		!ops[0].GetBackedOff()[0].GetUntil().AsTime().Equal(a.clock.Now().Add(time.Second)) {
		t.Fatalf("ListLoginFailures operators: %v", ops)
	}
	if addrs := list.Msg.GetAddresses(); len(addrs) != 1 || addrs[0].GetAddress() != stranger || addrs[0].GetFailures() != 11 || addrs[0].GetUntil() != nil {
		t.Fatalf("ListLoginFailures addresses: %v", addrs)
	}
	if _, err := sup.Admin.UnlockLogin(ctx, connect.NewRequest(&adminv1.UnlockLoginRequest{OperatorId: "op_none"})); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("unlock an unknown operator: %v", err)
	}
	for _, bad := range []*adminv1.UnlockLoginRequest{{}, {OperatorId: res.GetOperatorId(), Address: stranger}, {Address: "nowhere"}} {
		if _, err := sup.Admin.UnlockLogin(ctx, connect.NewRequest(bad)); connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Fatalf("unlock %v: %v", bad, err)
		}
	}
	unlocked, err := sup.Admin.UnlockLogin(ctx, connect.NewRequest(&adminv1.UnlockLoginRequest{OperatorId: res.GetOperatorId()}))
	if err != nil || unlocked.Msg.GetCleared() != 1 {
		t.Fatalf("unlock anna: %v %v", unlocked, err)
	}
	if _, err := a.logInFrom(stranger, "anna", "guess"); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("after the unlock: %v", err)
	}
	audit, err := a.admin().Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{}))
	if err != nil || len(audit.Msg.GetEntries()) == 0 || !strings.HasSuffix(audit.Msg.GetEntries()[0].GetProcedure(), "/UnlockLogin") || audit.Msg.GetEntries()[0].GetActor() != "floor" {
		t.Fatalf("the unlock is not audited: %v %v", audit, err)
	}
}

// TestSprayingIsStoppedPerAddress: wrong passwords over many names from one address back that
// address off for every name, not the others; a supervisor can unlock the address.
func TestSprayingIsStoppedPerAddress(t *testing.T) {
	a := newTestAPI(t, limits.Limits{Logins: limits.LoginLimits{AddressFree: 8}}, behindProxy)
	a.setup("anna", "boris")
	const sprayer = "2001:db8:5:6::1"
	for i := range 8 {
		if _, err := a.logInFrom(sprayer, fmt.Sprint("name", i), "guess"); connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Fatalf("spray %d: %v", i, err)
		}
	}
	// Another host of the same /64 is the same sprayer.
	if _, err := a.logInFrom("2001:db8:5:6::2", "boris", "password-boris"); connect.CodeOf(err) != connect.CodeResourceExhausted || !strings.Contains(err.Error(), "from your address") {
		t.Fatalf("boris from the sprayer's /64: %v", err)
	}
	if _, err := a.logInFrom("192.0.2.10", "boris", "password-boris"); err != nil {
		t.Fatalf("boris from elsewhere: %v", err)
	}
	if _, err := a.admin().Admin.UnlockLogin(context.Background(), connect.NewRequest(&adminv1.UnlockLoginRequest{Address: "2001:db8:5:6::/64"})); err != nil {
		t.Fatal(err)
	}
	if _, err := a.logInFrom(sprayer, "anna", "password-anna"); err != nil {
		t.Fatalf("after unlocking the address: %v", err)
	}
}

// TestAnOfficeBehindOneAddressIsNotLockedOut: thirty operators behind one NAT come in within
// three minutes, each with two typos before the right password: all of them get in.
func TestAnOfficeBehindOneAddressIsNotLockedOut(t *testing.T) {
	a := newTestAPI(t, limits.Limits{}, behindProxy)
	var names []string
	for i := range 30 {
		names = append(names, fmt.Sprint("op", i))
	}
	a.setup(names...)
	const office = "192.0.2.1"
	for _, name := range names {
		for range 2 {
			if _, err := a.logInFrom(office, name, "typo"); connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Fatalf("%s's typo: %v", name, err)
			}
		}
		if _, err := a.logInFrom(office, name, "password-"+name); err != nil {
			t.Fatalf("%s after 2 typos: %v", name, err)
		}
		a.clock.Advance(5 * time.Second)
	}
}

func logInAs(t *testing.T, a *testAPI, name string) (*tandem.Client, string) {
	t.Helper()
	res, err := a.client().Presence.LogIn(context.Background(), connect.NewRequest(&presencev1.LogInRequest{Name: name, Password: "password-" + name}))
	if err != nil {
		t.Fatal(err)
	}
	return a.client(tandem.WithToken(res.Msg.GetToken())), res.Msg.GetOperatorId()
}

// watch opens a presence stream and reads its snapshot.
func watch(t *testing.T, ctx context.Context, c *tandem.Client) (*connect.ServerStreamForClient[presencev1.WatchOperatorResponse], error) {
	t.Helper()
	stream, err := c.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{}))
	if err != nil {
		return nil, err
	}
	if !stream.Receive() {
		return nil, stream.Err()
	}
	return stream, nil
}

// TestStreamsPerOperator bounds the streams one operator holds, and ends them when his session
// expires.
func TestStreamsPerOperator(t *testing.T) {
	a := newTestAPI(t, limits.Limits{StreamsPerOperator: 2})
	a.setup("anna")
	anna, annaID := logInAs(t, a, "anna")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first, err := watch(t, ctx, anna)
	if err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	if _, err := watch(t, ctx2, anna); err != nil {
		t.Fatal(err)
	}
	if _, err := watch(t, ctx, anna); connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("third stream: %v", err)
	}
	cancel2()
	released, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := a.api.limits.WaitFewerStreams(released, "operator:"+annaID, 2); err != nil {
		t.Fatalf("the closed stream was not released: %v", err)
	}
	third, err := watch(t, ctx, anna)
	if err != nil {
		t.Fatalf("after one closed: %v", err)
	}
	// 12 hours on, the session is over and so are its streams.
	a.clock.Advance(12 * time.Hour)
	for _, s := range []*connect.ServerStreamForClient[presencev1.WatchOperatorResponse]{first, third} {
		for s.Receive() {
		}
		if connect.CodeOf(s.Err()) != connect.CodeUnauthenticated {
			t.Fatalf("stream after the session expired: %v", s.Err())
		}
	}
}

// TestRevokedKeyLosesItsStreams revokes a supervisor key while it watches an operator.
func TestRevokedKeyLosesItsStreams(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup("anna")
	ctx := context.Background()
	_, annaID := logInAs(t, a, "anna")
	key, err := a.admin().Admin.CreateApiKey(ctx, connect.NewRequest(&adminv1.CreateApiKeyRequest{Name: "floor", Role: adminv1.KeyRole_KEY_ROLE_SUPERVISOR}))
	if err != nil {
		t.Fatal(err)
	}
	sup := a.client(tandem.WithToken(key.Msg.GetSecret()))
	stream, err := sup.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{OperatorId: annaID}))
	if err != nil || !stream.Receive() {
		t.Fatalf("watch: %v %v", err, stream.Err())
	}
	if _, err := a.admin().Admin.RevokeApiKey(ctx, connect.NewRequest(&adminv1.RevokeApiKeyRequest{KeyId: key.Msg.GetApiKey().GetKeyId()})); err != nil {
		t.Fatal(err)
	}
	for stream.Receive() {
	}
	if connect.CodeOf(stream.Err()) != connect.CodeUnauthenticated {
		t.Fatalf("stream of a revoked key: %v", stream.Err())
	}
	if _, err := sup.Admin.ListQueues(ctx, connect.NewRequest(&adminv1.ListQueuesRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("revoked key: %v", err)
	}
}

// TestBodiesAreCapped refuses a body over the cap, whether it says its length or not, with
// invalid_argument naming the limit (HTTP 413 on the REST paths) and no Retry-After: sending it
// again cannot help. It cuts a client that sends its body too slowly.
func TestBodiesAreCapped(t *testing.T) {
	a := newTestAPI(t, limits.Limits{MaxBody: 1000, BodyTimeout: 300 * time.Millisecond})
	big := bytes.Repeat([]byte("x"), 2000)
	for name, req := range map[string]*http.Request{
		"REST with a length":       mustRequest(a.srv.URL+"/v1/calls", bytes.NewReader(big), "application/json"),
		"Connect with a length":    mustRequest(a.srv.URL+"/tandem.admin.v1.AdminService/ListQueues", bytes.NewReader(big), "application/json"),
		"REST without a length":    mustRequest(a.srv.URL+"/v1/calls", io.MultiReader(bytes.NewReader(big)), "application/json"),
		"Connect without a length": mustRequest(a.srv.URL+"/tandem.admin.v1.AdminService/ListQueues", io.MultiReader(bytes.NewReader(big)), "application/json"),
	} {
		req.Header.Set("Authorization", "Bearer "+testAdminKey)
		req.Header.Set("Connect-Protocol-Version", "1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		wantStatus, wantCode := http.StatusBadRequest, `"code":"invalid_argument"`
		if strings.HasPrefix(name, "REST") {
			wantStatus, wantCode = http.StatusRequestEntityTooLarge, `"code":3`
		}
		if res.StatusCode != wantStatus || !strings.Contains(string(body), wantCode) || !strings.Contains(string(body), "larger than 1000 bytes") {
			t.Errorf("%s: HTTP %d %s", name, res.StatusCode, body)
		}
		if ra := res.Header.Get("Retry-After"); ra != "" {
			t.Errorf("%s: Retry-After %q on a request that cannot succeed", name, ra)
		}
	}

	conn, err := net.Dial("tcp", a.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /tandem.admin.v1.AdminService/ListQueues HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: 100\r\n\r\n{", testAdminKey)
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		res.Body.Close()
	}
	if time.Since(start) > 3*time.Second {
		t.Fatalf("a slow body held the server for %s (%v)", time.Since(start), err)
	}
}

func mustRequest(url string, body io.Reader, contentType string) *http.Request {
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", contentType)
	return req
}

// TestStalledStreamsAreCut arms short write and body deadlines: over HTTP/2 a stream whose writes stall
// (here: none for longer than the deadline) is reset, so a client that stops reading cannot hold
// its handler; over HTTP/1.1 an idle stream stays (only a blocked write is cut).
func TestStalledStreamsAreCut(t *testing.T) {
	a := newTestAPI(t, limits.Limits{WriteTimeout: 300 * time.Millisecond, BodyTimeout: 100 * time.Millisecond})
	a.setup("anna")
	res, err := a.client().Presence.LogIn(context.Background(), connect.NewRequest(&presencev1.LogInRequest{Name: "anna", Password: "password-anna"}))
	if err != nil {
		t.Fatal(err)
	}
	token := res.Msg.GetToken()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h1, err := watch(t, ctx, a.client(tandem.WithToken(token)))
	if err != nil {
		t.Fatal(err)
	}
	h2, err := watch(t, ctx, a.client(tandem.WithToken(token), tandem.WithProtocol(tandem.GRPC)))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for h2.Receive() {
	}
	if h2.Err() == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("stalled HTTP/2 stream: %v after %s", h2.Err(), time.Since(start))
	}
	// The HTTP/1.1 stream is still there, past the body's read deadline too: the next message (a
	// change or a keepalive) reaches it. These deadlines are the network's, on the wall clock;
	// h1's body deadline (100 ms) was armed before h2 was opened, and h2 was cut only after its
	// writes had stalled for 300 ms, so h1 has outlived its body deadline by 200 ms and more.
	a.clock.Advance(15 * time.Second)
	if !h1.Receive() {
		t.Fatalf("idle HTTP/1.1 stream: %v %v", h1.Msg(), h1.Err())
	}
}

// TestOversizedMessagesAreNotRetryable: a message over the limit is invalid_argument in every
// protocol, whether its body is over the cap or it is gzipped small and would unpack over it
// (Connect's own limit said resource_exhausted, which clients retry); one under it is served.
func TestOversizedMessagesAreNotRetryable(t *testing.T) {
	a := newTestAPI(t, limits.Limits{MaxBody: 4000})
	a.setup()
	h2c := &http.Client{Transport: &http.Transport{Protocols: new(http.Protocols)}}
	h2c.Transport.(*http.Transport).Protocols.SetUnencryptedHTTP2(true)
	big := "number,name\n" + strings.Repeat("+15550001111,Anna Petrova\n", 400) // ≈ 10 kB, gzips to < 1 kB
	small := "number,name\n+15550001111,Anna Petrova\n"
	for _, proto := range []struct {
		name string
		opt  connect.ClientOption
		hc   *http.Client
	}{{"connect", connect.WithProtoJSON(), http.DefaultClient}, {"grpc", connect.WithGRPC(), h2c}, {"grpc-web", connect.WithGRPCWeb(), http.DefaultClient}} {
		for _, gz := range []bool{false, true} {
			opts := []connect.ClientOption{proto.opt}
			if gz {
				opts = append(opts, connect.WithSendGzip())
			}
			c := adminv1connect.NewAdminServiceClient(proto.hc, a.srv.URL, opts...)
			call := func(csv string) error {
				req := connect.NewRequest(&adminv1.ImportClientsRequest{Csv: csv})
				req.Header().Set("Authorization", "Bearer "+testAdminKey)
				_, err := c.ImportClients(context.Background(), req)
				return err
			}
			name := fmt.Sprintf("%s gzip=%v", proto.name, gz)
			err := call(big)
			what := "request body larger than 4000 bytes"
			if gz {
				what = "message once decompressed larger than 4000 bytes"
			}
			if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), what) {
				t.Errorf("%s: an oversized message: %v", name, err)
			}
			if err := call(small); err != nil {
				t.Errorf("%s: a message under the limit: %v", name, err)
			}
		}
	}
}
