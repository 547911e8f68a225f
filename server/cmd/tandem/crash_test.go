package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	_ "modernc.org/sqlite"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/bench"
)

// TestCrashRecovery runs the real binary under load — calls arriving, operators answering,
// calls ending — and kills it with SIGKILL again and again, restarting it on the same
// database. Afterwards the database is intact, every call whose intake was acknowledged is
// there, no operator holds two offers and no call has two live offers.
func TestCrashRecovery(t *testing.T) {
	crashRecovery(t, func(t *testing.T) (string, string) { return "sqlite", filepath.Join(t.TempDir(), "crash.db") }, "")
}

// TestCrashRecoveryRingAll is TestCrashRecovery with a ring_all queue ringing three of the
// four operators at once for each call (the cloud answers every leg: the first wins): a
// ring's legs are pending together and are rebuilt after each kill, and still no operator
// holds two offers or calls, and no call is given to two operators.
func TestCrashRecoveryRingAll(t *testing.T) {
	crashRecovery(t, func(t *testing.T) (string, string) { return "sqlite", filepath.Join(t.TempDir(), "crash.db") }, "ring_all")
}

// crashRecovery is TestCrashRecovery on the database newDB makes: its database/sql driver
// ("sqlite" or "pgx") and its file or URL, its queue routing by strategy ("": the default).
func crashRecovery(t *testing.T, newDB func(*testing.T) (driver, db string), strategy string) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	driver, db := newDB(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "tandem")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	url := "http://" + addr

	var mu sync.Mutex
	acked := map[string]bool{} // call ids whose intake got a 200
	cloud := tandem.New(url, tandem.WithCloudSecret(testSecret))
	// The cloud side: answer every dial at once, end the call a moment later.
	session := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		cmd := &callintakev1.CloudCommand{}
		if protojson.Unmarshal(body, cmd) != nil || cmd.GetType() != "dial" {
			return
		}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			ans := event(cmd.GetCallId(), cmd.GetOfferId())
			ans.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 100}}
			if _, err := cloud.Intake.ReportCallEvent(ctx, connect.NewRequest(ans)); err != nil {
				return
			}
			time.Sleep(time.Duration(rand.IntN(50)) * time.Millisecond)
			end := event(cmd.GetCallId(), cmd.GetOfferId())
			end.Event = &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_CALLER, TalkTimeMs: 40}}
			_, _ = cloud.Intake.ReportCallEvent(ctx, connect.NewRequest(end))
		}()
	}))
	defer session.Close()

	// Callers call every 5 ms each: the operators are rarely free at once. A ring needs them
	// free with nobody in line, so ring_all callers call less often and give up after a while.
	pace, patience := 5*time.Millisecond, time.Duration(0)
	if strategy == "ring_all" {
		pace, patience = 50*time.Millisecond, 150*time.Millisecond
	}
	first := true
	for round := range 6 {
		proc := startBinary(t, bin, addr, db)
		admin := tandem.New(url, tandem.WithToken(testAdminKey))
		if first {
			first = false
			ctx := context.Background()
			if _, err := admin.Admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: &adminv1.Queue{QueueId: "support", DialedNumbers: []string{supportLine}, OfferTimeoutS: 5, IsDefault: true,
				Strategy: strategy, RingAtOnce: 3}})); err != nil {
				t.Fatal(err)
			}
			for i := range 4 {
				name := fmt.Sprintf("op%d", i)
				if _, err := admin.Admin.CreateOperator(ctx, connect.NewRequest(&adminv1.CreateOperatorRequest{Name: name, Password: "password-" + name, Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_USER, Target: name}, Queues: []*adminv1.QueueSkill{{QueueId: "support", Level: 1}}})); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Operators log in, watch and press Ready; callers keep calling; then the process dies.
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				name := fmt.Sprintf("op%d", i)
				res, err := tandem.New(url).Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: name, Password: "password-" + name}))
				if err != nil {
					return
				}
				c := tandem.New(url, tandem.WithToken(res.Msg.GetToken()))
				stream, err := c.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{}))
				if err != nil || !stream.Receive() {
					return
				}
				for ctx.Err() == nil {
					_, _ = c.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{}))
					if !stream.Receive() {
						return
					}
				}
			}()
		}
		for c := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ctx.Err() == nil; n++ { // one session per call, as the cloud has
					res, err := cloud.Intake.RegisterCall(ctx, connect.NewRequest(intake(session.URL, fmt.Sprintf("/r%d-%d-%d", round, c, n))))
					if err == nil {
						mu.Lock()
						acked[res.Msg.GetCallId()] = true
						mu.Unlock()
						if patience > 0 { // nothing if he was answered meanwhile
							id := res.Msg.GetCallId()
							time.AfterFunc(patience, func() {
								gone := event(id, "")
								gone.Event = &callintakev1.ReportCallEventRequest_CallerAbandoned{CallerAbandoned: &callintakev1.CallerAbandoned{}}
								_, _ = cloud.Intake.ReportCallEvent(context.Background(), connect.NewRequest(gone))
							})
						}
					}
					time.Sleep(pace)
				}
			}()
		}
		time.Sleep(time.Duration(300+rand.IntN(700)) * time.Millisecond)
		if err := proc.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = proc.Wait()
		stop()
		wg.Wait()
	}
	// One last start to let recovery run, then look inside the database.
	proc := startBinary(t, bin, addr, db)
	time.Sleep(200 * time.Millisecond)
	_ = proc.Process.Signal(syscall.SIGTERM)
	_ = proc.Wait()

	conn, err := sql.Open(driver, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	offers := checkInvariants(t, conn, driver, acked)
	if strategy == "ring_all" && offers["cancelled"] == 0 {
		t.Errorf("offers by state %v: no ring had a leg cancelled", offers)
	}
	var ended int
	_ = conn.QueryRow(`SELECT count(*) FROM calls WHERE state = 'ended'`).Scan(&ended)
	t.Logf("%d calls acknowledged over 6 kills, %d ended normally; offers %v", len(acked), ended, offers)
}

// checkInvariants fails t unless every acknowledged call is in the database once, no operator
// holds two offers or calls at once, no call has two live offers, no session became two calls
// and SQLite's integrity_check says ok (bench.AuditStore, as tandem bench --chaos judges).
// Calls may be left unfinished: the load stops with the last kill.
// It returns how many offers ended in each state.
func checkInvariants(t *testing.T, conn *sql.DB, driver string, acked map[string]bool) map[string]int {
	t.Helper()
	if len(acked) < 20 {
		t.Fatalf("only %d calls acknowledged: the load did not run", len(acked))
	}
	a, err := bench.AuditStore(context.Background(), conn, driver, slices.Collect(maps.Keys(acked)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range a.Problems(false) {
		t.Error(p)
	}
	return a.OfferStates
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startBinary starts the built server and waits until it answers health checks.
func startBinary(t *testing.T, bin, addr, db string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", db, "--cloud-secret", testSecret, "--admin-key", testAdminKey)
	cmd.Stderr = io.Discard
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		res, err := http.Post("http://"+addr+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader("{}"))
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return cmd
			}
		}
	}
	t.Fatal("the server did not come up")
	return nil
}
