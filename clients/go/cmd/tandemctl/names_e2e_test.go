package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
)

// snapshot is everything tandemctl can change that these tests touch, read through the API.
type snapshot []proto.Message

func snap(t *testing.T, c *ctlT) snapshot {
	t.Helper()
	ctx := context.Background()
	admin := tandem.New(c.url, tandem.WithToken(adminKey)).Admin
	var out snapshot
	add := func(m proto.Message, err error) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	qs, err := admin.ListQueues(ctx, connect.NewRequest(&adminv1.ListQueuesRequest{}))
	add(qs.Msg, err)
	ops, err := admin.ListOperators(ctx, connect.NewRequest(&adminv1.ListOperatorsRequest{}))
	add(ops.Msg, err)
	cls, err := admin.ListClients(ctx, connect.NewRequest(&adminv1.ListClientsRequest{}))
	add(cls.Msg, err)
	abs, err := admin.ListAbsences(ctx, connect.NewRequest(&adminv1.ListAbsencesRequest{}))
	add(abs.Msg, err)
	sp, err := admin.ListSpares(ctx, connect.NewRequest(&adminv1.ListSparesRequest{}))
	add(sp.Msg, err)
	return out
}

// sameAs reports the first list that differs from before.
func (before snapshot) sameAs(t *testing.T, after snapshot) {
	t.Helper()
	for i := range before {
		if !proto.Equal(before[i], after[i]) {
			t.Errorf("changed:\n%v\nnow\n%v", before[i], after[i])
		}
	}
}

// TestNamesFlagOrderDurations drives the real server by names instead of ids, with flags on
// either side of the command and time flags in both forms; every bad line changes nothing.
func TestNamesFlagOrderDurations(t *testing.T) {
	c := start(t)
	c.ok("queues", "create", "--id", "support", "--name", "Support", "--number", "+18005550800")
	c.ok("queues", "create", "--id", "sales", "--name", "Sales desk", "--number", "+18005550801")
	c.ok("queues", "create", "--id", "shop", "--name", "sales", "--number", "+18005550802") // named as the other's id
	c.ok("queues", "create", "--id", "billing-a", "--name", "Billing", "--number", "+18005550803")
	c.ok("queues", "create", "--id", "billing-b", "--name", "billing", "--number", "+18005550804")
	c.ok("spares", "create", "--id", "night", "--name", "Night desk", "--contact", "pstn:+14155550170")

	// An operator by queue names, then everything about him by his login name.
	var created adminv1.CreateOperatorResponse
	c.okJSON(&created, "operators", "create", "--name", "anna", "--password", "password-anna", "--contact", "user:anna", "--queue", "SUPPORT:3,Sales Desk:2")
	anna := created.GetOperator()
	if skillsString(anna.GetQueues()) != "support:3,sales:2" {
		t.Errorf("anna's queues = %s", skillsString(anna.GetQueues()))
	}
	// Boris's login name is anna's id: the id wins.
	c.okJSON(&created, "operators", "create", "--name", anna.GetOperatorId(), "--password", "password-boris", "--contact", "user:boris")
	var got adminv1.GetOperatorResponse
	c.okJSON(&got, "operators", "get", anna.GetOperatorId())
	if got.GetOperator().GetName() != "anna" {
		t.Errorf("get by anna's id gave %s", got.GetOperator().GetName())
	}
	c.okJSON(&got, "operators", "get", "anna")
	if got.GetOperator().GetOperatorId() != anna.GetOperatorId() {
		t.Errorf("get anna gave %v", got.GetOperator())
	}
	wantCells(t, rowOf(t, c.ok("operator", "away", "anna", "--reason", "training"), "Operator"), "Operator", anna.GetOperatorId())
	c.ok("operators", "update", "--display-name", "Anna P.", "anna", "--queue", "shop:4")
	c.okJSON(&got, "operator", "get", "anna")
	if o := got.GetOperator(); o.GetDisplayName() != "Anna P." || skillsString(o.GetQueues()) != "support:3,sales:2,shop:4" {
		t.Errorf("after update by name: %v", o)
	}
	c.ok("clients", "set", "+14155550111", "anna")
	c.ok("absences", "create", "anna", "--kind", "vacation", "--from", "2026-12-01", "--to", "2026-12-02")
	var abs adminv1.ListAbsencesResponse
	c.okJSON(&abs, "absences", "list", "--operator", "anna")
	if len(abs.GetAbsences()) != 1 || abs.GetAbsences()[0].GetOperatorId() != anna.GetOperatorId() {
		t.Errorf("anna's absences = %v", abs.GetAbsences())
	}
	var cls adminv1.ListClientsResponse
	c.okJSON(&cls, "clients", "list", "--manager", "anna")
	if len(cls.GetClients()) != 1 {
		t.Errorf("anna's clients = %v", cls.GetClients())
	}

	// Queues by name; an id that exists wins over a name; flags and global flags anywhere.
	var q adminv1.GetQueueResponse
	c.okJSON(&q, "queue", "get", "sales")
	if q.GetQueue().GetQueueId() != "sales" {
		t.Errorf("queue get sales = %s", q.GetQueue().GetQueueId())
	}
	c.okJSON(&q, "queues", "get", "SALES DESK")
	if q.GetQueue().GetQueueId() != "sales" {
		t.Errorf("queues get 'SALES DESK' = %s", q.GetQueue().GetQueueId())
	}
	c.ok("queues", "update", "Support", "--offer-timeout", "25", "--wrap-up", "1m30s", "--overflow-after", "2m", "--overflow-spare", "night desk")
	out := ctlRaw(t, "queues", "update", "--announce-every", "45s", "support", "--url", c.url, "--key", adminKey, "--json")
	if out.code != 0 || !strings.Contains(out.stdout, `"announceEveryS": 45`) {
		t.Errorf("global flags after the command: exit %d\n%s%s", out.code, out.stdout, out.stderr)
	}
	c.okJSON(&q, "queues", "get", "support")
	if qq := q.GetQueue(); qq.GetOfferTimeoutS() != 25 || qq.GetWrapUpS() != 90 || qq.GetOverflow().GetAfterS() != 120 || qq.GetAnnounceEveryS() != 45 ||
		strings.Join(qq.GetOverflow().GetSpareIds(), ",") != "night" {
		t.Errorf("support after updates by name = %v", qq)
	}
	list := ctlRaw(t, "queues", "--json", "--url", c.url, "list", "--key", adminKey)
	if list.code != 0 || !strings.Contains(list.stdout, `"queueId": "billing-b"`) {
		t.Errorf("queues --json list: exit %d\n%s%s", list.code, list.stdout, list.stderr)
	}
	wantCells(t, rowOf(t, c.ok("calls", "list", "--queue", "Support"), "call"), "call", "queue", "state", "position", "caller", "dialed", "arrived", "operator")
	wantCells(t, rowOf(t, c.ok("overflow", "preview", "--queue", "support"), "Spare"), "Spare", "night")
	rowOf(t, c.ok("stats", "queues", "--queue", "Sales Desk"), "sales")

	// Bad input: a clear error naming what is at fault, and nothing changed.
	before := snap(t, c)
	for _, tc := range []struct {
		args  []string
		code  int
		parts []string
	}{
		{[]string{"queues", "update", "suport", "--wrap-up", "20s"}, 1, []string{`not_found: no queue "suport" (the QUEUE argument, by ID or name); near: Support (support)`, "field: queue.queue_id"}},
		{[]string{"queues", "update", "BILLING", "--wrap-up", "20s"}, 1, []string{`invalid_argument: queue "BILLING" (the QUEUE argument) names 2 queues: Billing (billing-a), billing (billing-b); give the id`}},
		{[]string{"queues", "update", "support", "--offer-timeout", "-5s"}, 2, []string{`invalid value "-5s" for flag -offer-timeout: negative`, "usage: tandemctl queues update QUEUE"}},
		{[]string{"queues", "update", "support", "--offer-timeout", "9000h"}, 2, []string{"-offer-timeout", "more than a year"}},
		{[]string{"queues", "update", "support", "--wrap-up", "soon"}, 2, []string{`invalid value "soon" for flag -wrap-up: want a duration like 20s, 1m30s or 1h, or a number of seconds`}},
		{[]string{"queues", "update", "support", "--ban-step", "5m,-1m"}, 2, []string{"-ban-step", `"-1m"`, "negative"}},
		{[]string{"queues", "update", "support", "--overflow-spare", "nigth"}, 1, []string{`no spare "nigth" (--overflow-spare, by ID or name); near: Night desk (night)`, "field: queue.overflow.spare_ids[0]"}},
		{[]string{"queues", "update", "support", "--", "--wrap-up", "5s"}, 2, []string{"unexpected arguments: --wrap-up 5s"}},
		{[]string{"operators", "update", "anan", "--display-name", "X"}, 1, []string{`no operator "anan" (the OPERATOR argument, by ID or login name); near: anna (`, "field: operator_id"}},
		{[]string{"operators", "create", "--name", "carl", "--password", "password-carl", "--contact", "user:carl", "--queue", "suport:3"}, 1, []string{`no queue "suport" (--queue`, "field: queues[0].queue_id"}},
		{[]string{"operators", "update", "anna", "--queue", "Billing:2", "--queue", "billinG:1"}, 1, []string{`queue "billinG" (--queue) names 2 queues`, "field: queues[1].queue_id"}},
		{[]string{"clients", "set", "+14155550112", "ana"}, 1, []string{`no operator "ana" (the MANAGER argument`, "field: manager_id"}},
		{[]string{"absences", "create", "ana", "--kind", "sick", "--from", "2026-12-03", "--to", "2026-12-04"}, 1, []string{`no operator "ana"`, "field: operator_id"}},
		{[]string{"operator", "ready", "nobody"}, 1, []string{`no operator "nobody"`}},
		{[]string{"calls", "requeue", "call_x", "--queue", "nope"}, 1, []string{`no queue "nope" (--queue`}},
		{[]string{"spares", "update", "nigth", "--priority", "2"}, 1, []string{`no spare "nigth" (the SPARE argument`, "near: Night desk (night)"}},
		{[]string{"queues", "update", "support", "--timeout", "0"}, 2, []string{"--timeout 0s: want more than 0"}},
	} {
		r := c.run(tc.args...)
		if r.code != tc.code || r.stdout != "" {
			t.Errorf("%s: exit %d, want %d\n%s%s", strings.Join(tc.args, " "), r.code, tc.code, r.stdout, r.stderr)
		}
		for _, p := range tc.parts {
			if !strings.Contains(r.stderr, p) {
				t.Errorf("%s: stderr lacks %q:\n%s", strings.Join(tc.args, " "), p, r.stderr)
			}
		}
	}
	before.sameAs(t, snap(t, c))
}

// TestListsReadBack: what a list prints, given back as the flags its columns are named after,
// changes nothing.
func TestListsReadBack(t *testing.T) {
	c := start(t)
	c.ok("queues", "create", "--id", "support", "--name", "Support desk", "--number", "+18005550900,+18005550901", "--offer-timeout", "25s",
		"--wrap-up", "1m30s", "--priority", "3", "--announce-every", "40s", "--record-calls", "--default")
	c.ok("spares", "create", "--id", "night", "--name", "Night desk", "--contact", "pstn:+14155550171", "--tz", "Europe/Berlin",
		"--hours", "mon-fri=18:00-23:00", "--hours", "sat=10:00-12:00", "--holiday", "2026-12-25,2026-12-26", "--daily-cap", "20", "--cooldown", "5m")
	c.ok("queues", "update", "support", "--overflow-after", "1m", "--overflow-spare", "night")
	c.ok("operators", "create", "--name", "hana", "--display-name", "Hana K.", "--password", "password-hana", "--contact", "user:hana",
		"--queue", "support:3", "--tz", "Europe/Berlin", "--hours", "mon-thu=09:00-18:00", "--hours", "fri=09:00-15:00")

	// readBack turns the list's row of id into flags, skipping the columns that are not settings.
	readBack := func(list, id string, skip ...string) []string {
		header := rowOf(t, list, "id")
		row := rowOf(t, list, id)
		if len(row) != len(header) {
			t.Fatalf("row %q under %q", row, header)
		}
		var args []string
		for i, col := range header {
			if col == "id" || slices.Contains(skip, col) {
				continue
			}
			v := row[i]
			if v == "-" { // an empty cell
				v = ""
			}
			args = append(args, "--"+col+"="+v)
		}
		return args
	}

	before := snap(t, c)
	queues := c.ok("queue", "list")
	wantCells(t, rowOf(t, queues, "support"), "support", "Support desk", "+18005550900,+18005550901", "longest_idle", "25s", "1m30s", "3", "true", "40s", "1m0s", "true")
	c.ok(append([]string{"queues", "update", "support"}, readBack(queues, "support")...)...)
	spares := c.ok("spares", "list")
	wantCells(t, rowOf(t, spares, "night")[:11], "night", "Night desk", "pstn:+14155550171", "mon-fri=18:00-23:00 sat=10:00-12:00", "Europe/Berlin", "2026-12-25,2026-12-26", "1", "20", "0", "5m0s", "false")
	c.ok(append([]string{"spares", "update", "night"}, readBack(spares, "night", "active", "calls-today", "cooling-down-until")...)...)
	operators := c.ok("operator", "list")
	var created adminv1.GetOperatorResponse
	c.okJSON(&created, "operators", "get", "hana")
	id := created.GetOperator().GetOperatorId()
	wantCells(t, rowOf(t, operators, id)[:8], id, "hana", "Hana K.", "user:hana", "support:3", "mon-thu=09:00-18:00 fri=09:00-15:00", "Europe/Berlin", "false")
	c.ok(append([]string{"operators", "update", "hana", "--replace-queues"}, readBack(operators, id, "name", "created")...)...)
	before.sameAs(t, snap(t, c))
}
