package routing

import (
	"reflect"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// menuFixture adds a "sales" queue and a menu on support's number: 1 or "sales" for sales,
// 2 for a sub-menu whose 1 goes to support and 0 to an outside number; silence: support.
func menuFixture(t *testing.T, operators ...string) *fixture {
	t.Helper()
	f := newFixture(t, operators...)
	f.must(f.e.CreateQueue(f.now, cc.Queue{ID: "sales", DialedNumbers: []string{"+18005550200"}, OfferTimeout: 20 * time.Second}))
	f.must(f.e.PutMenu(f.now, testMenu()))
	return f
}

func testMenu() cc.Menu {
	return cc.Menu{ID: "main", DialedNumbers: []string{"+18005550100"}, Nodes: []cc.MenuNode{
		{ID: "start", Text: "Press 1 for sales, 2 for more.", Repeats: 1, Choices: []cc.MenuChoice{
			{Digit: "1", Words: []string{"sales"}, Action: cc.MenuAction{Kind: cc.MenuToQueue, Queue: "sales"}},
			{Digit: "2", Action: cc.MenuAction{Kind: cc.MenuToNode, Node: "more"}},
		}, Default: cc.MenuAction{Kind: cc.MenuToQueue, Queue: "support"}},
		{ID: "more", Text: "Press 1 for support, 0 for the front desk.", Choices: []cc.MenuChoice{
			{Digit: "1", Action: cc.MenuAction{Kind: cc.MenuToQueue, Queue: "support"}},
			{Digit: "0", Action: cc.MenuAction{Kind: cc.MenuToNumber, Number: "+14155550177"}},
		}, Default: cc.MenuAction{Kind: cc.MenuToQueue, Queue: "support"}},
	}}
}

func (f *fixture) call(id cc.CallID) cc.Call {
	f.t.Helper()
	c, ok := f.e.Call(id)
	if !ok {
		f.t.Fatalf("call %s is not in progress", id)
	}
	return c
}

func chosen(path ...cc.MenuStep) cc.CloudEvent {
	return cc.CloudEvent{Kind: cc.CloudMenuChosen, MenuExit: cc.MenuExit{Path: path}}
}

func TestMenuCallIsNotOfferedUntilTheCallerChoosesAQueue(t *testing.T) {
	f := menuFixture(t, "anna")
	f.ready("anna")
	arrived := f.now
	id := f.intake()
	c := f.call(id)
	if c.State != cc.CallInMenu || c.Queue != "" || c.Menu != "main" || !c.MenuAt.Equal(arrived) || c.Offer != "" {
		t.Fatalf("new call = %s in %q (menu %q at %v), offer %q; want in the menu, no queue, no offer", c.State, c.Queue, c.Menu, c.MenuAt, c.Offer)
	}
	if f.e.Position(id) != 0 || f.state("anna") != cc.OperatorReady {
		t.Fatal("a call in the menu has a place in a line or an operator")
	}
	f.now = f.now.Add(8 * time.Second)
	ch := f.must(f.e.Report(f.now, id, chosen(cc.MenuStep{Node: "start", TimedOut: true})))
	c = f.call(id)
	if c.State != cc.CallWaiting || c.Queue != "support" || !c.ArrivedAt.Equal(f.now) || c.MenuExit != "queue:support" || len(c.MenuPath) != 1 {
		t.Fatalf("after the default = %s in %q arrived %v exit %q path %v", c.State, c.Queue, c.ArrivedAt, c.MenuExit, c.MenuPath)
	}
	if c.Offer == "" || f.state("anna") != cc.OperatorReserved || len(ch.Commands) != 1 || ch.Commands[0].Type != cc.CommandDial {
		t.Fatalf("support's operator not offered the call: %+v", ch.Commands)
	}
	stored := false
	for _, sc := range ch.Calls {
		stored = stored || sc.ID == id && sc.MenuExit == "queue:support" && sc.State == cc.CallWaiting
	}
	if !stored {
		t.Fatal("the call's exit is not among the changes")
	}
	// A repeated report changes nothing.
	again := f.must(f.e.Report(f.now.Add(time.Second), id, chosen(cc.MenuStep{Node: "start", Digit: "1"})))
	if c2 := f.call(id); c2.Queue != "support" || c2.MenuExit != "queue:support" || len(again.Calls) != 0 || len(again.Commands) != 0 {
		t.Fatalf("a repeated menu_chosen changed the call: %+v, %+v", c2, again)
	}
}

func TestMenuWordsAndSubMenus(t *testing.T) {
	f := menuFixture(t)
	id := f.intake()
	f.must(f.e.Report(f.now, id, chosen(cc.MenuStep{Node: "start", Words: "Sales please"})))
	if c := f.call(id); c.Queue != "sales" || c.MenuExit != "queue:sales" {
		t.Fatalf("spoken sales: %+v", c)
	}
	id = f.intake()
	f.must(f.e.Report(f.now, id, chosen(cc.MenuStep{Node: "start", Digit: "2"}, cc.MenuStep{Node: "more", Digit: "1"})))
	if c := f.call(id); c.Queue != "support" || len(c.MenuPath) != 2 || c.MenuPath[1] != (cc.MenuStep{Node: "more", Digit: "1"}) {
		t.Fatalf("sub-menu: %+v", c)
	}
}

func TestMenuForwardsToANumber(t *testing.T) {
	f := menuFixture(t, "anna")
	f.ready("anna")
	id := f.intake()
	ch := f.must(f.e.Report(f.now, id, chosen(cc.MenuStep{Node: "start", Digit: "2"}, cc.MenuStep{Node: "more", Digit: "0"})))
	want := cc.Command{Type: cc.CommandForward, Call: id, AccessURL: "http://cloud/x", Contact: cc.Contact{Kind: cc.ContactPSTN, Target: "+14155550177"}}
	if ch.Next == nil || !reflect.DeepEqual(*ch.Next, want) {
		t.Fatalf("reply = %+v, want %+v", ch.Next, want)
	}
	if _, live := f.e.Call(id); live || len(ch.Calls) != 1 || ch.Calls[0].State != cc.CallEnded || ch.Calls[0].MenuExit != "number:+14155550177" || ch.Calls[0].Queue != "" {
		t.Fatalf("forwarded call: live %v, %+v", live, ch.Calls)
	}
	if f.state("anna") != cc.OperatorReady {
		t.Fatal("an operator was offered a forwarded call")
	}
}

func TestMenuHangUpIsNotAbandonedInAQueue(t *testing.T) {
	f := menuFixture(t)
	id := f.intake()
	ch := f.must(f.e.Report(f.now, id, chosen(cc.MenuStep{Node: "start", Digit: "2"}, cc.MenuStep{Node: "more"})))
	if len(ch.Calls) != 1 || ch.Calls[0].State != cc.CallAbandoned || ch.Calls[0].Queue != "" || ch.Calls[0].MenuExit != "hangup" {
		t.Fatalf("hang-up in the menu: %+v", ch.Calls)
	}
	// A caller_abandoned without a path ends it the same way.
	id = f.intake()
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallerAbandoned}))
	if len(ch.Calls) != 1 || ch.Calls[0].State != cc.CallAbandoned || ch.Calls[0].Queue != "" || ch.Calls[0].MenuExit != "hangup" {
		t.Fatalf("abandoned in the menu: %+v", ch.Calls)
	}
}

func TestMenuChosenRefusesAPathTheMenuDoesNotHave(t *testing.T) {
	f := menuFixture(t)
	id := f.intake()
	_, err := f.e.Report(f.now, id, chosen(cc.MenuStep{Node: "start", Digit: "7"}))
	if e, ok := err.(*cc.Error); !ok || e.Field != "menu_chosen.path[0]" {
		t.Fatalf("digit 7: %v", err)
	}
	if c := f.call(id); c.State != cc.CallInMenu {
		t.Fatalf("a refused report moved the call: %s", c.State)
	}
	// A path the menu does not have, with an action: refused too while the menu is the one
	// the caller heard.
	ev := chosen(cc.MenuStep{Node: "start", Digit: "1"})
	ev.MenuExit.Action = cc.MenuAction{Kind: cc.MenuToQueue, Queue: "sales"}
	wrong := chosen(cc.MenuStep{Node: "start", Digit: "7"})
	wrong.MenuExit.Action = ev.MenuExit.Action
	if _, err := f.e.Report(f.now, id, wrong); cc.ErrorCode(err) != cc.CodeInvalid {
		t.Fatalf("digit 7 with an action: %v", err)
	}
	// A menu changed while the caller was in it: the action the cloud reports is carried out.
	f.now = f.now.Add(time.Second)
	m := testMenu()
	m.Nodes[0].Choices[0].Digit = "5"
	f.must(f.e.PutMenu(f.now, m))
	f.must(f.e.Report(f.now, id, ev))
	if c := f.call(id); c.Queue != "sales" {
		t.Fatalf("after a menu change: %+v", c)
	}
}

func TestPutMenuChecksQueuesAndNumbers(t *testing.T) {
	f := menuFixture(t)
	m := testMenu()
	m.Nodes[1].Choices[0].Action.Queue = "billing"
	if _, err := f.e.PutMenu(f.now, m); cc.ErrorCode(err) != cc.CodeNotFound || err.(*cc.Error).Field != "menu.nodes[1].choices[0].action.queue_id" {
		t.Fatalf("unknown queue: %v", err)
	}
	other := testMenu()
	other.ID = "other"
	if _, err := f.e.PutMenu(f.now, other); cc.ErrorCode(err) != cc.CodeAlreadyExists || err.(*cc.Error).Field != "menu.dialed_numbers[0]" {
		t.Fatalf("a number of another menu: %v", err)
	}
	if got := f.e.Menus(); len(got) != 1 || got[0].ID != "main" || got[0].Nodes[1].Choices[0].Action.Queue != "support" || !got[0].Changed.Equal(t0) {
		t.Fatalf("refused menus changed what is stored: %+v", got)
	}
	ch := f.must(f.e.DeleteMenu(f.now, "main"))
	if len(ch.Unmenu) != 1 {
		t.Fatalf("delete: %+v", ch)
	}
	if c := f.call(f.intake()); c.State != cc.CallWaiting || c.Queue != "support" {
		t.Fatalf("without the menu its number leads to its queue again: %+v", c)
	}
}

func TestMenuCallSurvivesARestart(t *testing.T) {
	f := menuFixture(t)
	id := f.intake()
	c := f.call(id)
	queues := []cc.Queue{}
	for _, q := range []cc.QueueID{"support", "sales"} {
		cfg, _ := f.e.Queue(q)
		queues = append(queues, cfg)
	}
	f.e.Load(f.now, queues, nil, cc.Runtime{Calls: []cc.Call{c}, Menus: f.e.Menus()})
	if c := f.call(id); c.State != cc.CallInMenu {
		t.Fatalf("after a restart: %s", c.State)
	}
	f.must(f.e.Report(f.now, id, chosen(cc.MenuStep{Node: "start", Digit: "1"})))
	if c := f.call(id); c.Queue != "sales" {
		t.Fatalf("after a restart the menu is gone: %+v", c)
	}
}

// A menu's voicemail action is that queue's voicemail exit: the reply records the caller, the
// call ends in the queue (never in its line, nobody offered it), and the message left becomes
// the queue's callback. A voicemail of a queue that does not exist is refused by its field.
func TestMenuVoicemailIsTheQueuesMessage(t *testing.T) {
	f := menuFixture(t, "anna")
	m := testMenu()
	m.Nodes[1].Choices = append(m.Nodes[1].Choices, cc.MenuChoice{Digit: "9", Action: cc.MenuAction{Kind: cc.MenuToVoicemail, Queue: "billing"}})
	if _, err := f.e.PutMenu(f.now, m); cc.ErrorCode(err) != cc.CodeNotFound || err.(*cc.Error).Field != "menu.nodes[1].choices[2].action.voicemail_queue_id" {
		t.Fatalf("voicemail of an unknown queue: %v", err)
	}
	m.Nodes[1].Choices[2].Action.Queue = "sales"
	f.must(f.e.PutMenu(f.now, m))
	f.ready("anna")
	id := f.intake()
	f.now = f.now.Add(4 * time.Second)
	ch := f.must(f.e.Report(f.now, id, chosen(cc.MenuStep{Node: "start", Digit: "2"}, cc.MenuStep{Node: "more", Digit: "9"})))
	if ch.Next == nil || ch.Next.Type != cc.CommandVoicemail || ch.Next.Call != id || ch.Next.Text != cc.DefaultVoicemailPrompt || ch.Next.Timeout != cc.MaxVoicemail {
		t.Fatalf("reply = %+v, want the voicemail command", ch.Next)
	}
	if _, live := f.e.Call(id); live || len(ch.Calls) != 1 {
		t.Fatalf("the call is still live, or changes %+v", ch.Calls)
	}
	c := ch.Calls[0]
	if c.State != cc.CallEnded || c.Queue != "sales" || c.MenuExit != "voicemail:sales" || c.Exit.Kind != cc.ExitVoicemail || c.Exit.Cause != cc.ExitMenu || c.Exit.Queue != "sales" || !c.ArrivedAt.Equal(f.now) {
		t.Fatalf("the call: %+v", c)
	}
	if f.state("anna") != cc.OperatorReady || len(ch.Commands) != 0 {
		t.Fatalf("somebody was offered it: %s, %+v", f.state("anna"), ch.Commands)
	}
	c.CallerNumber = "+14155550123"
	ch = f.must(f.e.VoicemailLeft(f.now, c, "https://records.example.com/vm1.mp3", 9*time.Second))
	filed := false
	for _, x := range ch.Calls {
		filed = filed || x.Callback.Virtual() && x.Queue == "sales" && x.Callback.Of == id && x.Callback.VoicemailURL == "https://records.example.com/vm1.mp3"
	}
	if !filed {
		t.Fatalf("no callback of sales answers the message: %+v", ch.Calls)
	}
}
