package callcenter

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// validMenu is the demo's kind of menu: sales or support from the first node, billing and
// technical help under support.
func validMenu() Menu {
	return Menu{ID: "main", Name: "Main line", DialedNumbers: []string{"+18005550100"}, Nodes: []MenuNode{
		{ID: "start", Text: "Press 1 or say sales for sales, 2 or say support for support.", Timeout: 5 * time.Second, Repeats: 2,
			Choices: []MenuChoice{
				{Digit: "1", Words: []string{"sales"}, Action: MenuAction{Kind: MenuToQueue, Queue: "sales"}},
				{Digit: "2", Words: []string{"support", "help"}, Action: MenuAction{Kind: MenuToNode, Node: "support"}},
				{Digit: "0", Action: MenuAction{Kind: MenuToNumber, Number: "+14155550177"}},
			},
			Default: MenuAction{Kind: MenuToQueue, Queue: "support"}},
		{ID: "support", AudioURL: "https://cdn.example/support.mp3", Timeout: 8 * time.Second, Repeats: 1,
			Choices: []MenuChoice{
				{Digit: "1", Words: []string{"billing"}, Action: MenuAction{Kind: MenuToNode, Node: "billing"}},
				{Digit: "#", Action: MenuAction{Kind: MenuToNumber, Number: "sip:desk@pbx.example"}},
			},
			Default: MenuAction{Kind: MenuToQueue, Queue: "support"}},
		{ID: "billing", Text: "Billing.", Timeout: 5 * time.Second,
			Choices: []MenuChoice{{Words: []string{"manager"}, Action: MenuAction{Kind: MenuToNumber, Number: "user:olga"}}},
			Default: MenuAction{Kind: MenuToQueue, Queue: "support"}},
	}}
}

func TestMenuCheckFillsDefaults(t *testing.T) {
	in := Menu{ID: "night", DialedNumbers: []string{"+18005550999"}, Nodes: []MenuNode{
		{ID: "only", Text: "Good night.", Choices: []MenuChoice{{Words: []string{"  Sales  Team "}, Action: MenuAction{Kind: MenuToQueue, Queue: "sales"}}},
			Default: MenuAction{Kind: MenuToQueue, Queue: "support"}}}}
	want := in
	want.Name = "night"
	want.Nodes = []MenuNode{in.Nodes[0]}
	want.Nodes[0].Timeout = DefaultMenuWait
	want.Nodes[0].Choices = []MenuChoice{{Words: []string{"sales team"}, Action: MenuAction{Kind: MenuToQueue, Queue: "sales"}}}
	wantDefaults(t, Menu.Check, in, want)
	wantDefaults(t, Menu.Check, validMenu(), validMenu())
}

func TestMenuCheckRefusesEachField(t *testing.T) {
	type m = refusal[Menu]
	node := func(v *Menu, i int) *MenuNode { return &v.Nodes[i] }
	wantRefused(t, Menu.Check, validMenu, []m{
		{"no id", "menu.menu_id", func(v *Menu) { v.ID = "" }},
		{"long name", "menu.name", func(v *Menu) { v.Name = strings.Repeat("n", 201) }},
		{"no number", "menu.dialed_numbers", func(v *Menu) { v.DialedNumbers = nil }},
		{"number not E.164", "menu.dialed_numbers[0]", func(v *Menu) { v.DialedNumbers[0] = "8005550100" }},
		{"number twice", "menu.dialed_numbers[1]", func(v *Menu) { v.DialedNumbers = append(v.DialedNumbers, v.DialedNumbers[0]) }},
		{"no nodes", "menu.nodes", func(v *Menu) { v.Nodes = nil }},
		{"too many nodes", "menu.nodes", func(v *Menu) { v.Nodes = make([]MenuNode, MaxMenuNodes+1) }},
		{"bad node id", "menu.nodes[1].node_id", func(v *Menu) { node(v, 1).ID = "Support!" }},
		{"node twice", "menu.nodes[2].node_id", func(v *Menu) { node(v, 2).ID = "support" }},
		{"no prompt", "menu.nodes[0].prompt_text", func(v *Menu) { node(v, 0).Text = "" }},
		{"text and audio", "menu.nodes[1].prompt_url", func(v *Menu) { node(v, 1).Text = "Support." }},
		{"audio not a URL", "menu.nodes[1].prompt_url", func(v *Menu) { node(v, 1).AudioURL = "support.mp3" }},
		{"long prompt", "menu.nodes[0].prompt_text", func(v *Menu) { node(v, 0).Text = strings.Repeat("a", 1501) }},
		{"timeout over a minute", "menu.nodes[0].timeout_s", func(v *Menu) { node(v, 0).Timeout = time.Minute + time.Second }},
		{"negative timeout", "menu.nodes[0].timeout_s", func(v *Menu) { node(v, 0).Timeout = -time.Second }},
		{"six repeats", "menu.nodes[0].repeats", func(v *Menu) { node(v, 0).Repeats = 6 }},
		{"negative repeats", "menu.nodes[0].repeats", func(v *Menu) { node(v, 0).Repeats = -1 }},
		{"13 choices", "menu.nodes[0].choices", func(v *Menu) { node(v, 0).Choices = make([]MenuChoice, 13) }},
		{"choice without digit or words", "menu.nodes[0].choices[2].digit", func(v *Menu) { node(v, 0).Choices[2].Digit = "" }},
		{"two keys", "menu.nodes[0].choices[0].digit", func(v *Menu) { node(v, 0).Choices[0].Digit = "12" }},
		{"a letter", "menu.nodes[0].choices[0].digit", func(v *Menu) { node(v, 0).Choices[0].Digit = "a" }},
		{"digit used twice", "menu.nodes[0].choices[1].digit", func(v *Menu) { node(v, 0).Choices[1].Digit = "1" }},
		{"word used twice", "menu.nodes[0].choices[1].words[1]", func(v *Menu) { node(v, 0).Choices[1].Words[1] = "Sales" }},
		{"empty word", "menu.nodes[0].choices[1].words[0]", func(v *Menu) { node(v, 0).Choices[1].Words[0] = "  " }},
		{"11 words", "menu.nodes[0].choices[1].words", func(v *Menu) { node(v, 0).Choices[1].Words = make([]string, 11) }},
		{"no action", "menu.nodes[0].choices[0].action", func(v *Menu) { node(v, 0).Choices[0].Action = MenuAction{} }},
		{"bad queue id", "menu.nodes[0].choices[0].action.queue_id", func(v *Menu) { node(v, 0).Choices[0].Action.Queue = "" }},
		{"bad number", "menu.nodes[0].choices[2].action.number", func(v *Menu) { node(v, 0).Choices[2].Action.Number = "555-0177" }},
		{"bad SIP URI", "menu.nodes[1].choices[1].action.number", func(v *Menu) { node(v, 1).Choices[1].Action.Number = "sip:" }},
		{"empty user", "menu.nodes[2].choices[0].action.number", func(v *Menu) { node(v, 2).Choices[0].Action.Number = "user:" }},
		{"unknown node", "menu.nodes[0].choices[1].action.node_id", func(v *Menu) { node(v, 0).Choices[1].Action.Node = "nowhere" }},
		{"no default", "menu.nodes[0].default_action", func(v *Menu) { node(v, 0).Default = MenuAction{} }},
		{"a cycle through a choice", "menu.nodes[2].choices[0].action.node_id", func(v *Menu) {
			node(v, 2).Choices[0].Action = MenuAction{Kind: MenuToNode, Node: "start"}
		}},
		{"a cycle through a default", "menu.nodes[1].default_action.node_id", func(v *Menu) {
			node(v, 1).Default = MenuAction{Kind: MenuToNode, Node: "support"}
		}},
		{"an unreachable node", "menu.nodes[2].node_id", func(v *Menu) {
			node(v, 1).Choices[0].Action = MenuAction{Kind: MenuToQueue, Queue: "billing"}
		}},
	})
	wantAccepted(t, Menu.Check, validMenu, map[string]func(*Menu){
		"a node reached twice (no cycle)": func(v *Menu) { node(v, 0).Default = MenuAction{Kind: MenuToNode, Node: "billing"} },
		"a minute's timeout":              func(v *Menu) { node(v, 0).Timeout = time.Minute },
		"five repeats":                    func(v *Menu) { node(v, 0).Repeats = 5 },
		"star and hash":                   func(v *Menu) { node(v, 0).Choices[0].Digit = "*"; node(v, 0).Choices[1].Digit = "#" },
		"words only":                      func(v *Menu) { node(v, 0).Choices[0].Digit = "" },
		"digit only":                      func(v *Menu) { node(v, 0).Choices[0].Words = nil },
		"a sips URI":                      func(v *Menu) { node(v, 1).Choices[1].Action.Number = "sips:desk@pbx.example" },
	})
}

func TestMenuFollow(t *testing.T) {
	m, err := validMenu().Check()
	if err != nil {
		t.Fatal(err)
	}
	queue := func(q QueueID) MenuAction { return MenuAction{Kind: MenuToQueue, Queue: q} }
	good := []struct {
		name string
		x    MenuExit
		want MenuAction
	}{
		{"a digit to a queue", MenuExit{Path: []MenuStep{{Node: "start", Digit: "1"}}}, queue("sales")},
		{"words to a queue", MenuExit{Path: []MenuStep{{Node: "start", Words: "I'd like Sales, please!"}}, Action: queue("sales")}, queue("sales")},
		{"silence to the default", MenuExit{Path: []MenuStep{{Node: "start", TimedOut: true}}}, queue("support")},
		{"a sub-menu to a number", MenuExit{Path: []MenuStep{{Node: "start", Words: "help"}, {Node: "support", Digit: "1"}, {Node: "billing", Words: "a manager"}}},
			MenuAction{Kind: MenuToNumber, Number: "user:olga"}},
		{"a hang-up in a sub-menu", MenuExit{Path: []MenuStep{{Node: "start", Digit: "2"}, {Node: "support"}}}, MenuAction{}},
	}
	for _, tc := range good {
		got, err := m.Follow(tc.x)
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	bad := []struct {
		name, field string
		x           MenuExit
	}{
		{"no path", "menu_chosen.path", MenuExit{}},
		{"not from the start", "menu_chosen.path[0].node_id", MenuExit{Path: []MenuStep{{Node: "support", Digit: "1"}}}},
		{"a digit no choice has", "menu_chosen.path[0]", MenuExit{Path: []MenuStep{{Node: "start", Digit: "9"}}}},
		{"words no choice has", "menu_chosen.path[0]", MenuExit{Path: []MenuStep{{Node: "start", Words: "salesman"}}}},
		{"stops short", "menu_chosen.path[0]", MenuExit{Path: []MenuStep{{Node: "start", Digit: "2"}}}},
		{"goes on after leaving", "menu_chosen.path[1]", MenuExit{Path: []MenuStep{{Node: "start", Digit: "1"}, {Node: "support"}}}},
		{"another action", "menu_chosen.action", MenuExit{Path: []MenuStep{{Node: "start", Digit: "1"}}, Action: queue("vip")}},
		{"an action without an answer", "menu_chosen.path[0]", MenuExit{Path: []MenuStep{{Node: "start"}}, Action: queue("sales")}},
	}
	for _, tc := range bad {
		_, err := m.Follow(tc.x)
		if e, ok := err.(*Error); !ok || e.Field != tc.field || e.Code != CodeInvalid {
			t.Errorf("%s: %v; want a refusal of %s", tc.name, err, tc.field)
		}
	}
}

func TestCountMenuTrips(t *testing.T) {
	calls := []Call{
		{Menu: "main", MenuExit: "queue:sales", MenuPath: []MenuStep{{Node: "start", Digit: "1"}}},
		{Menu: "main", MenuExit: "queue:sales", MenuPath: []MenuStep{{Node: "start", Words: "sales"}}},
		{Menu: "main", MenuExit: "queue:support", MenuPath: []MenuStep{{Node: "start", Digit: "2"}, {Node: "more", TimedOut: true}}},
		{Menu: "main", MenuExit: "hangup", MenuPath: []MenuStep{{Node: "start", Digit: "2"}, {Node: "more"}}},
		{Menu: "main"}, // still in it
		{Menu: "night", MenuExit: "queue:support", MenuPath: []MenuStep{{Node: "only", TimedOut: true}}},
	}
	got := CountMenuTrips(calls)
	want := []MenuReport{
		{Menu: "main", Calls: 5,
			Exits: []MenuCount{{Exit: "queue:sales", Calls: 2}, {Exit: "", Calls: 1}, {Exit: "hangup", Calls: 1}, {Exit: "queue:support", Calls: 1}},
			Choices: []MenuCount{{Node: "more", Answer: "timeout", Calls: 1},
				{Node: "start", Answer: "2", Calls: 2}, {Node: "start", Answer: "1", Calls: 1}, {Node: "start", Answer: "words", Calls: 1}}},
		{Menu: "night", Calls: 1, Exits: []MenuCount{{Exit: "queue:support", Calls: 1}}, Choices: []MenuCount{{Node: "only", Answer: "timeout", Calls: 1}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CountMenuTrips\n = %+v\nwant %+v", got, want)
	}
	text := MenuTripText(calls[2])
	if text != "main: start 2, more (silence) → queue:support" {
		t.Errorf("MenuTripText = %q", text)
	}
}
