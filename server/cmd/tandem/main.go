// Command tandem is the Tandem call-center server.
//
//	tandem serve [--addr :8080] [--db tandem.db] [--cloud-secret S] [--admin-key K] [--tls-cert F --tls-key F]
//	tandem demo  [--reset] [--addr :8080] [--db tandem-demo.db]
//	tandem backup --db tandem.db --to FILE
//	tandem restore --from FILE --db tandem.db [--force]
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tandemcc/tandem/clients/web"
	"github.com/tandemcc/tandem/server/internal/alerting"
	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
	"github.com/tandemcc/tandem/server/internal/metrics"
	"github.com/tandemcc/tandem/server/internal/postgres"
	"github.com/tandemcc/tandem/server/internal/replica"
	"github.com/tandemcc/tandem/server/internal/routing"
	"github.com/tandemcc/tandem/server/internal/rpc"
	"github.com/tandemcc/tandem/server/internal/rpc/accounts"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
	"github.com/tandemcc/tandem/server/internal/simulate"
	"github.com/tandemcc/tandem/server/internal/sqlite"
	"github.com/tandemcc/tandem/server/internal/switchboard"
	"github.com/tandemcc/tandem/server/internal/voximplant"
)

const usage = `tandem — a call-center backend

Usage:
  tandem serve [flags]   run the server
  tandem demo  [flags]   run the server on a demo call center (--reset: a new database)
  tandem simulate [flags] run the engine and store on virtual time against queueing theory
  tandem bench [flags]   measure Tandem against the bare stack on this machine (--json, --soak D)
  tandem backup [flags]  copy the SQLite database, consistent while Tandem runs (--db FILE --to FILE)
  tandem restore [flags] check a backup and put it in place, Tandem stopped (--from FILE --db FILE [--force])
  tandem help            this text

Run "tandem <command> -h" for a command's flags.`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tandem:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	m.Logger = newLogger(stderr)
	switch args[0] {
	case "simulate":
		return runSimulate(ctx, args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "backup", "restore":
		cmd := runBackup
		if args[0] == "restore" {
			cmd = runRestore
		}
		if err := cmd(ctx, args[1:], stdout, stderr); !errors.Is(err, flag.ErrHelp) {
			return err
		}
		return nil
	case "serve":
		if err := m.ParseFlags(args[0], args[1:]); err != nil {
			return err
		}
	case "demo":
		if err := parseDemo(m, args[1:], stdout); err != nil {
			return err
		}
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
	if err := m.Run(ctx); err != nil {
		if _, serr := os.Stat(m.DBPath); m.Demo && serr == nil && (strings.Contains(err.Error(), m.DBPath) || strings.HasPrefix(err.Error(), "demo data")) {
			return fmt.Errorf("%w (tandem demo --reset starts from a new database)", err)
		}
		return err
	}
	if m.Demo {
		printDemo(stdout, m)
	}
	<-ctx.Done()
	m.Logger.Info("shutting down")
	return m.Close()
}

// newLogger is the one place that sets up logging: JSON lines on w.
func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("TANDEM_DEBUG") != "" {
		level = slog.LevelDebug
	}
	l := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(l)
	return l
}

// Main is the whole program, startable in-process by tests.
type Main struct {
	Addr          string
	DBPath        string
	CloudSecrets  []string // the first signs commands; all verify requests (rotation)
	AdminKey      string
	Demo          bool
	Clock         clock.Clock
	Logger        *slog.Logger
	PasswordCost  int           // bcrypt cost; 0: default
	PresenceGrace time.Duration // 0: default
	SenderBackoff time.Duration // first retry wait for commands; 0: default
	MaxSpareCalls int           // calls at spare numbers at once over all queues; 0: no cap
	TLSCert       string        // serve HTTPS (HTTP/1.1 and HTTP/2) with this PEM certificate…
	TLSKey        string        // …and this PEM key; both empty: plain HTTP and h2c
	Limits        limits.Limits // abuse limits; zero fields: limits.DefaultLimits
	BehindProxy   bool          // client addresses from X-Forwarded-For (behind a reverse proxy)
	Origins       []string      // browser origins besides its own whose pages may call the API (CORS)
	VoximplantApp string        // the Voximplant application operators' browser phones log in to
	VoxEmulator   string        // origin of an emulated Web SDK endpoint the browser phones use instead (demo and tests only)
	Sync          string        // SQLite synchronous level: "normal" (default) or "full"
	Advertise     string        // PostgreSQL replicas: the URL the others reach this one at; "": from the listener
	// OIDC signs people in to the supervisor pages with an OpenID Connect provider; Issuer "": off.
	OIDC accounts.OIDCConfig
	// AlertWebhook is the URL every alert raised or cleared is POSTed to, signed with
	// AlertWebhookSecret; "": none.
	AlertWebhook       string
	AlertWebhookSecret string
	// Callbacks: Voximplant's Management API starts the callback rule's outbound scenario.
	// All of account, key file and rule, or none (callbacks off).
	Voximplant VoximplantConfig
	// Dialer starts callbacks' outbound scenarios; nil when callbacks are off. Set by Run.
	Dialer cloud.Dialer

	// URL is where the server listens, set by Run.
	URL string

	db        store
	file      fileStore // the SQLite store's file; nil on PostgreSQL
	signer    *cloud.Signer
	board     *switchboard.Switchboard
	sender    *cloud.Sender
	launcher  *cloud.Launcher   // starts callbacks' scenarios, in front of sender
	alertHook *alerting.Webhook // nil without --alert-webhook
	api       *rpc.Server       // set once this replica leads
	gateway   *replica.Gateway  // the API while leading, else a pass-through to the leader
	peer      *replica.Peer
	http      *http.Server
	listener  net.Listener
	served    chan error

	leader      *postgres.Leadership // held while this replica leads a PostgreSQL store
	stopReplica context.CancelFunc   // ends following and campaigning
	replicaWork sync.WaitGroup
}

// NewMain returns a Main with the defaults.
func NewMain() *Main {
	return &Main{Addr: ":8080", DBPath: "tandem.db", Clock: clock.Real{}, Logger: slog.Default()}
}

// ParseFlags reads flags, with secrets also from the environment.
func (m *Main) ParseFlags(name string, args []string) error {
	fs := flag.NewFlagSet("tandem "+name, flag.ContinueOnError)
	fs.StringVar(&m.Addr, "addr", m.Addr, "listen address")
	fs.StringVar(&m.DBPath, "db", m.DBPath, "SQLite database file, or a postgres:// URL (PostgreSQL; env PGPASSWORD etc. work); created or migrated at start")
	secrets := fs.String("cloud-secret", strings.Join(m.CloudSecrets, ","), "shared secret(s) for the cloud's signatures, comma-separated (the first signs); env TANDEM_CLOUD_SECRET")
	fs.StringVar(&m.AdminKey, "admin-key", m.AdminKey, "API key for admin tools (tandemctl); env TANDEM_ADMIN_KEY")
	fs.IntVar(&m.MaxSpareCalls, "max-spare-calls", m.MaxSpareCalls, "calls at spare numbers at once, over all queues (0: no cap but each queue's and number's own)")
	secretsFile := fs.String("cloud-secret-file", "", "file holding the cloud secret(s), comma- or newline-separated; env TANDEM_CLOUD_SECRET_FILE")
	adminKeyFile := fs.String("admin-key-file", "", "file holding the admin key; env TANDEM_ADMIN_KEY_FILE")
	fs.StringVar(&m.TLSCert, "tls-cert", m.TLSCert, "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	fs.StringVar(&m.TLSKey, "tls-key", m.TLSKey, "PEM private key file of --tls-cert")
	rates := fs.String("rate-limit", "", "request rates per caller by role, per second/burst, e.g. operator=10/100,cloud=5000/10000 (roles: public, operator, supervisor, readonly, admin, cloud)")
	fs.StringVar(&m.Advertise, "advertise", m.Advertise, "PostgreSQL replicas: the URL the other replicas reach this one at while it leads (default: http(s)://<this host's name>:<port of --addr>, or the address of --addr when it names one)")
	fs.BoolVar(&m.BehindProxy, "behind-proxy", m.BehindProxy, "take client addresses from the last X-Forwarded-For hop (only behind a reverse proxy that sets it)")
	fs.StringVar(&m.VoximplantApp, "voximplant-app", m.VoximplantApp, "the Voximplant application's domain, e.g. callcenter.acme.voximplant.com: operators whose contact is a Voximplant user log in to it from the app (browser phone); empty: no browser phones")
	fs.StringVar(&m.VoxEmulator, "voximplant-emulator", m.VoxEmulator, "for the demo and tests only: the URL (http://host:port) of an emulated Voximplant Web SDK endpoint (clients/voxengine/emulator/websdk.js); browser phones talk to it instead of Voximplant and the app's CSP allows it")
	origins := fs.String("allowed-origins", strings.Join(m.Origins, ","), "browser origins besides Tandem's own whose pages may call the API (CORS), comma-separated, e.g. https://crm.example.com; * alone: any; empty: Tandem's own pages only")
	fs.StringVar(&m.OIDC.Issuer, "oidc-issuer", m.OIDC.Issuer, "OpenID Connect: the provider's issuer URL (people sign in to the supervisor pages with it); empty: name and password only")
	fs.StringVar(&m.OIDC.ClientID, "oidc-client-id", m.OIDC.ClientID, "OpenID Connect: Tandem's client id at the provider")
	oidcSecretFile := fs.String("oidc-client-secret-file", "", "OpenID Connect: file holding the client secret; env TANDEM_OIDC_CLIENT_SECRET_FILE")
	fs.StringVar(&m.OIDC.RedirectURL, "oidc-redirect-url", m.OIDC.RedirectURL, "OpenID Connect: this server's callback as browsers reach it, https://tandem.example.com"+accounts.CallbackPath+" (register it at the provider)")
	fs.StringVar(&m.OIDC.RoleClaim, "oidc-role-claim", m.OIDC.RoleClaim, "OpenID Connect: the ID token's claim (a string or a list) that gives the Tandem role, e.g. groups or roles")
	oidcRoles := fs.String("oidc-roles", "supervisor=supervisor,admin=admin", "OpenID Connect: the role claim's values that make a supervisor or an admin, value=role comma-separated, e.g. cc-floor=supervisor,cc-admins=admin (admin wins)")
	oidcScopes := fs.String("oidc-scopes", "", "OpenID Connect: scopes asked for besides openid, profile and email, comma-separated (e.g. groups, when the provider needs one for the role claim)")
	fs.StringVar(&m.OIDC.Provider, "oidc-provider-name", m.OIDC.Provider, `OpenID Connect: the name on the "Sign in with …" button (default: the issuer's host)`)
	fs.StringVar(&m.AlertWebhook, "alert-webhook", m.AlertWebhook, "URL (http:// or https://) that every alert raised or cleared is POSTed to as JSON, signed like Tandem's commands to the cloud with the secret of --alert-webhook-secret-file")
	alertSecretFile := fs.String("alert-webhook-secret-file", "", "file holding the secret that signs the alert webhook's POSTs; env TANDEM_ALERT_WEBHOOK_SECRET_FILE")
	voxAccount := fs.String("voximplant-account-id", "", "callbacks: the Voximplant account id (a number) whose service account starts the callback scenario; with --voximplant-key-file and --callback-rule-id, or none of them (callbacks off)")
	fs.StringVar(&m.Voximplant.KeyFile, "voximplant-key-file", m.Voximplant.KeyFile, "callbacks: the service account's key file as Voximplant issues it (JSON: account_id, key_id, private_key); it signs the Management API's JWTs")
	ruleID := fs.String("callback-rule-id", "", "callbacks: the id (a number) of the routing rule that runs clients/voxengine/callback.js (StartScenarios starts it)")
	fs.StringVar(&m.Voximplant.APIURL, "voximplant-api-url", voximplant.DefaultAPIURL, "callbacks: Voximplant's Management API (the emulator's for tests and the demo)")
	fs.StringVar(&m.Sync, "sync", "normal", "SQLite durability: normal (kill -9 loses nothing; a power cut may lose the last commits) or full (a power cut loses nothing acknowledged)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rates != "" {
		r, err := limits.ParseRates(*rates)
		if err != nil {
			return err
		}
		m.Limits.Rates = r
	}
	o, err := rpc.ParseOrigins(*origins)
	if err != nil {
		return fmt.Errorf("--allowed-origins: %w", err)
	}
	m.Origins = o
	if m.Advertise != "" {
		if u, err := url.Parse(m.Advertise); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--advertise: %q is not an http:// or https:// URL with a host (the other replicas reach this one there)", m.Advertise)
		}
	}
	if m.VoxEmulator != "" {
		u, err := url.Parse(m.VoxEmulator)
		// It goes into the app's CSP header as it is: scheme, host and port only.
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.User != nil || strings.ContainsAny(u.Host, ";,'\" *") {
			return fmt.Errorf("--voximplant-emulator: %q is not an http:// or https:// origin (scheme, host and port only)", m.VoxEmulator)
		}
		m.VoxEmulator = u.Scheme + "://" + u.Host
	}
	if m.AlertWebhook != "" {
		if u, err := url.Parse(m.AlertWebhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--alert-webhook: %q is not an http:// or https:// URL with a host", m.AlertWebhook)
		}
	}
	if err := m.Voximplant.parse(*voxAccount, *ruleID); err != nil {
		return err
	}
	if (m.TLSCert == "") != (m.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if err := m.parseOIDC(*oidcRoles, *oidcScopes); err != nil {
		return err
	}
	for _, f := range []struct {
		value *string
		flag  string
		env   string
	}{{secrets, *secretsFile, "TANDEM_CLOUD_SECRET_FILE"}, {&m.AdminKey, *adminKeyFile, "TANDEM_ADMIN_KEY_FILE"},
		{&m.OIDC.ClientSecret, *oidcSecretFile, "TANDEM_OIDC_CLIENT_SECRET_FILE"},
		{&m.AlertWebhookSecret, *alertSecretFile, "TANDEM_ALERT_WEBHOOK_SECRET_FILE"}} {
		if err := readSecretFile(f.value, f.flag, f.env); err != nil {
			return err
		}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if m.AlertWebhook != "" && m.AlertWebhookSecret == "" {
		return errors.New("--alert-webhook needs --alert-webhook-secret-file (its POSTs are signed)")
	}
	if *secrets == "" {
		*secrets = os.Getenv("TANDEM_CLOUD_SECRET")
	}
	m.CloudSecrets = nil
	for _, s := range strings.Split(*secrets, ",") {
		if s = strings.TrimSpace(s); s != "" {
			m.CloudSecrets = append(m.CloudSecrets, s)
		}
	}
	if m.AdminKey == "" {
		m.AdminKey = os.Getenv("TANDEM_ADMIN_KEY")
	}
	return nil
}

// parseOIDC checks the OpenID Connect flags: all or none.
func (m *Main) parseOIDC(roles, scopes string) error {
	if m.OIDC.Issuer == "" {
		if m.OIDC.ClientID != "" || m.OIDC.RedirectURL != "" || m.OIDC.RoleClaim != "" {
			return errors.New("--oidc-client-id, --oidc-redirect-url and --oidc-role-claim need --oidc-issuer")
		}
		return nil
	}
	if m.OIDC.ClientID == "" || m.OIDC.RoleClaim == "" {
		return errors.New("--oidc-issuer needs --oidc-client-id and --oidc-role-claim")
	}
	if u, err := url.Parse(m.OIDC.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != accounts.CallbackPath {
		return fmt.Errorf("--oidc-redirect-url: %q is not an http(s) URL ending in %s", m.OIDC.RedirectURL, accounts.CallbackPath)
	}
	m.OIDC.Roles = map[string]string{}
	for _, pair := range strings.Split(roles, ",") {
		value, role, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || value == "" || !callcenter.AccountRole(role) {
			return fmt.Errorf("--oidc-roles: %q is not value=supervisor or value=admin", pair)
		}
		m.OIDC.Roles[value] = role
	}
	m.OIDC.Scopes = nil
	for _, sc := range strings.Split(scopes, ",") {
		if sc = strings.TrimSpace(sc); sc != "" {
			m.OIDC.Scopes = append(m.OIDC.Scopes, sc)
		}
	}
	return nil
}

// readSecretFile fills an unset secret from a file named by a flag or else an environment
// variable; a file's lines count as comma-separated values. The secret itself is never logged.
func readSecretFile(value *string, file, env string) error {
	if *value != "" {
		return nil
	}
	// The flag of env's name (TANDEM_CLOUD_SECRET_FILE: --cloud-secret-file), or env, says
	// where the file was named.
	from := "--" + strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(env, "TANDEM_")), "_", "-")
	if file == "" {
		file, from = os.Getenv(env), env
	}
	if file == "" {
		return nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return startError(from, file, err)
	}
	*value = strings.Join(strings.Fields(strings.ReplaceAll(string(b), ",", " ")), ",")
	return nil
}

// Run opens the database and starts serving: with the live state rebuilt when this replica
// leads (always, on SQLite), or passing requests on to the leader while another replica of a
// PostgreSQL store leads (it takes over when that one dies). It returns once the server
// listens; Close stops it.
func (m *Main) Run(ctx context.Context) (err error) {
	if len(m.CloudSecrets) == 0 {
		return errors.New("no cloud secret: set --cloud-secret or TANDEM_CLOUD_SECRET (the scenario signs with it)")
	}
	if m.signer, err = cloud.NewSigner(m.CloudSecrets...); err != nil {
		return err
	}
	if m.Dialer, err = m.Voximplant.dialer(m.signer, m.Clock, m.Logger); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = m.Close()
		}
	}()
	if m.db, err = openStore(ctx, m.DBPath, m.Sync); err != nil {
		return startError("--db", dbName(m.DBPath), err)
	}
	m.watchFile()
	if m.listener, err = net.Listen("tcp", m.Addr); err != nil {
		return startError("--addr", m.Addr, err)
	}
	m.URL = "http://" + m.listener.Addr().String()
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	var tlsConfig, peerTLS *tls.Config
	if m.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(m.TLSCert, m.TLSKey)
		if err != nil {
			return startError("--tls-cert", m.TLSCert+" (--tls-key "+m.TLSKey+")", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
		if peerTLS, err = peerTLSConfig(m.TLSCert); err != nil {
			return err
		}
		m.listener = tls.NewListener(m.listener, tlsConfig)
		m.URL = "https://" + m.listener.Addr().String()
		protocols = new(http.Protocols)
		protocols.SetHTTP1(true)
		protocols.SetHTTP2(true)
	}
	m.peer = replica.NewPeer(m.CloudSecrets[0], m.Clock)
	m.gateway = replica.New(replica.Config{
		Peer:          m.peer,
		ClientAddress: func(r *http.Request) string { return auth.ClientAddress(r, m.BehindProxy) },
		TLS:           peerTLS,
		Logger:        m.Logger,
		Healthy:       m.healthy,
	})
	leading, err := m.campaign(ctx) // PostgreSQL: lead now, or follow (docs/replicas.md)
	if err != nil {
		return err
	}
	m.http = &http.Server{
		Handler:           m.gateway,
		Protocols:         protocols,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: 10000},
		// No WriteTimeout: it would cut the presence streams.
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.http.Serve(m.listener) }()
	m.Logger.Info("tandem serving", "url", m.URL, "db", dbName(m.DBPath), "leading", leading)
	return nil
}

// startError is a start-up failure in one line: the flag, its value and the cause (a driver's
// error may span several lines).
func startError(flag, value string, err error) error {
	return fmt.Errorf("%s %s: %w", flag, value, oneLine{err})
}

// oneLine is an error whose text is on one line.
type oneLine struct{ err error }

func (e oneLine) Error() string {
	return strings.NewReplacer("\r\n", "; ", "\n\t", "; ", "\n", "; ").Replace(e.err.Error())
}

func (e oneLine) Unwrap() error { return e.err }

// metrics is /metrics: the floor and the totals, and the work of the switchboard's loop and
// of the SQLite store (where a server's time goes under load; tandem bench reads them).
func (m *Main) metrics() *metrics.Metrics {
	mx := metrics.New(m.board)
	work := func(f func(switchboard.LoopWork) float64) func() float64 {
		return func() float64 { return f(m.board.LoopWork()) }
	}
	mx.Counter("tandem_switchboard_steps_total", "Steps the switchboard's loop ran: requests, cloud events and reads (its timers apart).",
		work(func(w switchboard.LoopWork) float64 { return float64(w.Steps) }))
	mx.Counter("tandem_switchboard_batches_total", "Batches of steps the loop stored, one transaction each (group commit).",
		work(func(w switchboard.LoopWork) float64 { return float64(w.Batches) }))
	mx.Counter("tandem_switchboard_engine_seconds_total", "Time the loop spent running steps in the routing engine.",
		work(func(w switchboard.LoopWork) float64 { return w.Engine.Seconds() }))
	mx.Counter("tandem_switchboard_store_seconds_total", "Time the loop spent storing batches.",
		work(func(w switchboard.LoopWork) float64 { return w.Store.Seconds() }))
	mx.Counter("tandem_switchboard_publish_seconds_total", "Time the loop spent logging stored changes, handing commands to the sender and waking watchers.",
		work(func(w switchboard.LoopWork) float64 { return w.Publish.Seconds() }))
	mx.Counter("tandem_switchboard_wait_seconds_total", "Time steps waited for the loop, added up (from being handed over to their batch's start).",
		work(func(w switchboard.LoopWork) float64 { return w.Wait.Seconds() }))
	if db, ok := m.db.(*sqlite.DB); ok {
		mx.Counter("tandem_sqlite_commit_seconds_total", "Time in COMMIT: writing the write-ahead log (and syncing it with --sync full).",
			func() float64 { return db.Work().CommitTime.Seconds() })
		mx.Counter("tandem_sqlite_checkpoints_total", "Checkpoints run (the log copied into the database file, beside the writer).",
			func() float64 { return float64(db.Work().Checkpoints) })
		mx.Counter("tandem_sqlite_checkpoint_seconds_total", "Time in checkpoints: copying the log into the file, and syncing the file.",
			func() float64 { return db.Work().CheckpointTime.Seconds() })
		mx.Counter("tandem_sqlite_checkpoint_held_seconds_total", "Of the checkpoints' time, the time the writer was held (to start the log over).",
			func() float64 { return db.Work().Held.Seconds() })
		mx.Gauge("tandem_sqlite_log_frames", "Pages in the write-ahead log at the last checkpoint.",
			func() float64 { return float64(db.Work().LogSize) })
	}
	return mx
}

// serve rebuilds the live state from the store and serves the API: this replica decides.
func (m *Main) serve(ctx context.Context) error {
	m.sender = cloud.NewSender(cloud.SenderConfig{
		Signer:      m.signer,
		Clock:       m.Clock,
		Backoff:     m.SenderBackoff,
		Logger:      m.Logger,
		Gone:        func(call callcenter.CallID, reason string) { m.board.SessionGone(call, reason) },
		Undelivered: func(cmd callcenter.Command, reason string) { m.board.Undelivered(cmd, reason) }, // m.board is set below
	})
	m.launcher = &cloud.Launcher{Next: m.sender, Dialer: m.Dialer, Clock: m.Clock, Logger: m.Logger,
		Undelivered: func(cmd callcenter.Command, reason string) { m.board.Undelivered(cmd, reason) }}
	m.board = switchboard.New(switchboard.Config{
		Store:   m.db,
		Sender:  m.launcher,
		Clock:   m.Clock,
		Logger:  m.Logger,
		Routing: routing.Config{PresenceGrace: m.PresenceGrace, NewID: newID, MaxSpareCalls: m.MaxSpareCalls, Callbacks: m.Dialer != nil},
	})
	if err := m.board.Start(ctx); err != nil {
		return err
	}
	if m.Demo {
		if err := seedDemo(ctx, m); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	var signIn *accounts.OIDC
	if m.OIDC.Issuer != "" {
		var err error
		if signIn, err = accounts.NewOIDC(ctx, m.OIDC, m.Clock, m.Logger); err != nil {
			return err
		}
	}
	var alertSent func(callcenter.Alert)
	if m.AlertWebhook != "" {
		if m.alertHook == nil { // a replica that leads again keeps its webhook
			signer, err := cloud.NewSigner(m.AlertWebhookSecret)
			if err != nil {
				return err
			}
			m.alertHook = alerting.NewWebhook(alerting.WebhookConfig{URL: m.AlertWebhook, Signer: signer, Outbox: m.db, Clock: m.Clock, Logger: m.Logger})
		}
		alertSent = m.alertHook.Send
	}
	api, err := rpc.New(rpc.Config{
		OIDC:           signIn,
		Store:          m.db,
		Switchboard:    m.board,
		ReplayDay:      simulate.Replay,
		Signer:         m.signer,
		AdminKey:       m.AdminKey,
		Clock:          m.Clock,
		Logger:         m.Logger,
		PasswordCost:   m.PasswordCost,
		Web:            web.Handler(m.VoxEmulator),
		Limits:         m.Limits,
		BehindProxy:    m.BehindProxy,
		Forwarded:      m.peer.Forwarded,
		AllowedOrigins: m.Origins,
		VoximplantApp:  m.VoximplantApp,
		VoxEmulator:    m.VoxEmulator,
		Metrics:        m.metrics(),
		AlertSent:      alertSent,
	})
	if err != nil {
		return err
	}
	m.api = api
	m.gateway.Lead(api)
	return nil
}

// Close stops serving, lets the requests in flight finish, and closes the database.
func (m *Main) Close() error {
	var errs []error
	if m.stopReplica != nil {
		m.stopReplica() // no takeover from now on
		m.replicaWork.Wait()
	}
	if m.api != nil {
		m.api.Close()
	}
	if m.gateway != nil {
		m.gateway.Close()
	}
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := m.http.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	} else if m.listener != nil {
		m.listener.Close()
	}
	if m.launcher != nil {
		m.launcher.Close()
	}
	if m.sender != nil {
		m.sender.Close()
	}
	if m.alertHook != nil {
		m.alertHook.Close()
	}
	if m.board != nil {
		m.board.Stop()
	}
	m.resign()
	if m.db != nil {
		errs = append(errs, m.db.Close())
	}
	return errors.Join(errs...)
}
