//go:build unix

package postgres_test

import (
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/postgres"
)

// BenchmarkApply writes batches of the size a call's offer makes (a call, an operator's
// status, an offer, its decision, two events, two tallies) through a leader's fenced store,
// one batch per op: the latency of one group commit.
func BenchmarkApply(b *testing.B) {
	for _, calls := range []int{1, 8} {
		b.Run(fmt.Sprintf("calls=%d", calls), func(b *testing.B) {
			db, dsn := openSchema(b)
			ctx := b.Context()
			l, err := postgres.Campaign(ctx, dsn, postgres.CampaignConfig{Holder: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Resign()
			store := db.Fenced(l.Epoch)
			if err := db.CreateQueue(ctx, callcenter.Queue{ID: "q"}); err != nil {
				b.Fatal(err)
			}
			for o := range calls {
				op := callcenter.OperatorID(fmt.Sprintf("op-%d", o))
				if err := db.CreateOperator(ctx, callcenter.Operator{ID: op, Name: string(op)}); err != nil {
					b.Fatal(err)
				}
			}
			at := time.UnixMilli(1_700_000_000_000).UTC()
			cpu0, self0 := backendCPU(b, dsn), selfCPU()
			b.ResetTimer()
			for i := range b.N {
				var c callcenter.Changes
				for o := range calls {
					op := callcenter.OperatorID(fmt.Sprintf("op-%d", o))
					call := callcenter.CallID(fmt.Sprintf("c-%d-%d", i, o))
					offer := callcenter.OfferID(fmt.Sprintf("of-%d-%d", i, o))
					now := at.Add(time.Duration(i) * time.Millisecond)
					c.Calls = append(c.Calls, callcenter.Call{ID: call, Queue: "q", State: callcenter.CallWaiting,
						ArrivedAt: now, Operator: op, Offer: offer, SIPHeaders: map[string]string{"X-A": "b"}})
					c.Statuses = append(c.Statuses, callcenter.OperatorStatus{Operator: op,
						State: callcenter.OperatorReserved, Since: now, Offer: offer, Call: call})
					c.Offers = append(c.Offers, callcenter.Offer{ID: offer, Call: call, Operator: op,
						State: callcenter.OfferPending, OfferedAt: now, ExpiresAt: now.Add(time.Second)})
					c.Decisions = append(c.Decisions, callcenter.Decision{Call: call, Offer: offer, DecidedAt: now,
						Operator: op, Candidates: []callcenter.Candidate{{Operator: op, Eligible: true}}})
					c.Events = append(c.Events, callcenter.CallEvent{Call: call, At: now, Kind: callcenter.EventArrived},
						callcenter.CallEvent{Call: call, At: now, Kind: callcenter.EventOffered, Operator: op, Offer: offer})
					c.Tallies = append(c.Tallies,
						callcenter.Tally{Scope: callcenter.ScopeQueue, ID: "q", Start: at, Figures: callcenter.Figures{CallsReceived: 1, OffersMade: 1}},
						callcenter.Tally{Scope: callcenter.ScopeOperator, ID: string(op), Start: at, Figures: callcenter.Figures{OffersMade: 1}})
				}
				if err := store.Apply(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if cpu1 := backendCPU(b, dsn); cpu0 != nil && cpu1 != nil {
				var used int64
				for pid, t := range cpu1 {
					used += t - cpu0[pid]
				}
				b.ReportMetric(float64(used)/float64(b.N)/1e3, "pg-cpu-µs/op")
			}
			b.ReportMetric(float64(selfCPU()-self0)/float64(b.N)/1e3, "go-cpu-µs/op")
		})
	}
}

// backendCPU is the CPU time each client backend of the server at dsn has used, in ns, read
// from /proc; nil when that is not readable (the server is elsewhere).
func backendCPU(b *testing.B, dsn string) map[int]int64 {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	rows, err := admin.QueryContext(b.Context(), `SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cpu := map[int]int64{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return nil
		}
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		cpu[pid] = (utime + stime) * 1e7 // clock ticks of 10 ms
	}
	return cpu
}

// selfCPU is the CPU time this process has used, in ns.
func selfCPU() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
