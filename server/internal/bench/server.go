package bench

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlite"
)

// cloudSecret signs the load generator's cloud requests; the server is started with it.
const cloudSecret = "bench-cloud-secret"

// benchNumber is the dialed number of the bench's first queue.
const benchNumber = "+18005550100"

// seed describes the center a server phase starts on.
type seed struct {
	queues    int
	operators int
	skills    int           // queues each operator serves (round the queues)
	wrapUp    time.Duration // the queues' wrap-up: long, so operators end it themselves
	// offerTimeout is the queues' offer timeout (0: 20 s).
	offerTimeout time.Duration
}

// seeded is what a phase needs to act on the seeded center.
type seeded struct {
	operators []cc.OperatorID
	tokens    []string // the session token of each operator, in the same order
	numbers   []string // each queue's dialed number
}

// seedDB writes queues, operators and one login session per operator straight into a fresh
// database at path (logging 10 000 operators in through bcrypt would take minutes and measure
// nothing of routing). The server then loads them as after any restart.
func seedDB(ctx context.Context, path string, s seed) (seeded, error) {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return seeded{}, err
	}
	defer db.Close()
	return seedStore(ctx, db, s)
}

// seedable is what seeding needs of a store: SQLite's or PostgreSQL's.
type seedable interface {
	CreateQueue(context.Context, cc.Queue) error
	CreateOperator(context.Context, cc.Operator) error
	CreateSession(context.Context, cc.Session) error
}

// seedStore writes the center s into db, as seedDB does.
func seedStore(ctx context.Context, db seedable, s seed) (seeded, error) {
	var out seeded
	for i := range s.queues {
		n := benchNumber
		if i > 0 {
			n = fmt.Sprintf("+1800556%04d", i)
		}
		out.numbers = append(out.numbers, n)
		rules := cc.DefaultRules()
		rules.OptIn = false
		q, err := cc.Queue{
			ID: cc.QueueID(fmt.Sprintf("q%02d", i)), Name: fmt.Sprintf("Queue %d", i), DialedNumbers: []string{n},
			Strategy: cc.StrategyLongestIdle, OfferTimeout: cmp.Or(s.offerTimeout, 20*time.Second), WrapUp: s.wrapUp,
			IsDefault: i == 0, Rules: rules,
		}.Check() // the store is written past the engine, which would check it
		if err != nil {
			return seeded{}, fmt.Errorf("seed queue: %w", err)
		}
		if err := db.CreateQueue(ctx, q); err != nil {
			return seeded{}, fmt.Errorf("seed queue: %w", err)
		}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte("bench-password"), bcrypt.MinCost)
	if err != nil {
		return seeded{}, err
	}
	now := time.Now()
	for i := range s.operators {
		id := cc.OperatorID(fmt.Sprintf("op_%05d", i))
		op := cc.Operator{
			ID: id, Name: fmt.Sprintf("op%05d", i), DisplayName: fmt.Sprintf("Operator %d", i),
			PasswordHash: string(hash), Contact: cc.Contact{Kind: cc.ContactUser, Target: fmt.Sprintf("op%05d", i)},
			CreatedAt: now,
		}
		for k := range max(s.skills, 1) {
			q := (i + k*7) % s.queues
			op.Queues = append(op.Queues, cc.QueueSkill{Queue: cc.QueueID(fmt.Sprintf("q%02d", q)), Level: 1 + (i+k)%5})
		}
		if op, err = op.Check(); err != nil {
			return seeded{}, fmt.Errorf("seed operator: %w", err)
		}
		if err := db.CreateOperator(ctx, op); err != nil {
			return seeded{}, fmt.Errorf("seed operator: %w", err)
		}
		token := fmt.Sprintf("bench-session-%05d-%d", i, now.UnixNano())
		sum := sha256.Sum256([]byte(token))
		if err := db.CreateSession(ctx, cc.Session{TokenHash: hex.EncodeToString(sum[:]), Operator: id, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}); err != nil {
			return seeded{}, fmt.Errorf("seed session: %w", err)
		}
		out.operators = append(out.operators, id)
		out.tokens = append(out.tokens, token)
	}
	return out, nil
}

// server is a tandem serve process.
type server struct {
	cmd   *exec.Cmd
	url   string
	log   string
	pprof string // net/http/pprof of the server process (TANDEM_PPROF)
	sync  string // its --sync level ("" : the default, normal)
	done  chan error
}

// benchAdminKey is the servers' admin key: the wallboard's reader.
const benchAdminKey = "bench-admin-key"

// serverLimits lifts the per-caller rate limits above what the load generator sends: the bench
// measures the router, not the abuse limits (which stay on, only higher).
const serverLimits = "cloud=1000000/1000000,operator=100000/100000,public=100000/100000,admin=100000/100000"

// startServer runs `exe serve` on 127.0.0.1 with a free port, the database at db and the
// given extra flags, its logs going to a file in dir, and waits until it serves.
func startServer(ctx context.Context, cfg Config, dir, db string, extra ...string) (*server, error) {
	return startServerAt(ctx, cfg, dir, db, "127.0.0.1:0", extra...)
}

// startServerAt is startServer on the address addr: a server restarted where its clients
// expect it.
func startServerAt(ctx context.Context, cfg Config, dir, db, addr string, extra ...string) (*server, error) {
	args := append([]string{"serve", "--addr", addr, "--db", db, "--cloud-secret", cloudSecret,
		"--admin-key", benchAdminKey, "--rate-limit", serverLimits}, extra...)
	logPath := filepath.Join(dir, "tandem-"+strconv.FormatInt(time.Now().UnixNano(), 36)+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	pprofAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(cfg.Exe, args...)
	cmd.Env = append(append(os.Environ(), cfg.ChildEnv...), "TANDEM_PPROF="+pprofAddr)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.Exe, err)
	}
	s := &server{cmd: cmd, log: logPath, pprof: "http://" + pprofAddr, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if u := servingURL(logPath); u != "" {
			s.url = u
			return s, nil
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("tandem serve exited: %v; log %s:\n%s", err, logPath, tail(logPath))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond): // fine enough to time a restart
		}
	}
	s.stop()
	return nil, fmt.Errorf("tandem serve did not start within a minute; log %s:\n%s", logPath, tail(logPath))
}

// servingURL finds the "tandem serving" line in a server log.
func servingURL(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct{ Msg, URL string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "tandem serving" {
			return line.URL
		}
	}
	return ""
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// stop ends the server with SIGTERM (SIGKILL after 10 s) and waits for it.
func (s *server) stop() error {
	if s == nil || s.cmd.Process == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("tandem serve: %v", err)
		}
		return err
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("tandem serve did not stop within 10 s: killed")
	}
}

// kill ends the server with SIGKILL, as a crash would, and waits until it is gone.
func (s *server) kill() error {
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	<-s.done
	return nil
}

// rss is a process's resident memory in bytes, from /proc (0 where there is none).
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// debugClient reads the server's pprof endpoint without keeping connections open.
var debugClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// freeAddr is a loopback address with a port free right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// goroutines is the server's goroutine count, from its pprof endpoint (-1 when unknown).
func (s *server) goroutines() int {
	resp, err := debugClient.Get(s.pprof + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	var n int
	if _, err := fmt.Sscanf(line, "goroutine profile: total %d", &n); err != nil {
		return -1
	}
	return n
}

// heapInUse is the server's Go heap in use after a collection, from its pprof endpoint (-1
// when unknown): what RSS says less plainly (RSS also holds SQLite's page cache and memory the
// runtime has not returned yet).
func (s *server) heapInUse() int64 {
	resp, err := debugClient.Get(s.pprof + "/debug/pprof/heap?debug=1&gc=1")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "# HeapInuse = "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}

// profile saves the server's CPU profile over d (and its heap, mutex and block profiles after)
// into dir, named after what; it runs in the background, done is closed when saved.
func (s *server) profile(dir, what string, d time.Duration) (done chan struct{}) {
	done = make(chan struct{})
	go func() {
		defer close(done)
		get := func(path, file string) {
			resp, err := debugClient.Get(s.pprof + path)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			f, err := os.Create(filepath.Join(dir, what+"-"+file))
			if err != nil {
				return
			}
			defer f.Close()
			_, _ = io.Copy(f, resp.Body)
		}
		get(fmt.Sprintf("/debug/pprof/profile?seconds=%d", max(int(d.Seconds()), 1)), "cpu.pprof")
		get("/debug/pprof/allocs", "allocs.pprof")
		get("/debug/pprof/mutex", "mutex.pprof")
		get("/debug/pprof/block", "block.pprof")
	}()
	return done
}

// snapshot saves the server's current pprof profiles named (heap, goroutine…) in dir.
func (s *server) snapshot(dir, what string, profiles ...string) {
	for _, p := range profiles {
		resp, err := debugClient.Get(s.pprof + "/debug/pprof/" + p)
		if err != nil {
			continue
		}
		name := what + "-" + p + ".pprof"
		if strings.Contains(p, "debug=") {
			name = what + "-" + strings.ReplaceAll(strings.ReplaceAll(p, "?", "-"), "=", "") + ".txt"
		}
		if f, err := os.Create(filepath.Join(dir, name)); err == nil {
			_, _ = io.Copy(f, resp.Body)
			f.Close()
		}
		resp.Body.Close()
	}
}

// cpuSeconds is a process's user and system CPU time, from /proc.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}
