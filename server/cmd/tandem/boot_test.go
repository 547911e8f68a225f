package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/crypto/bcrypt"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/replica"
	"github.com/tandemcc/tandem/server/internal/sqlite"
)

// bootSecret is long enough for any rule on cloud secrets.
const bootSecret = "a-cloud-secret-of-more-than-thirty-two-characters"

// startFails runs `tandem args…` in-process, as main does, and wants it to fail with one line
// holding every one of want (the flag, the path, the cause); a panic fails the test too.
func startFails(t *testing.T, args []string, want ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	if err == nil {
		t.Fatalf("tandem %s started", strings.Join(args, " "))
	}
	line := "tandem: " + err.Error()
	t.Log(line)
	if strings.ContainsAny(line, "\r\n") {
		t.Errorf("tandem %s: the error spans lines:\n%s", strings.Join(args, " "), line)
	}
	for _, w := range want {
		if !strings.Contains(line, w) {
			t.Errorf("tandem %s:\n%s\ndoes not say %q", strings.Join(args, " "), line, w)
		}
	}
}

func serveArgs(db string) []string {
	return []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--cloud-secret", bootSecret}
}

// newDatabase makes a Tandem database at path.
func newDatabase(t *testing.T, path string) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestStartFailuresSayWhy: every way --db can name no usable database ends the start with one
// line naming the flag, the path and the cause (it was a nil-pointer panic in the clean-up).
func TestStartFailuresSayWhy(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "t.db")
	notSQLite := filepath.Join(dir, "notes.db")
	if err := os.WriteFile(notSQLite, []byte("these are not the droids\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fileAsDir := filepath.Join(dir, "plain")
	if err := os.WriteFile(fileAsDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	walOnly := filepath.Join(dir, "removed.db")
	if err := os.WriteFile(walOnly+"-wal", []byte("a log whose database was removed"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"no directory", serveArgs(missing), []string{"--db " + missing + ": the directory " + filepath.Dir(missing) + " does not exist"}},
		{"not SQLite", serveArgs(notSQLite), []string{"--db " + notSQLite + ": the file is not a SQLite database"}},
		{"a directory", serveArgs(dir), []string{"--db " + dir + ": is a directory"}},
		{"under a file", serveArgs(filepath.Join(fileAsDir, "t.db")), []string{"--db " + filepath.Join(fileAsDir, "t.db") + ": " + fileAsDir + " is not a directory"}},
		{"log without its database", serveArgs(walOnly), []string{"--db " + walOnly + ": the file does not exist but its write-ahead log " + walOnly + "-wal does"}},
		{"demo", []string{"demo", "--addr", "127.0.0.1:0", "--db", missing}, []string{"--db " + missing + ": the directory " + filepath.Dir(missing) + " does not exist"}},
		{"simulate", []string{"simulate", "--calls", "10", "--db", missing}, []string{"--db " + missing + ": the directory " + filepath.Dir(missing) + " does not exist"}},
		{"secret file", []string{"serve", "--db", filepath.Join(dir, "s.db"), "--cloud-secret-file", filepath.Join(dir, "no-secret")},
			[]string{"--cloud-secret-file " + filepath.Join(dir, "no-secret") + ": no such file or directory"}},
		{"alert webhook without its secret", append(serveArgs(filepath.Join(dir, "w.db")), "--alert-webhook", "https://hooks.example.com/tandem"),
			[]string{"--alert-webhook needs --alert-webhook-secret-file"}},
		{"alert webhook not a URL", append(serveArgs(filepath.Join(dir, "w.db")), "--alert-webhook", "ftp://hooks.example.com"),
			[]string{`--alert-webhook: "ftp://hooks.example.com" is not an http:// or https:// URL`}},
		{"bad address", []string{"serve", "--addr", "127.0.0.1:99999", "--db", filepath.Join(dir, "addr.db"), "--cloud-secret", bootSecret}, []string{"--addr 127.0.0.1:99999: ", "invalid port"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { startFails(t, c.args, c.want...) })
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("the missing directory was created")
	}
	if b, _ := os.ReadFile(notSQLite); string(b) != "these are not the droids\n" {
		t.Errorf("the file that is not SQLite was changed: %q", b)
	}
}

// TestStartFailsOnAnImmutableFile: root may write any file, but not one marked immutable.
func TestStartFailsOnAnImmutableFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	newDatabase(t, db)
	if out, err := exec.Command("chattr", "+i", db).CombinedOutput(); err != nil {
		t.Skipf("chattr +i is not possible here (%v: %s)", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("chattr", "-i", db).Run() })
	startFails(t, serveArgs(db), "--db "+db+": cannot be opened for writing: permission denied")
}

// TestStartFailsOnAReadOnlyMount: a database on a file system mounted read-only, and a new one
// in a directory there.
func TestStartFailsOnAReadOnlyMount(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s): the read-only case needs one", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	db := filepath.Join(dir, "t.db")
	newDatabase(t, db)
	if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount read-only: %v: %s", err, out)
	}
	startFails(t, serveArgs(db), "--db "+db+": cannot be opened for writing: the file system is read-only")
	fresh := filepath.Join(dir, "new.db")
	startFails(t, serveArgs(fresh), "--db "+fresh+": no file can be created in "+dir, "the file system is read-only")
}

// TestStartFailsOnAnUnreachablePostgres: a postgres:// URL nobody answers at.
func TestStartFailsOnAnUnreachablePostgres(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nobody listens there now
	url := fmt.Sprintf("postgres://tandem:hunter2@127.0.0.1:%d/tandem?sslmode=disable", port)
	redacted := fmt.Sprintf("postgres://tandem:xxxxx@127.0.0.1:%d/tandem?sslmode=disable", port)
	startFails(t, serveArgs(url), "--db "+redacted+": ", "connection refused")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), serveArgs(url), &stdout, &stderr)
	if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(stderr.String(), "hunter2") {
		t.Errorf("the password shows: %v %s", err, stderr.String())
	}

	// A server that takes the connection and never answers (as behind a firewall that drops
	// packets) does not hold the start for good.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	defer func(d time.Duration) { pgConnectTimeout = d }(pgConnectTimeout)
	pgConnectTimeout = 500 * time.Millisecond
	url = fmt.Sprintf("postgres://tandem@%s/tandem?sslmode=disable", silent.Addr())
	t0 := time.Now()
	startFails(t, serveArgs(url), "--db "+url+": no answer within 500ms")
	if d := time.Since(t0); d > 10*time.Second {
		t.Errorf("the start waited %s", d)
	}
}

// startLogged starts the real server on db, its JSON log kept; it is closed at the test's end
// unless stop closed it before.
func startLogged(t *testing.T, db string, clk *clock.Fake) (m *Main, logs *syncBuffer, stop func()) {
	t.Helper()
	logs = &syncBuffer{}
	m = NewMain()
	m.Addr, m.DBPath = "127.0.0.1:0", db
	m.CloudSecrets, m.AdminKey = []string{testSecret}, testAdminKey
	m.Clock, m.PasswordCost = clk, bcrypt.MinCost
	m.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			if err := m.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return m, logs, stop
}

// health is the status a health check of service answers.
func health(t *testing.T, url, service string) string {
	t.Helper()
	res, err := http.Post(url+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader(`{"service":"`+service+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var answer struct{ Status string }
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("health check of %q: HTTP %d, %v", service, res.StatusCode, err)
	}
	return answer.Status
}

// TestRemovedDatabaseIsNoticed: the database file removed under the running server turns the
// health checks NOT_SERVING and every write is refused as unavailable, naming the file, with
// nothing acknowledged; the log says so once. (It went unnoticed: SERVING, 200s, and the
// writes went into the unlinked file, lost at the next start.)
func TestRemovedDatabaseIsNoticed(t *testing.T) {
	clk := clock.NewFake(time.Now())
	db := filepath.Join(t.TempDir(), "tandem.db")
	m, logs, _ := startLogged(t, db, clk)
	admin := tandem.New(m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	sess := newSession(t)
	rest := newCloud(t, m.URL, tandem.ConnectJSON, true, clk)
	first, err := rest.register(intake(sess.srv.URL, "/before"))
	if err != nil {
		t.Fatal(err)
	}
	for _, service := range []string{"", replica.LeaderService} {
		if s := health(t, m.URL, service); !replica.Serving(s) {
			t.Fatalf("health of %q before: %s", service, s)
		}
	}

	for _, suffix := range []string{"", "-wal", "-shm"} { // rm tandem.db*
		if err := os.Remove(db + suffix); err != nil {
			t.Fatal(err)
		}
	}
	for _, service := range []string{"", replica.LeaderService} {
		if s := health(t, m.URL, service); replica.Serving(s) {
			t.Errorf("health of %q with the file removed: %s", service, s)
		}
	}
	gone := "the database file " + db + " was removed"
	_, err = rest.register(intake(sess.srv.URL, "/after"))
	var re *restError
	if !errors.As(err, &re) || re.Status != http.StatusServiceUnavailable || !strings.Contains(re.Message, gone) {
		t.Errorf("the cloud's intake with the file removed: %v", err)
	}
	connectCloud := newCloud(t, m.URL, tandem.Connect, false, clk)
	_, err = connectCloud.register(intake(sess.srv.URL, "/after-connect"))
	if connect.CodeOf(err) != connect.CodeUnavailable || !strings.Contains(err.Error(), gone) {
		t.Errorf("intake over Connect with the file removed: %v", err)
	}
	ctx := context.Background()
	_, err = admin.Admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: &adminv1.Queue{
		QueueId: "sales", Name: "Sales", DialedNumbers: []string{"+15550002000"}, OfferTimeoutS: 20}}))
	if connect.CodeOf(err) != connect.CodeUnavailable || !strings.Contains(err.Error(), gone) {
		t.Errorf("CreateQueue with the file removed: %v", err)
	}
	_, err = admin.Admin.CreateOperator(ctx, connect.NewRequest(&adminv1.CreateOperatorRequest{Name: "carla", Password: "password-carla",
		Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_USER, Target: "carla"}}))
	if connect.CodeOf(err) != connect.CodeUnavailable || !strings.Contains(err.Error(), gone) {
		t.Errorf("CreateOperator with the file removed: %v", err)
	}
	// Nothing refused is in the live state either.
	if calls := waitingCalls(t, admin); len(calls) != 1 || calls[0].GetCallId() != first.GetCallId() {
		t.Errorf("waiting calls: %v, want only %s", calls, first.GetCallId())
	}
	qs, err := admin.Admin.ListQueues(ctx, connect.NewRequest(&adminv1.ListQueuesRequest{}))
	if err != nil || len(qs.Msg.GetQueues()) != 1 {
		t.Errorf("queues: %v %v", qs, err)
	}
	if n := strings.Count(logs.String(), `"msg":"database file gone`); n != 1 {
		t.Errorf("the removal was logged %d times:\n%s", n, logs.String())
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file is back at %s: %v", db, err)
	}
}

// TestReplacedDatabaseIsNoticed: another file moved over the database's path is not it.
func TestReplacedDatabaseIsNoticed(t *testing.T) {
	clk := clock.NewFake(time.Now())
	dir := t.TempDir()
	db, other := filepath.Join(dir, "tandem.db"), filepath.Join(dir, "other.db")
	m, _, _ := startLogged(t, db, clk)
	newDatabase(t, other)
	if err := os.Rename(other, db); err != nil {
		t.Fatal(err)
	}
	if s := health(t, m.URL, ""); replica.Serving(s) {
		t.Errorf("health with the file replaced: %s", s)
	}
	admin := tandem.New(m.URL, tandem.WithToken(testAdminKey))
	_, err := admin.Admin.CreateQueue(context.Background(), connect.NewRequest(&adminv1.CreateQueueRequest{Queue: &adminv1.Queue{
		QueueId: "sales", Name: "Sales", DialedNumbers: []string{"+15550002000"}, OfferTimeoutS: 20}}))
	if connect.CodeOf(err) != connect.CodeUnavailable || !strings.Contains(err.Error(), "the database file "+db+" was replaced") {
		t.Errorf("CreateQueue with the file replaced: %v", err)
	}
}

// TestNewDatabaseIsSaidInTheLog: a start that creates the --db file says so (a warning), and
// says it loudly (an error naming the files) when another database lies beside it: the flags
// may name a deployment whose data is elsewhere (it started on an empty file without a word).
func TestNewDatabaseIsSaidInTheLog(t *testing.T) {
	const created = `"msg":"the --db file did not exist: a new, empty database was created"`
	const beside = `"msg":"a new, empty database was created beside another database's files`
	clk := clock.NewFake(time.Now())

	dir := t.TempDir()
	db := filepath.Join(dir, "tandem.db")
	_, logs, stop := startLogged(t, db, clk)
	if out := logs.String(); !strings.Contains(out, created) || !strings.Contains(out, `"level":"WARN"`) || strings.Contains(out, beside) {
		t.Errorf("the first start on a new file logged:\n%s", out)
	}
	stop()
	_, logs, stop = startLogged(t, db, clk)
	if out := logs.String(); strings.Contains(out, created) {
		t.Errorf("a start on the existing file said it was new:\n%s", out)
	}
	stop()

	// The deployment's database was moved (or --db changed) and a backup lies in the directory.
	backup := filepath.Join(dir, "tandem-20261206.db")
	if err := os.Rename(db, backup); err != nil {
		t.Fatal(err)
	}
	_, logs, stop = startLogged(t, db, clk)
	stop()
	if out := logs.String(); !strings.Contains(out, created) || !strings.Contains(out, beside) ||
		!strings.Contains(out, `"level":"ERROR"`) || !strings.Contains(out, backup) {
		t.Errorf("a new file beside another database logged:\n%s", out)
	}

	// Only the -shm file of a database at the path is left.
	dir = t.TempDir()
	db = filepath.Join(dir, "tandem.db")
	if err := os.WriteFile(db+"-shm", make([]byte, 32768), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, logs, _ = startLogged(t, db, clk)
	if out := logs.String(); !strings.Contains(out, beside) || !strings.Contains(out, db+"-shm") || strings.Contains(out, "notes.txt") {
		t.Errorf("a new file beside a left -shm logged:\n%s", out)
	}
}
