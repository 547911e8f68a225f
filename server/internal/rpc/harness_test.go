package rpc

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/crypto/bcrypt"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
	"github.com/tandemcc/tandem/server/internal/routing"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
	"github.com/tandemcc/tandem/server/internal/simulate"
	"github.com/tandemcc/tandem/server/internal/sqlite"
	"github.com/tandemcc/tandem/server/internal/switchboard"
)

const (
	testSecret   = "rpc-test-secret"
	testAdminKey = "rpc-test-admin-key"
	testLine     = "+15550001000"
)

// testAPI is the API on a real store and switchboard, on a fake clock, without the rest of the
// program: for the limits, which the end-to-end tests cannot set.
type testAPI struct {
	t      testing.TB
	api    *Server
	srv    *httptest.Server
	clock  *clock.Fake
	db     *sqlite.DB
	board  *switchboard.Switchboard
	signer *cloud.Signer
}

type dropSender struct{}

func (dropSender) Send(cc.Command) {}

func newTestAPI(t testing.TB, lim limits.Limits, tweak ...func(*Config)) *testAPI {
	t.Helper()
	cfg := Config{Limits: lim}
	for _, f := range tweak {
		f(&cfg)
	}
	return newTestAPIWith(t, cfg)
}

// newTestAPIWith is newTestAPI with more of the API's configuration: its limits, allowed
// origins and the like (the store, switchboard, signer, keys and clock are the harness's).
func newTestAPIWith(t testing.TB, cfg Config) *testAPI {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n := 0
	board := switchboard.New(switchboard.Config{Store: db, Sender: dropSender{}, Clock: clk, Logger: quiet,
		Routing: routing.Config{NewID: func(prefix string) string { n++; return prefix + "_" + strconv.Itoa(n) }}})
	if err := board.Start(ctx); err != nil {
		t.Fatal(err)
	}
	signer, err := cloud.NewSigner(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Switchboard, cfg.ReplayDay, cfg.Signer, cfg.AdminKey, cfg.Clock = db, board, simulate.Replay, signer, testAdminKey, clk
	cfg.Logger, cfg.PasswordCost = quiet, bcrypt.MinCost
	api, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(api)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	a := &testAPI{t: t, api: api, srv: srv, clock: clk, db: db, board: board, signer: signer}
	t.Cleanup(func() {
		api.Close()
		srv.Close()
		board.Stop()
		_ = db.Close()
	})
	return a
}

func (a *testAPI) client(opts ...tandem.Option) *tandem.Client {
	return tandem.New(a.srv.URL, opts...)
}

func (a *testAPI) admin() *tandem.Client { return a.client(tandem.WithToken(testAdminKey)) }

// setup makes the default queue and the operators named, each with password "password-NAME".
func (a *testAPI) setup(names ...string) {
	a.t.Helper()
	ctx := context.Background()
	admin := a.admin()
	_, err := admin.Admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: &adminv1.Queue{
		QueueId: "support", DialedNumbers: []string{testLine}, OfferTimeoutS: 20, IsDefault: true}}))
	if err != nil {
		a.t.Fatal(err)
	}
	for _, name := range names {
		_, err := admin.Admin.CreateOperator(ctx, connect.NewRequest(&adminv1.CreateOperatorRequest{Name: name, Password: "password-" + name,
			Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_USER, Target: name},
			Queues:  []*adminv1.QueueSkill{{QueueId: "support", Level: 3}}}))
		if err != nil {
			a.t.Fatal(err)
		}
	}
}
