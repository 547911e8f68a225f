package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

const (
	adminKey    = "report-admin-key"
	cloudSecret = "report-cloud-secret"
	number      = "+18005550700"
)

// serverBin is the tandem server: $TANDEM_BIN (make examples-test passes bin/tandem), or built
// by TestMain from this module's source.
var serverBin string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	// The tests pass --url and --key themselves; the environment must not fill them in.
	os.Unsetenv("TANDEM_URL")
	os.Unsetenv("TANDEM_ADMIN_KEY")
	if serverBin = os.Getenv("TANDEM_BIN"); serverBin != "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "nightly-report-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "go env GOMOD:", err)
		return 1
	}
	serverBin = filepath.Join(dir, "tandem")
	build := exec.Command("go", "build", "-o", serverBin, "./server/cmd/tandem")
	build.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./server/cmd/tandem: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// start runs `tandem serve` on a fresh database and a free port until the test ends, and
// returns its URL once its health check answers.
func start(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var log bytes.Buffer
	srv := exec.Command(serverBin, "serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "t.db"),
		"--cloud-secret", cloudSecret, "--admin-key", adminKey)
	srv.Stdout, srv.Stderr = &log, &log
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = srv.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = srv.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = srv.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("server log:\n%s", log.String())
		}
	})
	url := "http://" + addr
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatal("the server exited")
		default:
		}
		res, err := http.Post(url+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader("{}"))
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if strings.Contains(string(body), "SERVING") {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer from %s in 60s", url)
		}
	}
}

// playDay sets up a queue and an operator and plays two calls: one answered and ended by the
// caller after 30 s of talk, one abandoned while the operator's phone rang.
func playDay(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	admin := tandem.New(url, tandem.WithToken(adminKey))
	if _, err := admin.Admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: &adminv1.Queue{
		QueueId: "sales", Name: "Sales", DialedNumbers: []string{number}, OfferTimeoutS: 60, WrapUpS: 30,
	}})); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Admin.CreateOperator(ctx, connect.NewRequest(&adminv1.CreateOperatorRequest{
		Name: "olga", DisplayName: "Olga", Password: "password-olga",
		Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_USER, Target: "olga"},
		Queues:  []*adminv1.QueueSkill{{QueueId: "sales", Level: 3}},
	})); err != nil {
		t.Fatal(err)
	}

	// Olga's app: logged in, its presence stream open, Ready.
	login, err := tandem.New(url).Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: "olga", Password: "password-olga"}))
	if err != nil {
		t.Fatal(err)
	}
	app := tandem.New(url, tandem.WithToken(login.Msg.GetToken()))
	stream, err := app.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	offers := make(chan string, 8)
	go func() {
		for stream.Receive() {
			st := stream.Msg().GetChanged()
			if st == nil {
				st = stream.Msg().GetSnapshot()
			}
			if id := st.GetOffer().GetOfferId(); id != "" {
				offers <- id
			}
		}
	}()
	if _, err := app.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{})); err != nil {
		t.Fatal(err)
	}

	// The cloud: a session that takes Tandem's commands, and the scenario's signed requests.
	session := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(session.Close)
	cloud := tandem.New(url, tandem.WithCloudSecret(cloudSecret))
	call := func(id string) (callID, offerID string) {
		t.Helper()
		reg, err := cloud.Intake.RegisterCall(ctx, connect.NewRequest(&callintakev1.RegisterCallRequest{
			RequestId: tandem.NewRequestID(), SessionId: id, AccessUrl: session.URL + "/" + id,
			CallerNumber: "+15557654321", DialedNumber: number,
		}))
		if err != nil {
			t.Fatal(err)
		}
		select {
		case offerID = <-offers:
		case <-time.After(10 * time.Second):
			t.Fatalf("call %s: no offer to olga in 10s", id)
		}
		return reg.Msg.GetCallId(), offerID
	}
	event := func(callID string, ev *callintakev1.ReportCallEventRequest) {
		t.Helper()
		ev.RequestId, ev.CallId = tandem.NewRequestID(), callID
		if _, err := cloud.Intake.ReportCallEvent(ctx, connect.NewRequest(ev)); err != nil {
			t.Fatal(err)
		}
	}

	c1, o1 := call("s-1")
	event(c1, &callintakev1.ReportCallEventRequest{OfferId: o1, Event: &callintakev1.ReportCallEventRequest_OperatorAnswered{
		OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 2000}}})
	event(c1, &callintakev1.ReportCallEventRequest{Event: &callintakev1.ReportCallEventRequest_CallEnded{
		CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_CALLER, TalkTimeMs: 30000}}})
	// Her 30 s of wrap-up would hold the next offer back: Done now.
	if _, err := app.Presence.EndWrapUp(ctx, connect.NewRequest(&presencev1.EndWrapUpRequest{Note: "sold"})); err != nil {
		t.Fatal(err)
	}
	c2, _ := call("s-2")
	event(c2, &callintakev1.ReportCallEventRequest{Event: &callintakev1.ReportCallEventRequest_CallerAbandoned{
		CallerAbandoned: &callintakev1.CallerAbandoned{WaitTimeMs: 1000}}})
}

// olgaID is the operator id Tandem gave olga.
func olgaID(t *testing.T, url string) string {
	t.Helper()
	res, err := tandem.New(url, tandem.WithToken(adminKey)).Admin.ListOperators(context.Background(), connect.NewRequest(&adminv1.ListOperatorsRequest{}))
	if err != nil || len(res.Msg.GetOperators()) != 1 {
		t.Fatalf("ListOperators: %v %v", err, res)
	}
	return res.Msg.GetOperators()[0].GetOperatorId()
}

var cells = regexp.MustCompile(`\s{2,}`)

// rowOf returns the cells of the text table line that starts with first.
func rowOf(t *testing.T, out, first string) []string {
	t.Helper()
	for line := range strings.Lines(out) {
		if c := cells.Split(strings.TrimSpace(line), -1); c[0] == first {
			return c
		}
	}
	t.Fatalf("no line starting with %q in:\n%s", first, out)
	return nil
}

func want(t *testing.T, what string, got []string, cells ...string) {
	t.Helper()
	for i, c := range cells {
		if c != "" && (i >= len(got) || got[i] != c) {
			t.Errorf("%s: cell %d = %q, want %q (row %q)", what, i, at(got, i), c, got)
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

func runReport(t *testing.T, now func() time.Time, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut, now)
	return code, out.String(), errOut.String()
}

func TestReport(t *testing.T) {
	url := start(t)
	before := time.Now().UTC()
	playDay(t, url)
	today := time.Now().UTC()
	if before.Format(time.DateOnly) != today.Format(time.DateOnly) {
		t.Skip("the calls straddled midnight UTC")
	}
	date := today.Format(time.DateOnly)

	code, out, errOut := runReport(t, time.Now, "--url", url, "--key", adminKey, "--date", date)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	t.Logf("the report:\n%s", out)
	if !strings.HasPrefix(out, "Tandem, "+today.Format("Monday 2 January 2006")+" (UTC)\n") {
		t.Errorf("title:\n%s", out)
	}
	// Two calls received, one answered, one abandoned (within 5 s: a short abandon, on neither
	// side of the SL), so the SL is 1 / (1 + 1 - 1) = 100 %, the abandonment rate 1 / 2.
	want(t, "queue", rowOf(t, out, "sales"), "sales", "2", "1", "1", "1", "0", "100.0%", "80%/20s", "", "", "50.0%", "", "0")
	// Olga had two offers (the second withdrawn when the caller left: no miss) and 30 s of talk.
	// Her ring time is the scenario's report (2 s); talk time too (30 s), and her AHT adds the
	// moment of wrap-up she had.
	want(t, "operator", rowOf(t, out, "OPERATOR"), "OPERATOR", "NAME", "OFFERS", "ANSWERED", "MISSED", "RING s", "TALK s")
	want(t, "operator", rowOf(t, out, olgaID(t, url)), "", "Olga", "2", "1", "0", "2.0", "30.0")
	want(t, "hour", rowOf(t, out, today.Truncate(time.Hour).Format("15:04")), "", "sales", "2", "1", "1", "100.0%")
	want(t, "total", rowOf(t, out, "total"), "total", "2", "1", "1", "100.0%")

	// The default day is yesterday: run "tomorrow", it reports today.
	tomorrow := func() time.Time { return today.Add(24 * time.Hour) }
	code, again, errOut := runReport(t, tomorrow, "--url", url, "--key", adminKey)
	if code != 0 || again != out {
		t.Errorf("yesterday seen from tomorrow: exit %d %s\n%s", code, errOut, again)
	}

	// CSV: three tables, each with its header.
	code, out, errOut = runReport(t, time.Now, "--url", url, "--key", adminKey, "--date", date, "--csv")
	if code != 0 {
		t.Fatalf("--csv: exit %d: %s", code, errOut)
	}
	blocks := strings.Split(out, "\n\n")
	if len(blocks) != 3 {
		t.Fatalf("--csv: %d blocks, want 3:\n%s", len(blocks), out)
	}
	for i, head := range []string{"queue,received,answered,", "operator_id,name,offers,", "hour,queue,received,"} {
		recs, err := csv.NewReader(strings.NewReader(blocks[i])).ReadAll()
		if err != nil || !strings.HasPrefix(blocks[i], head) || len(recs) < 2 {
			t.Errorf("--csv block %d (%v):\n%s", i, err, blocks[i])
		}
	}
	if !strings.Contains(blocks[0], "\nsales,2,1,1,1,0,100.0%,80%/20s,") || !strings.Contains(blocks[1], ",Olga,2,1,0,2.0,30.0,") {
		t.Errorf("--csv queues:\n%s", blocks[0])
	}

	// A day with nothing: zeros, undefined rates as "-".
	code, out, _ = runReport(t, time.Now, "--url", url, "--key", adminKey, "--date", today.AddDate(0, 0, -2).Format(time.DateOnly))
	if code != 0 {
		t.Fatalf("an empty day: exit %d", code)
	}
	want(t, "empty day", rowOf(t, out, "sales"), "sales", "0", "0", "0", "0", "0", "-")
}

func TestErrors(t *testing.T) {
	url := start(t)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no key", []string{"--url", url}, 1, "nightly-report: unauthenticated: "},
		{"wrong key", []string{"--url", url, "--key", "nope"}, 1, "nightly-report: unauthenticated: "},
		{"no server", []string{"--url", "http://127.0.0.1:1", "--key", adminKey}, 1, "nightly-report: unavailable: "},
		{"bad date", []string{"--url", url, "--key", adminKey, "--date", "yesterday"}, 2, `--date "yesterday"`},
		{"bad zone", []string{"--url", url, "--key", adminKey, "--zone", "Mars/Olympus"}, 2, `--zone "Mars/Olympus"`},
		{"extra argument", []string{"--url", url, "now"}, 2, "unexpected arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runReport(t, time.Now, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) || out != "" {
				t.Errorf("exit %d, want %d; stderr %q, want %q; stdout %q", code, tc.code, errOut, tc.stderr, out)
			}
		})
	}
}
