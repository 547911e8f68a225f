package main

import (
	"flag"
	"io"

	"connectrpc.com/connect"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
)

var statsCommands = []command{
	{"stats", "queues", "[--queue Q] [--from RFC3339] [--to RFC3339]", "figures per queue (default: today so far)", statsQueues},
	{"stats", "operators", "[--operator ID] [--from RFC3339] [--to RFC3339]", "figures per operator (default: today so far)", statsOperators},
}

func statsQueues(c *cli, args []string) error {
	fs := c.flags()
	queue := fs.String("queue", "", "only this queue")
	span := rangeFlags(fs)
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	r, err := span()
	if err != nil {
		return err
	}
	res, err := c.client.Analytics.GetQueueStats(c.ctx, connect.NewRequest(&analyticsv1.GetQueueStatsRequest{QueueId: *queue, Range: r}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "QUEUE", "RECEIVED", "ANSWERED", "ABANDONED", "LOST", "AVG ANSWER", "MAX ANSWER", "OFFERS", "MISSED", "WAITING NOW")
		for _, q := range res.Msg.GetQueues() {
			row(w, q.GetQueueId(), q.GetCallsReceived(), q.GetCallsAnswered(), q.GetCallsAbandoned(), q.GetCallsLost(), ms(uint64(q.GetAverageAnswerTimeMs())), ms(uint64(q.GetMaxAnswerTimeMs())), q.GetOffersMade(), q.GetOffersMissed(), q.GetWaitingNow())
		}
	})
}

func statsOperators(c *cli, args []string) error {
	fs := c.flags()
	operator := fs.String("operator", "", "only this operator")
	span := rangeFlags(fs)
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	r, err := span()
	if err != nil {
		return err
	}
	res, err := c.client.Analytics.GetOperatorStats(c.ctx, connect.NewRequest(&analyticsv1.GetOperatorStatsRequest{OperatorId: *operator, Range: r}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "OPERATOR", "OFFERS", "ANSWERED", "MISSED", "AVG RING", "TALK TIME")
		for _, o := range res.Msg.GetOperators() {
			row(w, o.GetOperatorId(), o.GetOffersReceived(), o.GetCallsAnswered(), o.GetOffersMissed(), ms(uint64(o.GetAverageRingTimeMs())), ms(o.GetTalkTimeMs()))
		}
	})
}

// rangeFlags defines --from and --to; the function it returns reads them once parsed
// (nil when neither is given, so the server's default range applies).
func rangeFlags(fs *flag.FlagSet) func() (*analyticsv1.TimeRange, error) {
	from := fs.String("from", "", "start, RFC 3339 (default: start of today, UTC)")
	to := fs.String("to", "", "end, RFC 3339 (default: now)")
	return func() (*analyticsv1.TimeRange, error) {
		if *from == "" && *to == "" {
			return nil, nil
		}
		f, err := timeFlag("from", *from)
		if err != nil {
			return nil, err
		}
		t, err := timeFlag("to", *to)
		if err != nil {
			return nil, err
		}
		return &analyticsv1.TimeRange{From: f, To: t}, nil
	}
}
