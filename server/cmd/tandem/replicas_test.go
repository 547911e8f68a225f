package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/pgtest"
	"github.com/tandemcc/tandem/server/internal/replica"
)

// TestReplicaFailover runs two, then three replicas of the real binary on one PostgreSQL
// database behind a load balancer, under load (operators working, callers calling), and kills
// the leader with SIGKILL again and again; the killed replica comes back as a follower. After
// every kill a follower takes over; afterwards no acknowledged call is lost, no call has two
// live offers and no operator two calls or offers. The takeover times are reported.
// TANDEM_FAILOVER_KILLS sets the kills per run (default 20, the acceptance run).
func TestReplicaFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	pgtest.Server(t)
	kills := 20
	if n, err := strconv.Atoi(os.Getenv("TANDEM_FAILOVER_KILLS")); err == nil && n > 0 {
		kills = n
	}
	bin := filepath.Join(t.TempDir(), "tandem")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, replicas := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d replicas", replicas), func(t *testing.T) {
			replicaFailover(t, bin, replicas, kills)
		})
	}
}

// replica is one tandem process of the set.
type replicaProc struct {
	addr string
	cmd  *exec.Cmd
}

func startReplica(t *testing.T, bin, addr, dsn string) *replicaProc {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", dsn, "--cloud-secret", testSecret, "--admin-key", testAdminKey)
	cmd.Stderr = io.Discard
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return &replicaProc{addr: addr, cmd: cmd}
}

// leads reports whether a replica says it leads (health service "tandem.leader").
func leads(addr string) bool {
	c := http.Client{Timeout: time.Second}
	res, err := c.Post("http://"+addr+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader(`{"service":"`+replica.LeaderService+`"}`))
	if err != nil {
		return false
	}
	defer res.Body.Close()
	var answer struct{ Status string }
	return res.StatusCode == http.StatusOK && json.NewDecoder(res.Body).Decode(&answer) == nil && replica.Serving(answer.Status)
}

// waitLeader waits for one of rs to lead and returns it.
func waitLeader(t *testing.T, rs []*replicaProc, within time.Duration) *replicaProc {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, r := range rs {
			if leads(r.addr) {
				return r
			}
		}
	}
	t.Fatalf("no replica took over within %v", within)
	return nil
}

// balancer is the load balancer in front of the replicas: it sends each request to the next
// replica in turn (every replica serves: followers pass requests on to the leader), skipping
// those that refuse the connection, as a health-checked load balancer would.
func balancer(t *testing.T, rs func() []*replicaProc) *httptest.Server {
	var turn atomic.Uint64
	transport := &http.Transport{ForceAttemptHTTP2: false, MaxIdleConnsPerHost: 64}
	proxy := &httputil.ReverseProxy{
		FlushInterval: -1, // streams
		Rewrite:       func(r *httputil.ProxyRequest) { r.Out.URL.Scheme, r.Out.URL.Host = "http", "pending" },
		Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
			var body []byte
			if req.Body != nil {
				body, _ = io.ReadAll(req.Body)
				req.Body.Close()
			}
			all := rs()
			first := int(turn.Add(1))
			var err error
			for i := range all {
				a := all[(first+i)%len(all)].addr
				out := req.Clone(req.Context())
				out.URL.Host, out.Host = a, a
				out.Body = io.NopCloser(bytes.NewReader(body))
				var res *http.Response
				if res, err = transport.RoundTrip(out); err == nil {
					return res, nil
				}
			}
			return nil, err
		}),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) { w.WriteHeader(http.StatusBadGateway) },
	}
	lb := httptest.NewServer(proxy)
	t.Cleanup(func() { lb.Close(); transport.CloseIdleConnections() })
	return lb
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func replicaFailover(t *testing.T, bin string, n, kills int) {
	dsn := pgtest.Schema(t)
	var mu sync.Mutex
	rs := make([]*replicaProc, n)
	for i := range rs {
		rs[i] = startReplica(t, bin, freeAddr(t), dsn)
	}
	current := func() []*replicaProc { mu.Lock(); defer mu.Unlock(); return slices.Clone(rs) }
	leader := waitLeader(t, rs, 20*time.Second)
	lb := balancer(t, current)
	url := lb.URL

	acked := map[string]bool{}
	cloud := tandem.New(url, tandem.WithCloudSecret(testSecret))
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

	admin := tandem.New(url, tandem.WithToken(testAdminKey))
	ctx := context.Background()
	if _, err := admin.Admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: &adminv1.Queue{QueueId: "support", DialedNumbers: []string{supportLine}, OfferTimeoutS: 5, IsDefault: true}})); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		name := fmt.Sprintf("op%d", i)
		if _, err := admin.Admin.CreateOperator(ctx, connect.NewRequest(&adminv1.CreateOperatorRequest{Name: name, Password: "password-" + name, Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_USER, Target: name}, Queues: []*adminv1.QueueSkill{{QueueId: "support", Level: 1}}})); err != nil {
			t.Fatal(err)
		}
	}

	var takeovers []time.Duration
	for round := range kills + 1 {
		// Operators log in, watch and press Ready; callers keep calling.
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				name := fmt.Sprintf("op%d", i)
				for ctx.Err() == nil { // log in again after a failover
					res, err := tandem.New(url).Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: name, Password: "password-" + name}))
					if err != nil {
						time.Sleep(50 * time.Millisecond)
						continue
					}
					c := tandem.New(url, tandem.WithToken(res.Msg.GetToken()))
					stream, err := c.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{}))
					if err != nil || !stream.Receive() {
						time.Sleep(50 * time.Millisecond)
						continue
					}
					for ctx.Err() == nil {
						_, _ = c.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{}))
						if !stream.Receive() {
							break
						}
					}
					stream.Close()
				}
			})
		}
		for c := range 2 {
			wg.Go(func() {
				for k := 0; ctx.Err() == nil; k++ {
					res, err := cloud.Intake.RegisterCall(ctx, connect.NewRequest(intake(session.URL, fmt.Sprintf("/r%d-%d-%d", round, c, k))))
					if err == nil {
						mu.Lock()
						acked[res.Msg.GetCallId()] = true
						mu.Unlock()
					}
					time.Sleep(5 * time.Millisecond)
				}
			})
		}
		time.Sleep(time.Duration(400+rand.IntN(600)) * time.Millisecond)
		if round == kills {
			stop()
			wg.Wait()
			break
		}
		// Kill the leader under load; a follower takes over; the killed one returns as a follower.
		if err := leader.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		killed := time.Now()
		_ = leader.cmd.Wait()
		mu.Lock()
		others := slices.DeleteFunc(slices.Clone(rs), func(r *replicaProc) bool { return r == leader })
		mu.Unlock()
		next := waitLeader(t, others, 30*time.Second)
		takeovers = append(takeovers, time.Since(killed))
		mu.Lock()
		i := slices.Index(rs, leader)
		rs[i] = startReplica(t, bin, leader.addr, dsn)
		mu.Unlock()
		leader = next
		stop()
		wg.Wait()
	}
	for _, r := range current() {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, r := range current() {
		_ = r.cmd.Wait()
	}

	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	checkInvariants(t, conn, "pgx", acked)
	var ended int
	_ = conn.QueryRow(`SELECT count(*) FROM calls WHERE state = 'ended'`).Scan(&ended)
	var epoch int64
	if err := conn.QueryRow(`SELECT epoch FROM tandem_leader`).Scan(&epoch); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	if epoch < int64(kills+1) {
		t.Errorf("epoch %d after %d kills: not every takeover bumped it", epoch, kills)
	}
	slices.Sort(takeovers)
	t.Logf("%d replicas, %d leader kills: %d calls acknowledged, %d ended normally; takeover (kill → the next leader serves) median %v, max %v",
		n, kills, len(acked), ended, takeovers[len(takeovers)/2].Round(time.Millisecond), takeovers[len(takeovers)-1].Round(time.Millisecond))
}
