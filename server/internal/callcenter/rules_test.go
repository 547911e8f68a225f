package callcenter

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// invalidField returns the field an error names, failing unless it is a CodeInvalid *Error.
func invalidField(t *testing.T, err error) string {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalid || e.Message == "" {
		t.Fatalf("want an invalid-field error, got %v", err)
	}
	return e.Field
}

// checked is what a Check returns, for the tables below.
type checked[T any] func(T) (T, error)

// wantDefaults checks that in comes back as want, and that checking that again changes nothing
// (rpc checks what it reads and the engine checks what it is given).
func wantDefaults[T any](t *testing.T, check checked[T], in, want T) {
	t.Helper()
	got, err := check(in)
	if err != nil {
		t.Fatalf("Check(%+v): %v", in, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Check(%+v)\n = %+v\nwant %+v", in, got, want)
	}
	again, err := check(got)
	if err != nil || !reflect.DeepEqual(again, got) {
		t.Fatalf("checking again: %+v, %v", again, err)
	}
}

// wantRefused checks that each mutation of a valid value is refused, naming field.
func wantRefused[T any](t *testing.T, check checked[T], valid func() T, cases []refusal[T]) {
	t.Helper()
	if _, err := check(valid()); err != nil {
		t.Fatalf("the valid value is refused: %v", err)
	}
	for _, tc := range cases {
		v := valid()
		tc.mutate(&v)
		_, err := check(v)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if got := invalidField(t, err); got != tc.field {
			t.Errorf("%s: field %q (%v), want %q", tc.name, got, err, tc.field)
		}
	}
}

type refusal[T any] struct {
	name   string
	field  string
	mutate func(*T)
}

// wantAccepted checks that each mutation of a valid value (an edge of a limit) passes.
func wantAccepted[T any](t *testing.T, check checked[T], valid func() T, cases map[string]func(*T)) {
	t.Helper()
	for name, mutate := range cases {
		v := valid()
		mutate(&v)
		if _, err := check(v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func validQueue() Queue {
	return Queue{ID: "support", Name: "Support", DialedNumbers: []string{"+18005550100", "+18005550101"},
		Strategy: StrategySkillLevel, OfferTimeout: 15 * time.Second, WrapUp: 10 * time.Second, Priority: 5,
		HoldMusicURL: "https://cdn.example/hold.mp3", Greeting: "Hello.", Rules: DefaultRules(), RingAtOnce: 3}
}

func TestQueueCheckFillsDefaults(t *testing.T) {
	wantDefaults(t, Queue.Check, Queue{ID: "support"}, Queue{ID: "support", Name: "support", Strategy: StrategyLongestIdle,
		OfferTimeout: DefaultOfferTimeout, Rules: QueueRules{AwayAfterMisses: 1, Overflow: Overflow{Order: SpareInTurn}}})
	// Zeros that mean something stay: no wrap-up, never announce, never ban, no manager wait, no
	// overflow, the service level's defaults (read by OrDefaults).
	q := Queue{ID: "q", Rules: QueueRules{AwayAfterMisses: 2, Overflow: Overflow{Order: SparePriority}}}
	want := q
	want.Name, want.Strategy, want.OfferTimeout = "q", StrategyLongestIdle, DefaultOfferTimeout
	wantDefaults(t, Queue.Check, q, want)
	// A ring_all queue rings DefaultRingAtOnce at once unless it says.
	wantDefaults(t, Queue.Check, Queue{ID: "r", Strategy: StrategyRingAll}, Queue{ID: "r", Name: "r", Strategy: StrategyRingAll,
		OfferTimeout: DefaultOfferTimeout, RingAtOnce: DefaultRingAtOnce, Rules: QueueRules{AwayAfterMisses: 1, Overflow: Overflow{Order: SpareInTurn}}})
	// A queue that sets everything comes back as it was.
	wantDefaults(t, Queue.Check, validQueue(), validQueue())
}

func TestQueueCheckRefusesEachField(t *testing.T) {
	type q = refusal[Queue]
	rules := func(f func(*QueueRules)) func(*Queue) { return func(v *Queue) { f(&v.Rules) } }
	wantRefused(t, Queue.Check, validQueue, []q{
		{"no id", "queue.queue_id", func(v *Queue) { v.ID = "" }},
		{"capital id", "queue.queue_id", func(v *Queue) { v.ID = "Support" }},
		{"id with a space", "queue.queue_id", func(v *Queue) { v.ID = "the support" }},
		{"id too long", "queue.queue_id", func(v *Queue) { v.ID = QueueID(strings.Repeat("s", 64)) }},
		{"long name", "queue.name", func(v *Queue) { v.Name = strings.Repeat("n", 201) }},
		{"unknown strategy", "queue.strategy", func(v *Queue) { v.Strategy = "fastest" }},
		{"ring one at once", "queue.ring_at_once", func(v *Queue) { v.RingAtOnce = 1 }},
		{"ring 51 at once", "queue.ring_at_once", func(v *Queue) { v.RingAtOnce = 51 }},
		{"ring negative", "queue.ring_at_once", func(v *Queue) { v.RingAtOnce = -2 }},
		{"ring_all ringing one", "queue.ring_at_once", func(v *Queue) { v.Strategy, v.RingAtOnce = StrategyRingAll, 1 }},
		{"announce too often", "queue.announce_every_s", rules(func(r *QueueRules) { r.AnnounceEvery = 14 * time.Second })},
		{"announce too rarely", "queue.announce_every_s", rules(func(r *QueueRules) { r.AnnounceEvery = 601 * time.Second })},
		{"away after -1", "queue.away_after_misses", rules(func(r *QueueRules) { r.AwayAfterMisses = -1 })},
		{"away after 101", "queue.away_after_misses", rules(func(r *QueueRules) { r.AwayAfterMisses = 101 })},
		{"ban after 101", "queue.ban_after_misses", rules(func(r *QueueRules) { r.BanAfterMisses = 101 })},
		{"ban after -1", "queue.ban_after_misses", rules(func(r *QueueRules) { r.BanAfterMisses = -1 })},
		{"ban window over a week", "queue.ban_window_s", rules(func(r *QueueRules) { r.BanWindow = 8 * 24 * time.Hour })},
		{"negative ban window", "queue.ban_window_s", rules(func(r *QueueRules) { r.BanWindow = -time.Second })},
		{"11 ban steps", "queue.ban_steps_s", rules(func(r *QueueRules) { r.BanSteps = make([]time.Duration, 11) })},
		{"a ban shorter than a minute", "queue.ban_steps_s[1]", rules(func(r *QueueRules) { r.BanSteps = []time.Duration{time.Minute, 59 * time.Second} })},
		{"a ban over a week", "queue.ban_steps_s[0]", rules(func(r *QueueRules) { r.BanSteps = []time.Duration{8 * 24 * time.Hour} })},
		{"manager wait over 600 s", "queue.manager_wait_s", rules(func(r *QueueRules) { r.ManagerWait = 601 * time.Second })},
		{"negative manager wait", "queue.manager_wait_s", rules(func(r *QueueRules) { r.ManagerWait = -time.Second })},
		{"opt-in cooldown over ten years", "queue.opt_in_cooldown_days", rules(func(r *QueueRules) { r.OptInCooldown = 3651 * 24 * time.Hour })},
		{"template for an unknown reason", "queue.absence_templates", rules(func(r *QueueRules) {
			r.AbsenceTemplates = map[ManagerAbsence]string{"holiday": "away"}
		})},
		{"long template", "queue.absence_templates[sick]", rules(func(r *QueueRules) {
			r.AbsenceTemplates = map[ManagerAbsence]string{AbsentSick: strings.Repeat("x", 501)}
		})},
		{"overflow after an hour", "queue.overflow.after_s", rules(func(r *QueueRules) {
			r.Overflow = Overflow{After: time.Hour + time.Second, Spares: []SpareID{"s1"}}
		})},
		{"bad spare id", "queue.overflow.spare_ids[1]", rules(func(r *QueueRules) {
			r.Overflow = Overflow{After: time.Minute, Spares: []SpareID{"s1", "S 2"}}
		})},
		{"negative max at once", "queue.overflow.max_at_once", rules(func(r *QueueRules) { r.Overflow.MaxAtOnce = -1 })},
		{"unknown order", "queue.overflow.order", rules(func(r *QueueRules) { r.Overflow.Order = "loudest" })},
		{"overflow without spares", "queue.overflow.spare_ids", rules(func(r *QueueRules) { r.Overflow = Overflow{After: time.Minute} })},
		{"service level over 600 s", "queue.service_level_threshold_s", rules(func(r *QueueRules) { r.ServiceLevel.Threshold = 601 * time.Second })},
		{"service level target 101", "queue.service_level_target_percent", rules(func(r *QueueRules) { r.ServiceLevel.Target = 101 })},
		{"unknown abandon rule", "queue.service_level_abandoned", rules(func(r *QueueRules) { r.ServiceLevel.Abandoned = "forget" })},
		{"short abandon over 60 s", "queue.short_abandon_s", rules(func(r *QueueRules) { r.ServiceLevel.ShortAbandon = 61 * time.Second })},
		{"offer of 4 s", "queue.offer_timeout_s", func(v *Queue) { v.OfferTimeout = 4 * time.Second }},
		{"offer of 121 s", "queue.offer_timeout_s", func(v *Queue) { v.OfferTimeout = 121 * time.Second }},
		{"negative offer", "queue.offer_timeout_s", func(v *Queue) { v.OfferTimeout = -time.Second }},
		{"wrap-up over 600 s", "queue.wrap_up_s", func(v *Queue) { v.WrapUp = 601 * time.Second }},
		{"negative wrap-up", "queue.wrap_up_s", func(v *Queue) { v.WrapUp = -time.Second }},
		{"priority 101", "queue.priority", func(v *Queue) { v.Priority = 101 }},
		{"negative priority", "queue.priority", func(v *Queue) { v.Priority = -1 }},
		{"hold music over ftp", "queue.hold_music_url", func(v *Queue) { v.HoldMusicURL = "ftp://cdn.example/hold.mp3" }},
		{"hold music without a host", "queue.hold_music_url", func(v *Queue) { v.HoldMusicURL = "hold.mp3" }},
		{"long greeting", "queue.greeting", func(v *Queue) { v.Greeting = strings.Repeat("g", 1501) }},
		{"long recording notice", "queue.recording_notice", func(v *Queue) { v.RecordingNotice = strings.Repeat("n", 1501) }},
		{"number without +", "queue.dialed_numbers[0]", func(v *Queue) { v.DialedNumbers = []string{"18005550100"} }},
		{"short number", "queue.dialed_numbers[1]", func(v *Queue) { v.DialedNumbers = []string{"+18005550100", "+100"} }},
		{"number listed twice", "queue.dialed_numbers[1]", func(v *Queue) { v.DialedNumbers = []string{"+18005550100", "+18005550100"} }},
	})
}

func TestQueueCheckAcceptsTheEdges(t *testing.T) {
	rules := func(f func(*QueueRules)) func(*Queue) { return func(v *Queue) { f(&v.Rules) } }
	wantAccepted(t, Queue.Check, validQueue, map[string]func(*Queue){
		"offer of 5 s":      func(v *Queue) { v.OfferTimeout = 5 * time.Second },
		"offer of 120 s":    func(v *Queue) { v.OfferTimeout = 120 * time.Second },
		"wrap-up of 600 s":  func(v *Queue) { v.WrapUp = 600 * time.Second },
		"no wrap-up":        func(v *Queue) { v.WrapUp = 0 },
		"priority 100":      func(v *Queue) { v.Priority = 100 },
		"no dialed numbers": func(v *Queue) { v.DialedNumbers = nil },
		"no hold music":     func(v *Queue) { v.HoldMusicURL = "" },
		"recorded with a 1500-character notice": func(v *Queue) {
			v.RecordCalls, v.RecordingNotice = true, strings.Repeat("n", 1500)
		},
		"every strategy":       func(v *Queue) { v.Strategy = Strategies[len(Strategies)-1] },
		"ring 2 at once":       func(v *Queue) { v.Strategy, v.RingAtOnce = StrategyRingAll, 2 },
		"ring 50 at once":      func(v *Queue) { v.Strategy, v.RingAtOnce = StrategyRingAll, 50 },
		"announce every 15 s":  rules(func(r *QueueRules) { r.AnnounceEvery = 15 * time.Second }),
		"announce every 600 s": rules(func(r *QueueRules) { r.AnnounceEvery = 600 * time.Second }),
		"ten ban steps":        rules(func(r *QueueRules) { r.BanSteps = slicesOf(10, time.Minute) }),
		"no short abandons":    rules(func(r *QueueRules) { r.ServiceLevel.ShortAbandon = -1 }),
		"overflow after an hour": rules(func(r *QueueRules) {
			r.Overflow = Overflow{After: time.Hour, Spares: []SpareID{"s1"}, Order: SpareLeastUsed}
		}),
		"every absence template": rules(func(r *QueueRules) { r.AbsenceTemplates = DefaultAbsenceTemplates }),
		"service level at the top": rules(func(r *QueueRules) {
			r.ServiceLevel = ServiceLevel{Threshold: 600 * time.Second, Target: 100, Abandoned: AbandonsWithinThresholdMet, ShortAbandon: time.Minute}
		}),
	})
}

func slicesOf(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func validOperator() Operator {
	var hours WeekHours
	hours.TimeZone = "Europe/Berlin"
	hours.Days[time.Monday] = []Span{{From: 9 * 60, To: 13 * 60}, {From: 14 * 60, To: 18 * 60}}
	return Operator{ID: "op_1", Name: "anna.p", DisplayName: "Anna Petrova", Contact: Contact{Kind: ContactUser, Target: "anna"},
		Queues: []QueueSkill{{Queue: "support", Level: 3}, {Queue: "sales", Level: 5}}, Hours: hours}
}

func TestOperatorCheckFillsDefaults(t *testing.T) {
	in := Operator{ID: "op_1", Name: "anna", Contact: Contact{Kind: ContactSIP, Target: "sip:anna@pbx.example"}}
	want := in
	want.DisplayName = "anna"
	wantDefaults(t, Operator.Check, in, want)
	wantDefaults(t, Operator.Check, validOperator(), validOperator())
}

func TestOperatorCheckRefusesEachField(t *testing.T) {
	type o = refusal[Operator]
	wantRefused(t, Operator.Check, validOperator, []o{
		{"no id", "operator_id", func(v *Operator) { v.ID = "" }},
		{"no name", "name", func(v *Operator) { v.Name = "" }},
		{"capital name", "name", func(v *Operator) { v.Name = "Anna" }},
		{"name with a space", "name", func(v *Operator) { v.Name = "anna p" }},
		{"long display name", "display_name", func(v *Operator) { v.DisplayName = strings.Repeat("a", 201) }},
		{"no contact kind", "contact.kind", func(v *Operator) { v.Contact.Kind = "" }},
		{"unknown contact kind", "contact.kind", func(v *Operator) { v.Contact.Kind = "fax" }},
		{"no target", "contact.target", func(v *Operator) { v.Contact.Target = "" }},
		{"long target", "contact.target", func(v *Operator) { v.Contact.Target = strings.Repeat("a", 257) }},
		{"phone not E.164", "contact.target", func(v *Operator) { v.Contact = Contact{Kind: ContactPSTN, Target: "12345"} }},
		{"SIP without a scheme", "contact.target", func(v *Operator) { v.Contact = Contact{Kind: ContactSIP, Target: "anna@pbx.example"} }},
		{"SIP without a user", "contact.target", func(v *Operator) { v.Contact = Contact{Kind: ContactSIP, Target: "sip:"} }},
		{"skill without a queue", "queues[1].queue_id", func(v *Operator) { v.Queues[1].Queue = "" }},
		{"level 0", "queues[0].level", func(v *Operator) { v.Queues[0].Level = 0 }},
		{"level 6", "queues[1].level", func(v *Operator) { v.Queues[1].Level = 6 }},
		{"queue twice", "queues", func(v *Operator) { v.Queues[1].Queue = "support" }},
		{"unknown time zone", "hours.time_zone", func(v *Operator) { v.Hours.TimeZone = "Mars/Olympus" }},
		{"the server's zone", "hours.time_zone", func(v *Operator) { v.Hours.TimeZone = "Local" }},
		{"span backwards", "hours.days[tue]", func(v *Operator) { v.Hours.Days[time.Tuesday] = []Span{{From: 600, To: 500}} }},
		{"span past midnight", "hours.days[sun]", func(v *Operator) { v.Hours.Days[time.Sunday] = []Span{{From: 0, To: 24*60 + 1}} }},
		{"span before midnight", "hours.days[mon]", func(v *Operator) { v.Hours.Days[time.Monday] = []Span{{From: -1, To: 60}} }},
		{"browser phone on SIP", "softphone_password", func(v *Operator) {
			v.Contact, v.SoftphoneHA1 = Contact{Kind: ContactSIP, Target: "sip:anna@pbx.example"}, "638f30de135d943da06e1c77c89fc277"
		}},
	})
	wantAccepted(t, Operator.Check, validOperator, map[string]func(*Operator){
		"a phone":          func(v *Operator) { v.Contact = Contact{Kind: ContactPSTN, Target: "+14155550100"} },
		"a sips URI":       func(v *Operator) { v.Contact = Contact{Kind: ContactSIP, Target: "sips:anna@pbx.example"} },
		"no queues":        func(v *Operator) { v.Queues = nil },
		"always at work":   func(v *Operator) { v.Hours = WeekHours{} },
		"the whole day":    func(v *Operator) { v.Hours.Days[time.Friday] = []Span{{From: 0, To: 24 * 60}} },
		"UTC by name":      func(v *Operator) { v.Hours.TimeZone = "UTC" },
		"a dotted name":    func(v *Operator) { v.Name = "a.b-c_d" },
		"63 letters":       func(v *Operator) { v.Name = strings.Repeat("a", 63) },
		"disabled":         func(v *Operator) { v.Disabled = true },
		"level 1 and 5":    func(v *Operator) { v.Queues = []QueueSkill{{Queue: "a", Level: 1}, {Queue: "b", Level: 5}} },
		"200-byte display": func(v *Operator) { v.DisplayName = strings.Repeat("a", 200) },
		"a browser phone": func(v *Operator) {
			v.Contact, v.SoftphoneHA1 = Contact{Kind: ContactUser, Target: "anna"}, "638f30de135d943da06e1c77c89fc277"
		},
	})
}

// TestUpdateKeepsTheSoftphoneDigestOnlyForItsUser: the digest is of the user's name, so a new
// contact drops it unless the same update sets a new one; the same contact again keeps it.
func TestUpdateKeepsTheSoftphoneDigestOnlyForItsUser(t *testing.T) {
	op := Operator{Contact: Contact{Kind: ContactUser, Target: "anna"}, SoftphoneHA1: "old"}
	same, other, fresh := op.Contact, Contact{Kind: ContactUser, Target: "anna2"}, "new"
	for name, tc := range map[string]struct {
		u    OperatorUpdate
		want string
	}{
		"same contact":          {OperatorUpdate{Contact: &same}, "old"},
		"another user":          {OperatorUpdate{Contact: &other}, ""},
		"another user, new one": {OperatorUpdate{Contact: &other, SoftphoneHA1: &fresh}, "new"},
		"no contact, a new one": {OperatorUpdate{SoftphoneHA1: &fresh}, "new"},
		"nothing about it":      {OperatorUpdate{}, "old"},
	} {
		if got := tc.u.Apply(op).SoftphoneHA1; got != tc.want {
			t.Errorf("%s: digest %q, want %q", name, got, tc.want)
		}
	}
}

func TestCheckSkillsNamesTheSkillsPlace(t *testing.T) {
	if err := CheckSkills([]QueueSkill{{Queue: "a", Level: 1}, {Queue: "b", Level: 9}}); invalidField(t, err) != "queues[1].level" {
		t.Errorf("field %v", err)
	}
	if err := CheckSkills(nil); err != nil {
		t.Errorf("no skills: %v", err)
	}
}

func validSpare() Spare {
	return Spare{ID: "partner", Name: "Partner call center", Contact: Contact{Kind: ContactPSTN, Target: "+18005550900"},
		Holidays: []string{"2026-12-25", "2027-01-01"}, MaxConcurrent: 2, DailyCap: 500, Priority: 3, Cooldown: 30 * time.Second}
}

func TestSpareCheckFillsDefaults(t *testing.T) {
	in := Spare{ID: "backoffice", Contact: Contact{Kind: ContactSIP, Target: "sip:backoffice@pbx.example"}}
	want := in
	want.Name, want.MaxConcurrent, want.Cooldown = "backoffice", 1, DefaultSpareCooldown
	wantDefaults(t, Spare.Check, in, want)
	wantDefaults(t, Spare.Check, validSpare(), validSpare())
}

func TestSpareCheckRefusesEachField(t *testing.T) {
	type s = refusal[Spare]
	wantRefused(t, Spare.Check, validSpare, []s{
		{"no id", "spare.spare_id", func(v *Spare) { v.ID = "" }},
		{"capital id", "spare.spare_id", func(v *Spare) { v.ID = "Partner" }},
		{"long name", "spare.name", func(v *Spare) { v.Name = strings.Repeat("n", 201) }},
		{"an operator's user", "spare.contact.kind", func(v *Spare) { v.Contact = Contact{Kind: ContactUser, Target: "anna"} }},
		{"no contact kind", "spare.contact.kind", func(v *Spare) { v.Contact.Kind = "" }},
		{"phone not E.164", "spare.contact.target", func(v *Spare) { v.Contact.Target = "8005550900" }},
		{"no target", "spare.contact.target", func(v *Spare) { v.Contact.Target = "" }},
		{"unknown time zone", "spare.hours.time_zone", func(v *Spare) { v.Hours.TimeZone = "Europe/Atlantis" }},
		{"empty span", "spare.hours.days[sat]", func(v *Spare) { v.Hours.Days[time.Saturday] = []Span{{From: 60, To: 60}} }},
		{"holiday in month 13", "spare.holidays[1]", func(v *Spare) { v.Holidays[1] = "2026-13-01" }},
		{"holiday the wrong way round", "spare.holidays[0]", func(v *Spare) { v.Holidays[0] = "25-12-2026" }},
		{"30 February", "spare.holidays[0]", func(v *Spare) { v.Holidays[0] = "2026-02-30" }},
		{"1001 at once", "spare", func(v *Spare) { v.MaxConcurrent = 1001 }},
		{"negative at once", "spare", func(v *Spare) { v.MaxConcurrent = -1 }},
		{"daily cap over 100000", "spare", func(v *Spare) { v.DailyCap = 100001 }},
		{"negative daily cap", "spare", func(v *Spare) { v.DailyCap = -1 }},
		{"cooldown over a day", "spare", func(v *Spare) { v.Cooldown = 24*time.Hour + time.Second }},
		{"negative cooldown", "spare", func(v *Spare) { v.Cooldown = -time.Second }},
		{"negative priority", "spare", func(v *Spare) { v.Priority = -1 }},
	})
	wantAccepted(t, Spare.Check, validSpare, map[string]func(*Spare){
		"1000 at once":       func(v *Spare) { v.MaxConcurrent = 1000 },
		"cap of 100000":      func(v *Spare) { v.DailyCap = 100000 },
		"no cap":             func(v *Spare) { v.DailyCap = 0 },
		"a day's cooldown":   func(v *Spare) { v.Cooldown = 24 * time.Hour },
		"a SIP URI":          func(v *Spare) { v.Contact = Contact{Kind: ContactSIP, Target: "sip:tech@pbx.example"} },
		"no holidays":        func(v *Spare) { v.Holidays = nil },
		"29 February 2028":   func(v *Spare) { v.Holidays = []string{"2028-02-29"} },
		"office hours in NY": func(v *Spare) { v.Hours = WeekHours{TimeZone: "America/New_York"} },
	})
}

func validAbsence() Absence {
	return Absence{ID: "abs_1", Operator: "op_1", Kind: AbsenceVacation, From: "2026-12-01", To: "2026-12-10"}
}

func TestAbsenceCheck(t *testing.T) {
	wantDefaults(t, Absence.Check, validAbsence(), validAbsence()) // an absence has no defaults
	type a = refusal[Absence]
	wantRefused(t, Absence.Check, validAbsence, []a{
		{"no id", "absence_id", func(v *Absence) { v.ID = "" }},
		{"no operator", "operator_id", func(v *Absence) { v.Operator = "" }},
		{"no kind", "kind", func(v *Absence) { v.Kind = "" }},
		{"unknown kind", "kind", func(v *Absence) { v.Kind = "holiday" }},
		{"no start", "from", func(v *Absence) { v.From = "" }},
		{"start without a leading zero", "from", func(v *Absence) { v.From = "2026-12-1" }},
		{"30 February", "from", func(v *Absence) { v.From = "2026-02-30" }},
		{"end in words", "to", func(v *Absence) { v.To = "tomorrow" }},
		{"end before the start", "to", func(v *Absence) { v.To = "2026-11-30" }},
	})
	wantAccepted(t, Absence.Check, validAbsence, map[string]func(*Absence){
		"one day":    func(v *Absence) { v.To = v.From },
		"sick leave": func(v *Absence) { v.Kind = AbsenceSick },
		"over New Year": func(v *Absence) {
			v.From, v.To = "2026-12-30", "2027-01-02"
		},
	})
}

func TestClientCheck(t *testing.T) {
	wantDefaults(t, Client.Check, Client{Number: "8 (912) 345-67-89", Manager: "op_1", How: AssignedByImport},
		Client{Number: "+79123456789", Manager: "op_1", How: AssignedByImport})
	// With no manager: he has none (or it was taken away).
	wantDefaults(t, Client.Check, Client{Number: "+14155550100", How: AssignedByAdmin}, Client{Number: "+14155550100", How: AssignedByAdmin})
	valid := func() Client { return Client{Number: "+14155550100", Manager: "op_1", How: AssignedByVoice} }
	type c = refusal[Client]
	wantRefused(t, Client.Check, valid, []c{
		{"no number", "number", func(v *Client) { v.Number = "" }},
		{"anonymous", "number", func(v *Client) { v.Number = "anonymous" }},
		{"no country", "number", func(v *Client) { v.Number = "4155550100" }},
		{"65 bytes", "number", func(v *Client) { v.Number = "+14155550100" + strings.Repeat(" ", 53) }},
		{"no how", "how", func(v *Client) { v.How = "" }},
		{"unknown how", "how", func(v *Client) { v.How = "telepathy" }},
	})
}

func TestCheckNumber(t *testing.T) {
	if n, err := CheckNumber("caller", " +1 (415) 555-0100 "); n != "+14155550100" || err != nil {
		t.Errorf("CheckNumber = %q, %v", n, err)
	}
	for _, raw := range []string{"", "withheld", strings.Repeat("1", 65)} {
		if _, err := CheckNumber("caller", raw); invalidField(t, err) != "caller" {
			t.Errorf("CheckNumber(%q): %v", raw, err)
		}
	}
}

func TestValidSlugAndName(t *testing.T) {
	for _, tc := range []struct {
		s          string
		slug, name bool
	}{
		{"support", true, true},
		{"tier-2_sales", true, true},
		{"anna.p", false, true},
		{"0", true, true},
		{"", false, false},
		{"-x", false, false},
		{"Support", false, false},
		{"sales line", false, false},
		{strings.Repeat("a", 63), true, true},
		{strings.Repeat("a", 64), false, false},
	} {
		if ValidSlug(tc.s) != tc.slug || ValidName(tc.s) != tc.name {
			t.Errorf("%q: slug %v name %v, want %v %v", tc.s, ValidSlug(tc.s), ValidName(tc.s), tc.slug, tc.name)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, ok := range []string{"https://cloud.example/s/1", "http://127.0.0.1:8080/x"} {
		if err := CheckURL("u", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "cloud.example/s/1", "javascript:alert(1)", "ftp://cloud.example/", "https://", "http://%zz"} {
		if err := CheckURL("u", bad); invalidField(t, err) != "u" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
