// Package rpc serves Tandem's API: it translates between protobuf messages and the domain, checks
// input, identifies callers and enforces who may call what, and maps errors to Connect codes in
// one place. It holds no business rules; the switchboard and the store do the work.
package rpc

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"
	connectcors "connectrpc.com/cors"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"connectrpc.com/vanguard"
	"github.com/rs/cors"
	"golang.org/x/crypto/bcrypt"

	"github.com/tandemcc/tandem/gen/go/tandem/admin/v1/adminv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/analytics/v1/analyticsv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/assignment/v1/assignmentv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/callintake/v1/callintakev1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1/operatorpresencev1connect"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
)

// Store is what the RPC layer reads directly (and the sessions it writes).
type Store interface {
	Operator(ctx context.Context, id cc.OperatorID) (cc.Operator, error)
	OperatorByName(ctx context.Context, name string) (cc.Operator, error)
	Operators(ctx context.Context) ([]cc.Operator, error)
	Queue(ctx context.Context, id cc.QueueID) (cc.Queue, error)
	Queues(ctx context.Context) ([]cc.Queue, error)
	Call(ctx context.Context, id cc.CallID) (cc.Call, []cc.Offer, error)
	Offer(ctx context.Context, id cc.OfferID) (cc.Offer, error)
	Decisions(ctx context.Context, id cc.CallID) ([]cc.Decision, error)
	CallerHistory(ctx context.Context, number string, but cc.CallID, limit int) ([]cc.Call, error)
	DayArrivals(ctx context.Context, q cc.QueueID, from, to time.Time) ([]cc.RecordedCall, error)
	Tallies(ctx context.Context, scope cc.TallyScope, id string, from, to time.Time) ([]cc.Tally, error)
	CallEvents(ctx context.Context, id cc.CallID) ([]cc.CallEvent, error)
	CreateSession(ctx context.Context, s cc.Session) error
	Session(ctx context.Context, tokenHash string) (cc.Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteOperatorSessions(ctx context.Context, id cc.OperatorID) error
}

// Config wires the API to the rest of the server.
type Config struct {
	Store        Store
	Switchboard  Switchboard
	ReplayDay    Replayer      // runs recorded days again (AnalyticsService.ReplayDay)
	Signer       *cloud.Signer // checks the cloud's signatures
	AdminKey     string        // the admin API key; empty: no admin access
	Clock        clock.Clock
	Logger       *slog.Logger
	SessionTTL   time.Duration // default 12 h
	PasswordCost int           // bcrypt cost; default bcrypt.DefaultCost
	Web          http.Handler  // serves every path that is not the API (the operator app); nil: 404

	// Security is where API keys, the audit log and personal-data settings are kept; nil: Store,
	// which must then implement it.
	Security SecurityStore
	// Limits are the abuse limits; zero fields take DefaultLimits.
	Limits Limits
	// BehindProxy takes the client's address from the last X-Forwarded-For hop (set it only
	// when a reverse proxy that appends it is the only way in).
	BehindProxy bool
	// Forwarded returns the caller's address a peer replica passed a request on for, when it
	// did (signed); nil: requests come from their callers.
	Forwarded func(*http.Request) (string, bool)
	// Metrics is served at /metrics to readers (admin, supervisor, readonly keys), and times
	// every RPC; nil: no /metrics.
	Metrics Metrics
}

// Metrics is what /metrics needs of the API: its handler and an RPC timer.
type Metrics interface {
	Handler() http.Handler
	Interceptor() connect.Interceptor
}

// SecurityStore keeps API keys, the audit log and personal-data settings.
type SecurityStore interface {
	APIKeyStore
	AuditStore
	DataStore
}

// compressMinBytes is the smallest message compressed for a client that accepts it.
const compressMinBytes = 1024

// Server is the API.
type Server struct {
	store        Store
	board        Switchboard
	replay       Replayer
	clock        clock.Clock
	sessionTTL   time.Duration
	passwordCost int
	dummyHash    []byte
	closing      chan struct{}
	handler      http.Handler

	keys      APIKeyStore
	audit     AuditStore
	data      DataStore
	retention *retention
	limits    *limiters
	running   sync.WaitGroup
}

var (
	errWrongPassword = errors.New("wrong name or password")
	errDisabled      = errors.New("this operator is disabled")
	errShuttingDown  = errors.New("the server is shutting down; reconnect")
	errTakenOver     = errors.New("taken over: this operator logged in elsewhere")
)

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
	dummy, err := bcrypt.GenerateFromPassword([]byte("not a password"), cfg.PasswordCost)
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
	s := &Server{
		store:        cfg.Store,
		board:        cfg.Switchboard,
		replay:       cfg.ReplayDay,
		clock:        cfg.Clock,
		sessionTTL:   cfg.SessionTTL,
		passwordCost: cfg.PasswordCost,
		dummyHash:    dummy,
		closing:      make(chan struct{}),
		keys:         sec,
		audit:        sec,
		data:         sec,
		retention:    &retention{store: sec, clock: cfg.Clock, log: cfg.Logger},
		limits:       newLimiters(cfg.Limits, cfg.Clock),
	}
	interceptors := []connect.Interceptor{logInterceptor{cfg.Logger}, policyInterceptor{}, loginInterceptor{s.limits},
		streamInterceptor{s.limits, cfg.Clock}, auditInterceptor{s}}
	if cfg.Metrics != nil {
		interceptors = append([]connect.Interceptor{cfg.Metrics.Interceptor()}, interceptors...)
	}
	opts := connect.WithHandlerOptions(
		connect.WithInterceptors(interceptors...),
		connect.WithReadMaxBytes(1<<20),
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
	add(callintakev1connect.NewCallIntakeServiceHandler(intakeHandler{s}, opts))
	add(operatorpresencev1connect.NewOperatorPresenceServiceHandler(presenceHandler{s}, opts))
	add(assignmentv1connect.NewAssignmentServiceHandler(assignmentHandler{s}, opts))
	add(analyticsv1connect.NewAnalyticsServiceHandler(analyticsHandler{s: s}, opts))
	add(adminv1connect.NewAdminServiceHandler(adminHandler{s}, opts))
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
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", readersOnly(cfg.Metrics.Handler()))
	}

	auth := &authenticator{sessions: cfg.Store, keys: sec, signer: cfg.Signer, replays: cloud.NewReplays(0), clock: cfg.Clock,
		limits: s.limits, behindProxy: cfg.BehindProxy, forwarded: cfg.Forwarded, log: cfg.Logger, errors: connect.NewErrorWriter(), touched: map[string]time.Time{}}
	if cfg.AdminKey != "" {
		auth.adminKey, auth.hasAdminKey = sha256Sum(cfg.AdminKey), true
	}
	s.handler = cors.New(cors.Options{
		AllowedOrigins: []string{"*"},
		AllowedMethods: connectcors.AllowedMethods(),
		AllowedHeaders: append(connectcors.AllowedHeaders(), "Authorization"),
		ExposedHeaders: connectcors.ExposedHeaders(),
		MaxAge:         7200,
	}).Handler(auth.middleware(mux))
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		s.retention.run(s.closing)
	}()
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close ends the open streams so a graceful shutdown does not wait on them, and stops the
// retention purges.
func (s *Server) Close() {
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	s.running.Wait()
}
