package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
)

const queueSynopsis = "[--name N] [--number +E164...] [--strategy longest_idle] [--ring-at-once 5] [--offer-timeout 20s] [--wrap-up 10s] [--priority 0] [--hold-music URL] [--greeting TEXT] [--default] [--announce-every 30s] [--away-after-misses 1] [--away-after-declines 0] [--ban-after-misses 3] [--ban-window 1h] [--ban-step 5m...] [--manager-wait 30s] [--no-opt-in] [--opt-in-cooldown-days 90] [--absence-template REASON=TEXT...] [--overflow-after 60s] [--overflow-spare SPARE...] [--overflow-max N] [--overflow-order in_turn] [--record-calls] [--recording-notice TEXT] [--disposition CODE=NAME...] [--disposition-required] " + exitsSynopsis

var queuesCommands = []command{
	{"queues", "list", "", "list the queues", queuesList},
	{"queues", "get", "QUEUE", "show one queue (QUEUE: its id or name)", queuesGet},
	{"queues", "create", "--id ID " + queueSynopsis, "add a queue", queuesCreate},
	{"queues", "update", "QUEUE " + queueSynopsis, "change the given settings of a queue", queuesUpdate},
}

func queuesList(c *cli, args []string) error {
	if _, err := c.parse(c.flags(), args); err != nil {
		return err
	}
	res, err := c.client.Admin.ListQueues(c.ctx, connect.NewRequest(&adminv1.ListQueuesRequest{}))
	if err != nil {
		return err
	}
	// The columns are the flags of "queues update", their values as those flags take them.
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "id", "name", "number", "strategy", "offer-timeout", "wrap-up", "priority", "default", "announce-every", "overflow-after", "record-calls")
		for _, q := range res.Msg.GetQueues() {
			row(w, q.GetQueueId(), q.GetName(), strings.Join(q.GetDialedNumbers(), ","), q.GetStrategy(), seconds(q.GetOfferTimeoutS()), seconds(q.GetWrapUpS()), q.GetPriority(), q.GetIsDefault(),
				seconds(q.GetAnnounceEveryS()), seconds(q.GetOverflow().GetAfterS()), q.GetRecordCalls())
		}
	})
}

func queuesGet(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "QUEUE")
	if err != nil {
		return err
	}
	id, err := c.names.queue(pos[0], nameRef{"the QUEUE argument", "queue_id"})
	if err != nil {
		return err
	}
	res, err := c.client.Admin.GetQueue(c.ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: id}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { queueTable(w, res.Msg.GetQueue()) })
}

func queuesCreate(c *cli, args []string) error {
	fs := c.flags()
	qf := newQueueFlags(fs, true)
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	q := &adminv1.Queue{}
	if err := qf.apply(c, q, fs.VisitAll); err != nil {
		return err
	}
	res, err := c.client.Admin.CreateQueue(c.ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: q}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { queueTable(w, res.Msg.GetQueue()) })
}

// queuesUpdate reads the queue and sends it back with the given flags changed: UpdateQueue
// replaces every setting.
func queuesUpdate(c *cli, args []string) error {
	fs := c.flags()
	qf := newQueueFlags(fs, false)
	pos, err := c.parse(fs, args, "[QUEUE]")
	if err != nil {
		return err
	}
	given, err := oneID(pos, qf.id, "QUEUE")
	if err != nil {
		return err
	}
	id, err := c.names.queue(given, nameRef{"the QUEUE argument", "queue.queue_id"})
	if err != nil {
		return err
	}
	got, err := c.client.Admin.GetQueue(c.ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: id}))
	if err != nil {
		return err
	}
	q := got.Msg.GetQueue()
	qf.id = id // --id names the queue to change; it does not rename it
	if err := qf.apply(c, q, fs.Visit); err != nil {
		return err
	}
	res, err := c.client.Admin.UpdateQueue(c.ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { queueTable(w, res.Msg.GetQueue()) })
}

// queueFlags are a queue's settings on the command line.
type queueFlags struct {
	id, name, strategy, holdMusic, greeting  string
	numbers, overflowSpares                  commaList
	offerTimeout, wrapUp                     duration
	priority, ringAtOnce                     uint
	isDefault                                bool
	announceEvery, banWindow                 duration
	awayAfter, banAfter, awayAfterDeclines   uint
	banSteps                                 durations
	managerWait, overflowAfter               duration
	noOptIn                                  bool
	optInCooldownDays, overflowMax           uint
	templates                                listFlag
	overflowOrder                            string
	recordCalls                              bool
	recordingNotice                          string
	alertWaiting, alertMisses                uint
	alertSLUnder, alertAbandonment           uint
	alertLongestWait, alertWindow, alertHold duration
	dispositions                             listFlag
	dispositionRequired                      bool
	exits                                    *exitFlags
}

// newQueueFlags defines the flags; create gives them the API's documented defaults.
func newQueueFlags(fs *flag.FlagSet, create bool) *queueFlags {
	qf := &queueFlags{}
	idHelp := "the queue (its id or name), instead of the QUEUE argument"
	if create {
		idHelp, qf.offerTimeout, qf.wrapUp = "queue id: lowercase letters, digits, _ or -", duration(20*time.Second), duration(10*time.Second)
	}
	fs.StringVar(&qf.id, "id", "", idHelp)
	fs.StringVar(&qf.name, "name", "", "name shown to people")
	fs.Var(&qf.numbers, "number", "a dialed number (E.164) whose calls join the queue (repeatable or comma-separated; replaces the list; --number= empties it)")
	fs.StringVar(&qf.strategy, "strategy", "", "routing strategy (the server's default: longest_idle)")
	fs.UintVar(&qf.ringAtOnce, "ring-at-once", 0, "ring_all: the most operators rung at once for one call, 2 to 50 (0: server default, 5)")
	fs.Var(&qf.offerTimeout, "offer-timeout", "how long an operator's phone rings before the offer moves on"+durationHelp)
	fs.Var(&qf.wrapUp, "wrap-up", "wrap-up time after a call"+durationHelp)
	fs.UintVar(&qf.priority, "priority", 0, "higher first across the queues an operator serves")
	fs.StringVar(&qf.holdMusic, "hold-music", "", "hold music URL")
	fs.StringVar(&qf.greeting, "greeting", "", "greeting read to callers")
	fs.BoolVar(&qf.isDefault, "default", false, "calls to numbers of no queue come here")
	fs.Var(&qf.announceEvery, "announce-every", "tell waiting callers their position this often (0: never)"+durationHelp)
	fs.UintVar(&qf.awayAfter, "away-after-misses", 0, "consecutive missed offers that send an operator away (0: server default, 1)")
	fs.UintVar(&qf.awayAfterDeclines, "away-after-declines", 0, "offers declined in a row that send an operator away (0: never)")
	fs.UintVar(&qf.banAfter, "ban-after-misses", 0, "missed offers within --ban-window that ban an operator (0: server default, 3)")
	fs.Var(&qf.banWindow, "ban-window", "the window for --ban-after-misses (0: server default, 1h)"+durationHelp)
	fs.Var(&qf.banSteps, "ban-step", "how long the next ban lasts, growing (repeatable or comma-separated: --ban-step 5m,15m; replaces the list)"+durationHelp)
	fs.Var(&qf.managerWait, "manager-wait", "how long a call waits for its busy personal manager before anyone may take it (0: server default, 30s)"+durationHelp)
	fs.BoolVar(&qf.noOptIn, "no-opt-in", false, "do not ask callers by voice whether they want the operator as their manager (--no-opt-in=false asks again)")
	fs.UintVar(&qf.optInCooldownDays, "opt-in-cooldown-days", 0, "do not ask again for this many days after a no (0: server default, 90)")
	fs.Var(&qf.templates, "absence-template", `what a caller hears when his manager is absent, as REASON=TEXT with REASON vacation, sick, dismissed or off_hours; {name} and {until} are filled in (repeatable; changes those reasons; REASON= goes back to the default)`)
	fs.Var(&qf.overflowAfter, "overflow-after", "a call waiting this long with no operator free goes to a spare number (0: never)"+durationHelp)
	fs.Var(&qf.overflowSpares, "overflow-spare", "a spare number of the overflow pool, its id or name, in order (repeatable or comma-separated; replaces the list; --overflow-spare= empties it)")
	fs.UintVar(&qf.overflowMax, "overflow-max", 0, "at most this many of the queue's calls at spare numbers at once (0: no limit of the queue's own)")
	fs.StringVar(&qf.overflowOrder, "overflow-order", "", "how the pool is used: in_turn (the server's default), least_used or priority")
	fs.BoolVar(&qf.recordCalls, "record-calls", false, "record the conversations of the queue's calls (--record-calls=false stops)")
	fs.StringVar(&qf.recordingNotice, "recording-notice", "", "said to callers before they are connected when calls are recorded, e.g. \"This call may be recorded.\" (--recording-notice= removes it)")
	fs.UintVar(&qf.alertWaiting, "alert-waiting-over", 0, "alert when more calls than this wait (0: off)")
	fs.Var(&qf.alertLongestWait, "alert-longest-wait-over", "alert when a call has waited longer than this (0: off)"+durationHelp)
	fs.UintVar(&qf.alertMisses, "alert-misses-in-row", 0, "alert when an operator of the queue missed this many offers in a row (0: off)")
	fs.UintVar(&qf.alertSLUnder, "alert-service-level-under", 0, "alert when the service level over --alert-window is under this percent (0: off)")
	fs.UintVar(&qf.alertAbandonment, "alert-abandonment-over", 0, "alert when more than this percent of the calls over --alert-window were abandoned (0: off)")
	fs.Var(&qf.alertWindow, "alert-window", "the window of the service level and abandonment alerts (0: server default, 15m)"+durationHelp)
	fs.Var(&qf.alertHold, "alert-hold", "how long a threshold stays crossed before its alert is raised, and back before it clears (0: server default, 10s)"+durationHelp)
	fs.Var(&qf.dispositions, "disposition", `a disposition (wrap-up code) operators choose for each call, as CODE=NAME or CODE, in order (repeatable; replaces the list; --disposition= empties it)`)
	fs.BoolVar(&qf.dispositionRequired, "disposition-required", false, "operators must set a disposition before they are ready again (--disposition-required=false stops)")
	qf.exits = newExitFlags(fs)
	return qf
}

// apply copies the flags that visit reaches into q; spare numbers may be named.
func (qf *queueFlags) apply(c *cli, q *adminv1.Queue, visit func(func(*flag.Flag))) (err error) {
	set := func(f *flag.Flag) {
		if ok, xerr := qf.exits.set(f, q); ok {
			err = xerr
			return
		}
		switch f.Name {
		case "id":
			q.QueueId = qf.id
		case "name":
			q.Name = qf.name
		case "number":
			q.DialedNumbers = nonEmpty(qf.numbers)
		case "strategy":
			q.Strategy = qf.strategy
		case "ring-at-once":
			q.RingAtOnce = uint32(min(qf.ringAtOnce, math.MaxUint32))
		case "offer-timeout":
			q.OfferTimeoutS, err = wholeSeconds(f.Name, qf.offerTimeout.get())
		case "wrap-up":
			q.WrapUpS, err = wholeSeconds(f.Name, qf.wrapUp.get())
		case "priority":
			if qf.priority > math.MaxUint32 {
				err = usagef("--priority %d is too large", qf.priority)
			}
			q.Priority = uint32(qf.priority)
		case "hold-music":
			q.HoldMusicUrl = qf.holdMusic
		case "greeting":
			q.Greeting = qf.greeting
		case "default":
			q.IsDefault = qf.isDefault
		case "announce-every":
			q.AnnounceEveryS, err = wholeSeconds(f.Name, qf.announceEvery.get())
		case "away-after-misses":
			q.AwayAfterMisses = uint32(min(qf.awayAfter, math.MaxUint32))
		case "away-after-declines":
			q.AwayAfterDeclines = uint32(min(qf.awayAfterDeclines, math.MaxUint32))
		case "ban-after-misses":
			q.BanAfterMisses = uint32(min(qf.banAfter, math.MaxUint32))
		case "ban-window":
			q.BanWindowS, err = wholeSeconds(f.Name, qf.banWindow.get())
		case "ban-step":
			q.BanStepsS = nil
			for _, d := range qf.banSteps {
				var secs uint32
				if secs, err = wholeSeconds(f.Name, d); err != nil {
					return
				}
				q.BanStepsS = append(q.BanStepsS, secs)
			}
		case "manager-wait":
			q.ManagerWaitS, err = wholeSeconds(f.Name, qf.managerWait.get())
		case "no-opt-in":
			q.NoOptIn = qf.noOptIn
		case "opt-in-cooldown-days":
			q.OptInCooldownDays = uint32(min(qf.optInCooldownDays, math.MaxUint32))
		case "absence-template":
			if q.AbsenceTemplates == nil {
				q.AbsenceTemplates = map[string]string{}
			}
			for _, v := range qf.templates {
				reason, text, ok := strings.Cut(v, "=")
				if reason = strings.TrimSpace(reason); !ok || reason == "" {
					err = usagef(`--absence-template %q: want REASON=TEXT, like vacation="{name} is on vacation until {until}."`, v)
					return
				}
				if text == "" {
					delete(q.AbsenceTemplates, reason)
				} else {
					q.AbsenceTemplates[reason] = text
				}
			}
		case "disposition":
			q.Dispositions = nil
			for _, v := range qf.dispositions {
				if v == "" {
					continue // --disposition= empties the list
				}
				code, label, _ := strings.Cut(v, "=")
				q.Dispositions = append(q.Dispositions, &commonv1.Disposition{Code: strings.TrimSpace(code), Label: strings.TrimSpace(label)})
			}
		case "disposition-required":
			q.DispositionRequired = qf.dispositionRequired
		case "record-calls":
			q.RecordCalls = qf.recordCalls
		case "recording-notice":
			q.RecordingNotice = qf.recordingNotice
		case "alert-waiting-over":
			q.AlertWaitingOver = uint32(min(qf.alertWaiting, math.MaxUint32))
		case "alert-longest-wait-over":
			q.AlertLongestWaitOverS, err = wholeSeconds(f.Name, qf.alertLongestWait.get())
		case "alert-misses-in-row":
			q.AlertMissesInRow = uint32(min(qf.alertMisses, math.MaxUint32))
		case "alert-service-level-under":
			q.AlertServiceLevelUnderPercent = uint32(min(qf.alertSLUnder, math.MaxUint32))
		case "alert-abandonment-over":
			q.AlertAbandonmentOverPercent = uint32(min(qf.alertAbandonment, math.MaxUint32))
		case "alert-window":
			q.AlertWindowS, err = wholeSeconds(f.Name, qf.alertWindow.get())
		case "alert-hold":
			q.AlertHoldS, err = wholeSeconds(f.Name, qf.alertHold.get())
		case "overflow-after", "overflow-spare", "overflow-max", "overflow-order":
			if q.Overflow == nil {
				q.Overflow = &adminv1.Overflow{}
			}
			switch f.Name {
			case "overflow-after":
				q.Overflow.AfterS, err = wholeSeconds(f.Name, qf.overflowAfter.get())
			case "overflow-spare":
				q.Overflow.SpareIds = nil
				for i, s := range nonEmpty(qf.overflowSpares) {
					var id string
					if id, err = c.names.spare(s, nameRef{"--overflow-spare", fmt.Sprintf("queue.overflow.spare_ids[%d]", i)}); err != nil {
						return
					}
					q.Overflow.SpareIds = append(q.Overflow.SpareIds, id)
				}
			case "overflow-max":
				q.Overflow.MaxAtOnce = uint32(min(qf.overflowMax, math.MaxUint32))
			case "overflow-order":
				q.Overflow.Order = qf.overflowOrder
			}
		}
	}
	visit(func(f *flag.Flag) {
		if err == nil {
			set(f)
		}
	})
	return err
}

func queueTable(w io.Writer, q *adminv1.Queue) {
	row(w, "ID", q.GetQueueId())
	row(w, "Name", q.GetName())
	row(w, "Numbers", strings.Join(q.GetDialedNumbers(), ","))
	row(w, "Strategy", q.GetStrategy())
	if q.GetStrategy() == "ring_all" {
		row(w, "Ring at once", q.GetRingAtOnce())
	}
	row(w, "Offer timeout", seconds(q.GetOfferTimeoutS()))
	row(w, "Wrap-up", seconds(q.GetWrapUpS()))
	row(w, "Priority", q.GetPriority())
	row(w, "Hold music", q.GetHoldMusicUrl())
	row(w, "Greeting", q.GetGreeting())
	row(w, "Default", yesNo(q.GetIsDefault()))
	row(w, "Announce every", seconds(q.GetAnnounceEveryS()))
	row(w, "Away after misses", q.GetAwayAfterMisses())
	row(w, "Away after declines", q.GetAwayAfterDeclines())
	var steps []string
	for _, s := range q.GetBanStepsS() {
		steps = append(steps, seconds(s))
	}
	row(w, "Ban", fmt.Sprintf("after %d misses within %s, for %s", q.GetBanAfterMisses(), seconds(q.GetBanWindowS()), strings.Join(steps, ", then ")))
	row(w, "Manager wait", seconds(q.GetManagerWaitS()))
	row(w, "Alerts", alertsText(q))
	row(w, "Dispositions", dispositionsText(q))
	if q.GetRecordCalls() {
		row(w, "Recording", "yes, notice: "+cmp.Or(q.GetRecordingNotice(), "(none)"))
	} else {
		row(w, "Recording", "no")
	}
	if q.GetNoOptIn() {
		row(w, "Opt-in", "no")
	} else {
		row(w, "Opt-in", fmt.Sprintf("yes, not again for %d days after a no", q.GetOptInCooldownDays()))
	}
	reasons := slices.Sorted(maps.Keys(q.GetAbsenceTemplates()))
	if len(reasons) == 0 {
		row(w, "Absence texts", "the defaults")
	}
	for _, r := range reasons {
		row(w, "Absence text ("+r+")", q.GetAbsenceTemplates()[r])
	}
	row(w, "Overflow", overflowString(q.GetOverflow()))
	exitsTable(w, q)
}

// overflowString is a queue's overflow rule in a line: "after 1m0s to s1,s2 (in_turn, at most 2
// at once)", or "never".
func overflowString(o *adminv1.Overflow) string {
	pool := strings.Join(o.GetSpareIds(), ",")
	if o.GetAfterS() == 0 {
		if pool != "" {
			return "never (pool " + pool + ")"
		}
		return "never"
	}
	how := cmp.Or(o.GetOrder(), "in_turn")
	if o.GetMaxAtOnce() > 0 {
		how += fmt.Sprintf(", at most %d at once", o.GetMaxAtOnce())
	}
	return fmt.Sprintf("after %s to %s (%s)", seconds(o.GetAfterS()), pool, how)
}

// alertsText says which alert thresholds a queue has on.
func alertsText(q *adminv1.Queue) string {
	var on []string
	if n := q.GetAlertWaitingOver(); n > 0 {
		on = append(on, fmt.Sprintf("over %d waiting", n))
	}
	if n := q.GetAlertLongestWaitOverS(); n > 0 {
		on = append(on, "a wait over "+seconds(n))
	}
	if n := q.GetAlertMissesInRow(); n > 0 {
		on = append(on, fmt.Sprintf("%d misses in a row", n))
	}
	if n := q.GetAlertServiceLevelUnderPercent(); n > 0 {
		on = append(on, fmt.Sprintf("service level under %d %%", n))
	}
	if n := q.GetAlertAbandonmentOverPercent(); n > 0 {
		on = append(on, fmt.Sprintf("abandonment over %d %%", n))
	}
	if len(on) == 0 {
		return "off"
	}
	return strings.Join(on, ", ")
}

// dispositionsText is a queue's dispositions in a line: "sale=Sale made, callback (required)",
// as --disposition takes them, or "none".
func dispositionsText(q *adminv1.Queue) string {
	var ds []string
	for _, d := range q.GetDispositions() {
		if d.GetLabel() == "" || d.GetLabel() == d.GetCode() {
			ds = append(ds, d.GetCode())
		} else {
			ds = append(ds, d.GetCode()+"="+d.GetLabel())
		}
	}
	if len(ds) == 0 {
		return "none"
	}
	out := strings.Join(ds, ", ")
	if q.GetDispositionRequired() {
		out += " (required)"
	}
	return out
}
