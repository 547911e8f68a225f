package main

import (
	"context"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
)

func toQueue(q string) *commonv1.MenuAction {
	return &commonv1.MenuAction{To: &commonv1.MenuAction_QueueId{QueueId: q}}
}

func toNode(n string) *commonv1.MenuAction {
	return &commonv1.MenuAction{To: &commonv1.MenuAction_NodeId{NodeId: n}}
}

// mainMenu: 1 or "support" for support, 2 for a sub-menu whose 0 forwards to the front desk;
// silence: support.
func mainMenu() *commonv1.Menu {
	return &commonv1.Menu{MenuId: "main", Name: "Main line", DialedNumbers: []string{supportLine}, Nodes: []*commonv1.MenuNode{
		{NodeId: "start", PromptText: "Press 1 for support, 2 for more.", TimeoutS: 4, Repeats: 1, Choices: []*commonv1.MenuChoice{
			{Digit: "1", Words: []string{"support"}, Action: toQueue("support")},
			{Digit: "2", Action: toNode("more")},
		}, DefaultAction: toQueue("support")},
		{NodeId: "more", PromptUrl: "https://cdn.example/more.mp3", Choices: []*commonv1.MenuChoice{
			{Digit: "0", Action: &commonv1.MenuAction{To: &commonv1.MenuAction_Number{Number: "+14155550177"}}},
		}, DefaultAction: toQueue("support")},
	}}
}

func menuChosen(call string, path ...*commonv1.MenuStep) *callintakev1.ReportCallEventRequest {
	ev := event(call, "")
	ev.Event = &callintakev1.ReportCallEventRequest_MenuChosen{MenuChosen: &callintakev1.MenuChosen{Path: path}}
	return ev
}

// TestMenuEndToEnd: a menu with a cycle, an unreachable node or a digit used twice is refused
// with the field and saves nothing; a good one is saved; a call to its number gets the menu in
// RegisterCall's reply (plain JSON, proto names), is offered to nobody until the caller
// chooses, then joins support's line (anna is dialed); a choice of a number is answered with a
// forward; a call in the menu survives a restart; the timeline and the menu report show it.
func TestMenuEndToEnd(t *testing.T) {
	clk := clock.NewFake(time.Now())
	db := tempSQLite(t)
	srv := startServer(t, db, clk)
	admin := tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	ctx := context.Background()
	put := func(m *commonv1.Menu) error {
		_, err := admin.Admin.PutMenu(ctx, connect.NewRequest(&adminv1.PutMenuRequest{Menu: m}))
		return err
	}
	bad := []struct {
		field  string
		mutate func(m *commonv1.Menu)
	}{
		{"menu.nodes[1].default_action.node_id", func(m *commonv1.Menu) { m.Nodes[1].DefaultAction = toNode("start") }},
		{"menu.nodes[1].node_id", func(m *commonv1.Menu) { m.Nodes[0].Choices[1].Action = toQueue("support") }},
		{"menu.nodes[0].choices[1].digit", func(m *commonv1.Menu) { m.Nodes[0].Choices[1].Digit = "1" }},
		{"menu.nodes[0].choices[0].action.queue_id", func(m *commonv1.Menu) { m.Nodes[0].Choices[0].Action = toQueue("billing") }},
	}
	for _, tc := range bad {
		m := mainMenu()
		tc.mutate(m)
		err := put(m)
		if code, field := fieldOf(t, err); field != tc.field || (code != connect.CodeInvalidArgument && code != connect.CodeNotFound) {
			t.Errorf("%s: %v (code %v, field %q)", tc.field, err, code, field)
		}
	}
	if list, err := admin.Admin.ListMenus(ctx, connect.NewRequest(&adminv1.ListMenusRequest{})); err != nil || len(list.Msg.GetMenus()) != 0 {
		t.Fatalf("refused menus were saved: %v %v", list, err)
	}
	if err := put(mainMenu()); err != nil {
		t.Fatal(err)
	}
	// Changed again: the audit log has both puts, the second with the menu as it was.
	changed := mainMenu()
	changed.Name = "Main"
	if err := put(changed); err != nil {
		t.Fatal(err)
	}
	audit, err := admin.Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	var puts []*adminv1.AuditEntry
	for _, e := range audit.Msg.GetEntries() {
		if e.GetProcedure() == "/tandem.admin.v1.AdminService/PutMenu" && e.GetAfterJson() != "" {
			puts = append(puts, e)
		}
	}
	if len(puts) < 2 || !strings.Contains(puts[0].GetBeforeJson()+puts[len(puts)-1].GetBeforeJson(), "Main line") {
		t.Fatalf("audit of PutMenu: %v", puts)
	}

	cloud := newCloud(t, srv.m.URL, tandem.ConnectJSON, true, clk)
	sess := newSession(t)
	anna := logIn(t, srv.m.URL, tandem.Connect, "anna")
	anna.ready()

	// A digit to a queue: nobody is dialed before the choice; then anna is.
	reg, err := cloud.register(intake(sess.srv.URL, "/m1"))
	if err != nil {
		t.Fatal(err)
	}
	if reg.GetQueueId() != "" || reg.GetMenu().GetMenuId() != "main" || len(reg.GetMenu().GetNodes()) != 2 ||
		reg.GetMenu().GetNodes()[1].GetTimeoutS() != 5 || reg.GetMenu().GetNodes()[0].GetChoices()[1].GetAction().GetNodeId() != "more" {
		t.Fatalf("register = %v", reg)
	}
	sess.none("/m1")
	clk.Advance(6 * time.Second)
	res, err := cloud.report(menuChosen(reg.GetCallId(), &commonv1.MenuStep{NodeId: "start", Digit: "1"}))
	if err != nil || res.GetNext() != nil || res.GetQueued().GetQueueId() != "support" || res.GetQueued().GetCallId() != reg.GetCallId() {
		t.Fatalf("menu_chosen: %v %v", res, err)
	}
	dial := sess.next("/m1")
	if dial.GetType() != "dial" || dial.GetContact().GetTarget() != "anna" {
		t.Fatalf("after the choice: %v", dial)
	}
	// A repeat changes nothing.
	if _, err := cloud.report(menuChosen(reg.GetCallId(), &commonv1.MenuStep{NodeId: "start", TimedOut: true})); err != nil {
		t.Fatal(err)
	}
	sess.none("/m1")

	// A sub-menu to a number: the reply forwards the call.
	reg2, err := cloud.register(intake(sess.srv.URL, "/m2"))
	if err != nil {
		t.Fatal(err)
	}
	res, err = cloud.report(menuChosen(reg2.GetCallId(), &commonv1.MenuStep{NodeId: "start", Digit: "2"}, &commonv1.MenuStep{NodeId: "more", Digit: "0"}))
	if err != nil {
		t.Fatal(err)
	}
	if n := res.GetNext(); n.GetType() != "forward" || n.GetContact().GetKind() != "pstn" || n.GetContact().GetTarget() != "+14155550177" || n.GetCallId() != reg2.GetCallId() {
		t.Fatalf("forward = %v", n)
	}
	// A path the menu does not have is refused with the field.
	reg3, err := cloud.register(intake(sess.srv.URL, "/m3"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cloud.report(menuChosen(reg3.GetCallId(), &commonv1.MenuStep{NodeId: "start", Digit: "9"}))
	var re *restError
	if !errors.As(err, &re) || re.Status != http.StatusBadRequest {
		t.Fatalf("digit 9: %v", err)
	}

	// Restart: the call in the menu is still there and goes on.
	srv.stop()
	srv = startServer(t, db, clk)
	cloud = newCloud(t, srv.m.URL, tandem.ConnectJSON, true, clk)
	admin = tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	if _, err := cloud.report(menuChosen(reg3.GetCallId(), &commonv1.MenuStep{NodeId: "start", Words: "Support please"})); err != nil {
		t.Fatal(err)
	}
	tl, err := admin.Analytics.GetCallTimeline(ctx, connect.NewRequest(&analyticsv1.GetCallTimelineRequest{CallId: reg3.GetCallId()}))
	if err != nil {
		t.Fatal(err)
	}
	if tl.Msg.GetMenuId() != "main" || tl.Msg.GetMenuExit() != "queue:support" || tl.Msg.GetQueueId() != "support" ||
		len(tl.Msg.GetMenuPath()) != 1 || tl.Msg.GetMenuPath()[0].GetWords() != "Support please" {
		t.Fatalf("timeline = %v", tl.Msg)
	}
	found := false
	for _, e := range tl.Msg.GetEntries() {
		found = found || e.GetKind() == "menu" && e.GetText() == `main: start "Support please" → queue:support`
	}
	if !found {
		t.Fatalf("no menu entry on the timeline: %v", tl.Msg.GetEntries())
	}
	rep, err := admin.Analytics.GetMenuReport(ctx, connect.NewRequest(&analyticsv1.GetMenuReportRequest{
		Range: &analyticsv1.TimeRange{From: timestamppb.New(clk.Now().Add(-time.Hour)), To: timestamppb.New(clk.Now().Add(time.Hour))}}))
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Msg.GetMenus(); len(m) != 1 || m[0].GetCalls() != 3 || len(m[0].GetExits()) != 2 ||
		m[0].GetExits()[0].GetExit() != "queue:support" || m[0].GetExits()[0].GetCalls() != 2 || m[0].GetExits()[1].GetExit() != "number:+14155550177" {
		t.Fatalf("menu report = %v", rep.Msg)
	}
}

// TestMenuCallSurvivesKill: a call in a menu when the process is killed (SIGKILL) is rebuilt
// from the store at the restart, still in the menu, and the caller's choice files it.
func TestMenuCallSurvivesKill(t *testing.T) {
	t.Parallel() // a long one: it runs beside the other long ones, after the rest
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := filepath.Join(t.TempDir(), "tandem")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	addr, db := freeAddr(t), tempSQLite(t)
	url := "http://" + addr
	proc := startBinary(t, bin, addr, db)
	ctx := context.Background()
	admin := tandem.New(url, tandem.WithToken(testAdminKey))
	setup(t, admin)
	if _, err := admin.Admin.PutMenu(ctx, connect.NewRequest(&adminv1.PutMenuRequest{Menu: mainMenu()})); err != nil {
		t.Fatal(err)
	}
	cloud := tandem.New(url, tandem.WithCloudSecret(testSecret))
	reg, err := cloud.Intake.RegisterCall(ctx, connect.NewRequest(intake("http://127.0.0.1:9", "/k1")))
	if err != nil || reg.Msg.GetMenu().GetMenuId() != "main" {
		t.Fatalf("register: %v %v", reg, err)
	}
	if err := proc.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = proc.Wait()

	startBinary(t, bin, addr, db)
	got, err := admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.Msg.GetCallId()}))
	if err != nil || got.Msg.GetCall().GetState() != commonv1.CallState_CALL_STATE_IN_MENU {
		t.Fatalf("after the kill: %v %v", got, err)
	}
	res, err := cloud.Intake.ReportCallEvent(ctx, connect.NewRequest(menuChosen(reg.Msg.GetCallId(), &commonv1.MenuStep{NodeId: "start", Digit: "1"})))
	if err != nil || res.Msg.GetQueued().GetQueueId() != "support" {
		t.Fatalf("menu_chosen after the kill: %v %v", res, err)
	}
}
