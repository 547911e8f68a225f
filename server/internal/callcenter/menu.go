package callcenter

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// MenuID names an IVR menu.
type MenuID string

// MenuNodeID names a node within its menu.
type MenuNodeID string

// Menu is an IVR menu: what callers to its dialed numbers hear and choose before they reach a
// queue or a number. Its nodes form a graph without cycles; the first node is where every call
// starts, and every node is reachable from it. A dialed number may lead to a queue and to a
// menu at once: the menu wins, and its choices name the queues.
type Menu struct {
	ID            MenuID
	Name          string
	DialedNumbers []string
	Nodes         []MenuNode // the first one is the start
	// Changed is when the menu was last put (set by the engine): a caller who entered it before
	// went through the menu as it was then.
	Changed time.Time `json:",omitzero"`
}

// MenuNode is one prompt and what the caller may answer to it. Silence for Timeout, or an
// answer that matches no choice, plays the prompt again, Repeats times; after that the node
// takes Default.
type MenuNode struct {
	ID       MenuNodeID
	Text     string // spoken by TTS; or
	AudioURL string // played (one of Text and AudioURL)
	Choices  []MenuChoice
	Timeout  time.Duration
	Repeats  int
	Default  MenuAction
}

// MenuChoice is one answer a node accepts: a key (Digit: 0-9, * or #), spoken words (any of
// Words heard in the caller's speech), or both, and where it leads.
type MenuChoice struct {
	Digit  string
	Words  []string
	Action MenuAction
}

// MenuActionKind is where a menu sends a caller.
type MenuActionKind string

const (
	MenuToQueue  MenuActionKind = "queue"  // into Queue's line
	MenuToNumber MenuActionKind = "number" // forwarded to Number: E.164, "sip:…" or "user:<name>"
	MenuToNode   MenuActionKind = "node"   // to another node of the menu
	// MenuToVoicemail records the caller's message for Queue (a voicemail exit of that queue).
	MenuToVoicemail MenuActionKind = "voicemail"
)

// MenuAction is where a choice or a node's default leads.
type MenuAction struct {
	Kind   MenuActionKind
	Queue  QueueID
	Number string
	Node   MenuNodeID
}

// String is the action as reports name a menu's exit: "queue:sales", "number:+14155550100",
// "node:billing".
func (a MenuAction) String() string {
	switch a.Kind {
	case MenuToQueue:
		return "queue:" + string(a.Queue)
	case MenuToNumber:
		return "number:" + a.Number
	case MenuToNode:
		return "node:" + string(a.Node)
	case MenuToVoicemail:
		return "voicemail:" + string(a.Queue)
	}
	return ""
}

// Limits on a menu's size.
const (
	MaxMenuNodes     = 50
	MaxMenuChoices   = 12 // per node: the twelve keys of a phone
	MaxMenuWords     = 10 // per choice
	MaxMenuWordLen   = 100
	MaxMenuNumbers   = 20 // dialed numbers per menu
	MaxMenuRepeats   = 5
	MinMenuTimeout   = time.Second
	MaxMenuTimeout   = time.Minute
	DefaultMenuWait  = 5 * time.Second // a node's timeout when it sets none
	MaxMenuPathSteps = 100             // a reported path (a menu without cycles is shorter)
)

// menuDigits are the keys a choice may name.
const menuDigits = "0123456789*#"

// Check returns the menu with its defaults filled in (the id as its name, a 5 s timeout) or
// the first fault, naming its field as the Admin API spells it: "menu.nodes[2].choices[0].digit".
// It checks the menu on its own; the queues it names and whether its numbers are free are the
// engine's to check (CheckRefs).
func (m Menu) Check() (Menu, error) {
	if !ValidSlug(string(m.ID)) {
		return m, Invalid("menu.menu_id", "must be 1-63 lowercase letters, digits, _ or -")
	}
	if m.Name == "" {
		m.Name = string(m.ID)
	}
	if err := maxLen("menu.name", m.Name, maxNameLen); err != nil {
		return m, err
	}
	if len(m.DialedNumbers) == 0 {
		return m, Invalid("menu.dialed_numbers", "a menu needs at least one dialed number")
	}
	if len(m.DialedNumbers) > MaxMenuNumbers {
		return m, Invalid("menu.dialed_numbers", "at most %d numbers", MaxMenuNumbers)
	}
	seenNumber := map[string]bool{}
	for i, n := range m.DialedNumbers {
		field := fmt.Sprintf("menu.dialed_numbers[%d]", i)
		if !e164Pattern.MatchString(n) {
			return m, Invalid(field, "%q is not an E.164 number like +14155550100", n)
		}
		if seenNumber[n] {
			return m, Invalid(field, "%s is listed twice", n)
		}
		seenNumber[n] = true
	}
	if len(m.Nodes) == 0 {
		return m, Invalid("menu.nodes", "a menu needs at least one node")
	}
	if len(m.Nodes) > MaxMenuNodes {
		return m, Invalid("menu.nodes", "at most %d nodes", MaxMenuNodes)
	}
	m.Nodes = append([]MenuNode(nil), m.Nodes...)
	index := map[MenuNodeID]int{}
	for i, n := range m.Nodes {
		field := fmt.Sprintf("menu.nodes[%d]", i)
		if !ValidSlug(string(n.ID)) {
			return m, Invalid(field+".node_id", "must be 1-63 lowercase letters, digits, _ or -")
		}
		if _, dup := index[n.ID]; dup {
			return m, Invalid(field+".node_id", "node %q is defined twice", n.ID)
		}
		index[n.ID] = i
	}
	for i := range m.Nodes {
		n, err := m.Nodes[i].check(fmt.Sprintf("menu.nodes[%d]", i), index)
		if err != nil {
			return m, err
		}
		m.Nodes[i] = n
	}
	return m, m.checkGraph(index)
}

func (n MenuNode) check(field string, index map[MenuNodeID]int) (MenuNode, error) {
	switch {
	case n.Text == "" && n.AudioURL == "":
		return n, Invalid(field+".prompt_text", "a node needs a prompt: text to speak or an audio URL")
	case n.Text != "" && n.AudioURL != "":
		return n, Invalid(field+".prompt_url", "a prompt is text or an audio URL, not both")
	}
	if err := maxLen(field+".prompt_text", n.Text, maxGreeting); err != nil {
		return n, err
	}
	if n.AudioURL != "" {
		if err := CheckURL(field+".prompt_url", n.AudioURL); err != nil {
			return n, err
		}
	}
	switch {
	case n.Timeout == 0:
		n.Timeout = DefaultMenuWait
	case n.Timeout < MinMenuTimeout || n.Timeout > MaxMenuTimeout:
		return n, Invalid(field+".timeout_s", "must be 1 to 60 seconds")
	}
	if n.Repeats < 0 || n.Repeats > MaxMenuRepeats {
		return n, Invalid(field+".repeats", "must be 0 to %d", MaxMenuRepeats)
	}
	if len(n.Choices) > MaxMenuChoices {
		return n, Invalid(field+".choices", "at most %d choices", MaxMenuChoices)
	}
	n.Choices = append([]MenuChoice(nil), n.Choices...)
	digits := map[string]int{}
	words := map[string]int{}
	for j, c := range n.Choices {
		cf := fmt.Sprintf("%s.choices[%d]", field, j)
		if c.Digit == "" && len(c.Words) == 0 {
			return n, Invalid(cf+".digit", "a choice needs a digit or words")
		}
		if c.Digit != "" {
			if len(c.Digit) != 1 || !strings.Contains(menuDigits, c.Digit) {
				return n, Invalid(cf+".digit", "%q is not one key: 0-9, * or #", c.Digit)
			}
			if k, dup := digits[c.Digit]; dup {
				return n, Invalid(cf+".digit", "digit %s is already choice %d of node %s", c.Digit, k, n.ID)
			}
			digits[c.Digit] = j
		}
		if len(c.Words) > MaxMenuWords {
			return n, Invalid(cf+".words", "at most %d words", MaxMenuWords)
		}
		c.Words = append([]string(nil), c.Words...)
		for k, w := range c.Words {
			wf := fmt.Sprintf("%s.words[%d]", cf, k)
			w = NormalizeWords(w)
			if w == "" {
				return n, Invalid(wf, "empty")
			}
			if err := maxLen(wf, w, MaxMenuWordLen); err != nil {
				return n, err
			}
			if other, dup := words[w]; dup {
				return n, Invalid(wf, "%q is already a word of choice %d of node %s", w, other, n.ID)
			}
			words[w] = j
			c.Words[k] = w
		}
		if err := c.Action.check(cf+".action", index); err != nil {
			return n, err
		}
		n.Choices[j] = c
	}
	return n, n.Default.check(field+".default_action", index)
}

func (a MenuAction) check(field string, index map[MenuNodeID]int) error {
	switch a.Kind {
	case MenuToQueue:
		if !ValidSlug(string(a.Queue)) {
			return Invalid(field+".queue_id", "must be a queue's id")
		}
	case MenuToVoicemail:
		if !ValidSlug(string(a.Queue)) {
			return Invalid(field+".voicemail_queue_id", "must be a queue's id")
		}
	case MenuToNumber:
		if _, err := MenuNumberContact(field+".number", a.Number); err != nil {
			return err
		}
	case MenuToNode:
		if _, ok := index[a.Node]; !ok {
			return Invalid(field+".node_id", "no node %q in this menu", a.Node)
		}
	default:
		return Invalid(field, "required: a queue, a number, a queue's voicemail or a node")
	}
	return nil
}

// checkGraph refuses cycles and nodes the start does not lead to.
func (m Menu) checkGraph(index map[MenuNodeID]int) error {
	const (
		unseen = iota
		open   // on the path being walked
		done
	)
	mark := make([]int, len(m.Nodes))
	var walk func(i int) error
	walk = func(i int) error {
		mark[i] = open
		n := m.Nodes[i]
		edges := func(yield func(string, MenuAction) bool) {
			for j, c := range n.Choices {
				if !yield(fmt.Sprintf("menu.nodes[%d].choices[%d].action.node_id", i, j), c.Action) {
					return
				}
			}
			yield(fmt.Sprintf("menu.nodes[%d].default_action.node_id", i), n.Default)
		}
		for field, a := range edges {
			if a.Kind != MenuToNode {
				continue
			}
			k := index[a.Node]
			switch mark[k] {
			case open:
				return Invalid(field, "node %s leads back to node %s: a menu has no cycles", n.ID, a.Node)
			case unseen:
				if err := walk(k); err != nil {
					return err
				}
			}
		}
		mark[i] = done
		return nil
	}
	if err := walk(0); err != nil {
		return err
	}
	for i, n := range m.Nodes {
		if mark[i] == unseen {
			return Invalid(fmt.Sprintf("menu.nodes[%d].node_id", i), "node %s cannot be reached from the first node %s", n.ID, m.Nodes[0].ID)
		}
	}
	return nil
}

// Node returns the node id of m.
func (m Menu) Node(id MenuNodeID) (MenuNode, bool) {
	for _, n := range m.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return MenuNode{}, false
}

// Actions calls yield with every action of m that leaves the menu (to a queue, a number or a
// voicemail).
func (m Menu) Actions(yield func(field string, a MenuAction) bool) {
	for i, n := range m.Nodes {
		for j, c := range n.Choices {
			if c.Action.Kind != MenuToNode && !yield(fmt.Sprintf("menu.nodes[%d].choices[%d].action", i, j), c.Action) {
				return
			}
		}
		if n.Default.Kind != MenuToNode && !yield(fmt.Sprintf("menu.nodes[%d].default_action", i), n.Default) {
			return
		}
	}
}

// MenuNumberContact reads a menu's "number" action: an E.164 number, a "sip:"/"sips:" URI or
// "user:<name>" (a Voximplant user).
func MenuNumberContact(field, number string) (Contact, error) {
	var c Contact
	switch {
	case strings.HasPrefix(number, "user:"):
		c = Contact{Kind: ContactUser, Target: strings.TrimPrefix(number, "user:")}
	case strings.HasPrefix(number, "sip:"), strings.HasPrefix(number, "sips:"):
		c = Contact{Kind: ContactSIP, Target: number}
	default:
		if !e164Pattern.MatchString(number) {
			return c, Invalid(field, "%q is not a number: E.164 like +14155550100, sip:… or user:<name>", number)
		}
		c = Contact{Kind: ContactPSTN, Target: number}
	}
	if err := c.check(field); err != nil {
		return c, Invalid(field, "%q is not a number: E.164 like +14155550100, sip:… or user:<name>", number)
	}
	return c, nil
}

// NormalizeWords is how menu words are compared, here and in the scenario: lower case, letters,
// digits and apostrophes, single spaces ("Sales, please!" reads "sales please").
func NormalizeWords(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || r == '\'' {
			return r
		}
		return ' '
	}, strings.ToLower(s))
	return strings.Join(strings.Fields(s), " ")
}

// MenuStep is one node a caller went through and what took him on: the key he pressed, the
// words he said (as the cloud recognised them), or TimedOut (the node's default, after its
// repeats of silence or of answers that matched nothing).
type MenuStep struct {
	Node     MenuNodeID `json:"n"`
	Digit    string     `json:"d,omitempty"`
	Words    string     `json:"w,omitempty"`
	TimedOut bool       `json:"t,omitempty"`
}

// MenuExit is how a call left its menu: by Action, or hung up in it (Action zero).
type MenuExit struct {
	Path   []MenuStep
	Action MenuAction
}

// Name is the exit as reports count it: the action's String, or "hangup".
func (x MenuExit) Name() string {
	if x.Action.Kind == "" {
		return "hangup"
	}
	return x.Action.String()
}

// Follow checks that exit is a walk through m the scenario could have taken and returns where
// it leads (zero for a hang-up): it starts at the first node, each step leaves its node by one
// of the node's choices (digit or words) or its default, and the last step leaves the menu by
// the exit's action, when the exit names one. A hang-up's path ends where the caller was: its
// last step has no answer. Fields are the event's: "menu_chosen.path[2]".
func (m Menu) Follow(x MenuExit) (MenuAction, error) {
	if len(x.Path) == 0 {
		return MenuAction{}, Invalid("menu_chosen.path", "required: at least the first node")
	}
	if len(x.Path) > MaxMenuPathSteps {
		return MenuAction{}, Invalid("menu_chosen.path", "at most %d steps", MaxMenuPathSteps)
	}
	at := m.Nodes[0].ID
	for i, s := range x.Path {
		field := fmt.Sprintf("menu_chosen.path[%d]", i)
		if s.Node != at {
			return MenuAction{}, Invalid(field+".node_id", "the caller was at node %q, not %q", at, s.Node)
		}
		n, _ := m.Node(at)
		last := i == len(x.Path)-1
		if last && s.Digit == "" && s.Words == "" && !s.TimedOut {
			if x.Action.Kind != "" {
				return MenuAction{}, Invalid(field, "the last step has no answer: only a hang-up ends so")
			}
			return MenuAction{}, nil // hung up here
		}
		a, ok := n.follow(s)
		if !ok {
			return MenuAction{}, Invalid(field, "no choice of node %s matches it", n.ID)
		}
		if a.Kind == MenuToNode {
			if last {
				return MenuAction{}, Invalid(field, "it leads on to node %s: the path stops short", a.Node)
			}
			at = a.Node
			continue
		}
		if !last {
			return MenuAction{}, Invalid(fmt.Sprintf("menu_chosen.path[%d]", i+1), "node %s left the menu by %s", n.ID, a)
		}
		if x.Action.Kind != "" && x.Action != a {
			return MenuAction{}, Invalid("menu_chosen.action", "the path leads to %s, not %s", a, x.Action)
		}
		return a, nil
	}
	return MenuAction{}, nil
}

// follow is where step s leads from node n.
func (n MenuNode) follow(s MenuStep) (MenuAction, bool) {
	switch {
	case s.TimedOut:
		return n.Default, true
	case s.Digit != "":
		for _, c := range n.Choices {
			if c.Digit == s.Digit {
				return c.Action, true
			}
		}
	case s.Words != "":
		heard := " " + NormalizeWords(s.Words) + " "
		for _, c := range n.Choices {
			for _, w := range c.Words {
				if strings.Contains(heard, " "+w+" ") {
					return c.Action, true
				}
			}
		}
	}
	return MenuAction{}, false
}

// MenuCount is how many calls left a menu one way (Exit), or gave one answer (Answer: a
// digit, "words" or "timeout") at one node.
type MenuCount struct {
	Exit   string
	Node   MenuNodeID
	Answer string
	Calls  int
}

// MenuReport is one menu's calls over some time: how many entered it, how they left it and the
// answers given at its nodes, most first.
type MenuReport struct {
	Menu    MenuID
	Calls   int
	Exits   []MenuCount
	Choices []MenuCount
}

// CountMenuTrips sums the calls that went through menus (their Menu, MenuPath and MenuExit) by
// menu, in the order of the menus' ids. A call still in its menu has the exit "".
func CountMenuTrips(calls []Call) []MenuReport {
	type key struct {
		exit, answer string
		node         MenuNodeID
	}
	type tally struct {
		calls          int
		exits, choices map[key]int
	}
	byMenu := map[MenuID]*tally{}
	for _, c := range calls {
		t := byMenu[c.Menu]
		if t == nil {
			t = &tally{exits: map[key]int{}, choices: map[key]int{}}
			byMenu[c.Menu] = t
		}
		t.calls++
		t.exits[key{exit: c.MenuExit}]++
		for _, s := range c.MenuPath {
			answer := s.Digit
			switch {
			case s.TimedOut:
				answer = "timeout"
			case s.Digit == "" && s.Words != "":
				answer = "words"
			case s.Digit == "":
				continue // where he hung up
			}
			t.choices[key{node: s.Node, answer: answer}]++
		}
	}
	counts := func(m map[key]int, byNode bool) []MenuCount {
		out := make([]MenuCount, 0, len(m))
		for k, n := range m {
			out = append(out, MenuCount{Exit: k.exit, Node: k.node, Answer: k.answer, Calls: n})
		}
		slices.SortFunc(out, func(a, b MenuCount) int {
			if byNode && a.Node != b.Node {
				return strings.Compare(string(a.Node), string(b.Node))
			}
			if a.Calls != b.Calls {
				return b.Calls - a.Calls
			}
			return strings.Compare(a.Exit+a.Answer, b.Exit+b.Answer)
		})
		return out
	}
	out := make([]MenuReport, 0, len(byMenu))
	for id, t := range byMenu {
		out = append(out, MenuReport{Menu: id, Calls: t.calls, Exits: counts(t.exits, false), Choices: counts(t.choices, true)})
	}
	slices.SortFunc(out, func(a, b MenuReport) int { return strings.Compare(string(a.Menu), string(b.Menu)) })
	return out
}

// MenuTripText is call c's way through its menu in words, for its timeline:
// "main: start 2, more (silence) → queue:support".
func MenuTripText(c Call) string {
	var b strings.Builder
	b.WriteString(string(c.Menu) + ":")
	for i, s := range c.MenuPath {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" " + string(s.Node))
		switch {
		case s.TimedOut:
			b.WriteString(" (silence)")
		case s.Digit != "":
			b.WriteString(" " + s.Digit)
		case s.Words != "":
			b.WriteString(" \"" + s.Words + "\"")
		}
	}
	return b.String() + " → " + c.MenuExit
}
