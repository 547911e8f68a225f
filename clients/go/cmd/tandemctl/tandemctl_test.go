package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

const (
	adminKey    = "k"
	cloudSecret = "s"
)

// serverBin is the tandem server, built by TestMain.
var serverBin string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	// The tests pass --url and --key themselves; the environment must not fill them in.
	os.Unsetenv("TANDEM_URL")
	os.Unsetenv("TANDEM_ADMIN_KEY")
	dir, err := os.MkdirTemp("", "tandemctl-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if serverBin, err = buildServer(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// buildServer builds the tandem binary into dir from this module's source.
func buildServer(dir string) (string, error) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	bin := filepath.Join(dir, "tandem")
	build := exec.Command("go", "build", "-o", bin, "./server/cmd/tandem")
	build.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./server/cmd/tandem: %w\n%s", err, out)
	}
	return bin, nil
}

// start runs a fresh server, on its own database, for one test, and stops it when the test
// ends; it waits until the server answers its health check.
func start(t *testing.T) *ctlT {
	t.Helper()
	dir := t.TempDir()
	// The server does not say which port it got, so pick a free one and hand it over.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	var log bytes.Buffer
	srv := exec.Command(serverBin, "serve", "--addr", addr, "--db", filepath.Join(dir, "t.db"), "--cloud-secret", cloudSecret, "--admin-key", adminKey)
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
	for deadline := time.Now().Add(10 * time.Second); !healthy(url); {
		select {
		case <-exited:
			t.Fatal("the server exited")
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer from %s in 10s", url)
		}
	}
	return &ctlT{t: t, url: url}
}

// healthy asks the gRPC health service, in the Connect protocol with JSON.
func healthy(url string) bool {
	c := &http.Client{Timeout: time.Second}
	res, err := c.Post(url+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader("{}"))
	if err != nil {
		return false
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode == http.StatusOK && strings.Contains(string(body), "SERVING")
}

// result is what one run of tandemctl did.
type result struct {
	code           int
	stdout, stderr string
}

// ctlT runs tandemctl against one test's server.
type ctlT struct {
	t   *testing.T
	url string
}

// run runs tandemctl with the admin key.
func (c *ctlT) run(args ...string) result {
	c.t.Helper()
	return ctlRaw(c.t, append([]string{"--url", c.url, "--key", adminKey}, args...)...)
}

// ok runs tandemctl and fails the test unless it succeeds; it returns the output.
func (c *ctlT) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("tandemctl %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// okJSON runs tandemctl --json and decodes its output into msg.
func (c *ctlT) okJSON(msg proto.Message, args ...string) {
	c.t.Helper()
	out := c.ok(append([]string{"--json"}, args...)...)
	if err := protojson.Unmarshal([]byte(out), msg); err != nil {
		c.t.Fatalf("tandemctl --json %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// ctlRaw runs tandemctl with exactly args.
func ctlRaw(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

var cellSep = regexp.MustCompile(`\s{2,}`)

// rowOf returns the cells of the table line whose first cell is first.
func rowOf(t *testing.T, table, first string) []string {
	t.Helper()
	for line := range strings.Lines(table) {
		cells := cellSep.Split(strings.TrimSpace(line), -1)
		if cells[0] == first {
			return cells
		}
	}
	t.Fatalf("no row %q in\n%s", first, table)
	return nil
}

func wantCells(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("row = %q\nwant  %q", got, want)
	}
}

func TestHelp(t *testing.T) {
	r := ctlRaw(t, "help")
	if r.code != 0 {
		t.Fatalf("help: exit %d: %s", r.code, r.stderr)
	}
	for _, c := range commands {
		if !strings.Contains(r.stdout, c.noun+" "+c.verb) {
			t.Errorf("help does not list %s %s", c.noun, c.verb)
		}
	}
	if r := ctlRaw(t); r.code != 2 || !strings.Contains(r.stderr, "Commands:") {
		t.Errorf("no command: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestHuman(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{350 * time.Millisecond, "350ms"},
		{2300 * time.Millisecond, "2.3s"},
		{2340 * time.Millisecond, "2.3s"},
		{20 * time.Second, "20s"},
		{4*time.Minute + 12*time.Second + 400*time.Millisecond, "4m12s"},
		{time.Hour + 5*time.Minute + 20*time.Second, "1h5m"},
	} {
		if got := human(tc.d); got != tc.want {
			t.Errorf("human(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestEmptyCenter lists the calls of a center that has none.
func TestEmptyCenter(t *testing.T) {
	c := start(t)
	out := c.ok("calls", "list")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "CALL") {
		t.Errorf("calls list on an empty center:\n%s", out)
	}
	var res assignmentv1.ListCallsResponse
	c.okJSON(&res, "calls", "list")
	if len(res.GetCalls()) != 0 {
		t.Errorf("calls = %v", res.GetCalls())
	}
}

func TestQueues(t *testing.T) {
	c := start(t)
	out := c.ok("queues", "create", "--id", "support", "--name", "Support", "--number", "+18005550100", "--greeting", "Hello there", "--default")
	for _, want := range []string{"support", "+18005550100", "Hello there", "longest_idle", "20s", "10s"} {
		if !strings.Contains(out, want) {
			t.Errorf("queues create output lacks %q:\n%s", want, out)
		}
	}
	c.ok("queues", "create", "--id", "sales", "--name", "Sales", "--number", "+18005550101", "--number", "+18005550102", "--offer-timeout", "30s", "--priority", "2")

	list := c.ok("queues", "list")
	wantCells(t, rowOf(t, list, "ID"), "ID", "NAME", "NUMBERS", "STRATEGY", "OFFER TIMEOUT", "WRAP-UP", "PRIORITY", "DEFAULT")
	wantCells(t, rowOf(t, list, "support"), "support", "Support", "+18005550100", "longest_idle", "20s", "10s", "0", "yes")
	wantCells(t, rowOf(t, list, "sales"), "sales", "Sales", "+18005550101,+18005550102", "longest_idle", "30s", "10s", "2", "no")

	// update changes only the flags given; the rest stays as it was.
	out = c.ok("queues", "update", "sales", "--wrap-up", "45s", "--hold-music", "https://music.example.com/hold.mp3", "--number", "+18005550103")
	wantCells(t, rowOf(t, out, "Wrap-up"), "Wrap-up", "45s")
	var got adminv1.GetQueueResponse
	c.okJSON(&got, "queues", "get", "sales")
	want := &adminv1.Queue{
		QueueId: "sales", Name: "Sales", DialedNumbers: []string{"+18005550103"}, Strategy: "longest_idle",
		OfferTimeoutS: 30, WrapUpS: 45, Priority: 2, HoldMusicUrl: "https://music.example.com/hold.mp3",
		// The server's default rules, filled in at create.
		AwayAfterMisses: 1, BanAfterMisses: 3, BanWindowS: 3600, BanStepsS: []uint32{300, 900, 3600},
		ManagerWaitS: 30, OptInCooldownDays: 90, AbsenceTemplates: map[string]string{}, Overflow: &adminv1.Overflow{Order: "in_turn"},
	}
	if !proto.Equal(got.GetQueue(), want) {
		t.Errorf("after update: %v\nwant %v", got.GetQueue(), want)
	}
	out = c.ok("queues", "update", "sales", "--ban-step", "2m", "--ban-step", "10m", "--announce-every", "30s")
	wantCells(t, rowOf(t, out, "Ban"), "Ban", "after 3 misses within 1h0m, for 2m0s, then 10m0s")
	if r := c.run("queues", "update", "sales", "--announce-every", "5s"); r.code != 1 || !strings.Contains(r.stderr, "queue.announce_every_s") {
		t.Errorf("announcing every 5 s: exit %d, %s", r.code, r.stderr)
	}
	// --id names the queue as well as the argument does; --default=false clears a flag.
	c.ok("queues", "update", "--id", "support", "--default=false", "--priority", "7")
	wantCells(t, rowOf(t, c.ok("queues"), "support"), "support", "Support", "+18005550100", "longest_idle", "20s", "10s", "7", "no")

	var list2 adminv1.ListQueuesResponse
	c.okJSON(&list2, "queues", "list")
	if len(list2.GetQueues()) < 2 {
		t.Errorf("--json queues list = %v", list2.GetQueues())
	}
}

func TestOperators(t *testing.T) {
	c := start(t)
	c.ok("queues", "create", "--id", "ops", "--number", "+18005550200")
	c.ok("queues", "create", "--id", "ops2", "--number", "+18005550201")

	var created adminv1.CreateOperatorResponse
	c.okJSON(&created, "operators", "create", "--name", "anna", "--password", "password-anna", "--display-name", "Anna Petrova", "--contact", "sip:sip:anna@pbx.example.com", "--queue", "ops:3")
	id := created.GetOperator().GetOperatorId()
	if id == "" {
		t.Fatalf("create: %v", &created)
	}
	c.ok("operators", "create", "--name", "boris", "--password", "password-boris", "--contact", "pstn:+14155550100", "--queue", "ops:1", "--queue", "ops2:5")

	list := c.ok("operators", "list")
	row := rowOf(t, list, id)
	wantCells(t, row[:6], id, "anna", "Anna Petrova", "sip:sip:anna@pbx.example.com", "ops:3", "no")
	if _, err := time.Parse(time.RFC3339, row[6]); err != nil || strings.Contains(row[6], ".") {
		t.Errorf("created %q is not RFC 3339 without fractions", row[6])
	}

	out := c.ok("operators", "update", id, "--disable")
	wantCells(t, rowOf(t, out, "Disabled"), "Disabled", "yes")
	wantCells(t, rowOf(t, c.ok("operators"), id)[:6], id, "anna", "Anna Petrova", "sip:sip:anna@pbx.example.com", "ops:3", "yes")

	c.ok("operators", "update", id, "--enable", "--queue", "ops2:5", "--contact", "user:anna", "--display-name", "Anna P.")
	var got adminv1.GetOperatorResponse
	c.okJSON(&got, "operators", "get", id)
	if o := got.GetOperator(); o.GetDisabled() || o.GetDisplayName() != "Anna P." || contactString(o.GetContact()) != "user:anna" || skillsString(o.GetQueues()) != "ops:3,ops2:5" {
		t.Errorf("after update: %v", o)
	}
	c.ok("operators", "update", id, "--replace-queues", "--queue", "ops2:1")
	wantCells(t, rowOf(t, c.ok("operators", "get", id), "Queues"), "Queues", "ops2:1")

	// A supervisor moves him with the admin key.
	out = c.ok("operator", "away", id, "--reason", "training")
	wantCells(t, rowOf(t, out, "State"), "State", "away")
	wantCells(t, rowOf(t, out, "Reason"), "Reason", "training")
	out = c.ok("operator", "ready", id)
	wantCells(t, rowOf(t, out, "State"), "State", "ready")
}

func TestStats(t *testing.T) {
	c := start(t)
	c.ok("queues", "create", "--id", "stats", "--number", "+18005550300")
	out := c.ok("stats", "queues")
	wantCells(t, rowOf(t, out, "stats"), "stats", "0", "0", "0", "0", "-", "-", "0", "0", "0")
	from := time.Now().Add(-time.Hour).Format(time.RFC3339)
	out = c.ok("stats", "queues", "--queue", "stats", "--from", from, "--to", time.Now().Add(time.Minute).Format(time.RFC3339))
	if n := len(strings.Split(strings.TrimSpace(out), "\n")); n != 2 {
		t.Errorf("stats for one queue:\n%s", out)
	}
	out = c.ok("stats", "operators")
	rowOf(t, out, "OPERATOR")
}

func TestErrors(t *testing.T) {
	c := start(t)
	for _, tc := range []struct {
		name string
		args []string // after --url (and --key unless noKey)
		// noKey leaves the admin key out.
		noKey      bool
		code       int
		wantStderr []string
	}{
		{"bad offer timeout", []string{"queues", "create", "--id", "bad", "--number", "+18005550900", "--offer-timeout", "1s"}, false, 1, []string{"tandemctl: invalid_argument: ", "field: queue.offer_timeout_s"}},
		{"unknown call", []string{"calls", "why", "call_nope"}, false, 1, []string{"tandemctl: not_found: "}},
		{"unknown operator", []string{"operators", "get", "op_nope"}, false, 1, []string{"tandemctl: not_found: "}},
		{"no key", []string{"queues", "list"}, true, 1, []string{"tandemctl: unauthenticated: "}},
		{"wrong key", []string{"--key", "wrong", "queues", "list"}, true, 1, []string{"tandemctl: unauthenticated: "}},
		{"no server", []string{"--url", "http://127.0.0.1:1", "queues", "list"}, false, 1, []string{"tandemctl: unavailable: "}},
		{"unknown command", []string{"frob"}, false, 2, []string{`unknown command "frob"`}},
		{"unknown verb", []string{"queues", "frob"}, false, 2, []string{`unknown command "queues frob"`}},
		{"missing argument", []string{"operators", "get"}, false, 2, []string{"missing ID", "usage: tandemctl operators get ID"}},
		{"extra argument", []string{"calls", "get", "a", "b"}, false, 2, []string{"unexpected arguments: b"}},
		{"unknown flag", []string{"calls", "list", "--frob"}, false, 2, []string{"flag provided but not defined: -frob"}},
		{"bad contact", []string{"operators", "create", "--name", "x", "--contact", "fax:1"}, false, 2, []string{`--contact "fax:1"`}},
		{"bad skill", []string{"operators", "create", "--name", "x", "--queue", "ops"}, false, 2, []string{`--queue "ops"`}},
		{"enable and disable", []string{"operators", "update", "op_x", "--enable", "--disable"}, false, 2, []string{"--disable and --enable together"}},
		{"fractional seconds", []string{"queues", "create", "--id", "x", "--wrap-up", "1.5s"}, false, 2, []string{"--wrap-up 1.5s"}},
		{"bad time", []string{"stats", "queues", "--from", "yesterday"}, false, 2, []string{`--from "yesterday"`}},
		{"two ids", []string{"queues", "update", "a", "--id", "b"}, false, 2, []string{"two ids"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"--url", c.url}
			if !tc.noKey {
				args = append(args, "--key", adminKey)
			}
			r := ctlRaw(t, append(args, tc.args...)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, want := range tc.wantStderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout on failure: %s", r.stdout)
			}
		})
	}
}

// TestCallFlow puts a call in front of a present operator and looks at it the supervisor's way.
func TestCallFlow(t *testing.T) {
	c := start(t)
	c.ok("queues", "create", "--id", "flow", "--number", "+18005550400", "--offer-timeout", "120s")
	var created adminv1.CreateOperatorResponse
	c.okJSON(&created, "operators", "create", "--name", "flo", "--password", "password-flo", "--contact", "user:flo", "--queue", "flow:3")
	op := created.GetOperator().GetOperatorId()

	// Flo's app: logged in with its presence stream open, so he can be routed calls.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	login, err := tandem.New(c.url).Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: "flo", Password: "password-flo"}))
	if err != nil {
		t.Fatal(err)
	}
	app := tandem.New(c.url, tandem.WithToken(login.Msg.GetToken()))
	stream, err := app.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if !stream.Receive() {
		t.Fatalf("watch: %v", stream.Err())
	}
	go func() {
		for stream.Receive() {
		}
	}()
	out := c.ok("operator", "ready", op)
	wantCells(t, rowOf(t, out, "Present"), "Present", "yes")

	// The cloud: a call session that accepts Tandem's commands.
	session := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(session.Close)
	cloud := tandem.New(c.url, tandem.WithCloudSecret(cloudSecret))
	reg, err := cloud.Intake.RegisterCall(ctx, connect.NewRequest(&callintakev1.RegisterCallRequest{
		RequestId: tandem.NewRequestID(), SessionId: "flow-1", AccessUrl: session.URL + "/flow-1",
		CallerNumber: "+15557654321", DialedNumber: "+18005550400", DisplayName: "Caller",
	}))
	if err != nil {
		t.Fatal(err)
	}
	call := reg.Msg.GetCallId()

	var offer string
	for deadline := time.Now().Add(10 * time.Second); offer == ""; time.Sleep(20 * time.Millisecond) {
		var got assignmentv1.GetCallResponse
		c.okJSON(&got, "calls", "get", call)
		for _, o := range got.GetCall().GetOffers() {
			if o.GetOperatorId() == op && o.GetState().String() == "OFFER_STATE_PENDING" {
				offer = o.GetOfferId()
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no offer to %s: %v", op, got.GetCall())
		}
	}

	list := c.ok("calls", "list", "--queue", "flow")
	row := rowOf(t, list, call)
	if row[1] != "flow" || row[2] != "waiting" || row[len(row)-1] != op {
		t.Errorf("calls list row = %q", row)
	}

	out = c.ok("calls", "get", call)
	offerRow := rowOf(t, out, offer)
	if offerRow[1] != op || offerRow[2] != "pending" {
		t.Errorf("offer row = %q\n%s", offerRow, out)
	}

	out = c.ok("calls", "why", call)
	if !strings.Contains(out, "offer "+offer+" to "+op+" (longest_idle)") {
		t.Errorf("calls why lacks the decision:\n%s", out)
	}
	cand := rowOf(t, out, op)
	if cand[1] != "ready" || cand[2] != "yes" || !strings.Contains(out, "idle ") {
		t.Errorf("candidate row = %q\n%s", cand, out)
	}
	if short := c.ok("why", call); short != out {
		t.Errorf("tandemctl why differs from calls why:\n%s", short)
	}
	if r := c.run("operator", "lift-ban", op); r.code != 1 || !strings.Contains(r.stderr, "failed_precondition") {
		t.Errorf("lifting a ban nobody has: exit %d, %s", r.code, r.stderr)
	}

	out = c.ok("calls", "withdraw", offer, "--reason", "testing")
	wantCells(t, rowOf(t, out, "Call"), "Call", call)
	out = c.ok("calls", "get", call)
	if offerRow := rowOf(t, out, offer); offerRow[2] != "withdrawn" || offerRow[len(offerRow)-1] != "testing" {
		t.Errorf("withdrawn offer row = %q", offerRow)
	}
	c.ok("calls", "requeue", call, "--queue", "flow")

	if r := c.run("calls", "withdraw", offer); r.code != 1 || !strings.Contains(r.stderr, "tandemctl: ") {
		t.Errorf("withdrawing it again: exit %d, %s", r.code, r.stderr)
	}
}
