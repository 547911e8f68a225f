package storetest

import (
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

func (st suite) APIKeys(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	wall := callcenter.APIKey{ID: "key_1", Name: "wallboard", Role: "readonly", Hash: "h1", CreatedAt: at(0), CreatedBy: "admin-key"}
	must(t, db.CreateAPIKey(ctx, wall))
	wantErr(t, db.CreateAPIKey(ctx, callcenter.APIKey{ID: "key_2", Name: "wallboard", Role: "admin", Hash: "h2"}), callcenter.CodeAlreadyExists, "name")

	got, err := db.APIKeyByHash(ctx, "h1")
	must(t, err)
	equal(t, "by hash", got, wall)
	_, err = db.APIKeyByHash(ctx, "nope")
	wantErr(t, err, callcenter.CodeNotFound, "key")

	must(t, db.TouchAPIKey(ctx, "key_1", at(time.Minute)))
	revoked, err := db.RevokeAPIKey(ctx, "key_1", at(time.Hour))
	must(t, err)
	if !revoked.RevokedAt.Equal(at(time.Hour)) || !revoked.LastUsedAt.Equal(at(time.Minute)) {
		t.Fatalf("revoked = %+v", revoked)
	}
	again, err := db.RevokeAPIKey(ctx, "key_1", at(2*time.Hour))
	must(t, err)
	equal(t, "revoked twice keeps the first time", again.RevokedAt, at(time.Hour))
	_, err = db.RevokeAPIKey(ctx, "key_nope", at(0))
	wantErr(t, err, callcenter.CodeNotFound, "key_id")

	// The name is free again once revoked.
	must(t, db.CreateAPIKey(ctx, callcenter.APIKey{ID: "key_3", Name: "wallboard", Role: "readonly", Hash: "h3", CreatedAt: at(3 * time.Hour)}))
	live, err := db.APIKeys(ctx, false)
	must(t, err)
	all, err := db.APIKeys(ctx, true)
	must(t, err)
	if len(live) != 1 || live[0].ID != "key_3" || len(all) != 2 {
		t.Fatalf("live %+v, all %+v", live, all)
	}
}

// A key's browser phone is kept with the key, changed and removed; a revoked key's is not changed.
func (st suite) APIKeySoftphone(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	sup := callcenter.APIKey{ID: "key_1", Name: "olga", Role: "supervisor", Hash: "h1", CreatedAt: at(0), CreatedBy: "admin-key",
		SoftphoneUser: "olga", SoftphoneHA1: "5f4dcc3b5aa765d61d8327deb882cf99"}
	must(t, db.CreateAPIKey(ctx, sup))
	got, err := db.APIKey(ctx, "key_1")
	must(t, err)
	equal(t, "created with a phone", got, sup)

	set, err := db.SetAPIKeySoftphone(ctx, "key_1", "olga2", "0cc175b9c0f1b6a831c399e269772661")
	must(t, err)
	sup.SoftphoneUser, sup.SoftphoneHA1 = "olga2", "0cc175b9c0f1b6a831c399e269772661"
	equal(t, "set", set, sup)
	byHash, err := db.APIKeyByHash(ctx, "h1")
	must(t, err)
	equal(t, "by hash", byHash, sup)
	all, err := db.APIKeys(ctx, true)
	must(t, err)
	equal(t, "listed", all, []callcenter.APIKey{sup})

	none, err := db.SetAPIKeySoftphone(ctx, "key_1", "", "")
	must(t, err)
	if none.SoftphoneUser != "" || none.SoftphoneHA1 != "" {
		t.Fatalf("removed: %+v", none)
	}

	_, err = db.SetAPIKeySoftphone(ctx, "key_nope", "x", "y")
	wantErr(t, err, callcenter.CodeNotFound, "key_id")
	_, err = db.APIKey(ctx, "key_nope")
	wantErr(t, err, callcenter.CodeNotFound, "key_id")
	_, err = db.RevokeAPIKey(ctx, "key_1", at(time.Hour))
	must(t, err)
	_, err = db.SetAPIKeySoftphone(ctx, "key_1", "olga3", "ha1")
	wantErr(t, err, callcenter.CodeFailedPrecondition, "key_id")
	after, err := db.APIKey(ctx, "key_1")
	must(t, err)
	if after.SoftphoneUser != "" {
		t.Fatalf("a revoked key's phone changed: %+v", after)
	}
}

func (st suite) AuditEntries(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	for i, e := range []callcenter.AuditEntry{
		{At: at(0), Actor: "admin-key", ActorRole: "admin", Procedure: "/tandem.admin.v1.AdminService/CreateQueue", Request: `{"queue":{}}`, After: `{"queueId":"q"}`},
		{At: at(time.Minute), Actor: "sup", ActorRole: "supervisor", Procedure: "/tandem.assignment.v1.AssignmentService/LiftBan"},
		{At: at(2 * time.Minute), Actor: "admin-key", ActorRole: "admin", Procedure: "/tandem.admin.v1.AdminService/UpdateQueue", Before: `{"a":1}`, After: `{"a":2}`},
	} {
		id, err := db.AddAuditEntry(ctx, e)
		must(t, err)
		if id != int64(i+1) {
			t.Fatalf("entry %d got id %d", i, id)
		}
	}
	ids := func(q callcenter.AuditQuery) []int64 {
		t.Helper()
		es, err := db.AuditEntries(ctx, q)
		must(t, err)
		var out []int64
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	equal(t, "all, newest first", ids(callcenter.AuditQuery{}), []int64{3, 2, 1})
	equal(t, "by actor", ids(callcenter.AuditQuery{Actor: "admin-key"}), []int64{3, 1})
	equal(t, "by method", ids(callcenter.AuditQuery{Procedure: "LiftBan"}), []int64{2})
	equal(t, "by full name", ids(callcenter.AuditQuery{Procedure: "/tandem.admin.v1.AdminService/CreateQueue"}), []int64{1})
	equal(t, "a LIKE pattern is not a wildcard", ids(callcenter.AuditQuery{Procedure: "%"}), []int64(nil))
	equal(t, "since and until", ids(callcenter.AuditQuery{Since: at(time.Minute), Until: at(2 * time.Minute)}), []int64{2})
	equal(t, "a page", ids(callcenter.AuditQuery{BeforeID: 3, Limit: 1}), []int64{2})
	es, err := db.AuditEntries(ctx, callcenter.AuditQuery{Limit: 1})
	must(t, err)
	equal(t, "entry", es[0], callcenter.AuditEntry{ID: 3, At: at(2 * time.Minute), Actor: "admin-key", ActorRole: "admin", Procedure: "/tandem.admin.v1.AdminService/UpdateQueue", Before: `{"a":1}`, After: `{"a":2}`})
}

func (st suite) Settings(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	if _, ok, err := db.Setting(ctx, "retention_days"); ok || err != nil {
		t.Fatalf("unset setting: %v %v", ok, err)
	}
	must(t, db.SetSetting(ctx, "retention_days", "30"))
	must(t, db.SetSetting(ctx, "retention_days", "31"))
	v, ok, err := db.Setting(ctx, "retention_days")
	if v != "31" || !ok || err != nil {
		t.Fatalf("setting = %q %v %v", v, ok, err)
	}
}

// personal gives the stats fixture's calls personal data, a decision and a cloud request each.
func personal(t *testing.T, db Store) {
	t.Helper()
	var ch callcenter.Changes
	for _, id := range []callcenter.CallID{"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"} {
		c, _, err := db.Call(t.Context(), id)
		must(t, err)
		c.CallerNumber, c.Client, c.CallerName = "+49 30 1234567", "+49301234567", "Jane"
		c.SessionID, c.AccessURL, c.CustomData = "s-"+string(id), "https://cloud.example/"+string(id), `{"crm":1}`
		c.SIPHeaders = map[string]string{"X-Who": "jane"}
		c.RecordingURL = "https://records.example/" + string(id) + ".mp3"
		ch.Calls = append(ch.Calls, c)
		ch.Decisions = append(ch.Decisions, callcenter.Decision{Call: id, DecidedAt: c.ArrivedAt, Rule: "r"})
		ch.Requests = append(ch.Requests, callcenter.CloudRequest{ID: "r-" + string(id), Call: id, At: c.ArrivedAt})
	}
	must(t, db.Apply(t.Context(), ch))
}

func (st suite) PurgeKeepsFigures(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	from, to := statsData(t, db)
	personal(t, db)
	must(t, db.Apply(ctx, callcenter.Changes{Tallies: []callcenter.Tally{
		{Scope: callcenter.ScopeQueue, ID: "sales", Start: from, Figures: callcenter.Figures{CallsReceived: 4, CallsAnswered: 2}},
		{Scope: callcenter.ScopeOperator, ID: "op-ann", Start: from, Figures: callcenter.Figures{OffersMade: 3}},
	}}))
	queuesBefore, err := db.Tallies(ctx, callcenter.ScopeQueue, "", from, to)
	must(t, err)
	opsBefore, err := db.Tallies(ctx, callcenter.ScopeOperator, "", from, to)
	must(t, err)

	// Everything that arrived before 10 minutes in: c1-c4 finished (purged), c5 waiting (kept).
	r, err := db.PurgeCallDetails(ctx, at(10*time.Minute), at(48*time.Hour))
	must(t, err)
	equal(t, "purge", r, callcenter.PurgeResult{Calls: 4, Decisions: 4, Requests: 5}) // c5's request is old too

	for _, id := range []callcenter.CallID{"c1", "c2", "c3", "c4"} {
		c, _, err := db.Call(ctx, id)
		must(t, err)
		if c.CallerNumber != "" || c.Client != "" || c.CallerName != "" || c.AccessURL != "" || c.SessionID != "" || c.CustomData != "" || c.SIPHeaders != nil || c.RecordingURL != "" {
			t.Errorf("%s kept personal data: %+v", id, c)
		}
		if ds, _ := db.Decisions(ctx, id); len(ds) != 0 {
			t.Errorf("%s kept decisions", id)
		}
	}
	for _, id := range []callcenter.CallID{"c5", "c7"} {
		if c, _, _ := db.Call(ctx, id); c.CallerNumber == "" {
			t.Errorf("%s was purged", id)
		}
	}
	if _, ok, _ := db.CloudRequest(ctx, "r-c7"); !ok {
		t.Error("a recent cloud request was purged")
	}
	queuesAfter, err := db.Tallies(ctx, callcenter.ScopeQueue, "", from, to)
	must(t, err)
	opsAfter, err := db.Tallies(ctx, callcenter.ScopeOperator, "", from, to)
	must(t, err)
	equal(t, "queue figures", queuesAfter, queuesBefore)
	equal(t, "operator figures", opsAfter, opsBefore)

	again, err := db.PurgeCallDetails(ctx, at(10*time.Minute), at(49*time.Hour))
	must(t, err)
	equal(t, "a second purge", again, callcenter.PurgeResult{})
}

func (st suite) EraseCaller(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	statsData(t, db)
	personal(t, db)
	must(t, db.Apply(ctx, callcenter.Changes{Clients: []callcenter.Client{{Number: "+49301234567", Manager: "op-ann", How: callcenter.AssignedByAdmin, AssignedAt: at(0)}}}))

	calls, err := db.CallerCalls(ctx, "+49301234567")
	must(t, err)
	if len(calls) != 8 || calls[0].ID != "c5" {
		t.Fatalf("caller's calls = %d, first %s", len(calls), calls[0].ID)
	}
	n, client, err := db.EraseCaller(ctx, "+49301234567", at(time.Hour))
	must(t, err)
	if n != 5 || !client {
		t.Fatalf("erased %d calls, client %v", n, client)
	}
	left, err := db.CallerCalls(ctx, "+49301234567")
	must(t, err)
	if len(left) != 3 { // c5, c6, c8 are still waiting
		t.Fatalf("left %d calls", len(left))
	}
	for _, id := range []callcenter.CallID{"c1", "c2", "c3", "c4"} {
		if c, _, _ := db.Call(ctx, id); c.RecordingURL != "" {
			t.Errorf("%s kept its recording URL %q", id, c.RecordingURL)
		}
	}
	rt, err := db.LoadRuntime(ctx)
	must(t, err)
	if len(rt.Clients) != 0 {
		t.Fatalf("client kept: %+v", rt.Clients)
	}
	n, client, err = db.EraseCaller(ctx, "+49301234567", at(2*time.Hour))
	must(t, err)
	if n != 0 || client {
		t.Fatalf("second erase: %d %v", n, client)
	}
}

func (st suite) EraseCallerFromTheAuditLog(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	_, err := db.AddAuditEntry(ctx, callcenter.AuditEntry{At: at(0), Actor: "a", ActorRole: "admin", Procedure: "/p/SetClient",
		Request: `{"number":"+49301234567","managerId":"op-ann"}`, After: `{"client":{"number":"+49301234567"}}`})
	must(t, err)
	_, _, err = db.EraseCaller(ctx, "+49301234567", at(time.Hour))
	must(t, err)
	es, err := db.AuditEntries(ctx, callcenter.AuditQuery{})
	must(t, err)
	if es[0].Request != `{"number":"[erased]","managerId":"op-ann"}` || es[0].After != `{"client":{"number":"[erased]"}}` {
		t.Fatalf("audit entry = %+v", es[0])
	}
}

func (st suite) DeleteExpiredSessions(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	must(t, db.CreateSession(ctx, callcenter.Session{TokenHash: "old", Operator: "op-ann", CreatedAt: at(0), ExpiresAt: at(time.Hour)}))
	must(t, db.CreateSession(ctx, callcenter.Session{TokenHash: "new", Operator: "op-ann", CreatedAt: at(time.Hour), ExpiresAt: at(13 * time.Hour)}))
	n, err := db.DeleteExpiredSessions(ctx, at(2*time.Hour))
	must(t, err)
	if n != 1 {
		t.Fatalf("deleted %d sessions", n)
	}
	_, err = db.Session(ctx, "old")
	wantErr(t, err, callcenter.CodeNotFound, "token")
	_, err = db.Session(ctx, "new")
	must(t, err)
}
