// Package routing is Tandem's one decision maker: it holds the live state of queues, operators,
// calls and offers in memory and decides who gets which call. It does no I/O and never reads the
// wall clock: every method takes the time and returns what changed, for the caller to store and
// carry out. It is not safe for concurrent use; the switchboard serialises every call into it.
package routing

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Config tunes the engine.
type Config struct {
	// PresenceGrace is how long an operator without a live app keeps his state before he is
	// logged off. He gets no offers meanwhile.
	PresenceGrace time.Duration
	// OfferSlack is added to a queue's offer timeout to form the lease: the cloud's own ring
	// timeout fires first and its report has this long to arrive.
	OfferSlack time.Duration
	// NewID makes a fresh id with the given prefix ("call", "offer").
	NewID func(prefix string) string
	// Rand draws for the random strategy; a fixed seed when nil.
	Rand *rand.Rand
	// A waiting call the cloud has said nothing about for StaleWaiting, or a connected one for
	// StaleConnected, is taken for a session that stopped reporting: the sweeper ends it as lost.
	StaleWaiting   time.Duration
	StaleConnected time.Duration
	// MaxSpareCalls caps the calls at spare numbers at once, over all queues; 0: no cap.
	MaxSpareCalls int
	// Callbacks: the cloud sender can start callback scenarios (tandem serve --voximplant-…).
	// Without, queues may not offer callbacks, and voicemails are listed but not called back.
	Callbacks bool
}

// Engine is the routing state and its rules.
type Engine struct {
	cfg    Config
	queues map[cc.QueueID]*cc.Queue
	// overflowing counts the queues with an overflow rule (putQueue): asked after every step.
	overflowing int
	byNumber    map[string]cc.QueueID
	operators   map[cc.OperatorID]*operator
	byQueue     map[cc.QueueID][]*operator // who serves each queue, by id
	// staff marks who in byQueue cannot take an offer now, by why ("" when he can): kept up
	// to date as states change (file), so a decision record counts who was left out and why
	// without walking the queue's operators.
	staff map[cc.QueueID]*roster
	// free holds the operators eligible for an offer, and timed those with a deadline of
	// their own (wrap-up or ban end, log-off): kept up to date for every operator a step
	// touches (indexOperator), so a step costs what it touches, not the size of the fleet.
	// Sets of their own, not maps: a map keeps the size it once had, and going through one
	// that held the whole fleet as it logged in costs that size on every step after.
	free  opSet
	timed opSet
	// lines holds each queue's waiting calls without an offer in line order (callOrder), and
	// managed those of them held for a personal manager; both kept up to date for every call a
	// step touches (indexCall). inLine is the queue each call is filed under.
	lines   map[cc.QueueID][]*call
	managed map[cc.CallID]*call
	inLine  map[cc.CallID]filed
	// later holds the callbacks not due yet (callbackStarts: a retry's spacing still ahead,
	// or their queue closed): in no line until then; every step files those that came due.
	// lineCallbacks counts the callbacks in each queue's line (at its closing they leave it),
	// and spells caches whether a queue with hours is open, between two changes of its hours
	// (for callbacks and for the exits at closing alike).
	later         map[cc.CallID]*call
	lineCallbacks map[cc.QueueID]int
	spells        map[cc.QueueID]openSpell
	// callsDue caches the calls' part of NextDeadline while callsDueOK: touched calls can only
	// bring it earlier; a deadline that moved later leaves it early, which costs one Tick that
	// finds nothing due and recomputes it.
	callsDue   time.Time
	callsDueOK bool
	// offersDue caches the earliest expiry of the pending offers while offersDueOK: a new
	// offer can only bring it earlier; settling the one that expires first recomputes it.
	offersDue    time.Time
	offersDueOK  bool
	byName       map[string]cc.OperatorID
	calls        map[cc.CallID]*call      // calls not finished
	offers       map[cc.OfferID]*cc.Offer // pending offers
	leased       map[cc.CallID]bool       // calls with an operator's party leg under a lease (parties.go)
	strat        strategyState
	pool         []*operator    // assign's buffer for the free operators of a queue
	heads        []lineItem     // assign's buffer for the lines it merges
	byDisplay    []*operator    // every operator in the floor's order (by name); nil: sort again
	repairs      map[string]int // what the sweeper mended, by kind, since start
	clients      map[string]*cc.Client
	absences     map[cc.OperatorID][]cc.Absence
	spares       map[cc.SpareID]*spare
	menus        map[cc.MenuID]*cc.Menu
	menuByNumber map[string]cc.MenuID        // a dialed number's menu, which wins over its queue
	questions    map[string]*question        // opt-in questions waiting for an answer
	waits        map[cc.QueueID]*waitFigures // what each queue's expected waits are worked out from
	// exiting are the queues whose waiting calls may take an exit on a tick (a longest wait,
	// or out at closing), by id.
	exiting  []*cc.Queue
	lastTick time.Time // the last Tick
	lastStep time.Time // the latest time any step ran at

	// What the current step touched, flushed into a Changes at its end.
	touchedStatus map[cc.OperatorID]bool
	touchedCall   map[cc.CallID]*cc.Call
	touchedOffer  map[cc.OfferID]*cc.Offer
	out           cc.Changes
}

// filed is where a call is filed in the lines: the queue, and the call for its place.
type filed struct {
	q cc.QueueID
	c *call
}

type operator struct {
	cfg         cc.Operator
	st          cc.OperatorStatus
	streams     int       // open presence streams
	absentSince time.Time // when the last stream closed (zero while present or never seen)
	why         string    // the reason he is filed under in staff (eligible's answer then)
	at          []int     // his place in byQueue of each of his queues (as cfg.Queues)
	in          [2]int    // his place in e.free and e.timed, from 1; 0: not in it
	// wrapping is the finished call he wraps up, while in wrap-up: the engine keeps only calls
	// in progress, and his app shows whom he just talked to.
	wrapping *cc.Call
}

func (o *operator) present() bool { return o.streams > 0 }

// indexCall files call id in its queue's line while it waits without an offer, and takes it
// out otherwise. A call's place is its priority, arrival and id: what changes its priority
// moves it (moveCall).
func (e *Engine) indexCall(id cc.CallID) {
	c := e.calls[id]
	waits := c != nil && c.State == cc.CallWaiting && c.Offer == "" && !c.Exit.Asking()
	if waits && c.Callback.Virtual() && e.callbackStarts(c, e.lastStep).After(e.lastStep) {
		e.later[id] = c
		waits = false
	} else {
		delete(e.later, id)
	}
	if f, ok := e.inLine[id]; ok && (!waits || c.Queue != f.q) {
		e.unfile(id)
	}
	if c == nil {
		return
	}
	if _, ok := e.inLine[id]; waits && !ok {
		line := e.lines[c.Queue]
		i, _ := slices.BinarySearchFunc(line, c, callOrder)
		e.lines[c.Queue] = slices.Insert(line, i, c)
		e.inLine[id] = filed{c.Queue, c}
		if c.Callback.Virtual() {
			e.lineCallbacks[c.Queue]++
		}
		if c.Manager != "" {
			e.managed[id] = c
		}
	}
	if e.callsDueOK {
		if due, ok := e.callDeadline(c); ok && (e.callsDue.IsZero() || due.Before(e.callsDue)) {
			e.callsDue = due
		}
		if q := e.queues[c.Queue]; q != nil && q.Rules.Overflow.After > 0 {
			e.callsDueOK = false // overflow brings in the spares' times: recompute
		}
	}
}

// unfile takes call id out of its line, found there by its place.
func (e *Engine) unfile(id cc.CallID) {
	f, ok := e.inLine[id]
	if !ok {
		return
	}
	line := e.lines[f.q]
	if i, found := slices.BinarySearchFunc(line, f.c, callOrder); found {
		e.lines[f.q] = slices.Delete(line, i, i+1)
	}
	delete(e.inLine, id)
	delete(e.managed, id)
	if f.c.Callback.Virtual() {
		e.lineCallbacks[f.q]--
	}
}

// moveCall puts call c in queue q at priority p. Its place in its line is found by its
// priority, so it leaves the line first (indexCall files it again as the step ends).
func (e *Engine) moveCall(c *call, q cc.QueueID, priority int) {
	e.unfile(c.ID)
	c.Queue, c.Priority = q, priority
}

// indexOperator puts o in or out of the free and timed sets after a change.
func (e *Engine) indexOperator(o *operator) {
	if o == nil {
		return
	}
	e.file(o)
	if eligible(o) == "" {
		e.free.add(o)
	} else {
		e.free.remove(o)
	}
	if _, ok := e.operatorDeadline(o); ok {
		e.timed.add(o)
	} else {
		e.timed.remove(o)
	}
}

// opSet is a set of operators: a list in no particular order, and each member's place in it
// kept in the operator (in[slot]), so that adding, removing and asking cost no hashing and
// going through it costs its size.
type opSet struct {
	ops  []*operator
	slot int
}

func (s *opSet) len() int             { return len(s.ops) }
func (s *opSet) has(o *operator) bool { return o != nil && o.in[s.slot] != 0 }
func (s *opSet) all() []*operator     { return s.ops }
func (s *opSet) add(o *operator) {
	if o.in[s.slot] == 0 {
		s.ops = append(s.ops, o)
		o.in[s.slot] = len(s.ops)
	}
}

func (s *opSet) remove(o *operator) {
	i := o.in[s.slot] - 1
	if i < 0 {
		return
	}
	last := s.ops[len(s.ops)-1]
	s.ops[i], last.in[s.slot] = last, i+1
	s.ops[len(s.ops)-1] = nil
	s.ops = s.ops[:len(s.ops)-1]
	o.in[s.slot] = 0
}

type call struct {
	cc.Call
	tried       map[cc.OperatorID]bool   // operators already offered this call (nil: none yet)
	late        map[cc.OfferID]*cc.Offer // offers taken back whose answer still counts (nil: none)
	declined    map[cc.OperatorID]bool   // operators who declined it: never offered it again (rebuilt at Load)
	announceAt  time.Time                // next position announcement, when the queue makes them
	lastHeard   time.Time                // the last word from the cloud about this call
	managerNote string                   // why the caller's manager was passed over, for the decision record
	// What the engine knows of the pending offers' dials, in memory only (a restart forgets
	// it, which can only spare the operator a miss): rang are the offers whose phone the cloud
	// said rings; restored the offers that were pending when Tandem restarted. Several only for
	// the legs of a ring.
	rang, restored []cc.OfferID
	// ring holds the pending legs of a ring_all offer (Offer is one of them), in rank order;
	// nil for a call offered to one operator at a time. beaten are its legs cancelled because
	// another answered first, in memory only: an answer from one of them is hung up.
	ring          []cc.OfferID
	beaten        map[cc.OfferID]bool
	undelivered   int    // dial commands in a row the sender could not deliver to the session
	askedCallback bool   // the caller was offered a call back (once a call; a restart may ask again)
	holdFailure   string // why the scenario did not carry out the last hold or resume, for the operator
}

func newCall(c cc.Call, now time.Time) *call {
	return &call{Call: c, lastHeard: now} // tried and late are made when first needed
}

// markTried remembers that operator id was offered call c.
func (c *call) markTried(id cc.OperatorID) {
	if c.tried == nil {
		c.tried = map[cc.OperatorID]bool{}
	}
	c.tried[id] = true
}

// New returns an empty engine.
func New(cfg Config) *Engine {
	if cfg.PresenceGrace <= 0 {
		cfg.PresenceGrace = 10 * time.Second
	}
	if cfg.OfferSlack <= 0 {
		cfg.OfferSlack = 5 * time.Second
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(1, 2))
	}
	if cfg.StaleWaiting <= 0 {
		cfg.StaleWaiting = 2 * time.Hour
	}
	if cfg.StaleConnected <= 0 {
		cfg.StaleConnected = 12 * time.Hour
	}
	e := &Engine{cfg: cfg, repairs: map[string]int{}}
	e.reset()
	return e
}

func (e *Engine) reset() {
	e.queues = map[cc.QueueID]*cc.Queue{}
	e.overflowing = 0
	e.byNumber = map[string]cc.QueueID{}
	e.operators = map[cc.OperatorID]*operator{}
	e.byQueue = map[cc.QueueID][]*operator{}
	e.staff = map[cc.QueueID]*roster{}
	e.free = opSet{slot: 0}
	e.timed = opSet{slot: 1}
	e.lines = map[cc.QueueID][]*call{}
	e.managed = map[cc.CallID]*call{}
	e.inLine = map[cc.CallID]filed{}
	e.later = map[cc.CallID]*call{}
	e.lineCallbacks = map[cc.QueueID]int{}
	e.spells = map[cc.QueueID]openSpell{}
	e.callsDueOK = false
	e.byName = map[string]cc.OperatorID{}
	e.calls = map[cc.CallID]*call{}
	e.offers = map[cc.OfferID]*cc.Offer{}
	e.leased = map[cc.CallID]bool{}
	e.offersDueOK = false
	e.strat = strategyState{cursors: map[cc.QueueID]cc.OperatorID{}, rand: e.cfg.Rand}
	e.clients = map[string]*cc.Client{}
	e.absences = map[cc.OperatorID][]cc.Absence{}
	e.spares = map[cc.SpareID]*spare{}
	e.menus = map[cc.MenuID]*cc.Menu{}
	e.menuByNumber = map[string]cc.MenuID{}
	e.questions = map[string]*question{}
	e.waits = map[cc.QueueID]*waitFigures{}
	e.exiting = nil
	e.begin()
}

// begin starts a step: what the last one touched is forgotten, in the same maps (three maps
// a step were a good part of the garbage a decision leaves), unless a big step grew them.
func (e *Engine) begin() {
	e.touchedStatus = emptied(e.touchedStatus)
	e.touchedCall = emptied(e.touchedCall)
	e.touchedOffer = emptied(e.touchedOffer)
	e.out = cc.Changes{}
}

// emptied returns m cleared for reuse, or a new map when m grew past a few entries: a map
// keeps the size it once had, and going through it costs that size.
func emptied[K comparable, V any](m map[K]V) map[K]V {
	if m == nil || len(m) > 32 {
		return map[K]V{}
	}
	clear(m)
	return m
}

// finish runs the assignment pass and returns everything the step changed.
func (e *Engine) finish(now time.Time) cc.Changes {
	if now.After(e.lastStep) {
		e.lastStep = now
	}
	e.fileDueCallbacks()
	for id := range e.touchedStatus {
		e.indexOperator(e.operators[id])
	}
	for id := range e.touchedCall {
		e.indexCall(id)
	}
	e.assign(now)
	for id := range e.touchedCall {
		e.indexCall(id)
	}
	out := e.out
	if n := len(e.touchedStatus); n > 0 {
		out.Statuses = make([]cc.OperatorStatus, 0, n)
	}
	if n := len(e.touchedCall); n > 0 {
		out.Calls = make([]cc.Call, 0, n)
	}
	if n := len(e.touchedOffer); n > 0 {
		out.Offers = make([]cc.Offer, 0, n)
	}
	for id := range e.touchedStatus {
		o := e.operators[id]
		e.indexOperator(o)
		out.Statuses = append(out.Statuses, o.st)
	}
	slices.SortFunc(out.Statuses, func(a, b cc.OperatorStatus) int { return cmp.Compare(a.Operator, b.Operator) })
	for _, c := range e.touchedCall {
		cp := *c
		out.Calls = append(out.Calls, cp)
	}
	slices.SortFunc(out.Calls, func(a, b cc.Call) int { return cmp.Compare(a.ID, b.ID) })
	for _, o := range e.touchedOffer {
		out.Offers = append(out.Offers, *o)
	}
	slices.SortFunc(out.Offers, func(a, b cc.Offer) int { return cmp.Compare(a.ID, b.ID) })
	e.begin()
	return out
}

// fail drops what a refused step had collected; refused steps change nothing.
func (e *Engine) fail(err error) (cc.Changes, error) {
	e.begin()
	return cc.Changes{}, err
}

// Load replaces the engine's state with configuration and live state read from the store, as
// after a restart. Every operator starts absent: whoever does not reconnect within the grace
// period is logged off.
func (e *Engine) Load(now time.Time, queues []cc.Queue, operators []cc.Operator, rt cc.Runtime) cc.Changes {
	e.reset()
	if now.After(e.lastStep) {
		e.lastStep = now // the calls are filed as of now (a callback's queue may be closed)
	}
	for _, q := range queues {
		e.putQueue(q)
	}
	for _, o := range operators {
		e.putOperator(now, o)
	}
	for _, st := range rt.Statuses {
		if o := e.operators[st.Operator]; o != nil {
			o.st = st
			o.absentSince = now
			e.file(o)
			e.indexOperator(o)
		}
	}
	for _, c := range rt.WrappedUp {
		if o := e.operators[c.Operator]; o != nil && o.st.State == cc.OperatorWrapUp && o.st.Call == c.ID {
			cp := c
			o.wrapping = &cp
		}
	}
	e.releaseKept(now)
	for q, op := range rt.Cursors {
		e.strat.cursors[q] = op
	}
	for _, cl := range rt.Clients {
		cp := cl
		e.clients[cl.Number] = &cp
	}
	for _, a := range rt.Absences {
		e.absences[a.Operator] = append(e.absences[a.Operator], a)
	}
	for _, sp := range rt.Spares {
		e.spares[sp.ID] = &spare{cfg: sp, st: cc.SpareStatus{Spare: sp.ID}}
	}
	for _, u := range rt.SpareUse {
		if s := e.spares[u.Spare]; s != nil {
			s.st = u
			s.st.Active = 0 // counted again from the calls below
		}
	}
	for _, m := range rt.Menus {
		cp := m
		e.menus[m.ID] = &cp
		for _, n := range m.DialedNumbers {
			e.menuByNumber[n] = m.ID
		}
	}
	for _, c := range rt.Calls {
		if c.State.Finished() {
			continue
		}
		lc := newCall(c, now)
		e.scheduleAnnouncement(lc, now)
		e.calls[c.ID] = lc
		e.indexCall(c.ID)
		if !partyLeaseDue(lc).IsZero() {
			e.leased[c.ID] = true
		}
		if s := e.spares[c.Spare]; s != nil {
			s.st.Active++
		}
	}
	e.restoreDeclines(rt.Declined)
	pending := make(map[cc.OfferID]bool, len(rt.Offers))
	for _, of := range rt.Offers {
		if of.State == cc.OfferPending {
			pending[of.ID] = true
		}
	}
	for _, of := range rt.Offers {
		of := of
		c := e.calls[of.Call]
		if of.State != cc.OfferPending {
			continue
		}
		if c == nil || (c.Offer != of.ID && !ringLeg(c, &of, pending) || c.State != cc.CallWaiting) && !transferLeg(c, &of) {
			// An offer whose call moved on: settle it so it cannot linger.
			of.State, of.SettledAt, of.Reason = cc.OfferWithdrawn, now, "call moved on before restart"
			e.touchedOffer[of.ID] = &of
			continue
		}
		e.offers[of.ID] = &of
		e.offersDueOK = false
		c.markTried(of.Operator)
		c.restored = append(c.restored, of.ID)
		e.restoreRing(c, &of)
	}
	// A lease that ran out while Tandem was down is not its operator's miss: nobody could hear
	// his phone's outcome. The call is offered again; if he did answer, the call is still his.
	for _, of := range e.offers {
		if !of.ExpiresAt.After(now) {
			e.notReached(now, e.calls[of.Call], of, "offer ended: Tandem was down when its lease ran out", false, true)
		}
	}
	// An offer's dial is sent after the offer is stored, so a crash in between leaves an offer no
	// phone rings. Every offer still pending is dialled again for what is left of its ring; the
	// scenario ignores a dial for an offer it already has.
	for _, of := range slices.SortedFunc(maps.Values(e.offers), func(a, b *cc.Offer) int { return cmp.Compare(a.ID, b.ID) }) {
		e.redial(now, of)
	}
	return e.finish(now)
}

// redial sends the dial of a pending offer again, for what is left of its ring time.
func (e *Engine) redial(now time.Time, of *cc.Offer) {
	c := e.calls[of.Call]
	if c == nil {
		return
	}
	q := e.queues[c.Queue]
	if q == nil {
		return
	}
	if c.Callback.Virtual() && c.AccessURL == "" && !e.openNow(q, now) {
		// Offered before its queue closed, the callback was not started yet: it is not
		// started at night either (nobody's fault), and waits for the opening.
		e.notReached(now, c, of, "offer ended: its queue closed while Tandem was down", false, false)
		return
	}
	left := of.OfferedAt.Add(q.OfferTimeout).Sub(now)
	if left <= 0 {
		return // its lease runs out in the slack: that settles it
	}
	if c.Transfer.Active() && c.Transfer.Offer == of.ID {
		e.redialTransfer(c, of, left)
		return
	}
	if of.Spare != "" {
		if s := e.spares[of.Spare]; s != nil {
			e.dial(c, of, s.cfg.Contact, left)
		}
		return
	}
	if o := e.operators[of.Operator]; o != nil {
		e.dial(c, of, o.cfg.Contact, left)
	}
}

// dial tells the call's scenario to ring contact for offer of, for at most timeout. A callback
// without a session of its own yet has one started first (AttachCallback dials then).
func (e *Engine) dial(c *call, of *cc.Offer, contact cc.Contact, timeout time.Duration) {
	if c.Callback.Virtual() && c.AccessURL == "" {
		e.command(cc.Command{Type: cc.CommandStartCallback, Call: c.ID, Offer: of.ID, Contact: contact, Timeout: timeout})
		return
	}
	e.command(cc.Command{Type: cc.CommandDial, Call: c.ID, AccessURL: c.AccessURL, Offer: of.ID, Contact: contact, Timeout: timeout, CallerID: c.CallerNumber,
		RingAll: slices.Contains(c.ring, of.ID)})
}

// offerFor returns the pending offer named by id for call c.
func (e *Engine) offerFor(c *call, id cc.OfferID) *cc.Offer {
	of := e.offers[id]
	if of == nil || of.Call != c.ID {
		return nil
	}
	return of
}

func (e *Engine) touchCall(c *call)       { e.touchedCall[c.ID] = &c.Call }
func (e *Engine) touchOffer(of *cc.Offer) { e.touchedOffer[of.ID] = of }
func (e *Engine) touchStatus(o *operator) { e.touchedStatus[o.cfg.ID] = true }
func (e *Engine) command(cmd cc.Command)  { e.out.Commands = append(e.out.Commands, cmd) }
func (e *Engine) decision(d cc.Decision)  { e.out.Decisions = append(e.out.Decisions, d) }
func (e *Engine) setState(now time.Time, o *operator, s cc.OperatorState, reason string) {
	o.st.State, o.st.Since, o.st.Reason = s, now, reason
	if s != cc.OperatorReserved {
		o.st.Offer = ""
	}
	if s != cc.OperatorOnCall && s != cc.OperatorWrapUp {
		o.st.Call = ""
	}
	if s != cc.OperatorWrapUp {
		o.st.WrapUpEndsAt = time.Time{}
		o.wrapping = nil
	}
	if s != cc.OperatorBanned {
		o.st.BannedUntil = time.Time{}
	}
	e.file(o)
	e.touchStatus(o)
}

// settle closes a pending offer with the given outcome and removes it from the live set. A
// spare number that did not answer is free again, and cools down after a miss.
func (e *Engine) settle(now time.Time, of *cc.Offer, state cc.OfferState, reason string) {
	of.State, of.SettledAt, of.Reason = state, now, reason
	delete(e.offers, of.ID)
	if e.offersDueOK && !of.ExpiresAt.After(e.offersDue) {
		e.offersDueOK = false // it may have been the first to expire
	}
	e.touchOffer(of)
	if of.Spare != "" && state != cc.OfferAnswered {
		e.spareDone(now, of.Spare, state == cc.OfferFailed || state == cc.OfferExpired)
	}
}

// returnToLine puts a call whose offer did not work out back at its old place. An offer taken
// back (not one the cloud reported failed) is remembered: if its operator answers after all,
// the call is his.
func (e *Engine) returnToLine(c *call, of *cc.Offer) {
	if c.Transfer.Active() && c.Transfer.Offer == of.ID && e.transferLegFailed(c, of) {
		return // warm: the caller is back with his operator
	}
	if of.State != cc.OfferFailed && of.Spare == "" {
		if c.late == nil {
			c.late = map[cc.OfferID]*cc.Offer{}
		}
		c.late[of.ID] = of
	}
	e.touchCall(c)
	if e.ringGoesOn(c, of) {
		return // other legs still ring: the call stays offered
	}
	c.Offer, c.Operator, c.Spare = "", "", ""
}

// Repairs returns how many stuck states the sweeper mended since start, by kind.
func (e *Engine) Repairs() map[string]int {
	out := make(map[string]int, len(e.repairs))
	for k, v := range e.repairs {
		out[k] = v
	}
	return out
}

func (e *Engine) operatorOr404(id cc.OperatorID) (*operator, error) {
	o := e.operators[id]
	if o == nil {
		return nil, cc.NotFound("operator_id", "no operator %q", id)
	}
	return o, nil
}

func (e *Engine) callOr404(id cc.CallID) (*call, error) {
	c := e.calls[id]
	if c == nil {
		return nil, cc.NotFound("call_id", "no call %q in progress", id)
	}
	return c, nil
}

func fmtDuration(d time.Duration) string { return d.Round(time.Second).String() }

// missReason explains a failed dial in the operator's words.
func missReason(code int, reason string) string {
	switch code {
	case 486:
		return "missed call: busy"
	case 480:
		return "missed call: unavailable"
	case 408, 487:
		return "missed call: no answer"
	case 603:
		return "missed call: declined"
	}
	if reason != "" {
		return fmt.Sprintf("missed call: %s (%d)", reason, code)
	}
	return fmt.Sprintf("missed call (%d)", code)
}
