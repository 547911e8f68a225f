package main

import (
	"fmt"
	"io"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
)

var overflowCommands = []command{
	{"overflow", "preview", "--queue QUEUE [--at TIME]", "which spare number an overflowing call of the queue would take, and why not the others", overflowPreview},
}

func overflowPreview(c *cli, args []string) error {
	fs := c.flags()
	queue := fs.String("queue", "", "the queue, its id or name")
	at := fs.String("at", "", `the moment: RFC 3339, or "15:04" for today at that local time (default: now)`)
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	when, err := atFlag(*at, time.Now())
	if err != nil {
		return err
	}
	if *queue, err = c.names.queue(*queue, nameRef{"--queue", "queue_id"}); err != nil {
		return err
	}
	res, err := c.client.Admin.PreviewOverflow(c.ctx, connect.NewRequest(&adminv1.PreviewOverflowRequest{QueueId: *queue, At: when}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "Queue", *queue)
		if when == nil {
			row(w, "At", "now")
		} else {
			row(w, "At", stamp(when))
		}
		row(w, "Spare", res.Msg.GetSpareId())
		row(w, "Rule", res.Msg.GetRule())
		if len(res.Msg.GetCandidates()) == 0 {
			return
		}
		fmt.Fprintln(w)
		row(w, "SPARE", "ELIGIBLE", "EXCLUDED BECAUSE", "CALLS TODAY")
		for _, cd := range res.Msg.GetCandidates() {
			row(w, cd.GetSpareId(), yesNo(cd.GetEligible()), cd.GetExcludedBecause(), cd.GetCallsToday())
		}
	})
}

// atFlag reads --at: an RFC 3339 time, or "15:04" meaning that time today where now is.
func atFlag(v string, now time.Time) (*timestamppb.Timestamp, error) {
	if v == "" {
		return nil, nil
	}
	if t, err := time.ParseInLocation("15:04", v, now.Location()); err == nil {
		y, m, d := now.Date()
		return timestamppb.New(time.Date(y, m, d, t.Hour(), t.Minute(), 0, 0, now.Location())), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return timestamppb.New(t), nil
	}
	return nil, usagef(`--at %q: want an RFC 3339 time like 2026-12-01T09:00:00+01:00, or 15:04 for today at that local time`, v)
}
