package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"

	"connectrpc.com/connect"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
)

var callsCommands = []command{
	{"calls", "list", "[--queue QUEUE]", "list the calls not finished, oldest first", callsList},
	{"calls", "get", "CALL_ID", "show a call with its offers", callsGet},
	{"calls", "why", "CALL_ID", "explain who was offered a call and why", callsWhy},
	{"calls", "timeline", "CALL_ID", "everything that happened to a call, in order", callsTimeline},
	{"calls", "withdraw", "OFFER_ID [--reason R]", "take back a pending offer", callsWithdraw},
	{"calls", "requeue", "CALL_ID [--queue QUEUE] [--priority N]", "put a waiting call back in line, maybe in another queue or at another priority (0-100, higher first)", callsRequeue},
}

func callsList(c *cli, args []string) error {
	fs := c.flags()
	queue := fs.String("queue", "", "only this queue's calls (its id or name)")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	id, err := c.names.queue(*queue, nameRef{"--queue", "queue_id"})
	if err != nil {
		return err
	}
	res, err := c.client.Assignment.ListCalls(c.ctx, connect.NewRequest(&assignmentv1.ListCallsRequest{QueueId: id}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "call", "queue", "state", "position", "caller", "dialed", "arrived", "operator")
		for _, call := range res.Msg.GetCalls() {
			row(w, call.GetCallId(), call.GetQueueId(), enumName(call.GetState(), "CALL_STATE_"), position(call.GetPosition()), caller(call), call.GetDialedNumber(), stamp(call.GetArrivedAt()), call.GetOperatorId())
		}
	})
}

func callsGet(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "CALL_ID")
	if err != nil {
		return err
	}
	res, err := c.client.Assignment.GetCall(c.ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: pos[0]}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { callTable(w, res.Msg.GetCall()) })
}

func callsWhy(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "CALL_ID")
	if err != nil {
		return err
	}
	res, err := c.client.Assignment.ExplainCall(c.ctx, connect.NewRequest(&assignmentv1.ExplainCallRequest{CallId: pos[0]}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		if len(res.Msg.GetDecisions()) == 0 {
			fmt.Fprintf(w, "%s has not been offered to anyone yet.\n", pos[0])
		}
		for i, d := range res.Msg.GetDecisions() {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "%s  offer %s to %s (%s)\n", stamp(d.GetDecidedAt()), d.GetOfferId(), d.GetOperatorId(), d.GetStrategy())
			fmt.Fprintf(w, "  %s\n", d.GetRule())
			row(w, "  OPERATOR", "STATE", "ELIGIBLE", "EXCLUDED BECAUSE", "RANKED BY", "LEVEL", "IDLE", "SCORE", "CALLS TODAY")
			for _, cd := range d.GetCandidates() {
				row(w, "  "+cd.GetOperatorId(), enumName(cd.GetState(), "OPERATOR_STATE_"), yesNo(cd.GetEligible()), cd.GetExcludedBecause(), cd.GetValueText(), cd.GetLevel(), ms(uint64(cd.GetIdleMs())), strconv.FormatFloat(cd.GetScore(), 'f', 0, 64), cd.GetCallsToday())
			}
			if n := d.GetEligibleCount(); n > 0 || d.GetExcludedCount() > 0 {
				fmt.Fprintf(w, "  %d free (%d listed), %d others left out%s\n", n, listedFree(d), d.GetExcludedCount(), byReason(d.GetExcludedByReason()))
			}
		}
	})
}

func callsWithdraw(c *cli, args []string) error {
	fs := c.flags()
	reason := fs.String("reason", "", "why, for the record")
	pos, err := c.parse(fs, args, "OFFER_ID")
	if err != nil {
		return err
	}
	res, err := c.client.Assignment.WithdrawOffer(c.ctx, connect.NewRequest(&assignmentv1.WithdrawOfferRequest{OfferId: pos[0], Reason: *reason}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { callTable(w, res.Msg.GetCall()) })
}

func callsRequeue(c *cli, args []string) error {
	fs := c.flags()
	queue := fs.String("queue", "", "move the call to this queue, its id or name (keeping its arrival time)")
	priority := fs.Uint("priority", 0, "the call's new priority in its queue, 0-100, higher first (kept when not given)")
	pos, err := c.parse(fs, args, "CALL_ID")
	if err != nil {
		return err
	}
	to, err := c.names.queue(*queue, nameRef{"--queue", "queue_id"})
	if err != nil {
		return err
	}
	req := &assignmentv1.RequeueCallRequest{CallId: pos[0], QueueId: to}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "priority" {
			p := uint32(min(*priority, math.MaxUint32))
			req.Priority = &p
		}
	})
	res, err := c.client.Assignment.RequeueCall(c.ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { callTable(w, res.Msg.GetCall()) })
}

// callTable shows a call, then its offers.
func callTable(w io.Writer, call *assignmentv1.Call) {
	row(w, "Call", call.GetCallId())
	row(w, "Queue", call.GetQueueId())
	row(w, "State", enumName(call.GetState(), "CALL_STATE_"))
	row(w, "Position", position(call.GetPosition()))
	row(w, "Caller", caller(call))
	row(w, "Dialed", call.GetDialedNumber())
	row(w, "Session", call.GetSessionId())
	row(w, "Arrived", stamp(call.GetArrivedAt()))
	row(w, "Operator", call.GetOperatorId())
	row(w, "Answered", stamp(call.GetAnsweredAt()))
	row(w, "Ended", stamp(call.GetEndedAt()))
	row(w, "Hung up by", enumName(call.GetHungUpBy(), "HANGUP_PARTY_"))
	row(w, "Talk time", ms(uint64(call.GetTalkTimeMs())))
	if len(call.GetOffers()) == 0 {
		return
	}
	fmt.Fprintln(w)
	row(w, "OFFER", "OPERATOR", "STATE", "OFFERED", "EXPIRES", "SETTLED", "RING", "REASON")
	for _, o := range call.GetOffers() {
		reason := o.GetReason()
		if o.GetFailureCode() != 0 {
			reason = fmt.Sprintf("%d %s", o.GetFailureCode(), reason)
		}
		row(w, o.GetOfferId(), o.GetOperatorId(), enumName(o.GetState(), "OFFER_STATE_"), stamp(o.GetOfferedAt()), stamp(o.GetExpiresAt()), stamp(o.GetSettledAt()), ms(uint64(o.GetRingTimeMs())), reason)
	}
}

func caller(call *assignmentv1.Call) string {
	if call.GetCallerName() == "" {
		return call.GetCallerNumber()
	}
	return call.GetCallerName() + " " + call.GetCallerNumber()
}

// position is a place in line, or "" when the call is not waiting in line.
func position(p uint32) string {
	if p == 0 {
		return ""
	}
	return strconv.Itoa(int(p))
}

func callsTimeline(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "CALL_ID")
	if err != nil {
		return err
	}
	res, err := c.client.Analytics.GetCallTimeline(c.ctx, connect.NewRequest(&analyticsv1.GetCallTimelineRequest{CallId: pos[0]}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "AT", "WHAT", "WHO", "DETAIL")
		for _, e := range res.Msg.GetEntries() {
			who := e.GetOperatorId()
			if e.GetSpareId() != "" {
				who = "spare " + e.GetSpareId()
			}
			detail := e.GetText()
			switch {
			case e.GetDecision() != nil:
				detail = e.GetDecision().GetRule()
			case e.GetFailureCode() != 0:
				detail = fmt.Sprintf("%d %s", e.GetFailureCode(), e.GetText())
			case e.GetHungUpBy() != commonv1.HangupParty_HANGUP_PARTY_UNSPECIFIED:
				detail = e.GetText() + ", hung up by " + enumName(e.GetHungUpBy(), "HANGUP_PARTY_")
			case e.GetRingTimeMs() > 0:
				detail = "rang " + ms(uint64(e.GetRingTimeMs()))
			}
			row(w, stamp(e.GetAt()), e.GetKind(), who, detail)
		}
	})
}

// listedFree counts the free operators a decision lists (the chosen one and the next best).
func listedFree(d *assignmentv1.Decision) int {
	n := 0
	for _, c := range d.GetCandidates() {
		if c.GetEligible() && c.GetValueText() != "" {
			n++
		}
	}
	return n
}

// byReason is ": 212 on_call, 3 no live app" — the largest first, then by reason.
func byReason(m map[string]uint32) string {
	reasons := slices.Collect(maps.Keys(m))
	slices.SortFunc(reasons, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	out := ""
	for i, r := range reasons {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		out += fmt.Sprintf("%s%d %s", sep, m[r], r)
	}
	return out
}
