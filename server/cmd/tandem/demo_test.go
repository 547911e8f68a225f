package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/crypto/bcrypt"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
	"github.com/tandemcc/tandem/server/internal/softphone"
)

// startDemo runs `tandem demo` in-process on db (real clock: absences are dated from today).
func startDemo(t *testing.T, db string, flags ...string) (*Main, *tandem.Client) {
	t.Helper()
	m := NewMain()
	var out bytes.Buffer
	if err := parseDemo(m, append([]string{"--addr", "127.0.0.1:0", "--db", db}, flags...), &out); err != nil {
		t.Fatal(err)
	}
	m.PasswordCost = bcrypt.MinCost
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		m.Logger = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m, tandem.New(m.URL, tandem.WithToken(demoAdminKey))
}

type demoPicture struct {
	queues    map[string]*adminv1.Queue
	operators map[string]*adminv1.Operator // by name
	clients   map[string]string            // number → manager id
	absences  []string                     // ids
	spares    []string
	menus     map[string]*commonv1.Menu
}

func lookDemo(t *testing.T, c *tandem.Client) demoPicture {
	t.Helper()
	ctx := context.Background()
	p := demoPicture{queues: map[string]*adminv1.Queue{}, operators: map[string]*adminv1.Operator{}, clients: map[string]string{}}
	qs, err := c.Admin.ListQueues(ctx, connect.NewRequest(&adminv1.ListQueuesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs.Msg.GetQueues() {
		p.queues[q.GetQueueId()] = q
	}
	ops, err := c.Admin.ListOperators(ctx, connect.NewRequest(&adminv1.ListOperatorsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops.Msg.GetOperators() {
		p.operators[o.GetName()] = o
	}
	cls, err := c.Admin.ListClients(ctx, connect.NewRequest(&adminv1.ListClientsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range cls.Msg.GetClients() {
		p.clients[cl.GetNumber()] = cl.GetManagerId()
	}
	abs, err := c.Admin.ListAbsences(ctx, connect.NewRequest(&adminv1.ListAbsencesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range abs.Msg.GetAbsences() {
		p.absences = append(p.absences, a.GetAbsenceId())
	}
	sps, err := c.Admin.ListSpares(ctx, connect.NewRequest(&adminv1.ListSparesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sps.Msg.GetSpares() {
		p.spares = append(p.spares, s.GetSpareId())
	}
	mns, err := c.Admin.ListMenus(ctx, connect.NewRequest(&adminv1.ListMenusRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	p.menus = map[string]*commonv1.Menu{}
	for _, m := range mns.Msg.GetMenus() {
		p.menus[m.GetMenuId()] = m
	}
	slices.Sort(p.absences)
	slices.Sort(p.spares)
	return p
}

// checkFullDemo: everything the demo promises is there.
func checkFullDemo(t *testing.T, p demoPicture) {
	t.Helper()
	for _, q := range demoQueues {
		if p.queues[q.id] == nil || p.queues[q.id].GetDialedNumbers()[0] != q.number {
			t.Errorf("queue %s: %v", q.id, p.queues[q.id])
		}
	}
	if m := p.menus["main"]; m == nil || m.GetDialedNumbers()[0] != demoMenuNumber || len(m.GetNodes()[0].GetChoices()) != 3 || m.GetNodes()[0].GetChoices()[2].GetAction().GetVoicemailQueueId() != "support" {
		t.Errorf("the main line's menu: %v", m)
	}
	if len(p.queues) != len(demoQueues) {
		t.Errorf("%d queues, want %d", len(p.queues), len(demoQueues))
	}
	if len(p.operators) != len(demoOperators) || len(p.operators) < 20 {
		t.Errorf("%d operators, want %d", len(p.operators), len(demoOperators))
	}
	for _, o := range demoOperators {
		if p.operators[o.name] == nil {
			t.Errorf("no operator %s", o.name)
		}
	}
	if len(p.clients) != len(demoClients) {
		t.Errorf("clients %v", p.clients)
	}
	for _, c := range demoClients {
		if p.clients[c.number] != string(demoOperatorID(c.manager)) {
			t.Errorf("client %s: manager %q, want %s", c.number, p.clients[c.number], c.manager)
		}
	}
	if want := []string{"demo-sofia-vacation", "demo-tomas-sick"}; !slices.Equal(p.absences, want) {
		t.Errorf("absences %v, want %v", p.absences, want)
	}
	if want := []string{"backoffice", "partner"}; !slices.Equal(p.spares, want) {
		t.Errorf("spares %v, want %v", p.spares, want)
	}
	if ov := p.queues["sales"].GetOverflow(); ov.GetAfterS() != 20 || len(ov.GetSpareIds()) != 2 {
		t.Errorf("sales overflow: %v", ov)
	}
	// Sales requires a disposition (the simulated operators set one in wrap-up). (Support offers
	// some too, unless it is the first demo's, kept as it was.)
	if q := p.queues["sales"]; len(q.GetDispositions()) < 3 || !q.GetDispositionRequired() {
		t.Errorf("sales dispositions: %v required %v", q.GetDispositions(), q.GetDispositionRequired())
	}
	// The night line is at its night hours whenever the demo runs, and says until when.
	if q := p.queues["night"]; !q.GetClosedNow() || !strings.HasPrefix(q.GetClosedWhy(), "closed until ") || q.GetClosedExit().GetText() != nightClosedText {
		t.Errorf("night line: closed %v (%q), exit %v", q.GetClosedNow(), q.GetClosedWhy(), q.GetClosedExit())
	}
}

// TestNightHoursCloseTheNightLineWhateverTheHour: aimed at any hour, the night line's hours are
// good hours, closed then, and open six hours later for twelve.
func TestNightHoursCloseTheNightLineWhateverTheHour(t *testing.T) {
	for h := range 24 {
		now := time.Date(2026, 12, 7, h, 17, 0, 0, time.UTC)
		hours, err := nightHours(now).Check("queue.hours")
		if err != nil {
			t.Fatalf("at %02d:17: %v", h, err)
		}
		open, why := hours.Open(now)
		opens, _ := hours.NextChange(now)
		if open || opens.Sub(now) != 6*time.Hour-17*time.Minute {
			t.Errorf("at %02d:17: open %v (%s), opens %v", h, open, why, opens)
		}
		if closes, _ := hours.NextChange(opens); closes.Sub(opens) != 12*time.Hour {
			t.Errorf("at %02d:17: open from %v to %v", h, opens, closes)
		}
	}
}

func logInDemo(t *testing.T, c *tandem.Client, name string) {
	t.Helper()
	if _, err := c.Presence.LogIn(context.Background(), connect.NewRequest(&presencev1.LogInRequest{Name: name, Password: demoPassword})); err != nil {
		t.Fatalf("log in %s: %v", name, err)
	}
}

// TestDemoSeedIsIdempotent: a second start on the same database creates nothing new and
// changes nothing; the visitor's changes in between survive.
func TestDemoSeedIsIdempotent(t *testing.T) {
	t.Parallel() // a long one: it runs beside the other long ones, after the rest
	db := filepath.Join(t.TempDir(), "demo.db")
	m, c := startDemo(t, db)
	first := lookDemo(t, c)
	checkFullDemo(t, first)
	// boris, the visitor's colleague to transfer to, is in no queue: nothing but a transfer takes him.
	if qs := first.operators["boris"].GetQueues(); len(qs) != 0 {
		t.Errorf("boris serves %v, want no queue", qs)
	}
	logInDemo(t, c, "anna")
	logInDemo(t, c, "priya")
	// The visitor renames a queue: a restart keeps his change.
	q := first.queues["vip"]
	q.Name = "Gold customers"
	if _, err := c.Admin.UpdateQueue(context.Background(), connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q})); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// Started again with an alert webhook (see salesFloodRaisesAnAlert).
	hook := newAlertHook(t)
	m, c = startDemo(t, db, "--alert-webhook", hook.url, "--alert-webhook-secret-file", hook.secretFile)
	defer m.Close()
	second := lookDemo(t, c)
	checkFullDemo(t, second)
	if second.queues["vip"].GetName() != "Gold customers" {
		t.Errorf("the visitor's change was undone: %v", second.queues["vip"])
	}
	for name, o := range first.operators {
		if second.operators[name].GetOperatorId() != o.GetOperatorId() {
			t.Errorf("operator %s: %s then %s", name, o.GetOperatorId(), second.operators[name].GetOperatorId())
		}
	}
	logInDemo(t, c, "boris")
	salesFloodRaisesAnAlert(t, m, c, hook)
}

// alertHook is an alert webhook receiver: it passes on the bodies whose signature verifies with
// its secret.
type alertHook struct {
	url, secretFile string
	got             chan []byte
}

func newAlertHook(t *testing.T) *alertHook {
	t.Helper()
	const secret = "demo-alert-webhook-secret"
	file := filepath.Join(t.TempDir(), "alert-secret")
	if err := os.WriteFile(file, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	verifier, err := cloud.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	h := &alertHook{secretFile: file, got: make(chan []byte, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := verifier.Verify(r.Header, body, time.Now()); err != nil {
			t.Errorf("alert webhook signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h.got <- body
	}))
	t.Cleanup(srv.Close)
	h.url = srv.URL
	return h
}

// salesFloodRaisesAnAlert: as in the demo's overload spell, sales gets more calls than it has
// people at work; the wallboard stream shows the alert the demo's thresholds raise.
func salesFloodRaisesAnAlert(t *testing.T, m *Main, c *tandem.Client, hook *alertHook) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stream, err := c.Analytics.WatchWallboard(ctx, connect.NewRequest(&analyticsv1.WatchWallboardRequest{QueueIds: []string{"sales"}}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		id := "flood-" + strconv.Itoa(i)
		if _, err := m.board.RegisterCall(ctx, id, callcenter.Intake{SessionID: id, AccessURL: "http://127.0.0.1:9/" + id,
			CallerNumber: "+1555000900" + strconv.Itoa(i), DialedNumber: "+18005550200"}); err != nil {
			t.Fatal(err)
		}
	}
	var raised *analyticsv1.Alert
	for raised == nil && stream.Receive() {
		for _, a := range stream.Msg().GetAlerts() {
			if a.GetQueueId() == "sales" && a.GetKind() == "waiting" && a.GetValue() == 4 && a.GetThreshold() == 3 {
				raised = a
			}
		}
	}
	if raised == nil {
		t.Fatalf("no alert for sales: %v", stream.Err())
	}
	// The same alert went to the webhook, signed (the receiver checked it).
	for {
		select {
		case body := <-hook.got:
			var got struct {
				Event   string `json:"event"`
				AlertID int64  `json:"alert_id"`
				QueueID string `json:"queue_id"`
				Kind    string `json:"kind"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got.Event == "alert.raised" && got.AlertID == raised.GetAlertId() && got.QueueID == "sales" && got.Kind == "waiting" {
				return
			}
		case <-ctx.Done():
			t.Fatal("the alert did not reach the webhook")
		}
	}
}

// TestDemoUpgradesTheFirstDemosDatabase: the database of the first demo (queue support,
// operators anna, boris and carla) gets the rest added; what it had is kept.
func TestDemoUpgradesTheFirstDemosDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tandem-demo.db")
	old := startServer(t, db, clock.NewFake(time.Now()))
	ctx := context.Background()
	q := callcenter.Queue{ID: "support", Name: "Support", DialedNumbers: []string{demoNumber}, Strategy: callcenter.StrategyLongestIdle,
		OfferTimeout: 20 * time.Second, WrapUp: 10 * time.Second, IsDefault: true, Rules: callcenter.DefaultRules()}
	if err := old.m.board.CreateQueue(ctx, q); err != nil {
		t.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte(demoPassword), bcrypt.MinCost)
	for _, n := range []string{"anna", "boris", "carla"} {
		op := callcenter.Operator{ID: demoOperatorID(n), Name: n, DisplayName: n, PasswordHash: string(hash),
			Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: n}, Queues: []callcenter.QueueSkill{{Queue: "support", Level: 3}}}
		if err := old.m.board.CreateOperator(ctx, op); err != nil {
			t.Fatal(err)
		}
	}
	old.stop()

	m, c := startDemo(t, db)
	defer m.Close()
	p := lookDemo(t, c)
	checkFullDemo(t, p)
	// The old support queue is as it was (no announcements, its own service level).
	if s := p.queues["support"]; s.GetWrapUpS() != 10 || s.GetAnnounceEveryS() != 0 {
		t.Errorf("old support queue changed: %v", s)
	}
	if a := p.operators["anna"]; a.GetDisplayName() != "anna" || len(a.GetQueues()) != 1 {
		t.Errorf("old anna changed: %v", a)
	}
	if b := p.operators["boris"]; len(b.GetQueues()) != 1 || b.GetQueues()[0].GetQueueId() != "support" {
		t.Errorf("old boris's queues changed: %v", b.GetQueues())
	}
	logInDemo(t, c, "anna")
	logInDemo(t, c, "nadia")
	if got, _ := m.board.Operator(context.Background(), demoOperatorID("anna")); got.SoftphoneHA1 != softphone.HA1("anna", demoPhonePassword) {
		t.Errorf("old anna's browser phone digest = %q, want the demo password's", got.SoftphoneHA1)
	}
}

// TestDemoMovesTheEarlierBorisToTheSecondLine: the database of the demo before boris became the
// second line (he served support and vip, as seeded then) has him in no queue after a start;
// a boris whose queues the visitor changed keeps them.
func TestDemoMovesTheEarlierBorisToTheSecondLine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		queues []callcenter.QueueSkill
		want   int // queues after the start
	}{
		{"as seeded", earlierSecondLineSkills, 0},
		{"changed by the visitor", skills("support", 4, "vip", 3), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "demo.db")
			m, c := startDemo(t, db)
			if _, err := m.board.UpdateOperator(context.Background(), demoOperatorID("boris"), callcenter.OperatorUpdate{Queues: tc.queues, ReplaceQueues: true}); err != nil {
				t.Fatal(err)
			}
			if got := len(lookDemo(t, c).operators["boris"].GetQueues()); got != len(tc.queues) {
				t.Fatalf("boris serves %d queues before the restart, want %d", got, len(tc.queues))
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			m, c = startDemo(t, db)
			defer m.Close()
			if qs := lookDemo(t, c).operators["boris"].GetQueues(); len(qs) != tc.want {
				t.Errorf("boris serves %v, want %d queues", qs, tc.want)
			}
		})
	}
}

// TestDemoGivesAnnaABrowserPhoneOverTheEmulator: as make demo starts it (--voximplant-app and
// --voximplant-emulator), anna's browser phone signs keys with the demo's softphone password and
// names the emulated Web SDK; boris, the visitor's desk phone, has none; the banner says so.
func TestDemoGivesAnnaABrowserPhoneOverTheEmulator(t *testing.T) {
	m := NewMain()
	var out bytes.Buffer
	if err := parseDemo(m, []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "demo.db"),
		"--voximplant-app", "demo.tandem.voximplant.com", "--voximplant-emulator", "http://127.0.0.1:9100"}, &out); err != nil {
		t.Fatal(err)
	}
	m.PasswordCost = bcrypt.MinCost
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	anon := tandem.New(m.URL)
	login := func(name string) *tandem.Client {
		res, err := anon.Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: name, Password: demoPassword}))
		if err != nil {
			t.Fatal(err)
		}
		return tandem.New(m.URL, tandem.WithToken(res.Msg.GetToken()))
	}
	anna := login("anna")
	sp, err := anna.Presence.GetSoftphone(ctx, connect.NewRequest(&presencev1.GetSoftphoneRequest{}))
	if err != nil || sp.Msg.GetUsername() != "anna@demo.tandem.voximplant.com" || sp.Msg.GetEmulatorUrl() != "http://127.0.0.1:9100" {
		t.Fatalf("anna's GetSoftphone = %v, %v", sp, err)
	}
	signed, err := anna.Presence.SignSoftphoneKey(ctx, connect.NewRequest(&presencev1.SignSoftphoneKeyRequest{Key: "k3y"}))
	if err != nil || signed.Msg.GetHash() != softphone.Sign("k3y", softphone.HA1("anna", "demo-softphone")) {
		t.Fatalf("anna's signed key = %v, %v", signed, err)
	}
	if _, err := login("boris").Presence.GetSoftphone(ctx, connect.NewRequest(&presencev1.GetSoftphoneRequest{})); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Errorf("boris's GetSoftphone: %v, want failed_precondition (his phone is simulated)", err)
	}
	// olga, signed in as herself, has a browser phone of her own, signed for her user only; her
	// key has none.
	in, err := tandem.New(m.URL).Admin.SignIn(ctx, connect.NewRequest(&adminv1.SignInRequest{Name: demoSupervisorUser, Password: demoPassword}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tandem.New(m.URL, tandem.WithToken(demoSupervisorKey)).Presence.GetSoftphone(ctx, connect.NewRequest(&presencev1.GetSoftphoneRequest{})); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Errorf("olga's key's GetSoftphone: %v, want failed_precondition", err)
	}
	olga := tandem.New(m.URL, tandem.WithToken(in.Msg.GetToken()))
	osp, err := olga.Presence.SignSoftphoneKey(ctx, connect.NewRequest(&presencev1.SignSoftphoneKeyRequest{Key: "k3y"}))
	if err != nil || osp.Msg.GetUsername() != "olga@demo.tandem.voximplant.com" || osp.Msg.GetHash() != softphone.Sign("k3y", softphone.HA1("olga", "demo-softphone")) {
		t.Fatalf("olga's signed key = %v, %v", osp, err)
	}
	var banner bytes.Buffer
	printDemo(&banner, m)
	for _, want := range []string{"anna answers in the browser (Voximplant user anna, password demo-softphone)", "emulated Voximplant Web SDK at http://127.0.0.1:9100",
		"supervisor olga (signed in as herself) answers Monitor in her browser"} {
		if !strings.Contains(banner.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, banner.String())
		}
	}
}

// TestDemoSurvivesAConflictingDatabase: a queue the visitor made holds sales' number; the demo
// starts without sales (and without sales in its operators' skills) instead of failing.
func TestDemoSurvivesAConflictingDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	old := startServer(t, db, clock.NewFake(time.Now()))
	if err := old.m.board.CreateQueue(context.Background(), callcenter.Queue{ID: "mine", Name: "Mine", DialedNumbers: []string{"+18005550200"},
		Strategy: callcenter.StrategyLongestIdle, OfferTimeout: 20 * time.Second, Rules: callcenter.DefaultRules()}); err != nil {
		t.Fatal(err)
	}
	old.stop()
	m, c := startDemo(t, db)
	defer m.Close()
	p := lookDemo(t, c)
	if p.queues["sales"] != nil || p.queues["support"] == nil || p.queues["vip"] == nil || len(p.operators) != len(demoOperators) {
		t.Fatalf("queues %v, %d operators", p.queues, len(p.operators))
	}
	if qs := p.operators["nadia"].GetQueues(); len(qs) != 0 {
		t.Errorf("nadia serves %v", qs)
	}
}

// TestDemoReset: --reset deletes the database and its WAL files; without it the file stays.
func TestDemoReset(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		if err := os.WriteFile(f, []byte("not a database"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := parseDemo(NewMain(), []string{"--db", db}, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("without --reset: %v", err)
	}
	m := NewMain()
	if err := parseDemo(m, []string{"--reset", "--db", db, "--addr", "127.0.0.1:0"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s after --reset: %v", f, err)
		}
	}
	if !strings.Contains(out.String(), "new database") || m.AdminKey != demoAdminKey || m.Addr != "127.0.0.1:0" {
		t.Errorf("out %q, admin key %q, addr %q", out.String(), m.AdminKey, m.Addr)
	}
	if err := parseDemo(NewMain(), []string{"--reset", "--db", "postgres://localhost/tandem"}, &out); err == nil {
		t.Error("--reset on a database URL: no error")
	}
}

// TestDemoOlgaSignsInAsHerself: the demo's supervisor olga has an account (name and password,
// printed in the banner) besides her key; a second start keeps it, and her key still works.
func TestDemoOlgaSignsInAsHerself(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	m, _ := startDemo(t, db)
	ctx := context.Background()
	in, err := tandem.New(m.URL).Admin.SignIn(ctx, connect.NewRequest(&adminv1.SignInRequest{Name: demoSupervisorUser, Password: demoPassword}))
	if err != nil || in.Msg.GetAccount().GetRole() != adminv1.KeyRole_KEY_ROLE_SUPERVISOR {
		t.Fatalf("olga signs in: %v %v", in, err)
	}
	var banner bytes.Buffer
	printDemo(&banner, m)
	if !strings.Contains(banner.String(), "sign in as olga / "+demoPassword+" (supervisor account, with her browser") {
		t.Errorf("banner:\n%s", banner.String())
	}
	// An earlier demo gave the browser phone to her key: the next start moves it to her.
	if _, err := m.db.SetAPIKeySoftphone(ctx, demoSupervisorID, demoSupervisorUser, softphone.HA1(demoSupervisorUser, demoPhonePassword)); err != nil {
		t.Fatal(err)
	}
	if err := m.db.SetPersonPhone(ctx, callcenter.PersonPhone{Person: demoSupervisorUser}); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m, _ = startDemo(t, db)
	defer m.Close()
	if k, err := m.db.APIKey(ctx, demoSupervisorID); err != nil || k.SoftphoneUser != "" {
		t.Errorf("her key after a restart: %+v, %v", k, err)
	}
	if phones, err := m.db.PersonPhones(ctx); err != nil || len(phones) != 1 || phones[0].Person != demoSupervisorUser || phones[0].User != demoSupervisorUser {
		t.Errorf("people's phones after a restart: %+v, %v", phones, err)
	}
	if _, err := tandem.New(m.URL).Admin.SignIn(ctx, connect.NewRequest(&adminv1.SignInRequest{Name: demoSupervisorUser, Password: demoPassword})); err != nil {
		t.Errorf("after a restart: %v", err)
	}
	me, err := tandem.New(m.URL, tandem.WithToken(demoSupervisorKey)).Admin.WhoAmI(ctx, connect.NewRequest(&adminv1.WhoAmIRequest{}))
	if err != nil || me.Msg.GetSignIn() != "key" || me.Msg.GetName() != demoSupervisorUser {
		t.Errorf("her key: %v %v", me, err)
	}
}
