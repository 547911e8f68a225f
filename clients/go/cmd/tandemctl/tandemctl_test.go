package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
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
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
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
func start(t *testing.T, serveArgs ...string) *ctlT {
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
	srv := exec.Command(serverBin, append([]string{"serve", "--addr", addr, "--db", filepath.Join(dir, "t.db"), "--cloud-secret", cloudSecret, "--admin-key", adminKey}, serveArgs...)...)
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
	for deadline := time.Now().Add(60 * time.Second); !healthy(url); {
		select {
		case <-exited:
			t.Fatal("the server exited")
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer from %s in 60s", url)
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

// runIn runs tandemctl with the admin key, stdin as its standard input.
func (c *ctlT) runIn(stdin string, args ...string) result {
	c.t.Helper()
	return ctlIn(c.t, stdin, append([]string{"--url", c.url, "--key", adminKey}, args...)...)
}

// ctlRaw runs tandemctl with exactly args.
func ctlRaw(t *testing.T, args ...string) result {
	t.Helper()
	return ctlIn(t, "", args...)
}

// ctlIn runs tandemctl with exactly args and stdin as its standard input.
func ctlIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
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
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "call") {
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
	// The columns are named as the flags that set them, with values those flags take.
	wantCells(t, rowOf(t, list, "id"), "id", "name", "number", "strategy", "offer-timeout", "wrap-up", "priority", "default", "announce-every", "overflow-after", "record-calls")
	wantCells(t, rowOf(t, list, "support"), "support", "Support", "+18005550100", "longest_idle", "20s", "10s", "0", "true", "0s", "0s", "false")
	wantCells(t, rowOf(t, list, "sales"), "sales", "Sales", "+18005550101,+18005550102", "longest_idle", "30s", "10s", "2", "false", "0s", "0s", "false")

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
		ServiceLevelThresholdS: 20, ServiceLevelTargetPercent: 80, ServiceLevelAbandoned: "count_against", ShortAbandonS: 5,
	}
	if !proto.Equal(got.GetQueue(), want) {
		t.Errorf("after update: %v\nwant %v", got.GetQueue(), want)
	}
	out = c.ok("queues", "update", "sales", "--ban-step", "2m", "--ban-step", "10m", "--announce-every", "30s")
	wantCells(t, rowOf(t, out, "Ban"), "Ban", "after 3 misses within 1h0m, for 2m0s, then 10m0s")
	if r := c.run("queues", "update", "sales", "--announce-every", "5s"); r.code != 1 || !strings.Contains(r.stderr, "queue.announce_every_s") {
		t.Errorf("announcing every 5 s: exit %d, %s", r.code, r.stderr)
	}
	// ring_all rings --ring-at-once at once (5 unless told); out of range is refused.
	out = c.ok("queues", "update", "sales", "--strategy", "ring_all")
	wantCells(t, rowOf(t, out, "Ring at once"), "Ring at once", "5")
	out = c.ok("queues", "update", "sales", "--ring-at-once", "3")
	wantCells(t, rowOf(t, out, "Ring at once"), "Ring at once", "3")
	if r := c.run("queues", "update", "sales", "--ring-at-once", "51"); r.code != 1 || !strings.Contains(r.stderr, "queue.ring_at_once") {
		t.Errorf("ringing 51 at once: exit %d, %s", r.code, r.stderr)
	}
	// --id names the queue as well as the argument does; --default=false clears a flag.
	c.ok("queues", "update", "--id", "support", "--default=false", "--priority", "7")
	wantCells(t, rowOf(t, c.ok("queues"), "support"), "support", "Support", "+18005550100", "longest_idle", "20s", "10s", "7", "false", "0s", "0s", "false")

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
	wantCells(t, rowOf(t, list, "id"), "id", "name", "display-name", "contact", "queue", "hours", "tz", "disable", "created")
	wantCells(t, row[:8], id, "anna", "Anna Petrova", "sip:sip:anna@pbx.example.com", "ops:3", "always", "-", "false")
	if _, err := time.Parse(time.RFC3339, row[8]); err != nil || strings.Contains(row[8], ".") {
		t.Errorf("created %q is not RFC 3339 without fractions", row[8])
	}

	out := c.ok("operators", "update", id, "--disable")
	wantCells(t, rowOf(t, out, "Disabled"), "Disabled", "yes")
	wantCells(t, rowOf(t, c.ok("operators"), id)[:8], id, "anna", "Anna Petrova", "sip:sip:anna@pbx.example.com", "ops:3", "always", "-", "true")

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

	// Someone guesses anna's password: the supervisor sees it and unlocks her name.
	for range 5 {
		_, err := tandem.New(c.url).Presence.LogIn(context.Background(), connect.NewRequest(&presencev1.LogInRequest{Name: "anna", Password: "guess"}))
		if connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Fatalf("guess: %v", err)
		}
	}
	failures := rowOf(t, c.ok("operator", "login-failures"), id)
	wantCells(t, []string{failures[1], failures[2], failures[4]}, "anna", "5", "127.0.0.1")
	if !strings.HasPrefix(failures[5], "127.0.0.1") {
		t.Errorf("anna's back-off: %v", failures)
	}
	wantCells(t, rowOf(t, c.ok("operator", "unlock", "anna"), "Back-offs cleared"), "Back-offs cleared", "1")
	wantCells(t, rowOf(t, c.ok("operator", "unlock", "--address", "127.0.0.1"), "Back-offs cleared"), "Back-offs cleared", "1")
	if r := c.run("operator", "unlock"); r.code != 2 || !strings.Contains(r.stderr, "NAME or ID, or --address") {
		t.Errorf("unlock with nothing: %+v", r)
	}
}

func TestStats(t *testing.T) {
	c := start(t)
	c.ok("queues", "create", "--id", "stats", "--number", "+18005550300")
	out := c.ok("stats", "queues")
	wantCells(t, rowOf(t, out, "stats"), "stats", "0", "0", "0", "0", "-", "-", "0", "0", "0", "-", "80%/20s", "-")
	from := time.Now().Add(-time.Hour).Format(time.RFC3339)
	out = c.ok("stats", "queues", "--queue", "stats", "--from", from, "--to", time.Now().Add(time.Minute).Format(time.RFC3339))
	if n := len(strings.Split(strings.TrimSpace(out), "\n")); n != 2 {
		t.Errorf("stats for one queue:\n%s", out)
	}
	out = c.ok("stats", "operators")
	rowOf(t, out, "OPERATOR")

	// History: nothing finished yet, so a total of zeros (today's by default); bad flags are
	// usage errors.
	wantCells(t, rowOf(t, c.ok("stats", "history"), "TOTAL"), "TOTAL", "0", "0", "0", "-", "-", "-", "-", "-")
	out = c.ok("stats", "history", "--queue", "stats", "--from", from, "--to", time.Now().Add(time.Minute).Format(time.RFC3339))
	wantCells(t, rowOf(t, out, "TOTAL"), "TOTAL", "0", "0", "0", "-", "-", "-", "-", "-")
	csv := c.ok("stats", "history", "--csv", "--interval", "day", "--from", from, "--to", time.Now().Add(time.Minute).Format(time.RFC3339))
	if !strings.HasPrefix(csv, "start,queue_id,operator_id,calls_received,") {
		t.Errorf("history CSV:\n%s", csv)
	}
	if r := c.run("stats", "history", "--interval", "week"); r.code != 2 || !strings.Contains(r.stderr, "--interval") {
		t.Errorf("a week interval: exit %d %s", r.code, r.stderr)
	}
	if r := c.run("stats", "history", "--from", from, "--to", from); r.code != 1 || !strings.Contains(r.stderr, "range") {
		t.Errorf("an empty range: exit %d %s", r.code, r.stderr)
	}

	// A period's report: nothing finished, a total of zeros per queue or per operator, this
	// week by default; the CSV is the export's; bad periods are usage errors, a range too long
	// the server's refusal naming it.
	out = c.ok("stats", "report", "--zone", "Europe/Berlin")
	wantCells(t, rowOf(t, out, "QUEUE"), "QUEUE", "RECEIVED", "ANSWERED", "ABANDONED", "SL", "ABANDON RATE", "ASA", "AHT", "DISPOSITIONS")
	wantCells(t, rowOf(t, out, "TOTAL"), "TOTAL", "0", "0", "0", "-", "-", "-", "-", "-")
	out = c.ok("stats", "report", "--period", "month", "--date", "2026-02-10", "--by", "operator")
	if !strings.Contains(out, "2026-02-01 to 2026-02-28 (UTC)") || len(rowOf(t, out, "OPERATOR")) != 9 {
		t.Errorf("February per operator:\n%s", out)
	}
	csv = c.ok("stats", "report", "--csv", "--period", "custom", "--first", "2026-11-01", "--last", "2026-11-30")
	if !strings.HasPrefix(csv, "start,queue_id,operator_id,calls_received,") || !strings.HasSuffix(strings.TrimSpace(strings.SplitN(csv, "\n", 2)[0]), ",voicemails,dispositions") {
		t.Errorf("report CSV:\n%s", csv)
	}
	for _, bad := range [][]string{{"--period", "year"}, {"--period", "custom", "--first", "2026-11-01"}, {"--first", "2026-11-01", "--last", "2026-11-02"},
		{"--date", "26.11.2026"}, {"--by", "skill"}, {"--zone", "Europe/Atlantis"}} {
		if r := c.run(append([]string{"stats", "report"}, bad...)...); r.code != 2 || !strings.Contains(r.stderr, bad[0]) {
			t.Errorf("report %v: exit %d %s", bad, r.code, r.stderr)
		}
	}
	if r := c.run("stats", "report", "--period", "custom", "--first", "2020-01-01", "--last", "2026-01-01"); r.code != 1 || !strings.Contains(r.stderr, "range") {
		t.Errorf("six years in one report: exit %d %s", r.code, r.stderr)
	}

	// Staffing: 200 calls an hour of 3 minutes are 10 erlangs; 80 % within 20 s takes 14
	// operators (Erlang C, the textbook case).
	out = c.ok("stats", "staffing", "--calls-per-hour", "200", "--aht", "3m")
	if !strings.Contains(out, "Traffic 10.00 erlangs: 14 operators by Erlang C") {
		t.Errorf("staffing:\n%s", out)
	}
	wantCells(t, rowOf(t, out, "14")[:3], "14", "17.4%", "88.8%")
	if r := c.run("stats", "staffing", "--aht", "3m"); r.code != 1 || !strings.Contains(r.stderr, "calls_per_hour") {
		t.Errorf("staffing without calls: exit %d %s", r.code, r.stderr)
	}
	if r := c.run("stats", "replay", "--queue", "nope", "--date", "2026-11-26", "--operators", "3"); r.code != 1 || !strings.Contains(r.stderr, "queue_id") {
		t.Errorf("replay of an unknown queue: exit %d %s", r.code, r.stderr)
	}
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
		{"missing argument", []string{"operators", "get"}, false, 2, []string{"missing OPERATOR", "usage: tandemctl operators get OPERATOR"}},
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

	out = c.ok("calls", "timeline", call)
	for _, kind := range []string{"arrived", "offered"} {
		if rowOf(t, out, "AT") == nil || !strings.Contains(out, kind) {
			t.Errorf("calls timeline lacks %s:\n%s", kind, out)
		}
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

	// A priority, flags after the call as before it; out of range, the server names the field.
	c.ok("calls", "requeue", "--priority", "7", call)
	var got assignmentv1.GetCallResponse
	c.okJSON(&got, "calls", "get", call)
	if got.GetCall().GetPriority() != 7 {
		t.Errorf("priority after requeue --priority 7: %d", got.GetCall().GetPriority())
	}
	if r := c.run("calls", "requeue", call, "--priority", "101"); r.code != 1 || !strings.Contains(r.stderr, "field: priority") {
		t.Errorf("priority 101: exit %d, %s", r.code, r.stderr)
	}

	// Flo has the call's offer again; logging him out by his name withdraws it.
	out = c.ok("operator", "logout", "flo")
	wantCells(t, rowOf(t, out, "State"), "State", "offline")
	if r := c.run("operator", "logout", "nobody"); r.code != 1 || !strings.Contains(r.stderr, `no operator "nobody"`) {
		t.Errorf("logging out nobody: exit %d, %s", r.code, r.stderr)
	}
	if _, err := app.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("flo's token after the log-out: %v", err)
	}
}

func TestOperatorHours(t *testing.T) {
	c := start(t)
	var created adminv1.CreateOperatorResponse
	c.okJSON(&created, "operators", "create", "--name", "hana", "--password", "password-hana", "--contact", "user:hana",
		"--tz", "Europe/Berlin", "--hours", "mon-fri=09:00-18:00", "--hours", "fri=09:00-15:00")
	id := created.GetOperator().GetOperatorId()
	want := &adminv1.WeekHours{TimeZone: "Europe/Berlin", Days: map[string]string{
		"mon": "09:00-18:00", "tue": "09:00-18:00", "wed": "09:00-18:00", "thu": "09:00-18:00", "fri": "09:00-15:00"}}
	if !proto.Equal(created.GetOperator().GetHours(), want) {
		t.Errorf("hours = %v\nwant %v", created.GetOperator().GetHours(), want)
	}
	wantCells(t, rowOf(t, c.ok("operators", "get", id), "Hours"), "Hours", "mon-thu=09:00-18:00 fri=09:00-15:00 (Europe/Berlin)")
	if got := rowOf(t, c.ok("operators", "list"), id); got[5] != "mon-thu=09:00-18:00 fri=09:00-15:00" || got[6] != "Europe/Berlin" {
		t.Errorf("list row = %q", got)
	}

	// --tz alone keeps the days; --hours alone keeps the zone and replaces the week.
	out := c.ok("operators", "update", id, "--tz", "America/New_York")
	wantCells(t, rowOf(t, out, "Hours"), "Hours", "mon-thu=09:00-18:00 fri=09:00-15:00 (America/New_York)")
	out = c.ok("operators", "update", id, "--hours", "sat-sun=10:00-14:00")
	wantCells(t, rowOf(t, out, "Hours"), "Hours", "sat-sun=10:00-14:00 (America/New_York)")
	out = c.ok("operators", "update", id, "--hours", "always", "--display-name", "Hana")
	wantCells(t, rowOf(t, out, "Hours"), "Hours", "always (America/New_York)")
	wantCells(t, rowOf(t, out, "Display name"), "Display name", "Hana")
	// Other changes leave the hours alone.
	c.ok("operators", "update", id, "--tz", "UTC", "--hours", "wed=08:00-12:00,13:00-17:00")
	out = c.ok("operators", "update", id, "--display-name", "Hana K.")
	wantCells(t, rowOf(t, out, "Hours"), "Hours", "wed=08:00-12:00,13:00-17:00 (UTC)")

	if r := c.run("operators", "update", id, "--tz", "Mars/Olympus"); r.code != 1 || !strings.Contains(r.stderr, "field: hours.time_zone") {
		t.Errorf("unknown zone: exit %d, %s", r.code, r.stderr)
	}
	if r := c.run("operators", "update", id, "--hours", "mon=9-18"); r.code != 1 || !strings.Contains(r.stderr, "field: hours.days[mon]") {
		t.Errorf("bad spans: exit %d, %s", r.code, r.stderr)
	}
	if r := c.run("operators", "update", id, "--hours", "someday=09:00-18:00"); r.code != 2 || !strings.Contains(r.stderr, `--hours "someday=09:00-18:00"`) {
		t.Errorf("unknown day: exit %d, %s", r.code, r.stderr)
	}
}

func TestQueueRules(t *testing.T) {
	c := start(t)
	out := c.ok("queues", "create", "--id", "vip", "--number", "+18005550500", "--manager-wait", "45s", "--no-opt-in",
		"--absence-template", "vacation={name} is away until {until}.")
	wantCells(t, rowOf(t, out, "Manager wait"), "Manager wait", "45s")
	wantCells(t, rowOf(t, out, "Opt-in"), "Opt-in", "no")
	wantCells(t, rowOf(t, out, "Absence text (vacation)"), "Absence text (vacation)", "{name} is away until {until}.")
	wantCells(t, rowOf(t, out, "Overflow"), "Overflow", "never")
	wantCells(t, rowOf(t, out, "Alerts"), "Alerts", "off")
	out = c.ok("queues", "create", "--id", "alerted", "--number", "+18005550599", "--alert-waiting-over", "3", "--alert-longest-wait-over", "1m30s", "--alert-misses-in-row", "2",
		"--alert-service-level-under", "70", "--alert-abandonment-over", "10", "--alert-window", "10m", "--alert-hold", "5s")
	wantCells(t, rowOf(t, out, "Alerts"), "Alerts", "over 3 waiting, a wait over 1m30s, 2 misses in a row, service level under 70 %, abandonment over 10 %")
	if r := c.run("queues", "update", "alerted", "--alert-service-level-under", "101"); r.code != 1 || !strings.Contains(r.stderr, "field: queue.alert_service_level_under_percent") {
		t.Errorf("a service level over 100 %%: exit %d, %s", r.code, r.stderr)
	}

	c.ok("spares", "create", "--id", "s1", "--contact", "pstn:+14155550101")
	c.ok("spares", "create", "--id", "s2", "--contact", "pstn:+14155550102")
	out = c.ok("queues", "update", "vip", "--no-opt-in=false", "--opt-in-cooldown-days", "30", "--absence-template", "sick={name} is ill.",
		"--overflow-after", "1m", "--overflow-spare", "s1", "--overflow-spare", "s2", "--overflow-max", "2", "--overflow-order", "least_used")
	wantCells(t, rowOf(t, out, "Opt-in"), "Opt-in", "yes, not again for 30 days after a no")
	wantCells(t, rowOf(t, out, "Absence text (sick)"), "Absence text (sick)", "{name} is ill.")
	wantCells(t, rowOf(t, out, "Overflow"), "Overflow", "after 1m0s to s1,s2 (least_used, at most 2 at once)")

	// REASON= goes back to the default; --overflow-spare replaces the pool.
	c.ok("queues", "update", "vip", "--absence-template", "vacation=", "--overflow-spare", "s1")
	var got adminv1.GetQueueResponse
	c.okJSON(&got, "queues", "get", "vip")
	q := got.GetQueue()
	wantQ := &adminv1.Queue{
		QueueId: "vip", Name: "vip", DialedNumbers: []string{"+18005550500"}, Strategy: "longest_idle", OfferTimeoutS: 20, WrapUpS: 10,
		AwayAfterMisses: 1, BanAfterMisses: 3, BanWindowS: 3600, BanStepsS: []uint32{300, 900, 3600},
		ManagerWaitS: 45, OptInCooldownDays: 30, AbsenceTemplates: map[string]string{"sick": "{name} is ill."},
		Overflow:               &adminv1.Overflow{AfterS: 60, SpareIds: []string{"s1"}, MaxAtOnce: 2, Order: "least_used"},
		ServiceLevelThresholdS: 20, ServiceLevelTargetPercent: 80, ServiceLevelAbandoned: "count_against", ShortAbandonS: 5,
	}
	if !proto.Equal(q, wantQ) {
		t.Errorf("queue = %v\nwant %v", q, wantQ)
	}
	// --overflow-after 0 turns overflow off; the pool stays for later.
	out = c.ok("queues", "update", "vip", "--overflow-after", "0")
	wantCells(t, rowOf(t, out, "Overflow"), "Overflow", "never (pool s1)")

	for _, tc := range []struct {
		args  []string
		code  int
		field string
	}{
		{[]string{"--absence-template", "holiday=Gone."}, 1, "field: queue.absence_templates"},
		{[]string{"--absence-template", "just text"}, 2, `--absence-template "just text"`},
		{[]string{"--overflow-order", "random"}, 1, "field: queue.overflow.order"},
		{[]string{"--overflow-after", "30s", "--overflow-spare="}, 1, "field: queue.overflow.spare_ids"},
		{[]string{"--overflow-spare", "s9"}, 1, "field: queue.overflow.spare_ids"},
		{[]string{"--manager-wait", "1h"}, 1, "field: queue.manager_wait_s"},
		{[]string{"--manager-wait", "0.5s"}, 2, "--manager-wait 500ms"},
	} {
		r := c.run(append([]string{"queues", "update", "vip"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.field) {
			t.Errorf("queues update vip %s: exit %d, %s", strings.Join(tc.args, " "), r.code, r.stderr)
		}
	}
}

func TestClients(t *testing.T) {
	c := start(t)
	c.ok("queues", "create", "--id", "sales", "--number", "+18005550600")
	var anna, boris adminv1.CreateOperatorResponse
	c.okJSON(&anna, "operators", "create", "--name", "anna", "--password", "password-anna", "--contact", "user:anna", "--queue", "sales:3")
	c.okJSON(&boris, "operators", "create", "--name", "boris", "--password", "password-boris", "--contact", "user:boris", "--queue", "sales:3")
	a, b := anna.GetOperator().GetOperatorId(), boris.GetOperator().GetOperatorId()

	// Any common spelling is stored as E.164.
	out := c.ok("clients", "set", "+1 (415) 555-0100", a)
	wantCells(t, rowOf(t, out, "Number"), "Number", "+14155550100")
	wantCells(t, rowOf(t, out, "Manager"), "Manager", a)
	wantCells(t, rowOf(t, out, "How"), "How", "admin")
	var got adminv1.GetClientResponse
	c.okJSON(&got, "clients", "get", "+14155550100")
	if cl := got.GetClient(); cl.GetManagerId() != a || cl.GetHow() != "admin" || cl.GetAssignedAt() == nil {
		t.Errorf("get: %v", cl)
	}

	// Import: by login name or id; a header; one bad line is reported, the rest imported.
	csv := filepath.Join(t.TempDir(), "clients.csv")
	data := "number,manager\n+14155550101,boris\nnot a number,boris\n+14155550102," + b + "\n"
	if err := os.WriteFile(csv, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	r := c.run("clients", "import", csv)
	if r.code != 1 || !strings.Contains(r.stderr, "tandemctl: 1 of 3 lines not imported") {
		t.Errorf("import with a bad line: exit %d, %s", r.code, r.stderr)
	}
	wantCells(t, rowOf(t, r.stdout, "Imported"), "Imported", "2")
	wantCells(t, rowOf(t, r.stdout, "3"), "3", `"not a number" is not a phone number`)
	list := c.ok("clients", "list", "--manager", b)
	wantCells(t, rowOf(t, list, "number"), "number", "manager", "how", "assigned", "declined")
	if row := rowOf(t, list, "+14155550101"); row[1] != b || row[2] != "import" {
		t.Errorf("imported row = %q", row)
	}
	rowOf(t, list, "+14155550102")
	if strings.Contains(list, "+14155550100") {
		t.Errorf("anna's client in boris's list:\n%s", list)
	}
	// From standard input, all good.
	r = c.runIn("+14155550103,anna\n", "clients", "import", "-")
	if r.code != 0 {
		t.Fatalf("import from stdin: exit %d, %s", r.code, r.stderr)
	}
	wantCells(t, rowOf(t, r.stdout, "Imported"), "Imported", "1")
	// Again, with --json: the whole response on stdout, exit 1 all the same.
	r = c.run("--json", "clients", "import", csv)
	var imp adminv1.ImportClientsResponse
	if err := protojson.Unmarshal([]byte(r.stdout), &imp); err != nil || r.code != 1 {
		t.Fatalf("--json import: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	if imp.GetImported() != 2 || len(imp.GetErrors()) != 1 || imp.GetErrors()[0].GetLine() != 3 {
		t.Errorf("--json import = %v", &imp)
	}

	var all adminv1.ListClientsResponse
	c.okJSON(&all, "clients", "list")
	if len(all.GetClients()) != 4 {
		t.Errorf("all clients = %v", all.GetClients())
	}

	// Anna is dismissed: her clients are listed for reassignment, boris's are not.
	c.ok("operators", "update", a, "--disable")
	orphans := c.ok("clients", "list", "--orphans")
	rowOf(t, orphans, "+14155550100")
	rowOf(t, orphans, "+14155550103")
	if strings.Contains(orphans, "+14155550101") || strings.Count(orphans, "\n") != 3 {
		t.Errorf("orphans:\n%s", orphans)
	}
	c.ok("clients", "set", "+14155550100", b)
	if orphans := c.ok("clients", "list", "--orphans"); strings.Contains(orphans, "+14155550100") {
		t.Errorf("a reassigned client is still an orphan:\n%s", orphans)
	}

	out = c.ok("clients", "remove", "+14155550101")
	wantCells(t, rowOf(t, out, "Manager"), "Manager", "-")
	if list := c.ok("clients", "list", "--manager", b); strings.Contains(list, "+14155550101") {
		t.Errorf("removed client still listed:\n%s", list)
	}

	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"clients", "set", "12345", b}, 1, []string{"invalid_argument", "field: number"}},
		{[]string{"clients", "set", "+14155550109", "op_nope"}, 1, []string{"not_found", "field: manager_id"}},
		{[]string{"clients", "set", "+14155550109", a}, 1, []string{"failed_precondition", "dismissed"}},
		{[]string{"clients", "get", "+14155550199"}, 1, []string{"not_found", "field: number"}},
		{[]string{"clients", "remove", "+14155550199"}, 1, []string{"not_found"}},
		{[]string{"clients", "list", "--manager", "op_nope"}, 1, []string{"not_found", "field: manager_id"}},
		{[]string{"clients", "set", "+14155550109"}, 2, []string{"missing MANAGER"}},
		{[]string{"clients", "import", filepath.Join(t.TempDir(), "none.csv")}, 1, []string{"none.csv"}},
	} {
		r := c.run(tc.args...)
		if r.code != tc.code {
			t.Errorf("%s: exit %d, want %d: %s", strings.Join(tc.args, " "), r.code, tc.code, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q: %s", strings.Join(tc.args, " "), w, r.stderr)
			}
		}
	}
}

func TestAbsences(t *testing.T) {
	c := start(t)
	var created adminv1.CreateOperatorResponse
	c.okJSON(&created, "operators", "create", "--name", "vera", "--password", "password-vera", "--contact", "user:vera")
	v := created.GetOperator().GetOperatorId()
	c.okJSON(&created, "operators", "create", "--name", "yuri", "--password", "password-yuri", "--contact", "user:yuri")
	y := created.GetOperator().GetOperatorId()

	out := c.ok("absences", "create", v, "--kind", "vacation", "--from", "2026-12-01", "--to", "2026-12-14")
	id := rowOf(t, out, "ID")[1]
	wantCells(t, rowOf(t, out, "Kind"), "Kind", "vacation")
	wantCells(t, rowOf(t, out, "To"), "To", "2026-12-14")
	var sick adminv1.CreateAbsenceResponse
	c.okJSON(&sick, "absences", "create", "--kind", "sick", "--from", "2026-11-02", "--to", "2026-11-03", y)
	if a := sick.GetAbsence(); a.GetOperatorId() != y || a.GetKind() != "sick" || a.GetFrom() != "2026-11-02" {
		t.Errorf("sick leave = %v", a)
	}

	list := c.ok("absences", "list")
	wantCells(t, rowOf(t, list, "id"), "id", "operator", "kind", "from", "to")
	wantCells(t, rowOf(t, list, id), id, v, "vacation", "2026-12-01", "2026-12-14")
	rowOf(t, list, sick.GetAbsence().GetAbsenceId())
	var mine adminv1.ListAbsencesResponse
	c.okJSON(&mine, "absences", "list", "--operator", v)
	if len(mine.GetAbsences()) != 1 || mine.GetAbsences()[0].GetAbsenceId() != id {
		t.Errorf("vera's absences = %v", mine.GetAbsences())
	}

	out = c.ok("absences", "delete", id)
	wantCells(t, rowOf(t, out, "Deleted"), "Deleted", id)
	if list := c.ok("absences"); strings.Contains(list, id) {
		t.Errorf("deleted absence still listed:\n%s", list)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"absences", "create", v, "--kind", "holiday", "--from", "2026-12-01", "--to", "2026-12-02"}, 1, "field: kind"},
		{[]string{"absences", "create", v, "--kind", "sick", "--from", "1 Dec", "--to", "2026-12-02"}, 1, "field: from"},
		{[]string{"absences", "create", v, "--kind", "sick", "--from", "2026-12-03", "--to", "2026-12-02"}, 1, "field: to"},
		{[]string{"absences", "delete", id}, 1, "not_found"},
		{[]string{"absences", "create", "--kind", "sick"}, 2, "missing OPERATOR"},
	} {
		if r := c.run(tc.args...); r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d, %s", strings.Join(tc.args, " "), r.code, r.stderr)
		}
	}
}

func TestSpares(t *testing.T) {
	c := start(t)
	out := c.ok("spares", "create", "--id", "night", "--name", "Night desk", "--contact", "sip:sip:night@pbx.example.com",
		"--tz", "Europe/Berlin", "--hours", "mon-fri=18:00-23:00", "--holiday", "2026-12-25", "--holiday", "2026-12-26",
		"--daily-cap", "20", "--priority", "5", "--cooldown", "5m")
	for _, want := range [][]string{
		{"ID", "night"}, {"Name", "Night desk"}, {"Contact", "sip:sip:night@pbx.example.com"},
		{"Hours", "mon-fri=18:00-23:00 (Europe/Berlin)"}, {"Holidays", "2026-12-25,2026-12-26"},
		{"At once", "1"}, {"Daily cap", "20"}, {"Priority", "5"}, {"Cool-down", "5m0s"}, {"Disabled", "no"},
		{"Active", "0"}, {"Calls today", "0"}, {"Cooling down until", "-"},
	} {
		wantCells(t, rowOf(t, out, want[0]), want...)
	}
	c.ok("spares", "create", "--id", "mobile", "--contact", "pstn:+14155550190")

	list := c.ok("spares", "list")
	wantCells(t, rowOf(t, list, "id"), "id", "name", "contact", "hours", "tz", "holiday", "max-concurrent", "daily-cap", "priority", "cooldown", "disable", "active", "calls-today", "cooling-down-until")
	wantCells(t, rowOf(t, list, "night"), "night", "Night desk", "sip:sip:night@pbx.example.com", "mon-fri=18:00-23:00", "Europe/Berlin", "2026-12-25,2026-12-26", "1", "20", "5", "5m0s", "false", "0", "0", "-")
	wantCells(t, rowOf(t, list, "mobile"), "mobile", "mobile", "pstn:+14155550190", "always", "-", "-", "1", "0", "0", "10m0s", "false", "0", "0", "-")

	// update changes only the flags given.
	c.ok("spares", "update", "night", "--max-concurrent", "3", "--tz", "UTC", "--disable")
	var res adminv1.ListSparesResponse
	c.okJSON(&res, "spares", "list")
	want := &adminv1.Spare{
		SpareId: "night", Name: "Night desk", Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_SIP, Target: "sip:night@pbx.example.com"},
		Hours:    &adminv1.WeekHours{TimeZone: "UTC", Days: map[string]string{"mon": "18:00-23:00", "tue": "18:00-23:00", "wed": "18:00-23:00", "thu": "18:00-23:00", "fri": "18:00-23:00"}},
		Holidays: []string{"2026-12-25", "2026-12-26"}, MaxConcurrent: 3, DailyCap: 20, Priority: 5, CooldownS: 300, Disabled: true,
		Use: &adminv1.SpareUse{},
	}
	if len(res.GetSpares()) != 2 || !proto.Equal(res.GetSpares()[1], want) {
		t.Errorf("spares after update = %v\nwant [mobile %v]", res.GetSpares(), want)
	}
	out = c.ok("spares", "update", "--id", "night", "--disable=false", "--hours", "always", "--holiday=", "--contact", "pstn:+14155550191")
	wantCells(t, rowOf(t, out, "Hours"), "Hours", "always (UTC)")
	wantCells(t, rowOf(t, out, "Holidays"), "Holidays", "-")
	wantCells(t, rowOf(t, out, "Contact"), "Contact", "pstn:+14155550191")
	wantCells(t, rowOf(t, out, "Disabled"), "Disabled", "no")
	wantCells(t, rowOf(t, out, "At once"), "At once", "3")

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"spares", "create", "--id", "desk", "--contact", "user:desk"}, 1, "field: spare.contact.kind"},
		{[]string{"spares", "create", "--id", "desk"}, 1, "field: spare.contact"},
		{[]string{"spares", "create", "--id", "mobile", "--contact", "pstn:+14155550192"}, 1, "already_exists"},
		{[]string{"spares", "create", "--id", "desk", "--contact", "pstn:+14155550192", "--holiday", "Christmas"}, 1, "field: spare.holidays[0]"},
		{[]string{"spares", "update", "nope", "--priority", "1"}, 1, `not_found: no spare "nope"`},
		{[]string{"spares", "update", "night", "--cooldown", "2s500ms"}, 2, "--cooldown 2.5s"},
		{[]string{"spares", "update"}, 2, "missing SPARE"},
	} {
		if r := c.run(tc.args...); r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d, %s", strings.Join(tc.args, " "), r.code, r.stderr)
		}
	}
}

// TestOverflowPreview: a spare whose hours exclude now is passed over for the other.
func TestOverflowPreview(t *testing.T) {
	c := start(t)
	// Night's only hours are on a weekday three days away (UTC), so never now.
	now := time.Now().UTC()
	later := now.AddDate(0, 0, 3)
	day := strings.ToLower(later.Weekday().String()[:3])
	c.ok("spares", "create", "--id", "night", "--contact", "pstn:+14155550180", "--tz", "UTC", "--hours", day+"=09:00-18:00")
	c.ok("spares", "create", "--id", "mobile", "--contact", "pstn:+14155550181")
	c.ok("queues", "create", "--id", "support", "--number", "+18005550700", "--overflow-after", "60s", "--overflow-spare", "night", "--overflow-spare", "mobile")

	out := c.ok("overflow", "preview", "--queue", "support")
	wantCells(t, rowOf(t, out, "Spare"), "Spare", "mobile")
	wantCells(t, rowOf(t, out, "At"), "At", "now")
	wantCells(t, rowOf(t, out, "SPARE"), "SPARE", "ELIGIBLE", "EXCLUDED BECAUSE", "CALLS TODAY")
	if row := rowOf(t, out, "night"); row[1] != "no" || !strings.HasPrefix(row[2], "forbidden hours (") || row[3] != "0" {
		t.Errorf("night row = %q\n%s", row, out)
	}
	wantCells(t, rowOf(t, out, "mobile"), "mobile", "yes", "-", "0")

	var res adminv1.PreviewOverflowResponse
	c.okJSON(&res, "overflow", "preview", "--queue", "support")
	if res.GetSpareId() != "mobile" || len(res.GetCandidates()) != 2 || !strings.Contains(res.GetCandidates()[0].GetExcludedBecause(), "forbidden hours") {
		t.Errorf("--json preview = %v", &res)
	}

	// Within night's hours both may take it; in turn, the first of the pool does.
	at := time.Date(later.Year(), later.Month(), later.Day(), 10, 0, 0, 0, time.UTC).Format(time.RFC3339)
	out = c.ok("overflow", "preview", "--queue", "support", "--at", at)
	wantCells(t, rowOf(t, out, "Spare"), "Spare", "night")
	wantCells(t, rowOf(t, out, "night"), "night", "yes", "-", "0")
	c.ok("overflow", "preview", "--queue", "support", "--at", "12:00")

	// A queue without an overflow rule says so.
	c.ok("queues", "create", "--id", "plain", "--number", "+18005550701")
	out = c.ok("overflow", "preview", "--queue", "plain")
	wantCells(t, rowOf(t, out, "Spare"), "Spare", "-")
	wantCells(t, rowOf(t, out, "Rule"), "Rule", "queue plain has no overflow rule")

	if r := c.run("overflow", "preview", "--queue", "nope"); r.code != 1 || !strings.Contains(r.stderr, "tandemctl: not_found: ") {
		t.Errorf("unknown queue: exit %d, %s", r.code, r.stderr)
	}
	if r := c.run("overflow", "preview"); r.code != 1 || !strings.Contains(r.stderr, "field: queue_id") {
		t.Errorf("no queue: exit %d, %s", r.code, r.stderr)
	}
	if r := c.run("overflow", "preview", "--queue", "support", "--at", "tonight"); r.code != 2 || !strings.Contains(r.stderr, `--at "tonight"`) {
		t.Errorf("bad --at: exit %d, %s", r.code, r.stderr)
	}
}

func TestAtFlag(t *testing.T) {
	loc := time.FixedZone("X", 3*3600)
	now := time.Date(2026, 3, 4, 22, 30, 0, 0, loc)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"15:04", time.Date(2026, 3, 4, 15, 4, 0, 0, loc)},
		{"09:00", time.Date(2026, 3, 4, 9, 0, 0, 0, loc)},
		{"2026-12-01T09:00:00+01:00", time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)},
	} {
		got, err := atFlag(tc.in, now)
		if err != nil || !got.AsTime().Equal(tc.want) {
			t.Errorf("atFlag(%q) = %v, %v; want %v", tc.in, got.AsTime(), err, tc.want)
		}
	}
	for _, bad := range []string{"25:00", "noon", "2026-12-01"} {
		if _, err := atFlag(bad, now); err == nil {
			t.Errorf("atFlag(%q) took it", bad)
		}
	}
}

func TestHoursString(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		tz   string
		want string
	}{
		{nil, "", "always"},
		{[]string{"always"}, "Europe/Berlin", "always (Europe/Berlin)"},
		{[]string{"mon-fri=09:00-18:00"}, "", "mon-fri=09:00-18:00 (UTC)"},
		{[]string{"mon-sun=09:00-18:00", "wed="}, "", "mon-tue=09:00-18:00 thu-sun=09:00-18:00 (UTC)"},
		{[]string{"sat-mon=10:00-12:00"}, "", "mon=10:00-12:00 sat-sun=10:00-12:00 (UTC)"},
		{[]string{"Tue=08:00-12:00,13:00-17:00"}, "UTC", "tue=08:00-12:00,13:00-17:00 (UTC)"},
	} {
		d, err := parseDays(tc.in)
		if err != nil {
			t.Errorf("parseDays(%q): %v", tc.in, err)
			continue
		}
		if got := hoursString(&adminv1.WeekHours{TimeZone: tc.tz, Days: d}); got != tc.want {
			t.Errorf("hours %q = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, bad := range [][]string{{"mon"}, {"monday=09:00-18:00"}, {"mon-xyz=09:00-10:00"}, {"always", "mon=09:00-10:00"}} {
		if _, err := parseDays(bad); err == nil {
			t.Errorf("parseDays(%q) took it", bad)
		}
	}
}

// TestQueueDispositions: a queue's dispositions and whether one is required go through
// tandemctl; the server's refusals name the field.
func TestQueueDispositions(t *testing.T) {
	c := start(t)
	out := c.ok("queues", "create", "--id", "sales", "--number", "+18005550700", "--disposition", "sale=Sale made", "--disposition", "callback=Call back later", "--disposition", "no_sale", "--disposition-required")
	wantCells(t, rowOf(t, out, "Dispositions"), "Dispositions", "sale=Sale made, callback=Call back later, no_sale (required)")
	var got adminv1.GetQueueResponse
	c.okJSON(&got, "queues", "get", "sales")
	want := []*commonv1.Disposition{{Code: "sale", Label: "Sale made"}, {Code: "callback", Label: "Call back later"}, {Code: "no_sale", Label: "no_sale"}}
	if q := got.GetQueue(); len(q.GetDispositions()) != len(want) || !q.GetDispositionRequired() {
		t.Fatalf("queue = %v", q)
	} else {
		for i, d := range q.GetDispositions() {
			if !proto.Equal(d, want[i]) {
				t.Errorf("disposition %d = %v, want %v", i, d, want[i])
			}
		}
	}
	// Other settings leave them alone; --disposition replaces the list.
	c.ok("queues", "update", "sales", "--wrap-up", "20s")
	out = c.ok("queues", "update", "sales", "--disposition", "sale=Sale made", "--disposition-required=false")
	wantCells(t, rowOf(t, out, "Dispositions"), "Dispositions", "sale=Sale made")
	out = c.ok("queues", "update", "sales", "--disposition=")
	wantCells(t, rowOf(t, out, "Dispositions"), "Dispositions", "none")
	for _, tc := range []struct {
		args  []string
		field string
	}{
		{[]string{"--disposition-required"}, "field: queue.disposition_required"},
		{[]string{"--disposition", "Sale=Sale"}, "field: queue.dispositions[0].code"},
		{[]string{"--disposition", "sale", "--disposition", "sale=Again"}, "field: queue.dispositions[1].code"},
	} {
		r := c.run(append([]string{"queues", "update", "sales"}, tc.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.field) {
			t.Errorf("queues update sales %s: exit %d, %s", strings.Join(tc.args, " "), r.code, r.stderr)
		}
	}
}

// TestRecordingAndSoftphonePassword: a queue's recording settings and an operator's browser
// phone password go through tandemctl to the server.
func TestRecordingAndSoftphonePassword(t *testing.T) {
	c := start(t)
	out := c.ok("queues", "create", "--id", "rec", "--number", "+18005550600", "--record-calls", "--recording-notice", "This call may be recorded.")
	wantCells(t, rowOf(t, out, "Recording"), "Recording", "yes, notice: This call may be recorded.")
	var got adminv1.GetQueueResponse
	c.okJSON(&got, "queues", "get", "rec")
	if q := got.GetQueue(); !q.GetRecordCalls() || q.GetRecordingNotice() != "This call may be recorded." {
		t.Errorf("queue = %v", q)
	}
	out = c.ok("queues", "update", "rec", "--record-calls=false", "--recording-notice=")
	wantCells(t, rowOf(t, out, "Recording"), "Recording", "no")
	c.okJSON(&got, "queues", "get", "rec")
	if q := got.GetQueue(); q.GetRecordCalls() || q.GetRecordingNotice() != "" {
		t.Errorf("after update: %v", q)
	}
	if r := c.run("queues", "update", "rec", "--recording-notice", strings.Repeat("x", 1501)); r.code != 1 || !strings.Contains(r.stderr, "recording_notice") {
		t.Errorf("a notice too long: exit %d, %s", r.code, r.stderr)
	}

	var created adminv1.CreateOperatorResponse
	c.okJSON(&created, "operators", "create", "--name", "anna", "--password", "password-anna", "--contact", "user:anna", "--queue", "rec:3")
	id := created.GetOperator().GetOperatorId()
	ctx := context.Background()
	logged, err := tandem.New(c.url).Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: "anna", Password: "password-anna"}))
	if err != nil {
		t.Fatal(err)
	}
	anna := tandem.New(c.url, tandem.WithToken(logged.Msg.GetToken()))
	// Without --voximplant-app the server cannot give her a browser phone; what it says is
	// missing shows whether her password is set.
	missing := func() string {
		_, err := anna.Presence.GetSoftphone(ctx, connect.NewRequest(&presencev1.GetSoftphoneRequest{}))
		return err.Error()
	}
	if m := missing(); !strings.Contains(m, "no Voximplant password is set") {
		t.Fatalf("before: %s", m)
	}
	c.ok("operators", "update", id, "--softphone-password", "vox-secret")
	if m := missing(); !strings.Contains(m, "no Voximplant application") {
		t.Errorf("with the password set: %s", m)
	}
	c.ok("operators", "update", id, "--softphone-password=")
	if m := missing(); !strings.Contains(m, "no Voximplant password is set") {
		t.Errorf("after removing it: %s", m)
	}
	c.ok("operators", "update", id, "--contact", "sip:sip:anna@pbx.example.com")
	if r := c.run("operators", "update", id, "--softphone-password", "vox-secret"); r.code != 1 || !strings.Contains(r.stderr, "softphone_password") {
		t.Errorf("a SIP operator's softphone password: exit %d, %s", r.code, r.stderr)
	}
}

// TestKeySoftphone: the admin gives a supervisor's key a browser phone, sees its user, removes
// it; a read-only key is refused by field; the command line wants --user or --remove.
func TestKeySoftphone(t *testing.T) {
	c := start(t)
	admin := tandem.New(c.url, tandem.WithToken(adminKey)).Admin
	newKey := func(name string, role adminv1.KeyRole) string {
		res, err := admin.CreateApiKey(context.Background(), connect.NewRequest(&adminv1.CreateApiKeyRequest{Name: name, Role: role}))
		if err != nil {
			t.Fatal(err)
		}
		return res.Msg.GetApiKey().GetKeyId()
	}
	floor, wall := newKey("floor", adminv1.KeyRole_KEY_ROLE_SUPERVISOR), newKey("wall", adminv1.KeyRole_KEY_ROLE_READONLY)
	out := c.ok("keys", "softphone", floor, "--user", "olga", "--password", "vox-olga-1")
	wantCells(t, rowOf(t, out, "Browser phone"), "Browser phone", "olga")
	if strings.Contains(out, "vox-olga-1") {
		t.Errorf("the password is shown: %s", out)
	}
	var removed adminv1.SetApiKeySoftphoneResponse
	c.okJSON(&removed, "keys", "softphone", floor, "--remove")
	if removed.GetApiKey().GetSoftphoneUser() != "" {
		t.Errorf("removed: %v", &removed)
	}
	if r := c.run("keys", "softphone", wall, "--user", "wally", "--password", "vox-wall-1"); r.code != 1 || !strings.Contains(r.stderr, "key_id") {
		t.Errorf("a read-only key: %+v", r)
	}
	if r := c.run("keys", "softphone", floor); r.code != 2 || !strings.Contains(r.stderr, "--user") {
		t.Errorf("neither --user nor --remove: %+v", r)
	}
}

// TestPersonSoftphone: the admin gives a person a browser phone by his name, lists it, removes
// it; a user another person has is refused by field; the command line wants --user or --remove.
func TestPersonSoftphone(t *testing.T) {
	c := start(t)
	out := c.ok("accounts", "softphone", "olga", "--user", "olga.sup", "--password", "vox-olga-1")
	wantCells(t, rowOf(t, out, "Browser phone"), "Browser phone", "olga.sup")
	if strings.Contains(out, "vox-olga-1") {
		t.Errorf("the password is shown: %s", out)
	}
	wantCells(t, rowOf(t, c.ok("accounts", "softphones"), "olga"), "olga", "olga.sup")
	if r := c.run("accounts", "softphone", "ivan", "--user", "olga.sup", "--password", "vox-ivan-1"); r.code != 1 || !strings.Contains(r.stderr, "softphone_user") {
		t.Errorf("another person's user: %+v", r)
	}
	var removed adminv1.SetPersonSoftphoneResponse
	c.okJSON(&removed, "accounts", "softphone", "olga", "--remove")
	if removed.GetSoftphone() != nil {
		t.Errorf("removed: %v", &removed)
	}
	if out := c.ok("accounts", "softphones"); strings.Contains(out, "olga") {
		t.Errorf("listed after the removal: %s", out)
	}
	if r := c.run("accounts", "softphone", "olga"); r.code != 2 || !strings.Contains(r.stderr, "--user") {
		t.Errorf("neither --user nor --remove: %+v", r)
	}
}

// TestAccounts: an admin makes a supervisor account, lists it, makes him an admin, disables
// him and sets his password; the person signs in with it; bad roles are refused before any call.
func TestAccounts(t *testing.T) {
	c := start(t)
	out := c.ok("accounts", "create", "--name", "olga", "--role", "supervisor", "--password", "demo-password", "--display-name", "Olga Petrova")
	wantCells(t, rowOf(t, out, "Role"), "Role", "supervisor")
	if strings.Contains(out, "demo-password") {
		t.Errorf("the password is shown: %s", out)
	}
	wantCells(t, rowOf(t, c.ok("accounts", "list"), "olga")[:4], "olga", "Olga Petrova", "supervisor", "false")
	var up adminv1.UpdateAccountResponse
	c.okJSON(&up, "accounts", "update", "olga", "--role", "admin", "--disable")
	if up.GetAccount().GetRole() != adminv1.KeyRole_KEY_ROLE_ADMIN || !up.GetAccount().GetDisabled() {
		t.Errorf("updated: %v", &up)
	}
	c.ok("accounts", "update", "--enable", "olga")
	c.ok("accounts", "password", "olga", "--password", "another-password")
	res, err := tandem.New(c.url).Admin.SignIn(context.Background(), connect.NewRequest(&adminv1.SignInRequest{Name: "olga", Password: "another-password"}))
	if err != nil || res.Msg.GetAccount().GetRole() != adminv1.KeyRole_KEY_ROLE_ADMIN {
		t.Errorf("sign-in: %v %v", res, err)
	}
	if r := c.run("accounts", "create", "--name", "ivan", "--role", "readonly", "--password", "long-enough"); r.code != 2 || !strings.Contains(r.stderr, "--role") {
		t.Errorf("a readonly account: %+v", r)
	}
	if r := c.run("accounts", "password", "nobody", "--password", "long-enough"); r.code != 1 || !strings.Contains(r.stderr, "nobody") {
		t.Errorf("nobody's password: %+v", r)
	}
}

func TestQueueHoursAndExits(t *testing.T) {
	c := start(t)
	c.ok("queues", "create", "--id", "support", "--number", "+18005550100")
	out := c.ok("queues", "create", "--id", "night", "--number", "+18005550199", "--time-zone", "Europe/Berlin",
		"--hours", "mon-fri 18:00-24:00", "--hours", "tue-sat 00:00-08:00", "--closure", "2026-12-31..2027-01-01=New Year",
		"--closed-exit", "number=+14155550100", "--closed-text", "Our day team will help you.", "--exit-waiting-at-close",
		"--max-waiting", "5", "--max-waiting-exit", "queue=support", "--longest-wait", "5m", "--longest-wait-exit", "message", "--longest-wait-text", "Please call again.")
	wantCells(t, rowOf(t, out, "Closures"), "Closures", "2026-12-31..2027-01-01=New Year")
	wantCells(t, rowOf(t, out, "Max waiting"), "Max waiting", "5, then queue=support")
	var got adminv1.GetQueueResponse
	c.okJSON(&got, "queues", "get", "night")
	q := got.GetQueue()
	if h := q.GetHours(); h.GetTimeZone() != "Europe/Berlin" || len(h.GetWeekly()) != 10 || h.GetWeekly()[0].GetDay() != "mon" || h.GetWeekly()[0].GetTo() != "24:00" {
		t.Errorf("hours = %v", h)
	}
	if x := q.GetClosedExit(); x.GetKind() != "number" || x.GetNumber() != "+14155550100" || x.GetText() != "Our day team will help you." || !q.GetExitWaitingAtClose() {
		t.Errorf("closed exit = %v", x)
	}
	if q.GetLongestWaitS() != 300 || q.GetLongestWaitExit().GetText() != "Please call again." {
		t.Errorf("longest wait = %d %v", q.GetLongestWaitS(), q.GetLongestWaitExit())
	}
	// The text stays when the exit changes; none removes the cap's exit.
	c.ok("queues", "update", "night", "--closed-exit", "message", "--max-waiting", "0", "--max-waiting-exit", "none")
	c.okJSON(&got, "queues", "get", "night")
	if x := got.GetQueue().GetClosedExit(); x.GetKind() != "message" || x.GetText() != "Our day team will help you." || got.GetQueue().GetMaxWaitingExit() != nil {
		t.Errorf("after update: %v", got.GetQueue())
	}
	for _, tc := range []struct {
		args  []string
		field string
	}{
		{[]string{"--hours", "mon 09:00-12:00", "--hours", "mon 11:00-13:00"}, "queue.hours.weekly[1]"},
		{[]string{"--time-zone", "Mars/Olympus"}, "queue.hours.time_zone"},
		{[]string{"--longest-wait-exit", "queue=night"}, "queue.longest_wait_exit.queue_id"},
		{[]string{"--closed-exit", "number=555"}, "queue.closed_exit.number"},
	} {
		if r := c.run(append([]string{"queues", "update", "night"}, tc.args...)...); r.code != 1 || !strings.Contains(r.stderr, tc.field) {
			t.Errorf("%v: exit %d, %s", tc.args, r.code, r.stderr)
		}
	}
	if r := c.run("queues", "update", "night", "--hours", "someday 09:00-10:00"); r.code != 2 || !strings.Contains(r.stderr, "--hours") {
		t.Errorf("a bad --hours: exit %d, %s", r.code, r.stderr)
	}
}

// TestQueueCallbacks: the callback settings and the voicemail and callback exits, set and read
// back; without a dialer the server refuses them by their field and nothing is saved.
func TestQueueCallbacks(t *testing.T) {
	c := start(t, dialerFlags(t)...)
	c.ok("queues", "create", "--id", "support", "--number", "+18005550100")
	out := c.ok("queues", "update", "support", "--callback-offer-after", "2m", "--callback-offer-over-wait", "10m", "--callback-digit", "5",
		"--callback-words", "ring me back", "--callback-words", "call me", "--callback-attempts", "4", "--callback-retry-after", "10m",
		"--callback-caller-id", "+18005550100", "--callback-forbidden-prefix", "+1900,+1976",
		"--max-waiting", "3", "--max-waiting-exit", "voicemail", "--max-waiting-text", "Please leave a message.", "--longest-wait", "5m", "--longest-wait-exit", "callback")
	wantCells(t, rowOf(t, out, "Callback"), "Callback", "offered after 2m0s or an expected wait over 10m0s; key 5, words ring me back|call me; 4 attempts 10m0s apart; caller id +18005550100; never +1900,+1976")
	wantCells(t, rowOf(t, out, "Max waiting"), "Max waiting", `3, then voicemail ("Please leave a message.")`)
	var got adminv1.GetQueueResponse
	c.okJSON(&got, "queues", "get", "support")
	q := got.GetQueue()
	cb := q.GetCallback()
	if cb.GetOfferAfterS() != 120 || cb.GetOfferOverWaitS() != 600 || cb.GetDigit() != "5" || strings.Join(cb.GetWords(), "|") != "ring me back|call me" ||
		cb.GetAttempts() != 4 || cb.GetRetryAfterS() != 600 || cb.GetCallerId() != "+18005550100" || strings.Join(cb.GetForbiddenPrefixes(), ",") != "+1900,+1976" {
		t.Errorf("callback = %v", cb)
	}
	if q.GetMaxWaitingExit().GetKind() != "voicemail" || q.GetLongestWaitExit().GetKind() != "callback" {
		t.Errorf("exits %v %v", q.GetMaxWaitingExit(), q.GetLongestWaitExit())
	}
	// Emptied lists go back to the defaults; the other settings stay.
	c.ok("queues", "update", "support", "--callback-words=", "--callback-forbidden-prefix=")
	c.okJSON(&got, "queues", "get", "support")
	if cb := got.GetQueue().GetCallback(); strings.Join(cb.GetWords(), "|") != "call me back|callback|call back" || len(cb.GetForbiddenPrefixes()) != 0 || cb.GetAttempts() != 4 {
		t.Errorf("after emptying the lists: %v", cb)
	}
	for _, tc := range []struct {
		args  []string
		field string
	}{
		{[]string{"--callback-digit", "12"}, "queue.callback.digit"},
		{[]string{"--callback-attempts", "11"}, "queue.callback.attempts"},
		{[]string{"--callback-retry-after", "30s"}, "queue.callback.retry_after_s"},
		{[]string{"--callback-caller-id", "555"}, "queue.callback.caller_id"},
		{[]string{"--callback-forbidden-prefix", "1900"}, "queue.callback.forbidden_prefixes[0]"},
	} {
		if r := c.run(append([]string{"queues", "update", "support"}, tc.args...)...); r.code != 1 || !strings.Contains(r.stderr, tc.field) {
			t.Errorf("%v: exit %d, %s", tc.args, r.code, r.stderr)
		}
	}
	if r := c.run("queues", "update", "support", "--closed-exit", "voicemail=x"); r.code != 2 || !strings.Contains(r.stderr, "takes no =VALUE") {
		t.Errorf("voicemail=x: exit %d, %s", r.code, r.stderr)
	}

	// A server without the Voximplant flags cannot call back: refused by the field, nothing saved.
	plain := start(t)
	plain.ok("queues", "create", "--id", "support", "--number", "+18005550100")
	if r := plain.run("queues", "update", "support", "--callback-offer-after", "1m"); r.code != 1 || !strings.Contains(r.stderr, "queue.callback") || !strings.Contains(r.stderr, "--voximplant") {
		t.Errorf("callbacks without a dialer: exit %d, %s", r.code, r.stderr)
	}
	if r := plain.run("queues", "update", "support", "--max-waiting", "2", "--max-waiting-exit", "callback"); r.code != 1 || !strings.Contains(r.stderr, "queue.max_waiting_exit.kind") {
		t.Errorf("a callback exit without a dialer: exit %d, %s", r.code, r.stderr)
	}
	plain.okJSON(&got, "queues", "get", "support")
	if got.GetQueue().GetCallback().GetOfferAfterS() != 0 || got.GetQueue().GetMaxWaitingExit() != nil {
		t.Errorf("a refused update was saved: %v", got.GetQueue())
	}
	// The voicemail exit needs no dialer.
	plain.ok("queues", "update", "support", "--max-waiting", "2", "--max-waiting-exit", "voicemail")
}

// dialerFlags are the serve flags that turn callbacks on: a service account's key file of
// account 7 (the API itself is never called here).
func dialerFlags(t *testing.T) []string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"result": map[string]any{"account_id": 7, "key_id": "kid-1",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))}})
	p := filepath.Join(t.TempDir(), "voximplant-key.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--voximplant-account-id", "7", "--voximplant-key-file", p, "--callback-rule-id", "55"}
}

func TestMenus(t *testing.T) {
	c := start(t)
	c.ok("queues", "create", "--id", "support", "--number", "+18005550100", "--default")
	c.ok("queues", "create", "--id", "sales")
	menu := `{"menu_id": "main", "name": "Main line", "dialed_numbers": ["+18005550100"], "nodes": [
		{"node_id": "start", "prompt_text": "Press 1 for sales, 2 for more.", "repeats": 1,
		 "choices": [{"digit": "1", "words": ["Sales"], "action": {"queue_id": "sales"}}, {"digit": "2", "action": {"node_id": "more"}}],
		 "default_action": {"queue_id": "support"}},
		{"node_id": "more", "prompt_url": "https://media.example.com/more.mp3",
		 "choices": [{"digit": "0", "action": {"number": "+14155550177"}}], "default_action": {"queue_id": "support"}}]}`
	// A digit used twice is refused with its field; nothing is saved.
	bad := strings.Replace(menu, `"digit": "2"`, `"digit": "1"`, 1)
	if r := c.runIn(bad, "menus", "put", "-"); r.code != 1 || !strings.Contains(r.stderr, "field: menu.nodes[0].choices[1].digit") {
		t.Errorf("a digit twice: exit %d, %s", r.code, r.stderr)
	}
	if r := c.runIn("{", "menus", "put", "-"); r.code != 2 {
		t.Errorf("not JSON: exit %d, %s", r.code, r.stderr)
	}
	if out := c.ok("menus", "list"); strings.Contains(out, "main") {
		t.Errorf("a refused menu is listed:\n%s", out)
	}
	file := filepath.Join(t.TempDir(), "menu.json")
	if err := os.WriteFile(file, []byte(menu), 0o600); err != nil {
		t.Fatal(err)
	}
	out := c.ok("menus", "put", file)
	wantCells(t, rowOf(t, out, "Exits"), "Exits", "queue:sales,queue:support,number:+14155550177")
	wantCells(t, rowOf(t, c.ok("menus", "list"), "main"), "main", "Main line", "+18005550100", "start,more", "queue:sales,queue:support,number:+14155550177")
	// get prints what put takes: the words as stored (lower case), the defaults filled in.
	got := c.ok("menus", "get", "Main line")
	if !strings.Contains(got, `"sales"`) || !regexp.MustCompile(`"timeout_s":\s+5`).MatchString(got) { // protojson varies its spaces
		t.Errorf("menus get:\n%s", got)
	}
	if r := c.runIn(got, "menus", "put", "-"); r.code != 0 {
		t.Errorf("put of what get printed: exit %d, %s", r.code, r.stderr)
	}
	// A call chooses 1 in the menu: the report counts it, by its exit and by its answer.
	cloud := tandem.New(c.url, tandem.WithCloudSecret(cloudSecret))
	ctx := context.Background()
	reg, err := cloud.Intake.RegisterCall(ctx, connect.NewRequest(&callintakev1.RegisterCallRequest{
		RequestId: tandem.NewRequestID(), SessionId: "menu-1", AccessUrl: "http://127.0.0.1:9/menu-1",
		CallerNumber: "+15557654321", DialedNumber: "+18005550100",
	}))
	if err != nil || reg.Msg.GetMenu().GetMenuId() != "main" {
		t.Fatalf("register: %v %v", reg, err)
	}
	_, err = cloud.Intake.ReportCallEvent(ctx, connect.NewRequest(&callintakev1.ReportCallEventRequest{RequestId: tandem.NewRequestID(), CallId: reg.Msg.GetCallId(),
		Event: &callintakev1.ReportCallEventRequest_MenuChosen{MenuChosen: &callintakev1.MenuChosen{Path: []*commonv1.MenuStep{{NodeId: "start", Digit: "1"}}}}}))
	if err != nil {
		t.Fatal(err)
	}
	report := c.ok("menus", "report", "main")
	wantCells(t, rowOf(t, report, "MENU"), "MENU", "EXIT / NODE", "ANSWER", "CALLS")
	for _, want := range [][]string{{"main", "entered", "-", "1"}, {"main", "queue:sales", "-", "1"}, {"main", "start", "1", "1"}} {
		found := false
		for line := range strings.Lines(report) {
			found = found || slices.Equal(cellSep.Split(strings.TrimSpace(line), -1), want)
		}
		if !found {
			t.Errorf("menus report lacks %q:\n%s", want, report)
		}
	}
	c.ok("menus", "delete", "main")
	if out := c.ok("menus", "list"); strings.Contains(out, "main") {
		t.Errorf("a deleted menu is listed:\n%s", out)
	}
}
