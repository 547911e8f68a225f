package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

// The supervisor's hands on one operator's presence, with the admin key.
var operatorCommands = []command{
	{"operator", "ready", "OPERATOR", "make an operator available for calls (OPERATOR: his id or login name)", operatorReady},
	{"operator", "away", "OPERATOR --reason R", "take an operator out of routing", operatorAway},
	{"operator", "logout", "OPERATOR", "log an operator out: his sessions end, an offer ringing for him is withdrawn (refused while he talks)", operatorLogOut},
	{"operator", "end-wrap-up", "OPERATOR [--note N]", "end an operator's wrap-up now", operatorEndWrapUp},
	{"operator", "lift-ban", "OPERATOR", "end an operator's ban now (he is away until he presses Ready)", operatorLiftBan},
	{"operator", "login-failures", "", "wrong passwords per operator since his last login, and the login back-offs in force", operatorLoginFailures},
	{"operator", "unlock", "[NAME|ID] [--address A]", "end the login back-off of an operator's name (from every address) or of an address", operatorUnlock},
}

func operatorLoginFailures(c *cli, args []string) error {
	if _, err := c.parse(c.flags(), args); err != nil {
		return err
	}
	res, err := c.client.Admin.ListLoginFailures(c.ctx, connect.NewRequest(&adminv1.ListLoginFailuresRequest{}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "OPERATOR", "NAME", "FAILED", "LAST", "LAST FROM", "BACKED OFF FROM")
		for _, o := range res.Msg.GetOperators() {
			var from []string
			for _, b := range o.GetBackedOff() {
				from = append(from, b.GetAddress()+" until "+stamp(b.GetUntil()))
			}
			row(w, o.GetOperatorId(), o.GetName(), o.GetFailures(), stamp(o.GetLastFailedAt()), o.GetLastAddress(), strings.Join(from, ", "))
		}
		fmt.Fprintln(w)
		row(w, "ADDRESS", "FAILED", "BACKED OFF UNTIL")
		for _, a := range res.Msg.GetAddresses() {
			row(w, a.GetAddress(), a.GetFailures(), stamp(a.GetUntil()))
		}
	})
}

func operatorUnlock(c *cli, args []string) error {
	fs := c.flags()
	address := fs.String("address", "", "an address (or IPv6 /64) to unlock for every name, instead of an operator")
	pos, err := c.parse(fs, args, "[NAME|ID]")
	if err != nil {
		return err
	}
	if (len(pos) == 1) == (*address != "") {
		return usagef("give an operator's NAME or ID, or --address")
	}
	req := &adminv1.UnlockLoginRequest{Address: *address}
	if len(pos) == 1 {
		if req.OperatorId, err = c.names.operator(pos[0], nameRef{"the NAME|ID argument", "operator_id"}); err != nil {
			return err
		}
	}
	res, err := c.client.Admin.UnlockLogin(c.ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { row(w, "Back-offs cleared", res.Msg.GetCleared()) })
}

// operatorArg is the operator a presence command names.
func (c *cli) operatorArg(pos []string) (string, error) {
	return c.names.operator(pos[0], nameRef{"the OPERATOR argument", "operator_id"})
}

func operatorLiftBan(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "OPERATOR")
	if err != nil {
		return err
	}
	id, err := c.operatorArg(pos)
	if err != nil {
		return err
	}
	res, err := c.client.Assignment.LiftBan(c.ctx, connect.NewRequest(&assignmentv1.LiftBanRequest{OperatorId: id}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "State", enumName(res.Msg.GetState(), "OPERATOR_STATE_"))
		marksTable(w, res.Msg.GetMarks())
	})
}

func marksTable(w io.Writer, m *commonv1.Marks) {
	if m == nil {
		return
	}
	row(w, "Score", strconv.FormatFloat(m.GetScore(), 'f', 0, 64))
	row(w, "Answer rate", strconv.FormatFloat(m.GetAnswerRate(), 'f', 2, 64))
	row(w, "Ring time (avg)", ms(uint64(m.GetRingTimeMs())))
	row(w, "Missed", fmt.Sprintf("%d (%d in a row, %d toward a ban)", m.GetOffersMissed(), m.GetConsecutiveMisses(), m.GetRecentMisses()))
	row(w, "Bans today", m.GetBansToday())
	row(w, "Calls today", m.GetCallsToday())
	row(w, "Talk today", ms(m.GetTalkTodayMs()))
}

func operatorReady(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "OPERATOR")
	if err != nil {
		return err
	}
	id, err := c.operatorArg(pos)
	if err != nil {
		return err
	}
	res, err := c.client.Presence.GoReady(c.ctx, connect.NewRequest(&presencev1.GoReadyRequest{OperatorId: id}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { statusTable(w, res.Msg.GetStatus()) })
}

func operatorAway(c *cli, args []string) error {
	fs := c.flags()
	reason := fs.String("reason", "", `why: "break", "lunch", "training"…`)
	pos, err := c.parse(fs, args, "OPERATOR")
	if err != nil {
		return err
	}
	id, err := c.operatorArg(pos)
	if err != nil {
		return err
	}
	res, err := c.client.Presence.GoAway(c.ctx, connect.NewRequest(&presencev1.GoAwayRequest{OperatorId: id, Reason: *reason}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { statusTable(w, res.Msg.GetStatus()) })
}

func operatorLogOut(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "OPERATOR")
	if err != nil {
		return err
	}
	id, err := c.operatorArg(pos)
	if err != nil {
		return err
	}
	res, err := c.client.Presence.LogOut(c.ctx, connect.NewRequest(&presencev1.LogOutRequest{OperatorId: id}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { statusTable(w, res.Msg.GetStatus()) })
}

func operatorEndWrapUp(c *cli, args []string) error {
	fs := c.flags()
	note := fs.String("note", "", "a short note on the call just handled")
	pos, err := c.parse(fs, args, "OPERATOR")
	if err != nil {
		return err
	}
	id, err := c.operatorArg(pos)
	if err != nil {
		return err
	}
	res, err := c.client.Presence.EndWrapUp(c.ctx, connect.NewRequest(&presencev1.EndWrapUpRequest{OperatorId: id, Note: *note}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { statusTable(w, res.Msg.GetStatus()) })
}

func statusTable(w io.Writer, s *presencev1.OperatorStatus) {
	row(w, "Operator", s.GetOperatorId())
	row(w, "Name", s.GetName())
	row(w, "Display name", s.GetDisplayName())
	row(w, "State", enumName(s.GetState(), "OPERATOR_STATE_"))
	row(w, "Since", stamp(s.GetStateSince()))
	row(w, "Reason", s.GetReason())
	row(w, "Present", yesNo(s.GetPresent()))
	if o := s.GetOffer(); o != nil {
		row(w, "Offer", o.GetOfferId()+" (call "+o.GetCallId()+", queue "+o.GetQueueId()+")")
		row(w, "Offer expires", stamp(o.GetExpiresAt()))
	}
	row(w, "Call", s.GetCallId())
	row(w, "Wrap-up ends", stamp(s.GetWrapUpEndsAt()))
	row(w, "Banned until", stamp(s.GetBannedUntil()))
	marksTable(w, s.GetMarks())
}
