package bench

import (
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/sqlite"
)

// TestAuditStore writes calls and offers straight into a database, clean ones and each kind of
// fault, and checks that the audit finds each fault and only those.
func TestAuditStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite", sqliteDSN(path, "NORMAL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	call := func(id, state, session, operator string, answered, ended any) {
		exec(`INSERT INTO calls (id, state, session_id, operator_id, answered_at, ended_at) VALUES (?, ?, ?, ?, ?, ?)`, id, state, session, operator, answered, ended)
	}
	offer := func(id, call, operator, state string, offered, settled any) {
		exec(`INSERT INTO offers (id, call_id, operator_id, state, offered_at, settled_at) VALUES (?, ?, ?, ?, ?, ?)`, id, call, operator, state, offered, settled)
	}
	// Clean: anna rings for c1 (0–10), talks on it (10–50), then rings for c2 from 50 and
	// talks on it; c3's offer to bob expired before it went to carl.
	call("c1", "ended", "s1", "anna", 10, 50)
	offer("o1", "c1", "anna", "answered", 0, 10)
	call("c2", "ended", "s2", "anna", 60, 90)
	offer("o2", "c2", "anna", "answered", 50, 60)
	call("c3", "ended", "s3", "carl", 40, 70)
	offer("o3", "c3", "bob", "expired", 5, 30)
	offer("o4", "c3", "carl", "answered", 30, 40)
	// A ring: c9 rang erin and fay at once; erin answered, fay's leg was cancelled.
	call("c9", "ended", "s9", "erin", 210, 260)
	offer("o9a", "c9", "erin", "answered", 200, 210)
	offer("o9b", "c9", "fay", "cancelled", 200, 210)
	a, err := AuditStore(ctx, db, "sqlite", []string{"c1", "c2", "c3", "c9"})
	if err != nil {
		t.Fatal(err)
	}
	if p := a.Problems(true); len(p) > 0 || a.Integrity != "ok" || a.CallStates["ended"] != 4 || a.OfferStates["expired"] != 1 {
		t.Fatalf("clean store: problems %q, integrity %q, calls %v, offers %v", p, a.Integrity, a.CallStates, a.OfferStates)
	}

	// Faults: c4 acknowledged but never stored; c5 still waiting; c6 dropped; session s7 twice;
	// bob offered c8 while ringing for c7 (and c7 offered to dora while ringing bob).
	call("c5", "waiting", "s5", "", nil, nil)
	call("c6", "lost", "s6", "", nil, nil)
	call("c7", "ended", "s7", "dora", 120, 130)
	call("c7b", "ended", "s7", "", nil, nil)
	offer("o7", "c7", "bob", "expired", 100, 125)
	offer("o7b", "c7", "dora", "answered", 110, 120)
	call("c8", "ended", "s8", "bob", 115, 140)
	offer("o8", "c8", "bob", "answered", 105, 115)
	a, err = AuditStore(ctx, db, "sqlite", []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Missing, []string{"c4"}) || !slices.Equal(a.Unfinished, []string{"c5"}) || !slices.Equal(a.Dropped, []string{"c6"}) {
		t.Errorf("missing %v, unfinished %v, dropped %v", a.Missing, a.Unfinished, a.Dropped)
	}
	if a.Lost(true) != 3 || a.Lost(false) != 2 {
		t.Errorf("lost %d finished, %d not", a.Lost(true), a.Lost(false))
	}
	if len(a.DuplicateSessions) != 1 || !strings.HasPrefix(a.DuplicateSessions[0], "s7 ") {
		t.Errorf("duplicate sessions %q", a.DuplicateSessions)
	}
	want := []string{
		"bob: offer o7 [100, 125) and offer o8 [105, 115)",
		"bob: offer o7 [100, 125) and call c8 [115, 140)",
	}
	if !slices.Equal(a.OperatorDoubles, slices.Sorted(slices.Values(want))) {
		t.Errorf("operator doubles %q, want %q", a.OperatorDoubles, want)
	}
	if !slices.Equal(a.CallDoubles, []string{"c7: offer o7 [100, 125) and offer o7b [110, 120)"}) {
		t.Errorf("call doubles %q", a.CallDoubles)
	}
	if a.DoubleOffers() != 3 || len(a.Problems(true)) != 6 || len(a.Problems(false)) != 5 {
		t.Errorf("double offers %d, problems %q", a.DoubleOffers(), a.Problems(true))
	}

	// Two pending offers for one operator break the live state.
	offer("o9", "c5", "erin", "pending", 200, nil)
	offer("o10", "c6", "erin", "pending", 300, nil)
	if a, err = AuditStore(ctx, db, "sqlite", nil); err != nil || !slices.Contains(a.Broken, "operator with two pending offers: erin") {
		t.Errorf("broken %q (%v)", a.Broken, err)
	}
}

// TestChaosCloudSeesDoubleOffers sends the simulated cloud dial commands as Tandem would and
// checks which it counts as double offers: a retry of the same dial is none; a second call for
// a ringing phone, a second operator for a ringing call, and a dial after a hangup are.
func TestChaosCloudSeesDoubleOffers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cfg := DefaultChaos()
	cfg.Ring = time.Hour // nobody answers during the test
	c, err := newChaosCloud(ctx, "http://127.0.0.1:1", cfg, &chaosErrors{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); c.close() }()
	send := func(body string) {
		t.Helper()
		resp, err := http.Post(c.recvURL+"/s/x", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	dial := func(call, offer, op string) {
		send(`{"type":"dial","call_id":"` + call + `","offer_id":"` + offer + `","contact":{"kind":"user","target":"` + op + `"}}`)
	}
	dial("c1", "o1", "anna")
	dial("c1", "o1", "anna") // the sender's retry
	c.mu.Lock()
	retried := slices.Clone(c.doubles)
	c.mu.Unlock()
	if len(retried) != 0 {
		t.Fatalf("a retried dial counted: %q", retried)
	}
	dial("c2", "o2", "anna")
	dial("c1", "o3", "bob")
	send(`{"type":"cancel","call_id":"c1","offer_id":"o1"}`)
	dial("c1", "o4", "carl") // offered again after the cancel: fine
	send(`{"type":"hangup","call_id":"c1"}`)
	dial("c1", "o5", "dora")
	c.mu.Lock()
	got := slices.Clone(c.doubles)
	c.mu.Unlock()
	want := []string{
		"operator anna dialed for call c2 (offer o2) while his phone is on offer o1",
		"call c1 dialed to bob (offer o3) while with anna (offer o1)",
		"call c1 dialed to dora (offer o5) after it ended",
	}
	if !slices.Equal(got, want) {
		t.Errorf("doubles\n%q\nwant\n%q", got, want)
	}
}

// TestOverlapsAreHalfOpen: leases are [from, to) in milliseconds, so an offer taken back the
// millisecond it was made holds nobody, while another offer to the same operator made that
// millisecond is no double; leases that share any moment are.
func TestOverlapsAreHalfOpen(t *testing.T) {
	anyCall := func(x, y lease) bool { return x.call != y.call }
	by := map[string][]lease{
		"op_a": {{what: "offer 2", call: "c2", from: 100, to: 100}, {what: "offer 1", call: "c1", from: 100, to: 700}},
		"op_b": {{what: "offer 3", call: "c3", from: 100, to: 300}, {what: "offer 4", call: "c4", from: 300, to: 400}},
	}
	if got := overlaps(by, anyCall); len(got) != 0 {
		t.Fatalf("overlaps %v, want none", got)
	}
	by["op_c"] = []lease{{what: "offer 5", call: "c5", from: 100, to: 301}, {what: "offer 6", call: "c6", from: 300, to: 300 + 1}}
	by["op_d"] = []lease{{what: "offer 7", call: "c7", from: 100, to: 100}, {what: "offer 8", call: "c8", from: 100, to: 100}}
	got := overlaps(by, anyCall)
	if want := []string{"op_c: offer 5 [100, 301) and offer 6 [300, 301)"}; !slices.Equal(got, want) {
		t.Fatalf("overlaps %v, want %v", got, want)
	}
}
