// Package rpc wires Tandem's API together: it builds each service's handler (intake, presence,
// assignment, analytics, admin) on the store and the switchboard, sets the interceptors in their
// order (metrics, log, policy, streams, audit), and serves Connect, gRPC and
// gRPC-Web on one mux with the REST/JSON transcoder for CallIntake, gRPC health and reflection,
// CORS and /metrics. Every request passes the front door first: body and write caps, the caller
// identified (package auth) and rate-limited (package limits), the cloud's JSON checked. It also
// runs the retention purges until Close. Each service's translation and input checks live in
// its package; the call center's rules in the domain, the switchboard and the store.
package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"connectrpc.com/vanguard"
	"golang.org/x/crypto/bcrypt"

	"github.com/tandemcc/tandem/gen/go/tandem/admin/v1/adminv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/analytics/v1/analyticsv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/assignment/v1/assignmentv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/callintake/v1/callintakev1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1/operatorpresencev1connect"
	"github.com/tandemcc/tandem/server/internal/alerting"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
	"github.com/tandemcc/tandem/server/internal/rpc/accounts"
	"github.com/tandemcc/tandem/server/internal/rpc/admin"
	"github.com/tandemcc/tandem/server/internal/rpc/analytics"
	"github.com/tandemcc/tandem/server/internal/rpc/assignment"
	"github.com/tandemcc/tandem/server/internal/rpc/audit"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/intake"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
	"github.com/tandemcc/tandem/server/internal/rpc/presence"
	"github.com/tandemcc/tandem/server/internal/rpc/retention"
)

// Store is what the API reads directly, and the sessions it keeps: every service's needs.
type Store interface {
	auth.SessionStore
	presence.Store
	assignment.Store
	analytics.Store
	admin.Store
	audit.Reads
}

// Switchboard is the one door into the routing engine (*switchboard.Switchboard): one named
// command or read per thing the API does, each one step of the engine's serial loop whose
// changes are stored before it returns. It is every service's needs of it together.
type Switchboard interface {
	intake.Switchboard
	presence.Switchboard
	assignment.Switchboard
	analytics.Switchboard
	admin.Switchboard
	retention.Switchboard
	audit.Switchboard
	alerting.Floor
}

// SecurityStore keeps API keys, people's accounts, the audit log and personal-data settings.
type SecurityStore interface {
	auth.KeyStore
	auth.PersonStore
	accounts.Store
	admin.Keys
	audit.Store
	retention.Store
}

// Config wires the API to the rest of the server.
type Config struct {
	Store        Store
	Switchboard  Switchboard
	ReplayDay    analytics.Replayer // runs recorded days again (AnalyticsService.ReplayDay)
	Signer       *cloud.Signer      // checks the cloud's signatures
	AdminKey     string             // the admin API key; empty: no admin access
	Clock        clock.Clock
	Logger       *slog.Logger
	SessionTTL   time.Duration // default 12 h
	PasswordCost int           // bcrypt cost; default bcrypt.DefaultCost
	Web          http.Handler  // serves every path that is not the API (the operator app); nil: 404

	// Security is where API keys, the audit log and personal-data settings are kept; nil: Store,
	// which must then implement it.
	Security SecurityStore
	// Limits are the abuse limits; zero fields take limits.DefaultLimits.
	Limits limits.Limits
	// BehindProxy takes the client's address from the last X-Forwarded-For hop (set it only
	// when a reverse proxy that appends it is the only way in).
	BehindProxy bool
	// Forwarded returns the caller's address a peer replica passed a request on for, when it
	// did (signed); nil: requests come from their callers.
	Forwarded func(*http.Request) (string, bool)
	// AllowedOrigins are the browser origins besides Tandem's own whose pages may call the API
	// (CORS), as ParseOrigins reads them; "*" alone allows any; empty: Tandem's own pages only.
	AllowedOrigins []string
	// VoximplantApp is the Voximplant application's domain ("app.account.voximplant.com") that
	// operators' browser phones log in to; empty: none.
	VoximplantApp string
	// VoxEmulator is the origin of an emulated Voximplant Web SDK endpoint that browser phones
	// use instead of Voximplant (tandem serve --voximplant-emulator: the demo and tests); "": none.
	VoxEmulator string
	// OIDC signs people in with an OpenID Connect provider (accounts.NewOIDC); nil: name and
	// password only.
	OIDC *accounts.OIDC
	// Metrics is served at /metrics to readers (admin, supervisor, readonly keys), and times
	// every RPC; nil: no /metrics.
	Metrics Metrics
	// AlertSent is given every alert raised or cleared (the alert webhook); it must not block.
	// nil: nobody.
	AlertSent func(cc.Alert)
}

// Metrics is what /metrics needs of the API: its handler and an RPC timer.
type Metrics interface {
	Handler() http.Handler
	Interceptor() connect.Interceptor
}

// compressMinBytes is the smallest message compressed for a client that accepts it.
const compressMinBytes = 1024

// Server is the API.
type Server struct {
	handler   http.Handler
	alerts    *alerting.Watch
	closing   chan struct{}
	retention *retention.Handler
	limits    *limits.Limiters
	running   sync.WaitGroup
}

// New builds the API handler: Connect, gRPC and gRPC-Web on every service, REST/JSON paths for
// CallIntake, gRPC health and reflection, CORS, and authentication in front of it all.
func New(cfg Config) (*Server, error) {
	if cfg.Switchboard == nil || cfg.ReplayDay == nil {
		return nil, errors.New("rpc: a switchboard and a day replayer are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.PasswordCost == 0 {
		cfg.PasswordCost = bcrypt.DefaultCost
	}
	if err := checkOrigins(cfg.AllowedOrigins); err != nil {
		return nil, err
	}
	closing := make(chan struct{})
	lim := limits.New(cfg.Limits, cfg.Clock, cfg.Logger)
	presenceHandler, err := presence.New(presence.Config{Store: cfg.Store, Switchboard: cfg.Switchboard, Logins: lim.Logins(), Clock: cfg.Clock,
		SessionTTL: cfg.SessionTTL, PasswordCost: cfg.PasswordCost, Closing: closing, VoximplantApp: cfg.VoximplantApp, VoxEmulator: cfg.VoxEmulator})
	if err != nil {
		return nil, err
	}
	sec := cfg.Security
	if sec == nil {
		var ok bool
		if sec, ok = cfg.Store.(SecurityStore); !ok {
			return nil, errors.New("rpc: the store keeps no API keys, audit log or settings")
		}
	}
	alerts := alerting.NewWatch(cfg.Store, cfg.Switchboard, cfg.Clock, cfg.Logger)
	alerts.Sent = cfg.AlertSent
	if err := alerts.Load(context.Background()); err != nil {
		return nil, fmt.Errorf("rpc: open alerts: %w", err)
	}
	s := &Server{
		alerts:    alerts,
		closing:   closing,
		retention: retention.New(sec, cfg.Switchboard, cfg.Clock, cfg.Logger),
		limits:    lim,
	}
	people, err := accounts.New(accounts.Config{Store: sec, Logins: lim.Logins(), Streams: lim, Clock: cfg.Clock, SessionTTL: cfg.SessionTTL,
		PasswordCost: cfg.PasswordCost, OIDC: cfg.OIDC})
	if err != nil {
		return nil, err
	}
	auditLog := audit.New(audit.Config{Store: sec, Reads: cfg.Store, Switchboard: cfg.Switchboard, Keys: sec, Accounts: sec, Retention: s.retention, Clock: cfg.Clock})
	interceptors := []connect.Interceptor{logInterceptor{cfg.Logger}, auth.Policy{}, s.limits.Streams(), auditLog}
	if cfg.Metrics != nil {
		interceptors = append([]connect.Interceptor{cfg.Metrics.Interceptor()}, interceptors...)
	}
	opts := connect.WithHandlerOptions(
		connect.WithInterceptors(interceptors...),
		// Bodies are capped at the front door and messages once decompressed here, both with
		// invalid_argument; Connect's own read limit is not set, as it refuses with
		// resource_exhausted, which clients retry.
		s.limits.Decompression(),
		// Compressing a message of a few hundred bytes costs more CPU than it saves bytes
		// (gzip was 13% of the server's CPU, nearly all on presence-stream messages); big
		// answers (lists, exports, the wallboard's snapshot) are still compressed.
		connect.WithCompressMinBytes(compressMinBytes),
	)
	// Connect, gRPC and gRPC-Web requests go straight to their service's handler; the
	// transcoder only serves what needs translating (the REST/JSON paths) and the rest.
	var services []*vanguard.Service
	mux := http.NewServeMux()
	add := func(path string, h http.Handler) {
		services = append(services, vanguard.NewService(path, h))
		mux.Handle(path, h)
	}
	add(callintakev1connect.NewCallIntakeServiceHandler(intake.New(cfg.Switchboard, cfg.Signer, cfg.Clock), opts))
	add(operatorpresencev1connect.NewOperatorPresenceServiceHandler(presenceHandler, opts))
	add(assignmentv1connect.NewAssignmentServiceHandler(assignment.New(cfg.Store, cfg.Switchboard), opts))
	add(analyticsv1connect.NewAnalyticsServiceHandler(analytics.New(analytics.Config{Store: cfg.Store, Switchboard: cfg.Switchboard,
		ReplayDay: cfg.ReplayDay, Alerts: alerts, Clock: cfg.Clock, Closing: s.closing}), opts))
	add(adminv1connect.NewAdminServiceHandler(admin.New(admin.Config{Store: cfg.Store, Switchboard: cfg.Switchboard, Keys: sec,
		Streams: s.limits, Logins: s.limits.Logins(), CallerData: s.retention, AuditLog: auditLog, Accounts: people, Clock: cfg.Clock, PasswordCost: cfg.PasswordCost}), opts))
	// The transcoder hands the REST requests to the handlers in binary, so that the JSON the
	// cloud reads (replies and errors) is written by the cloud's codec alone: proto field names,
	// like the commands.
	transcoderOpts := []vanguard.TranscoderOption{
		vanguard.WithCodec(cloud.NewJSONCodec),
		vanguard.WithDefaultServiceOptions(vanguard.WithTargetCodecs(vanguard.CodecProto)),
	}
	if cfg.Web != nil {
		transcoderOpts = append(transcoderOpts, vanguard.WithUnknownHandler(cfg.Web))
	}
	transcoder, err := vanguard.NewTranscoder(services, transcoderOpts...)
	if err != nil {
		return nil, err
	}

	names := []string{
		callintakev1connect.CallIntakeServiceName,
		operatorpresencev1connect.OperatorPresenceServiceName,
		assignmentv1connect.AssignmentServiceName,
		analyticsv1connect.AnalyticsServiceName,
		adminv1connect.AdminServiceName,
	}
	mux.Handle("/", transcoder)
	mux.Handle(grpchealth.NewHandler(grpchealth.NewStaticChecker(names...)))
	reflector := grpcreflect.NewStaticReflector(names...)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
	if routes := people.Routes(); routes != nil {
		mux.Handle("GET "+accounts.StartPath, routes)
		mux.Handle("GET "+accounts.CallbackPath, routes)
	}
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", auth.ReadersOnly(cfg.Metrics.Handler()))
	}

	door := &frontDoor{
		auth: auth.New(auth.Config{Sessions: cfg.Store, People: sec, Keys: sec, AdminKey: cfg.AdminKey, Signer: cfg.Signer, Clock: cfg.Clock,
			Logger: cfg.Logger, BehindProxy: cfg.BehindProxy, Forwarded: cfg.Forwarded}),
		limits: s.limits, log: cfg.Logger, errors: connect.NewErrorWriter(),
	}
	api := crossOrigin(cfg.AllowedOrigins, door.wrap(mux))
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// No answer, a refusal or a CORS preflight included, is ever read by a browser as
		// another type than it says (the app's own responses say more: package web).
		w.Header().Set("X-Content-Type-Options", "nosniff")
		api.ServeHTTP(w, r)
	})
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		s.retention.Run(s.closing)
	}()
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-s.closing; cancel() }()
		alerts.Run(ctx)
	}()
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close ends the open streams so a graceful shutdown does not wait on them, and stops the
// retention purges and the alert watch.
func (s *Server) Close() {
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	s.running.Wait()
}
