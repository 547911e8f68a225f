package routing

import (
	"slices"
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// These tests hold the ring_all rules: a call rings several free operators at once, the first
// to answer gets it, and the legs he beat are cancelled once each, nobody's miss.

// ringFixture is a ring_all queue ringing three at once, and anna, boris, vera and gleb ready
// in that order (anna idle the longest): a call rings anna, boris and vera.
func ringFixture(t *testing.T) (*fixture, *memStore, cc.CallID, cc.Changes) {
	t.Helper()
	f := newFixture(t, "anna", "boris", "vera", "gleb")
	store := newMemStore()
	q, _ := f.e.Queue("support")
	q.Strategy, q.RingAtOnce = cc.StrategyRingAll, 3
	store.apply(f.must(f.e.UpdateQueue(f.now, q)))
	for _, n := range []string{"anna", "boris", "vera", "gleb"} {
		store.apply(f.must(f.e.Connect(f.now, cc.OperatorID(n))))
		store.apply(f.must(f.e.GoReady(f.now, cc.OperatorID(n))))
		f.now = f.now.Add(time.Second)
	}
	c, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", CallerNumber: "+200", DialedNumber: "+18005550100"})
	if err != nil {
		t.Fatal(err)
	}
	store.apply(ch)
	return f, store, c.ID, ch
}

// legsOf are the pending offers of call id, by operator.
func (f *fixture) legsOf(id cc.CallID) map[string]cc.OfferID {
	out := map[string]cc.OfferID{}
	for _, of := range f.e.offers {
		if of.Call == id {
			out[string(of.Operator)] = of.ID
		}
	}
	return out
}

func TestRingAllRingsTheLongestIdleAtOnce(t *testing.T) {
	f, _, id, ch := ringFixture(t)
	var dialed []string
	for _, cmd := range ch.Commands {
		if cmd.Type != cc.CommandDial || !cmd.RingAll || cmd.Call != id || cmd.Offer == "" {
			t.Fatalf("command %+v, want ring_all dials", cmd)
		}
		dialed = append(dialed, cmd.Contact.Target)
	}
	if want := []string{"anna", "boris", "vera"}; !slices.Equal(dialed, want) {
		t.Fatalf("dialed %v, want %v", dialed, want)
	}
	for _, n := range []string{"anna", "boris", "vera"} {
		if got := f.state(n); got != cc.OperatorReserved {
			t.Fatalf("%s = %s, want reserved", n, got)
		}
	}
	if got := f.state("gleb"); got != cc.OperatorReady {
		t.Fatalf("gleb = %s, want ready: the ring is three", got)
	}
	if len(f.e.lines["support"]) != 0 {
		t.Fatal("the rung call is still in line")
	}
	// Each leg has its decision, naming the others rung with it.
	if len(ch.Decisions) != 3 {
		t.Fatalf("%d decisions, want one a leg", len(ch.Decisions))
	}
	for i, d := range ch.Decisions {
		if d.Strategy != cc.StrategyRingAll || d.Operator != cc.OperatorID(dialed[i]) || d.Offer != ch.Commands[i].Offer {
			t.Fatalf("decision %d = %+v", i, d)
		}
		for _, other := range dialed {
			if other != dialed[i] && !strings.Contains(d.Rule, other) {
				t.Fatalf("decision for %s: %q does not name %s", dialed[i], d.Rule, other)
			}
		}
		if !strings.Contains(d.Rule, "rung together with") || !strings.Contains(d.Rule, "of 3 rung at once") {
			t.Fatalf("rule %q", d.Rule)
		}
		// The chosen one, then the others free in rank order (longest idle first).
		var listed []string
		for _, cand := range d.Candidates {
			if cand.Eligible && cand.ExcludedBecause == "" {
				listed = append(listed, string(cand.Operator))
			}
		}
		want := []string{dialed[i]}
		for _, n := range []string{"anna", "boris", "vera", "gleb"} {
			if n != dialed[i] {
				want = append(want, n)
			}
		}
		if !slices.Equal(listed, want) || d.EligibleCount != 4 {
			t.Fatalf("decision for %s lists %v of %d free, want %v of 4", dialed[i], listed, d.EligibleCount, want)
		}
	}
}

func TestRingAllFirstAnswerWinsAndCancelsTheOthersOnce(t *testing.T) {
	f, _, id, _ := ringFixture(t)
	legs := f.legsOf(id)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorRinging, Offer: legs["anna"]}))
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorRinging, Offer: legs["vera"]}))
	before := map[string]cc.Marks{"anna": f.marksOf("anna"), "vera": f.marksOf("vera")}
	idle := map[string]time.Time{}
	for _, n := range []string{"anna", "vera"} {
		v, _ := f.e.View(cc.OperatorID(n))
		idle[n] = v.Status.IdleSince
	}
	f.now = f.now.Add(3 * time.Second)
	ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: legs["boris"], RingTime: 3 * time.Second}))

	if c, _ := f.e.Call(id); c.State != cc.CallConnected || c.Operator != "boris" || c.Offer != legs["boris"] {
		t.Fatalf("call = %s with %s (%s), want connected to boris", c.State, c.Operator, c.Offer)
	}
	if of := settled(t, ch, legs["boris"]); of.State != cc.OfferAnswered {
		t.Fatalf("boris's leg = %s", of.State)
	}
	var cancels []cc.OfferID
	for _, cmd := range ch.Commands {
		if cmd.Type == cc.CommandCancel {
			cancels = append(cancels, cmd.Offer)
		}
	}
	slices.Sort(cancels)
	if want := []cc.OfferID{legs["anna"], legs["vera"]}; !slices.Equal(cancels, sorted(want)) {
		t.Fatalf("cancels %v, want %v", cancels, want)
	}
	for _, n := range []string{"anna", "vera"} {
		if of := settled(t, ch, legs[n]); of.State != cc.OfferCancelled || of.Reason != reasonBeaten {
			t.Fatalf("%s's leg = %s %q, want cancelled", n, of.State, of.Reason)
		}
		f.unblamed(n, before[n], 0)
		if v, _ := f.e.View(cc.OperatorID(n)); !v.Status.IdleSince.Equal(idle[n]) || v.Status.Marks.Declines != 0 {
			t.Fatalf("%s idle since %v (was %v), declines %d", n, v.Status.IdleSince, idle[n], v.Status.Marks.Declines)
		}
		// Ready again, his app told why the ringing stopped, until his next change.
		if v, _ := f.e.View(cc.OperatorID(n)); v.Status.State != cc.OperatorReady || v.Status.Reason != cc.ReasonAnsweredElsewhere {
			t.Fatalf("%s = %s %q, want ready, %q", n, v.Status.State, v.Status.Reason, cc.ReasonAnsweredElsewhere)
		}
	}
	if got := f.state("boris"); got != cc.OperatorOnCall {
		t.Fatalf("boris = %s", got)
	}
	// The beaten legs' late reports change nothing; an answer from one is hung up.
	for _, ev := range []cc.CloudEvent{{Kind: cc.CloudDialFailed, Offer: legs["anna"], Code: 487}, {Kind: cc.CloudOperatorRinging, Offer: legs["vera"]}} {
		if ch := f.must(f.e.Report(f.now, id, ev)); !ch.Empty() || len(ch.Commands) > 0 || ch.Next != nil {
			t.Fatalf("%v on a cancelled leg changed %+v", ev.Kind, ch)
		}
	}
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: legs["vera"], RingTime: 3 * time.Second}))
	if !ch.Empty() || ch.Next == nil || ch.Next.Type != cc.CommandCancel || ch.Next.Offer != legs["vera"] {
		t.Fatalf("vera's answer after boris's: changes %+v, next %+v; want her leg hung up", ch, ch.Next)
	}
	if got := f.state("vera"); got != cc.OperatorReady {
		t.Fatalf("vera = %s", got)
	}
	if c, _ := f.e.Call(id); c.Operator != "boris" {
		t.Fatalf("call went to %s", c.Operator)
	}
}

func sorted(ids []cc.OfferID) []cc.OfferID { slices.Sort(ids); return ids }

func TestRingAllLegsEndAloneUntilTheLast(t *testing.T) {
	f, _, id, _ := ringFixture(t)
	legs := f.legsOf(id)
	// anna's phone is busy: her miss; the others ring on, the call stays offered.
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: legs["anna"], Code: 486}))
	if got := f.marksOf("anna").OffersMissed; got != 1 {
		t.Fatalf("anna's misses = %d", got)
	}
	c, _ := f.e.Call(id)
	if c.State != cc.CallWaiting || c.Offer == "" || c.Offer == legs["anna"] || c.Operator == "anna" {
		t.Fatalf("call = %s under %s (%s), want still offered to the others", c.State, c.Offer, c.Operator)
	}
	if len(f.e.lines["support"]) != 0 {
		t.Fatal("the call is back in line while two legs ring")
	}
	// boris declines: not a miss; vera rings on.
	f.must(f.decline(legs["boris"], "boris"))
	if m := f.marksOf("boris"); m.OffersMissed != 0 || m.Declines != 1 {
		t.Fatalf("boris's marks = %+v", m)
	}
	if c, _ := f.e.Call(id); c.Offer != legs["vera"] || c.Operator != "vera" {
		t.Fatalf("call = under %s (%s), want vera's leg", c.Offer, c.Operator)
	}
	if got := f.state("gleb"); got != cc.OperatorReady {
		t.Fatalf("gleb = %s while vera still rings", got)
	}
	// vera's phone rang, unanswered: her miss; the call goes back in line and rings gleb (and
	// boris is not offered it again: he declined it).
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorRinging, Offer: legs["vera"]}))
	f.now = f.now.Add(25 * time.Second)
	ch := f.e.Tick(f.now)
	if of := settled(t, ch, legs["vera"]); of.State != cc.OfferExpired {
		t.Fatalf("vera's leg = %s", of.State)
	}
	if got := f.marksOf("vera").OffersMissed; got != 1 {
		t.Fatalf("vera's misses = %d", got)
	}
	if got := f.state("gleb"); got != cc.OperatorReserved {
		t.Fatalf("gleb = %s, want rung for the call back in line", got)
	}
	if got := f.legsOf(id); len(got) != 1 || got["gleb"] == "" {
		t.Fatalf("legs = %v, want gleb's alone", got)
	}
}

func TestRingAllAbandonWithdrawsEveryLeg(t *testing.T) {
	f, _, id, _ := ringFixture(t)
	legs := f.legsOf(id)
	ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallerAbandoned}))
	for n, leg := range legs {
		if of := settled(t, ch, leg); of.State != cc.OfferWithdrawn {
			t.Fatalf("%s's leg = %s", n, of.State)
		}
		if got := f.state(n); got != cc.OperatorReady {
			t.Fatalf("%s = %s", n, got)
		}
	}
	if len(f.e.offers) != 0 {
		t.Fatalf("%d offers left", len(f.e.offers))
	}
}

func TestRingAllSurvivesARestart(t *testing.T) {
	f, store, id, _ := ringFixture(t)
	legs := f.legsOf(id)
	q, _ := f.e.Queue("support")
	var ops []cc.Operator
	for _, n := range []cc.OperatorID{"anna", "boris", "vera", "gleb"} {
		o, _ := f.e.Operator(n)
		ops = append(ops, o)
	}
	f.now = f.now.Add(2 * time.Second)
	f.e = New(f.e.cfg)
	ch := f.e.Load(f.now, []cc.Queue{q}, ops, store.runtime())
	store.apply(ch)
	if got := f.legsOf(id); len(got) != 3 {
		t.Fatalf("legs after restart = %v, want the three", got)
	}
	redials := 0
	for _, cmd := range ch.Commands {
		if cmd.Type == cc.CommandDial && cmd.RingAll {
			redials++
		}
	}
	if redials != 3 {
		t.Fatalf("commands after restart = %+v, want the three legs dialed again with ring_all", ch.Commands)
	}
	for _, n := range []string{"anna", "boris", "vera", "gleb"} {
		f.must(f.e.Connect(f.now, cc.OperatorID(n)))
	}
	// vera answers: anna and boris are cancelled, once.
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: legs["vera"], RingTime: 4 * time.Second}))
	cancelled := 0
	for _, of := range ch.Offers {
		if of.State == cc.OfferCancelled {
			cancelled++
		}
	}
	if cancelled != 2 {
		t.Fatalf("offers after the answer = %+v, want two cancelled", ch.Offers)
	}
	for _, n := range []string{"anna", "boris"} {
		if got := f.state(n); got != cc.OperatorReady {
			t.Fatalf("%s = %s", n, got)
		}
	}
	if c, _ := f.e.Call(id); c.Operator != "vera" || c.State != cc.CallConnected {
		t.Fatalf("call = %+v", c)
	}
}

func TestRingAllWithdrawingOneLegLeavesTheOthersRinging(t *testing.T) {
	f, _, id, _ := ringFixture(t)
	legs := f.legsOf(id)
	_, ch, err := f.e.WithdrawOffer(f.now, legs["boris"], "")
	if err != nil {
		t.Fatal(err)
	}
	if of := settled(t, ch, legs["boris"]); of.State != cc.OfferWithdrawn {
		t.Fatalf("boris's leg = %s", of.State)
	}
	if got := f.legsOf(id); len(got) != 2 || got["anna"] == "" || got["vera"] == "" {
		t.Fatalf("legs = %v, want anna's and vera's still ringing", got)
	}
	if got := f.state("boris"); got != cc.OperatorReady {
		t.Fatalf("boris = %s", got)
	}
	if c, _ := f.e.Call(id); c.State != cc.CallWaiting || !c.AnsweredAt.IsZero() || f.e.offers[c.Offer] == nil {
		t.Fatalf("call = %+v, want still offered", c)
	}
}

// TestRingAllTransferNotCarriedOutWithdrawsEveryLeg: anna transfers her caller blind to the
// ring_all queue, which rings boris and vera at once; the scenario does not carry the transfer
// out: the caller is back with anna, and both legs are taken back (none left ringing for a
// call someone talks on).
func TestRingAllTransferNotCarriedOutWithdrawsEveryLeg(t *testing.T) {
	f := newFixture(t, "anna", "boris", "vera")
	q, _ := f.e.Queue("support")
	q.Strategy, q.RingAtOnce = cc.StrategyRingAll, 2
	f.must(f.e.UpdateQueue(f.now, q))
	f.ready("anna")
	id := f.answered("anna")
	f.ready("boris")
	f.ready("vera")
	ch := f.must(f.transfer(cc.TransferRequest{Call: id, Mode: cc.TransferBlind, Target: cc.TransferTarget{Queue: "support"}}))
	legs := f.legsOf(id)
	if len(legs) != 2 || legs["boris"] == "" || legs["vera"] == "" {
		t.Fatalf("legs after the transfer = %v, want boris and vera rung", legs)
	}
	ch = f.e.TransferUndelivered(f.now, onlyCommand(t, ch, cc.CommandTransfer), "the call is talking")
	for n, leg := range legs {
		if of := settled(t, ch, leg); of.State != cc.OfferWithdrawn {
			t.Fatalf("%s's leg = %s", n, of.State)
		}
		if got := f.state(n); got != cc.OperatorReady {
			t.Fatalf("%s = %s", n, got)
		}
	}
	if c := f.live(id); c.State != cc.CallConnected || c.Operator != "anna" || len(f.e.offers) != 0 {
		t.Fatalf("call = %s with %s, %d offers pending; want back with anna, none", c.State, c.Operator, len(f.e.offers))
	}
}
