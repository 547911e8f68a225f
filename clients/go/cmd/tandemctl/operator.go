package main

import (
	"fmt"
	"io"
	"strconv"

	"connectrpc.com/connect"

	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

// The supervisor's hands on one operator's presence, with the admin key.
var operatorCommands = []command{
	{"operator", "ready", "ID", "make an operator available for calls", operatorReady},
	{"operator", "away", "ID --reason R", "take an operator out of routing", operatorAway},
	{"operator", "end-wrap-up", "ID [--note N]", "end an operator's wrap-up now", operatorEndWrapUp},
	{"operator", "lift-ban", "ID", "end an operator's ban now (he is away until he presses Ready)", operatorLiftBan},
}

func operatorLiftBan(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "ID")
	if err != nil {
		return err
	}
	res, err := c.client.Assignment.LiftBan(c.ctx, connect.NewRequest(&assignmentv1.LiftBanRequest{OperatorId: pos[0]}))
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
	pos, err := c.parse(c.flags(), args, "ID")
	if err != nil {
		return err
	}
	res, err := c.client.Presence.GoReady(c.ctx, connect.NewRequest(&presencev1.GoReadyRequest{OperatorId: pos[0]}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { statusTable(w, res.Msg.GetStatus()) })
}

func operatorAway(c *cli, args []string) error {
	fs := c.flags()
	reason := fs.String("reason", "", `why: "break", "lunch", "training"…`)
	pos, err := c.parse(fs, args, "ID")
	if err != nil {
		return err
	}
	res, err := c.client.Presence.GoAway(c.ctx, connect.NewRequest(&presencev1.GoAwayRequest{OperatorId: pos[0], Reason: *reason}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { statusTable(w, res.Msg.GetStatus()) })
}

func operatorEndWrapUp(c *cli, args []string) error {
	fs := c.flags()
	note := fs.String("note", "", "a short note on the call just handled")
	pos, err := c.parse(fs, args, "ID")
	if err != nil {
		return err
	}
	res, err := c.client.Presence.EndWrapUp(c.ctx, connect.NewRequest(&presencev1.EndWrapUpRequest{OperatorId: pos[0], Note: *note}))
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
