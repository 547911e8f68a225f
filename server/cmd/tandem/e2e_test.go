package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/replica"
)

const (
	testSecret   = "test-cloud-secret"
	testAdminKey = "test-admin-key"
	supportLine  = "+15550001000"
)

// server is the real program, started in-process on a real SQLite file and a fake clock.
type server struct {
	t     *testing.T
	m     *Main
	clock *clock.Fake
	db    string
}

func startServer(t *testing.T, db string, clk *clock.Fake) *server {
	t.Helper()
	m := NewMain()
	m.Addr, m.DBPath = "127.0.0.1:0", db
	m.CloudSecrets, m.AdminKey = []string{testSecret}, testAdminKey
	m.Clock, m.PasswordCost = clk, bcrypt.MinCost
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		m.Logger = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, m: m, clock: clk, db: db}
	t.Cleanup(func() { s.stop() })
	return s
}

func (s *server) stop() {
	if s.m != nil {
		if err := s.m.Close(); err != nil {
			s.t.Errorf("close: %v", err)
		}
		s.m = nil
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// session plays the cloud side of calls: an accessURL server that checks Tandem's signatures
// and hands over the commands it receives, per session path.
type session struct {
	t        *testing.T
	srv      *httptest.Server
	mu       sync.Mutex
	commands map[string]chan *callintakev1.CloudCommand
	status   map[string]int // reply status per path (default 200)
}

func newSession(t *testing.T) *session {
	s := &session{t: t, commands: map[string]chan *callintakev1.CloudCommand{}, status: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *session) ch(path string) chan *callintakev1.CloudCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.commands[path] == nil {
		s.commands[path] = make(chan *callintakev1.CloudCommand, 16)
	}
	return s.commands[path]
}

func (s *session) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	want := http.Header{}
	ts, _ := time.Parse(time.RFC3339, "2000-01-01T00:00:00Z")
	if sec, err := parseUnix(r.Header.Get("webhook-timestamp")); err == nil {
		ts = sec
	}
	tandem.Sign(want, testSecret, r.Header.Get("webhook-id"), ts, body)
	if want.Get("webhook-signature") != r.Header.Get("webhook-signature") {
		s.t.Errorf("command to %s with a bad signature", r.URL.Path)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	status := s.status[r.URL.Path]
	s.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
		return
	}
	cmd := &callintakev1.CloudCommand{}
	protoNamesJSON(s.t, body, cmd)
	s.ch(r.URL.Path) <- cmd
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (s *session) url(path string) string { return s.srv.URL + path }

// next waits for the next command to a session.
func (s *session) next(path string) *callintakev1.CloudCommand {
	s.t.Helper()
	select {
	case c := <-s.ch(path):
		return c
	case <-time.After(10 * time.Second):
		s.t.Fatalf("no command reached %s", path)
		return nil
	}
}

// none checks that no command reached a session so far.
func (s *session) none(path string) {
	s.t.Helper()
	select {
	case c := <-s.ch(path):
		s.t.Fatalf("unexpected command to %s: %v", path, c)
	default:
	}
}

// cloudClient speaks CallIntake as the scenario does: over an RPC protocol, or plain JSON on the
// REST paths.
type cloudClient struct {
	t      *testing.T
	rpc    *tandem.Client
	rest   string // base URL when speaking plain JSON
	secret string
	now    func() time.Time // the time signatures carry: the server's clock
}

func (c *cloudClient) register(req *callintakev1.RegisterCallRequest) (*callintakev1.RegisterCallResponse, error) {
	if c.rest != "" {
		out := &callintakev1.RegisterCallResponse{}
		return out, c.post("/v1/calls", req, out)
	}
	res, err := c.rpc.Intake.RegisterCall(context.Background(), connect.NewRequest(req))
	if err != nil {
		return nil, err
	}
	return res.Msg, nil
}

func (c *cloudClient) report(req *callintakev1.ReportCallEventRequest) (*callintakev1.ReportCallEventResponse, error) {
	if c.rest != "" {
		out := &callintakev1.ReportCallEventResponse{}
		return out, c.post("/v1/calls/"+req.GetCallId()+"/events", req, out)
	}
	res, err := c.rpc.Intake.ReportCallEvent(context.Background(), connect.NewRequest(req))
	if err != nil {
		return nil, err
	}
	return res.Msg, nil
}

// restError is a plain-JSON error reply: a google.rpc.Status with an HTTP status.
type restError struct {
	Status  int
	Code    int    `json:"code"`
	Message string `json:"message"`
	Body    string
}

func (e *restError) Error() string { return e.Body }

// post sends in as the scenario does, with the proto field names as JSON keys, and checks that
// the reply, or the error, uses them too.
func (c *cloudClient) post(path string, in, out proto.Message) error {
	body, err := protoNames.Marshal(in)
	if err != nil {
		return err
	}
	req, _ := http.NewRequest(http.MethodPost, c.rest+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	tandem.Sign(req.Header, c.secret, tandem.NewRequestID(), c.now(), body)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		e := &restError{Status: res.StatusCode, Body: string(data)}
		_ = json.Unmarshal(data, e)
		protoNamesJSON(c.t, data, &status.Status{})
		return e
	}
	return protoNamesJSON(c.t, data, out)
}

// protoNames is how the cloud's JSON is written both ways: keys are the proto field names.
var protoNames = protojson.MarshalOptions{UseProtoNames: true}

// protoNamesJSON reads data into msg and checks that data is msg's JSON with the proto field
// names as keys (a protobuf JSON parser would take lowerCamelCase keys too).
func protoNamesJSON(t *testing.T, data []byte, msg proto.Message) error {
	t.Helper()
	if err := protojson.Unmarshal(data, msg); err != nil {
		t.Errorf("JSON %s: %v", data, err)
		return err
	}
	want, err := protoNames.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	var gotKeys, wantKeys any
	if json.Unmarshal(data, &gotKeys) != nil || json.Unmarshal(want, &wantKeys) != nil || !reflect.DeepEqual(gotKeys, wantKeys) {
		t.Errorf("JSON %s, want the proto field names: %s", data, want)
	}
	return nil
}

// operatorApp is a logged-in operator with his presence stream open.
type operatorApp struct {
	t      *testing.T
	id     string
	token  string
	client *tandem.Client
	cancel context.CancelFunc
	seen   chan *presencev1.OperatorStatus
	err    error // why the stream ended, once seen is closed
}

// streamErr is why the presence stream ended; call it after seen is closed.
func (a *operatorApp) streamErr() error { return a.err }

func logIn(t *testing.T, url string, p tandem.Protocol, name string) *operatorApp {
	t.Helper()
	anon := tandem.New(url, tandem.WithProtocol(p))
	res, err := anon.Presence.LogIn(context.Background(), connect.NewRequest(&presencev1.LogInRequest{Name: name, Password: "password-" + name}))
	if err != nil {
		t.Fatalf("log in %s: %v", name, err)
	}
	app := &operatorApp{t: t, id: res.Msg.GetOperatorId(), token: res.Msg.GetToken(), client: tandem.New(url, tandem.WithProtocol(p), tandem.WithToken(res.Msg.GetToken())), seen: make(chan *presencev1.OperatorStatus, 64)}
	ctx, cancel := context.WithCancel(context.Background())
	app.cancel = cancel
	t.Cleanup(cancel)
	stream, err := app.client.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if !stream.Receive() {
		t.Fatalf("watch %s: %v", name, stream.Err())
	}
	if stream.Msg().GetSnapshot() == nil {
		t.Fatalf("watch %s: first message is not a snapshot: %v", name, stream.Msg())
	}
	go func() {
		defer close(app.seen)
		for stream.Receive() {
			if st := stream.Msg().GetChanged(); st != nil {
				app.seen <- st
			}
		}
		app.err = stream.Err()
	}()
	return app
}

// await waits until the operator's stream shows state, and returns that status.
func (a *operatorApp) await(state commonv1.OperatorState) *presencev1.OperatorStatus {
	a.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case st, ok := <-a.seen:
			if !ok {
				a.t.Fatalf("%s: stream ended while waiting for %s", a.id, state)
			}
			if st.GetState() == state {
				return st
			}
		case <-timeout:
			a.t.Fatalf("%s never became %s", a.id, state)
		}
	}
}

// ready presses Ready: he is ready, or at once reserved when a call was waiting.
func (a *operatorApp) ready() {
	a.t.Helper()
	res, err := a.client.Presence.GoReady(context.Background(), connect.NewRequest(&presencev1.GoReadyRequest{}))
	if err != nil {
		a.t.Fatal(err)
	}
	if s := res.Msg.GetStatus().GetState(); s != commonv1.OperatorState_OPERATOR_STATE_READY && s != commonv1.OperatorState_OPERATOR_STATE_RESERVED {
		a.t.Fatalf("%s pressed Ready and is %s", a.id, s)
	}
}

// setup creates the support queue and two operators through the Admin API.
func setup(t *testing.T, admin *tandem.Client) {
	t.Helper()
	ctx := context.Background()
	_, err := admin.Admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: &adminv1.Queue{
		QueueId: "support", Name: "Support", DialedNumbers: []string{supportLine}, OfferTimeoutS: 20, WrapUpS: 10, IsDefault: true,
	}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []struct {
		name    string
		contact *commonv1.Contact
	}{
		{"anna", &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_USER, Target: "anna"}},
		{"boris", &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_SIP, Target: "sip:boris@pbx.example.com"}},
	} {
		_, err := admin.Admin.CreateOperator(ctx, connect.NewRequest(&adminv1.CreateOperatorRequest{
			Name: op.name, Password: "password-" + op.name, Contact: op.contact,
			Queues: []*adminv1.QueueSkill{{QueueId: "support", Level: 3}},
		}))
		if err != nil {
			t.Fatal(err)
		}
	}
}

func intake(session, path string) *callintakev1.RegisterCallRequest {
	return &callintakev1.RegisterCallRequest{
		RequestId: tandem.NewRequestID(), SessionId: strings.TrimPrefix(path, "/"), AccessUrl: session + path,
		CallerNumber: "+15557654321", DialedNumber: supportLine, DisplayName: "Caller",
	}
}

func event(call, offer string) *callintakev1.ReportCallEventRequest {
	return &callintakev1.ReportCallEventRequest{RequestId: tandem.NewRequestID(), CallId: call, OfferId: offer}
}

var protocols = []struct {
	name     string
	protocol tandem.Protocol
	rest     bool // the cloud speaks plain JSON on the REST paths
}{
	{"connect", tandem.Connect, false},
	{"grpc", tandem.GRPC, false},
	{"json", tandem.ConnectJSON, true},
}

func newCloud(t *testing.T, url string, p tandem.Protocol, rest bool, clk *clock.Fake) *cloudClient {
	c := &cloudClient{t: t, rpc: tandem.New(url, tandem.WithProtocol(p), tandem.WithCloudSecret(testSecret), tandem.WithSigningClock(clk.Now)), secret: testSecret, now: clk.Now}
	if rest {
		c.rest = url
	}
	return c
}

// TestCallEndToEnd plays one call from the cloud to an operator and back, then a call that
// waits for the only operator, then a dial failure that moves a call on — over each protocol.
func TestCallEndToEnd(t *testing.T) {
	t.Parallel()
	callEndToEnd(t, tempSQLite, 0)
}

// tempSQLite is a new SQLite file for t.
func tempSQLite(t *testing.T) string { return filepath.Join(t.TempDir(), "tandem.db") }

// callEndToEnd is TestCallEndToEnd on the databases newDB makes (a file or a URL). With
// followers > 0 (PostgreSQL), that many more replicas follow the leader on the same database
// and every client talks to a follower: the admin and the cloud to the first, the operators
// (their streams) to the last.
func callEndToEnd(t *testing.T, newDB func(*testing.T) string, followers int) {
	for _, tc := range protocols {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(time.Now())
			db := newDB(t)
			srv := startServer(t, db, clk)
			url, opsURL := srv.m.URL, srv.m.URL
			for i := range followers {
				f := startServer(t, db, clock.NewFake(time.Now()))
				if f.m.api != nil {
					t.Fatal("a second replica leads too")
				}
				waitServing(t, f.m.URL)
				if opsURL = f.m.URL; i == 0 {
					url = f.m.URL
				}
			}
			admin := tandem.New(url, tandem.WithProtocol(tc.protocol), tandem.WithToken(testAdminKey))
			setup(t, admin)
			cloud := newCloud(t, url, tc.protocol, tc.rest, clk)
			sess := newSession(t)
			anna := logIn(t, opsURL, tc.protocol, "anna")
			boris := logIn(t, opsURL, tc.protocol, "boris")
			// A supervisor's wallboard (at the operators' replica) sees the floor move.
			board := watchWallboard(t, tandem.New(opsURL, tandem.WithProtocol(tc.protocol), tandem.WithToken(testAdminKey)),
				&analyticsv1.WatchWallboardRequest{Operators: true})
			anna.ready()

			// 1. Intake → dial anna → answered → ended by the operator → wrap-up → ready.
			reg, err := cloud.register(intake(sess.srv.URL, "/s1"))
			if err != nil {
				t.Fatal(err)
			}
			if reg.GetQueueId() != "support" || reg.GetCallId() == "" {
				t.Fatalf("register = %v", reg)
			}
			dial := sess.next("/s1")
			if dial.GetType() != "dial" || dial.GetContact().GetKind() != "user" || dial.GetContact().GetTarget() != "anna" || dial.GetCallId() != reg.GetCallId() || dial.GetTimeoutS() != 20 {
				t.Fatalf("dial = %v", dial)
			}
			offered := anna.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
			if offered.GetOffer().GetCallerNumber() != "+15557654321" || offered.GetOffer().GetOfferId() != dial.GetOfferId() {
				t.Fatalf("anna's offer = %v", offered.GetOffer())
			}
			ev := event(reg.GetCallId(), dial.GetOfferId())
			ev.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 2300}}
			if _, err := cloud.report(ev); err != nil {
				t.Fatal(err)
			}
			anna.await(commonv1.OperatorState_OPERATOR_STATE_ON_CALL)
			board.await("anna on the call on the wallboard", func() bool {
				o := board.ops[anna.id]
				return o != nil && o.GetState() == commonv1.OperatorState_OPERATOR_STATE_ON_CALL && o.GetCallId() == reg.GetCallId()
			})

			// 2. A second call while the only ready operator talks: it waits.
			reg2, err := cloud.register(intake(sess.srv.URL, "/s2"))
			if err != nil {
				t.Fatal(err)
			}
			if reg2.GetPosition() != 1 {
				t.Fatalf("second call position = %d, want 1", reg2.GetPosition())
			}
			sess.none("/s2")

			ev = event(reg.GetCallId(), dial.GetOfferId())
			ev.Event = &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_OPERATOR, TalkTimeMs: 61000}}
			if _, err := cloud.report(ev); err != nil {
				t.Fatal(err)
			}
			wrap := anna.await(commonv1.OperatorState_OPERATOR_STATE_WRAP_UP)
			if wrap.GetWrapUpEndsAt() == nil {
				t.Fatal("wrap-up without an end")
			}
			sess.none("/s2")
			if tc.rest {
				// Done: she ends her wrap-up early with a note on the call.
				if _, err := anna.client.Presence.EndWrapUp(context.Background(), connect.NewRequest(&presencev1.EndWrapUpRequest{Note: "asked about her bill"})); err != nil {
					t.Fatal(err)
				}
			} else {
				clk.Advance(10 * time.Second) // wrap-up over: ready, and the waiting call is hers
			}
			dial2 := sess.next("/s2")
			if dial2.GetContact().GetTarget() != "anna" {
				t.Fatalf("second call dialed %v, want anna", dial2.GetContact())
			}
			// The card shows the caller's earlier call: the one anna just finished.
			card := anna.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED).GetOffer()
			if past := card.GetRecentCalls(); len(past) != 1 || past[0].GetCallId() != reg.GetCallId() || past[0].GetState() != commonv1.CallState_CALL_STATE_ENDED || past[0].GetTalkTimeMs() != 61000 {
				t.Fatalf("recent calls on the card = %v", past)
			}

			// 3. Anna is busy (486): the call moves to Boris and Anna goes away.
			boris.ready()
			ev = event(reg2.GetCallId(), dial2.GetOfferId())
			ev.Event = &callintakev1.ReportCallEventRequest_DialFailed{DialFailed: &callintakev1.DialFailed{Code: 486, Reason: "Busy Here"}}
			if _, err := cloud.report(ev); err != nil {
				t.Fatal(err)
			}
			away := anna.await(commonv1.OperatorState_OPERATOR_STATE_AWAY)
			if !strings.Contains(away.GetReason(), "busy") {
				t.Fatalf("away reason = %q", away.GetReason())
			}
			dial3 := sess.next("/s2")
			if dial3.GetContact().GetKind() != "sip" || dial3.GetContact().GetTarget() != "sip:boris@pbx.example.com" || dial3.GetOfferId() == dial2.GetOfferId() {
				t.Fatalf("after 486 dialed %v", dial3)
			}
			boris.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)

			// The record: the first call ended by the operator, talk time kept; decisions explain both offers of the second.
			got, err := admin.Assignment.GetCall(context.Background(), connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))
			if err != nil {
				t.Fatal(err)
			}
			c := got.Msg.GetCall()
			if c.GetState() != commonv1.CallState_CALL_STATE_ENDED || c.GetHungUpBy() != commonv1.HangupParty_HANGUP_PARTY_OPERATOR || c.GetTalkTimeMs() != 61000 || c.GetOperatorId() != anna.id {
				t.Fatalf("first call = %v", c)
			}
			if tc.rest && c.GetNote() != "asked about her bill" {
				t.Fatalf("the wrap-up note was not kept: %q", c.GetNote())
			}
			why, err := admin.Assignment.ExplainCall(context.Background(), connect.NewRequest(&assignmentv1.ExplainCallRequest{CallId: reg2.GetCallId()}))
			if err != nil {
				t.Fatal(err)
			}
			if d := why.Msg.GetDecisions(); len(d) != 2 || d[0].GetOperatorId() != anna.id || d[1].GetOperatorId() != boris.id || d[1].GetStrategy() != "longest_idle" {
				t.Fatalf("decisions = %v", d)
			}
		})
	}
}

func parseUnix(s string) (time.Time, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	return time.Unix(n, 0), err
}

// waitServing waits until the replica at url serves (a follower: once it knows its leader).
func waitServing(t *testing.T, url string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		res, err := http.Post(url+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader("{}"))
		if err == nil {
			var answer struct{ Status string }
			ok := res.StatusCode == http.StatusOK && json.NewDecoder(res.Body).Decode(&answer) == nil && replica.Serving(answer.Status)
			res.Body.Close()
			if ok {
				return
			}
		}
	}
	t.Fatalf("%s does not serve", url)
}
