package bench

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// usage is a moment's reading of what the lifecycle ladder's steps cost: the server's own
// accounting (its /metrics: the switchboard's loop, the SQLite store) and the CPU time of the
// server, of this process (the load generator: cloud and operators) and of the whole machine.
type usage struct {
	at                 time.Time
	metrics            map[string]float64
	server, generator  float64 // CPU seconds
	machineBusy, total float64 // the machine's non-idle and all CPU time, in clock ticks
}

// usageMetrics are the /metrics counters a step reads.
var usageMetrics = []string{
	"tandem_switchboard_steps_total", "tandem_switchboard_batches_total",
	"tandem_switchboard_engine_seconds_total", "tandem_switchboard_store_seconds_total",
	"tandem_switchboard_publish_seconds_total", "tandem_switchboard_wait_seconds_total",
	"tandem_sqlite_commit_seconds_total", "tandem_sqlite_checkpoint_seconds_total",
	"tandem_sqlite_checkpoint_held_seconds_total",
	"go_gc_duration_seconds_sum", "go_gc_duration_seconds_count",
}

// readUsage reads it now.
func (s *server) readUsage(ctx context.Context) usage {
	u := usage{at: time.Now(), server: cpuSeconds(s.cmd.Process.Pid), generator: cpuSeconds(os.Getpid())}
	u.machineBusy, u.total = machineCPU()
	u.metrics = s.scrape(ctx)
	return u
}

// scrape reads the counters of usageMetrics from the server's /metrics (an empty map when it
// cannot: an older binary, a store without them).
func (s *server) scrape(ctx context.Context) map[string]float64 {
	out := map[string]float64{}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/metrics", nil)
	if err != nil {
		return out
	}
	req.Header.Set("Authorization", "Bearer "+benchAdminKey)
	resp, err := debugClient.Do(req)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || !slices.Contains(usageMetrics, name) {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			out[name] = v
		}
	}
	return out
}

// machineCPU is the machine's non-idle and total CPU time from /proc/stat's first line.
func machineCPU() (busy, total float64) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, 0
	}
	fields := strings.Fields(sc.Text())
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0
	}
	for i, v := range fields[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		if i >= 8 { // guest time is counted in user time already
			break
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

// Limits is what a step's window cost, and what limited it.
type Limits struct {
	ServerCPU    float64 `json:"server_cpu_cores"`
	GeneratorCPU float64 `json:"load_generator_cpu_cores"`
	MachineCPU   float64 `json:"machine_cpu_cores"` // every process, of Cores
	Cores        int     `json:"cores"`
	// The switchboard's loop: its share of the window busy, and of that in the engine, in
	// storing (of which in COMMIT) and in publishing (logs, commands, watchers); the mean time a
	// step waited for it; the steps stored per transaction.
	LoopBusy      float64 `json:"loop_busy"`
	LoopEngine    float64 `json:"loop_engine"`
	LoopStore     float64 `json:"loop_store"`
	LoopCommit    float64 `json:"loop_commit"`
	LoopPublish   float64 `json:"loop_publish"`
	WaitMeanMS    float64 `json:"loop_wait_mean_ms"`
	StepsPerBatch float64 `json:"steps_per_batch"`
	// The checkpointer (beside the loop): its share of the window, and the share it held the
	// loop's commits.
	Checkpoint     float64 `json:"checkpoint"`
	CheckpointHeld float64 `json:"checkpoint_held"`
	// The server's garbage collections and their stop-the-world pauses, added up.
	GCs     float64 `json:"gc_cycles"`
	GCPause float64 `json:"gc_pause_ms"`
	Limit   string  `json:"limit"` // cpu, loop, checkpoint or none: see limitOf
}

// limits is what happened between u0 and u1 (at synchronous level sync).
func limits(u0, u1 usage, sync string) Limits {
	el := u1.at.Sub(u0.at).Seconds()
	l := Limits{Cores: runtime.NumCPU()}
	if el <= 0 {
		return l
	}
	l.ServerCPU = (u1.server - u0.server) / el
	l.GeneratorCPU = (u1.generator - u0.generator) / el
	if t := u1.total - u0.total; t > 0 {
		l.MachineCPU = (u1.machineBusy - u0.machineBusy) / t * float64(l.Cores)
	}
	d := func(name string) float64 { return u1.metrics[name] - u0.metrics[name] }
	l.LoopEngine = d("tandem_switchboard_engine_seconds_total") / el
	l.LoopStore = d("tandem_switchboard_store_seconds_total") / el
	l.LoopPublish = d("tandem_switchboard_publish_seconds_total") / el
	l.LoopBusy = l.LoopEngine + l.LoopStore + l.LoopPublish
	l.LoopCommit = d("tandem_sqlite_commit_seconds_total") / el
	if steps := d("tandem_switchboard_steps_total"); steps > 0 {
		l.WaitMeanMS = d("tandem_switchboard_wait_seconds_total") / steps * 1000
		if b := d("tandem_switchboard_batches_total"); b > 0 {
			l.StepsPerBatch = steps / b
		}
	}
	l.Checkpoint = d("tandem_sqlite_checkpoint_seconds_total") / el
	l.CheckpointHeld = d("tandem_sqlite_checkpoint_held_seconds_total") / el
	l.GCs, l.GCPause = d("go_gc_duration_seconds_count"), d("go_gc_duration_seconds_sum")*1000
	l.Limit = l.limitOf(sync)
	return l
}

// limitOf names what stopped the step from going faster, the first that holds of:
//   - cpu: the machine's cores were 90 % busy (the server and the load generator share them);
//   - fsync: at synchronous=FULL, COMMIT (which syncs the log) took most of a loop busy 60 %;
//   - loop: the switchboard's loop was busy 60 % of the time: steps queue behind its commits;
//   - checkpoint: the checkpointer held the loop's commits 2 % of the time or more;
//   - none: nothing was saturated: what p99 shows beyond p50 is a stall or the scheduler.
func (l Limits) limitOf(sync string) string {
	switch {
	case l.MachineCPU >= 0.9*float64(l.Cores):
		return "cpu"
	case l.LoopBusy >= 0.6 && strings.EqualFold(sync, "full") && l.LoopCommit >= l.LoopBusy/2:
		return "fsync"
	case l.LoopBusy >= 0.6:
		return "loop"
	case l.CheckpointHeld >= 0.02:
		return "checkpoint"
	}
	return "none"
}

// String is the limits in a line.
func (l Limits) String() string {
	return fmt.Sprintf("limit %s: machine %.2f of %d cores (server %.2f, load generator %.2f); loop busy %.0f%% (engine %.0f%%, store %.0f%% of which COMMIT %.0f%%, publish %.0f%%), wait for it %.2f ms, %.1f steps a batch; checkpoints %.0f%% (holding commits %.1f%%); %.0f GCs pausing %.2f ms",
		l.Limit, l.MachineCPU, l.Cores, l.ServerCPU, l.GeneratorCPU, 100*l.LoopBusy, 100*l.LoopEngine, 100*l.LoopStore, 100*l.LoopCommit,
		100*l.LoopPublish, l.WaitMeanMS, l.StepsPerBatch, 100*l.Checkpoint, 100*l.CheckpointHeld, l.GCs, l.GCPause)
}
