package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/softphone"
)

// The demo's credentials: printed at start, never used outside `tandem demo`.
const (
	demoCloudSecret = "demo-cloud-secret"
	demoAdminKey    = "demo-admin-key"
	demoPassword    = "demo-password"
	demoNumber      = "+18005550100" // support; the first demo's only queue
	demoMenuNumber  = "+18005550400" // the main line: its IVR menu leads to sales, support or support's voicemail
	// demoPhoneUser takes calls in the browser: her Voximplant user has this password (the
	// launcher, clients/voxengine/demo/run.js, gives the emulated Web SDK the same one).
	demoPhoneUser     = "anna"
	demoPhonePassword = "demo-softphone"
	// demoSupervisorKey is olga's access key to the supervisor pages. Signed in as herself
	// (account demoSupervisorUser), her browser phone is the Voximplant user demoSupervisorUser
	// with demoPhonePassword (run.js knows her too), and Monitor rings her there.
	demoSupervisorKey  = "tdk_demo-supervisor-olga"
	demoSupervisorUser = "olga"
	demoSupervisorID   = "key_demo_olga"
	// demoSecondLine is the visitor's colleague to transfer to: in no queue (see demoOperators).
	demoSecondLine = "boris"
)

// earlierSecondLineSkills are the queues the demo gave boris before he became the second line:
// a database that still has exactly these is moved on (a visitor's own choice is kept).
var earlierSecondLineSkills = skills("support", 3, "vip", 3)

// The demo call center: four queues (the night line closed whenever the demo starts), twenty operators (two of them left to the visitor, the
// rest played by the traffic generator in clients/voxengine/demo), clients with personal
// managers, two spare numbers that sales overflows to, and two absences. Everything has a
// fixed id: seedDemo creates what a database lacks and leaves what it has, so the database of
// an earlier demo (queue support, operators anna, boris and carla) is upgraded in place.

type demoQueue struct {
	id, name, number string
	strategy         callcenter.Strategy
	ring, wrapUp     time.Duration
	priority         int
	isDefault        bool
	sl               callcenter.ServiceLevel
	managerWait      time.Duration
	overflow         callcenter.Overflow
	greeting         string
	alerts           callcenter.AlertThresholds
	dispositions     []callcenter.Disposition
	needDisposition  bool // operators set one before they are free again
	// night: the queue's hours close it whenever the demo starts (nightHours); a call past
	// its longest wait moves to support.
	night bool
	// callbackAfter: a caller who waited this long is offered a call back (when the server
	// can start callbacks: make demo points it at the emulator's StartScenarios).
	callbackAfter time.Duration
}

var demoQueues = []demoQueue{
	{
		id: "support", name: "Support", number: demoNumber, strategy: callcenter.StrategyLongestIdle,
		ring: 20 * time.Second, wrapUp: 10 * time.Second, isDefault: true,
		sl:            callcenter.ServiceLevel{Threshold: 20 * time.Second, Target: 80},
		managerWait:   20 * time.Second,
		greeting:      "Thank you for calling. An operator will be with you shortly.",
		alerts:        callcenter.AlertThresholds{WaitingOver: 6, LongestWaitOver: 60 * time.Second, MissesInRow: 3},
		callbackAfter: 20 * time.Second,
		dispositions: []callcenter.Disposition{
			{Code: "solved", Label: "Solved"}, {Code: "callback", Label: "Call back later"}, {Code: "escalated", Label: "Escalated"}, {Code: "wrong_number", Label: "Wrong number"},
		},
	},
	{
		id: "sales", name: "Sales", number: "+18005550200", strategy: callcenter.StrategyFewestCalls,
		ring: 15 * time.Second, wrapUp: 5 * time.Second,
		sl:          callcenter.ServiceLevel{Threshold: 30 * time.Second, Target: 70},
		managerWait: 20 * time.Second,
		// Nobody free for 20 s: the partner call center, then the back office, three at once at most.
		overflow: callcenter.Overflow{After: 20 * time.Second, Spares: []callcenter.SpareID{"partner", "backoffice"}, MaxAtOnce: 3, Order: callcenter.SpareInTurn},
		greeting: "Thank you for calling sales. Someone will be with you in a moment.",
		// The overload spell floods sales: more than three waiting for 5 s raises an alert.
		alerts: callcenter.AlertThresholds{WaitingOver: 3, LongestWaitOver: 45 * time.Second, ServiceLevelUnder: 50, Hold: 5 * time.Second},
		// Every sales call ends with what came of it: its operator is not free again until he says.
		dispositions: []callcenter.Disposition{
			{Code: "sale", Label: "Sale made"}, {Code: "quote", Label: "Quote sent"}, {Code: "no_sale", Label: "No sale"}, {Code: "callback", Label: "Call back later"},
		},
		needDisposition: true,
		// A caller still waiting after 10 s may ask to be called back (before the spares at 20 s).
		callbackAfter: 10 * time.Second,
	},
	{
		id: "vip", name: "VIP line", number: "+18005550300", strategy: callcenter.StrategySkillLevel,
		ring: 15 * time.Second, wrapUp: 15 * time.Second, priority: 10,
		sl:          callcenter.ServiceLevel{Threshold: 10 * time.Second, Target: 90},
		managerWait: 15 * time.Second,
		greeting:    "Welcome back. Connecting you to your team.",
	},
	{
		id: "night", name: "Night line", number: "+18005550500", strategy: callcenter.StrategyLongestIdle,
		ring: 20 * time.Second, wrapUp: 10 * time.Second,
		sl:          callcenter.ServiceLevel{Threshold: 20 * time.Second, Target: 80},
		managerWait: 20 * time.Second,
		greeting:    "Thank you for calling the night line.",
		night:       true,
	},
}

// nightClosedText is what the demo's night line says while it is closed (the reason, "closed
// until …", is on the wallboard and the call's timeline).
const nightClosedText = "The night line is closed now. For help, please call our support line. Goodbye."

// nightHours are the night line's hours aimed at now: open twelve hours every day, from six
// hours after now (UTC, on the hour), so the demo shows it closed — its night hours — whenever
// it runs, and says until when.
func nightHours(now time.Time) callcenter.Hours {
	from := time.Duration((now.UTC().Hour()+6)%24) * time.Hour
	to := (from + 12*time.Hour) % (24 * time.Hour)
	h := callcenter.Hours{TimeZone: "UTC"}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if from < to {
			h.Weekly = append(h.Weekly, callcenter.OpenSpan{Day: d, From: from, To: to})
			continue
		}
		h.Weekly = append(h.Weekly, callcenter.OpenSpan{Day: d, From: from, To: 24 * time.Hour})
		if to > 0 {
			h.Weekly = append(h.Weekly, callcenter.OpenSpan{Day: d, From: 0, To: to})
		}
	}
	return h
}

// nightRules gives the night line its hours (aimed at now), its closed message and a longest
// wait that moves a call to support.
func nightRules(r *callcenter.QueueRules, now time.Time) {
	r.Hours = nightHours(now)
	r.ClosedExit = callcenter.Exit{Kind: callcenter.ExitMessage, Text: nightClosedText}
	r.LongestWait = callcenter.WaitCap{After: time.Minute, Exit: callcenter.Exit{Kind: callcenter.ExitQueue, Queue: "support"}}
}

// demoMenu is the demo's main line: an IVR menu that sends callers to sales or support by a key
// or a word (the traffic generator's callers choose either way, and some say nothing), or to
// support's voicemail (a few leave a message, which support calls back).
var demoMenu = callcenter.Menu{
	ID: "main", Name: "Main line", DialedNumbers: []string{demoMenuNumber},
	Nodes: []callcenter.MenuNode{{
		ID: "start", Text: "Thank you for calling. For sales press 1 or say sales. For support press 2 or say support. To leave a message press 3.",
		Timeout: 5 * time.Second, Repeats: 1,
		Choices: []callcenter.MenuChoice{
			{Digit: "1", Words: []string{"sales", "buy"}, Action: callcenter.MenuAction{Kind: callcenter.MenuToQueue, Queue: "sales"}},
			{Digit: "2", Words: []string{"support", "help"}, Action: callcenter.MenuAction{Kind: callcenter.MenuToQueue, Queue: "support"}},
			{Digit: "3", Words: []string{"message", "voicemail"}, Action: callcenter.MenuAction{Kind: callcenter.MenuToVoicemail, Queue: "support"}},
		},
		Default: callcenter.MenuAction{Kind: callcenter.MenuToQueue, Queue: "support"},
	}},
}

type demoOperator struct {
	name, display string
	queues        []callcenter.QueueSkill
	human         bool // left for the visitor: the traffic generator never logs him in
}

func skills(pairs ...any) []callcenter.QueueSkill {
	var out []callcenter.QueueSkill
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, callcenter.QueueSkill{Queue: callcenter.QueueID(pairs[i].(string)), Level: pairs[i+1].(int)})
	}
	return out
}

// demoOperators: anna, boris and carla came with the first demo. The traffic generator
// (clients/voxengine/demo/traffic.js, its --humans flag) leaves anna and boris alone. boris
// (demoSecondLine) serves no queue: calls reach him only when the visitor transfers one to him,
// so whenever he is Ready he is free for it; in a queue its calls would keep him busy.
var demoOperators = []demoOperator{
	{"anna", "Anna Petrova", skills("support", 3, "sales", 3), true},
	{demoSecondLine, "Boris Ivanov", nil, true},
	{"carla", "Carla Mendes", skills("support", 3), false},
	{"dmitri", "Dmitri Sokolov", skills("support", 3, "vip", 4), false},
	{"elena", "Elena Garcia", skills("support", 4), false},
	{"farid", "Farid Haddad", skills("support", 2, "sales", 3), false},
	{"grace", "Grace Kim", skills("support", 3), false},
	{"hugo", "Hugo Lambert", skills("support", 2), false},
	{"ines", "Ines Costa", skills("support", 4, "vip", 5), false},
	{"jonas", "Jonas Weber", skills("support", 3), false},
	{"kenji", "Kenji Sato", skills("support", 3, "sales", 4), false},
	{"lena", "Lena Novak", skills("sales", 4), false},
	{"marco", "Marco Rossi", skills("sales", 3), false},
	{"nadia", "Nadia Karimi", skills("sales", 5), false},
	{"oscar", "Oscar Lindqvist", skills("sales", 2), false},
	{"priya", "Priya Sharma", skills("vip", 5, "support", 3), false},
	{"quentin", "Quentin Moreau", skills("vip", 4), false},
	{"rosa", "Rosa Delgado", skills("vip", 3, "support", 3), false},
	{"sofia", "Sofia Ivanova", skills("support", 4), false}, // on vacation
	{"tomas", "Tomas Novak", skills("sales", 3), false},     // on sick leave
}

// demoClients are callers with a personal manager (the traffic generator calls from them).
var demoClients = []struct{ number, manager string }{
	{"+14155550111", "ines"},
	{"+14155550112", "priya"},
	{"+14155550113", "dmitri"},
	{"+14155550114", "sofia"}, // her callers hear that she is on vacation
	{"+14155550115", "quentin"},
	{"+14155550116", "tomas"}, // his, that he is on sick leave
	{"+14155550117", "rosa"},
}

var demoSpares = []callcenter.Spare{
	{ID: "partner", Name: "Partner call center", Contact: callcenter.Contact{Kind: callcenter.ContactPSTN, Target: "+18005550900"},
		MaxConcurrent: 2, DailyCap: 500, Cooldown: 30 * time.Second},
	{ID: "backoffice", Name: "Back office", Contact: callcenter.Contact{Kind: callcenter.ContactPSTN, Target: "+18005550901"},
		MaxConcurrent: 1, DailyCap: 200, Cooldown: 30 * time.Second},
}

// demoAbsences, in days from today. They are written again at every start (same ids), so
// they stay current however old the database is.
var demoAbsences = []struct {
	id, operator string
	kind         callcenter.AbsenceKind
	from, to     int
}{
	{"demo-sofia-vacation", "sofia", callcenter.AbsenceVacation, -3, 6},
	{"demo-tomas-sick", "tomas", callcenter.AbsenceSick, -1, 1},
}

func demoOperatorID(name string) callcenter.OperatorID { return callcenter.OperatorID("op_" + name) }

// demoFlags reads the demo's own flag (--reset) and leaves the rest to Main.ParseFlags.
func demoFlags(args []string) (rest []string, reset bool) {
	for _, a := range args {
		switch a {
		case "--reset", "-reset", "--reset=true", "-reset=true":
			reset = true
		case "--reset=false", "-reset=false":
			reset = false
		default:
			rest = append(rest, a)
		}
	}
	return rest, reset
}

// resetDemo deletes the demo database (and its WAL files) before a fresh start.
func resetDemo(path string, w io.Writer) error {
	if strings.Contains(path, "://") {
		return errors.New("--reset deletes a SQLite file; for another database empty it yourself")
	}
	var errs []error
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("--reset: %w", err)
	}
	fmt.Fprintf(w, "demo: starting from a new database %s\n", path)
	return nil
}

// parseDemo sets Main up for `tandem demo [--reset] [serve flags]`.
func parseDemo(m *Main, args []string, stdout io.Writer) error {
	m.DBPath, m.Demo = "tandem-demo.db", true
	m.CloudSecrets, m.AdminKey = []string{demoCloudSecret}, demoAdminKey
	rest, reset := demoFlags(args)
	if err := m.ParseFlags("demo", rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "  -reset\n    \tdelete the demo database first and start afresh (default: reuse it, adding what it lacks)")
		}
		return err
	}
	if reset {
		return resetDemo(m.DBPath, stdout)
	}
	return nil
}

// seedDemo brings the database up to the demo call center: whatever is missing by id is
// created, whatever is there is kept (a visitor's changes survive a restart). One item that
// cannot be created (say, its number taken by a queue the visitor made) is logged and skipped:
// the demo runs with the rest.
func seedDemo(ctx context.Context, m *Main) error {
	var hash string
	passwordHash := func() (string, error) {
		if hash != "" {
			return hash, nil
		}
		cost := m.PasswordCost
		if cost == 0 {
			cost = bcrypt.DefaultCost
		}
		b, err := bcrypt.GenerateFromPassword([]byte(demoPassword), cost)
		hash = string(b)
		return hash, err
	}
	created := 0
	// made notes the outcome of one item: an item that cannot be made is logged and skipped.
	made := func(what string, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			m.Logger.Warn("demo: skipped", "item", what, "err", err)
			return nil
		}
		created++
		return nil
	}
	// missing says whether a read found nothing; another error stops the seeding.
	missing := func(err error) (bool, error) {
		if callcenter.ErrorCode(err) == callcenter.CodeNotFound {
			return true, nil
		}
		return false, err
	}
	for _, sp := range demoSpares {
		_, _, err := m.board.Spare(ctx, sp.ID)
		if none, err := missing(err); err != nil {
			return err
		} else if !none {
			continue
		}
		_, err = m.board.CreateSpare(ctx, sp)
		if err := made("spare "+string(sp.ID), err); err != nil {
			return err
		}
	}
	for _, dq := range demoQueues {
		rules := callcenter.DefaultRules()
		rules.ServiceLevel = dq.sl
		rules.ManagerWait = dq.managerWait
		rules.Overflow.Order = callcenter.SpareInTurn
		if dq.overflow.After > 0 {
			rules.Overflow = dq.overflow
		}
		rules.AnnounceEvery = 30 * time.Second
		rules.Alerts = dq.alerts
		rules.Dispositions, rules.DispositionRequired = dq.dispositions, dq.needDisposition
		if dq.night {
			nightRules(&rules, m.Clock.Now())
		}
		if dq.callbackAfter > 0 && m.Dialer != nil {
			rules.Callback = callcenter.CallbackRules{OfferAfter: dq.callbackAfter}
		}
		q := callcenter.Queue{
			ID: callcenter.QueueID(dq.id), Name: dq.name, DialedNumbers: []string{dq.number}, Strategy: dq.strategy,
			OfferTimeout: dq.ring, WrapUp: dq.wrapUp, Priority: dq.priority, Greeting: dq.greeting, IsDefault: dq.isDefault, Rules: rules,
		}
		cur, err := m.board.Queue(ctx, q.ID)
		if none, err := missing(err); err != nil {
			return err
		} else if !none {
			if open, _ := cur.Rules.Hours.Open(m.Clock.Now()); dq.night && open && cur.Rules.Hours.Set() {
				// A later demo, another time of day: its night is aimed at now again.
				nightRules(&cur.Rules, m.Clock.Now())
				if err := made("night hours of queue "+dq.id, m.board.UpdateQueue(ctx, cur)); err != nil {
					return err
				}
			}
			continue
		}
		if err := made("queue "+dq.id, m.board.CreateQueue(ctx, q)); err != nil {
			return err
		}
	}
	for _, o := range demoOperators {
		id := demoOperatorID(o.name)
		cur, err := m.board.Operator(ctx, id)
		if none, err := missing(err); err != nil {
			return err
		} else if !none {
			// An earlier demo's anna lacks her browser phone: add its password (nothing else).
			if o.name == demoPhoneUser && cur.SoftphoneHA1 == "" && cur.Contact.Kind == callcenter.ContactUser {
				ha1 := softphone.HA1(cur.Contact.Target, demoPhonePassword)
				_, err := m.board.UpdateOperator(ctx, id, callcenter.OperatorUpdate{SoftphoneHA1: &ha1})
				if err := made("browser phone of "+o.name, err); err != nil {
					return err
				}
			}
			// An earlier demo's boris serves queues whose calls would keep him from transfers.
			if o.name == demoSecondLine && slices.Equal(cur.Queues, earlierSecondLineSkills) {
				_, err := m.board.UpdateOperator(ctx, id, callcenter.OperatorUpdate{ReplaceQueues: true})
				if err := made("second line "+o.name, err); err != nil {
					return err
				}
			}
			continue
		}
		h, err := passwordHash() // bcrypt only when someone is missing: a second start stays quick
		if err != nil {
			return err
		}
		var qs []callcenter.QueueSkill
		for _, s := range o.queues {
			if _, err := m.board.Queue(ctx, s.Queue); err == nil { // a queue that could not be made is left out
				qs = append(qs, s)
			}
		}
		op := callcenter.Operator{
			ID: id, Name: o.name, DisplayName: o.display, PasswordHash: h,
			Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: o.name},
			Queues:  qs, CreatedAt: m.Clock.Now(),
		}
		if o.name == demoPhoneUser {
			op.SoftphoneHA1 = softphone.HA1(o.name, demoPhonePassword)
		}
		err = m.board.CreateOperator(ctx, op)
		if err := made("operator "+o.name, err); err != nil {
			return err
		}
	}
	if _, err := m.board.Menu(ctx, demoMenu.ID); err != nil {
		if none, err := missing(err); err != nil {
			return err
		} else if none {
			_, err := m.board.PutMenu(ctx, demoMenu)
			if err := made("menu "+string(demoMenu.ID), err); err != nil {
				return err
			}
		}
	}
	if err := seedDemoSupervisor(ctx, m, made); err != nil {
		return err
	}
	if err := seedDemoAccount(ctx, m, passwordHash, made); err != nil {
		return err
	}
	for _, c := range demoClients {
		cl, err := m.board.Client(ctx, c.number)
		if none, err := missing(err); err != nil {
			return err
		} else if !none && (cl.Manager != "" || !cl.DeclinedAt.IsZero()) {
			continue
		}
		_, err = m.board.SetClient(ctx, c.number, demoOperatorID(c.manager))
		if err := made("client "+c.number, err); err != nil {
			return err
		}
	}
	for _, a := range demoAbsences {
		op, err := m.board.Operator(ctx, demoOperatorID(a.operator))
		if none, err := missing(err); err != nil {
			return err
		} else if none {
			continue
		}
		today := m.Clock.Now().In(op.Hours.Location())
		err = m.board.PutAbsence(ctx, callcenter.Absence{
			ID: a.id, Operator: op.ID, Kind: a.kind,
			From: today.AddDate(0, 0, a.from).Format(time.DateOnly), To: today.AddDate(0, 0, a.to).Format(time.DateOnly),
		})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil { // put again at every start, so not counted as made
			m.Logger.Warn("demo: skipped", "item", "absence "+a.id, "err", err)
		}
	}
	m.Logger.Info("demo data", "created", created)
	return nil
}

// seedDemoSupervisor makes olga's supervisor key. An earlier demo gave the key her browser
// phone, which is now hers as a person (seedDemoAccount): the key's is taken away.
func seedDemoSupervisor(ctx context.Context, m *Main, made func(string, error) error) error {
	k, err := m.db.APIKey(ctx, demoSupervisorID)
	switch {
	case callcenter.ErrorCode(err) == callcenter.CodeNotFound:
		return made("supervisor key", m.db.CreateAPIKey(ctx, callcenter.APIKey{
			ID: demoSupervisorID, Name: demoSupervisorUser, Role: "supervisor", Hash: auth.SecretHash(demoSupervisorKey),
			CreatedAt: m.Clock.Now(), CreatedBy: "demo",
		}))
	case err != nil:
		return err
	}
	if k.SoftphoneUser == demoSupervisorUser && k.RevokedAt.IsZero() {
		_, err := m.db.SetAPIKeySoftphone(ctx, k.ID, "", "")
		return made("browser phone moved from the supervisor key", err)
	}
	return nil
}

// seedDemoAccount makes olga's account, so she signs in to the supervisor pages as herself
// (name and password), with her browser phone; her key above stays for machines.
func seedDemoAccount(ctx context.Context, m *Main, passwordHash func() (string, error), made func(string, error) error) error {
	_, err := m.db.Account(ctx, demoSupervisorUser)
	switch {
	case callcenter.ErrorCode(err) == callcenter.CodeNotFound:
		h, err := passwordHash()
		if err != nil {
			return err
		}
		err = made("supervisor account", m.db.CreateAccount(ctx, callcenter.Account{
			Name: demoSupervisorUser, DisplayName: "Olga (supervisor)", Role: "supervisor", PasswordHash: h, CreatedAt: m.Clock.Now(), CreatedBy: "demo",
		}))
		if err != nil {
			return err
		}
	case err != nil:
		return err
	}
	phones, err := m.db.PersonPhones(ctx)
	if err != nil || slices.ContainsFunc(phones, func(p callcenter.PersonPhone) bool { return p.Person == demoSupervisorUser }) {
		return err
	}
	return made("browser phone of olga", m.db.SetPersonPhone(ctx, callcenter.PersonPhone{
		Person: demoSupervisorUser, User: demoSupervisorUser, HA1: softphone.HA1(demoSupervisorUser, demoPhonePassword)}))
}

// demoPhoneText says how anna's browser phone works in this run.
func demoPhoneText(m *Main) string {
	who := fmt.Sprintf("%s answers in the browser (Voximplant user %s, password %s)", demoPhoneUser, demoPhoneUser, demoPhonePassword)
	switch {
	case m.VoxEmulator != "" && m.VoximplantApp != "":
		return who + ",\n                 over the emulated Voximplant Web SDK at " + m.VoxEmulator + "; the others' phones are simulated;\n                 " +
			"supervisor " + demoSupervisorUser + " (signed in as herself) answers Monitor in her browser"
	case m.VoximplantApp != "":
		return who + ",\n                 through Voximplant's application " + m.VoximplantApp
	}
	return "off (no --voximplant-app); make demo runs one over the emulator"
}

func printDemo(w io.Writer, m *Main) {
	url := m.URL
	if host, port, err := net.SplitHostPort(strings.TrimPrefix(url, "http://")); err == nil && (host == "::" || host == "0.0.0.0" || host == "") {
		url = "http://localhost:" + port // listening on every address: say the one a browser here takes
	}
	var humans, queues []string
	sims := 0
	for _, o := range demoOperators {
		if o.human {
			humans = append(humans, o.name)
		} else {
			sims++
		}
	}
	absent := len(demoAbsences)
	for _, q := range demoQueues {
		queues = append(queues, fmt.Sprintf("%s %s", q.id, q.number))
	}
	fmt.Fprintf(w, `
Tandem demo is running at %s  (database %s)

  Wallboard:     %s/supervisor   sign in as %s / %s (supervisor account, with her browser
                 phone), or with an access key: %s (admin) or %s (supervisor %s's key)
  Operator app:  %s   log in as %s / %s (nobody simulates them:
                 press Ready and take calls yourself; %s is in no queue: transfer to him)
  Browser phone: %s
  Queues:        %s
  IVR menu:      %s %s: 1 or "sales" for sales, 2 or "support" for support
  Simulated:     %d operators (%d of them absent today), when the traffic generator runs
                 (make demo starts it; tandem demo alone only serves)
  Admin API key: %s   (tandemctl --url %s --key %s operators)
  Cloud secret:  %s   (the scenario signs its requests with it)

Stop with Ctrl-C.
`, url, m.DBPath, url, demoSupervisorUser, demoPassword, demoAdminKey, demoSupervisorKey, demoSupervisorUser, url, strings.Join(humans, " or "), demoPassword, demoSecondLine, demoPhoneText(m),
		strings.Join(queues, ", "), demoMenu.Name, demoMenuNumber, sims, absent, demoAdminKey, url, demoAdminKey, demoCloudSecret)
}
