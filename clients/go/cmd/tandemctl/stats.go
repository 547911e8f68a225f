package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
)

var statsCommands = []command{
	{"stats", "queues", "[--queue QUEUE] [--from RFC3339] [--to RFC3339]", "figures per queue (default: today so far)", statsQueues},
	{"stats", "operators", "[--operator OPERATOR] [--from RFC3339] [--to RFC3339]", "figures per operator (default: today so far)", statsOperators},
	{"stats", "history", "[--from RFC3339] [--to RFC3339] [--queue QUEUE | --operator OPERATOR] [--interval 15m|hour|day] [--zone TZ] [--csv]", "figures per interval; --csv prints the export", statsHistory},
	{"stats", "report", "[--period day|week|month|custom] [--date YYYY-MM-DD] [--first YYYY-MM-DD --last YYYY-MM-DD] [--by queue|operator] [--zone TZ] [--csv]", "a period's figures per queue or per operator, with wrap-up codes; --csv prints the export", statsReport},
	{"stats", "staffing", "--calls-per-hour N --aht D [--target 80] [--threshold 20s] [--patience D]", "operators needed for a service level (Erlang C, and A with patience)", statsStaffing},
	{"stats", "replay", "--queue QUEUE --date YYYY-MM-DD --operators N [--zone TZ]", "replay a recorded day with N operators", statsReplay},
}

// rate is a 0..1 share as a percentage, or "" when undefined.
func rate(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
}

func optMS(v *uint32) string {
	if v == nil {
		return ""
	}
	return ms(uint64(*v))
}

func statsHistory(c *cli, args []string) error {
	fs := c.flags()
	queue := fs.String("queue", "", "one queue, its id or name (default: the whole center)")
	operator := fs.String("operator", "", "one operator, his id or login name")
	interval := fs.String("interval", "hour", "15m, hour or day")
	zone := fs.String("zone", "", "IANA time zone of the hours and days (default UTC)")
	asCSV := fs.Bool("csv", false, "print CSV (the export) instead of a table")
	span := rangeFlags(fs)
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	r, err := span()
	if err != nil {
		return err
	}
	if r == nil { // today so far (UTC), as the other stats commands
		now := time.Now().UTC()
		r = &analyticsv1.TimeRange{From: timestamppb.New(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)), To: timestamppb.New(now.Add(time.Second))}
	}
	width, ok := map[string]analyticsv1.Interval{"15m": analyticsv1.Interval_INTERVAL_15_MINUTES,
		"hour": analyticsv1.Interval_INTERVAL_HOUR, "day": analyticsv1.Interval_INTERVAL_DAY}[*interval]
	if !ok {
		return usagef("--interval %q: want 15m, hour or day", *interval)
	}
	if *queue, err = c.names.queue(*queue, nameRef{"--queue", "queue_id"}); err != nil {
		return err
	}
	if *operator, err = c.names.operator(*operator, nameRef{"--operator", "operator_id"}); err != nil {
		return err
	}
	req := &analyticsv1.GetHistoryRequest{QueueId: *queue, OperatorId: *operator, Range: r, Interval: width, TimeZone: *zone}
	if *asCSV {
		res, err := c.client.Analytics.ExportHistory(c.ctx, connect.NewRequest(&analyticsv1.ExportHistoryRequest{History: req}))
		if err != nil {
			return err
		}
		_, err = c.stdout.Write(res.Msg.GetCsv())
		return err
	}
	res, err := c.client.Analytics.GetHistory(c.ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "START", "RECEIVED", "ANSWERED", "ABANDONED", "SL", "ASA", "AHT", "ABANDON RATE", "OCCUPANCY")
		line := func(start string, f *analyticsv1.Figures) {
			row(w, start, f.GetCallsReceived(), f.GetCallsAnswered(), f.GetCallsAbandoned(), rate(f.ServiceLevel), optMS(f.AsaMs), optMS(f.AhtMs), rate(f.AbandonmentRate), rate(f.Occupancy))
		}
		for _, h := range res.Msg.GetRows() {
			line(stamp(h.GetStart()), h.GetFigures())
		}
		line("TOTAL", res.Msg.GetTotal())
	})
}

func statsStaffing(c *cli, args []string) error {
	fs := c.flags()
	calls := fs.Float64("calls-per-hour", 0, "calls offered per hour")
	var aht, threshold, patience duration
	threshold = duration(20 * time.Second)
	fs.Var(&aht, "aht", "average handle time (talk + wrap-up), e.g. 4m"+durationHelp)
	target := fs.Float64("target", 80, "percent of calls answered within the threshold")
	fs.Var(&threshold, "threshold", "the service level's threshold"+durationHelp)
	fs.Var(&patience, "patience", "callers' average patience (Erlang A); 0: none"+durationHelp)
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	thr, err := wholeSeconds("threshold", threshold.get())
	if err != nil {
		return err
	}
	res, err := c.client.Analytics.CalculateStaffing(c.ctx, connect.NewRequest(&analyticsv1.CalculateStaffingRequest{
		CallsPerHour: *calls, AhtS: aht.get().Seconds(), TargetPercent: *target, ThresholdS: thr, PatienceS: patience.get().Seconds()}))
	if err != nil {
		return err
	}
	m := res.Msg
	return c.show(m, func(w io.Writer) {
		fmt.Fprintf(w, "Traffic %.2f erlangs: %d operators by Erlang C", m.GetTrafficErlangs(), m.GetOperatorsNeeded())
		if m.OperatorsNeededErlangA != nil {
			fmt.Fprintf(w, ", %d by Erlang A", m.GetOperatorsNeededErlangA())
		}
		fmt.Fprintln(w)
		row(w, "OPERATORS", "P(WAIT)", "SL", "ASA", "OCCUPANCY", "ABANDON (A)", "SL (A)")
		for _, r := range m.GetRows() {
			row(w, r.GetOperators(), rate(&r.ProbabilityOfWaiting), rate(&r.ServiceLevel), human(time.Duration(r.GetAsaS()*float64(time.Second))), rate(&r.Occupancy), rate(r.AbandonmentRate), rate(r.ServiceLevelErlangA))
		}
	})
}

func statsReplay(c *cli, args []string) error {
	fs := c.flags()
	queue := fs.String("queue", "", "the queue, its id or name")
	date := fs.String("date", "", "the day, YYYY-MM-DD")
	zone := fs.String("zone", "", "IANA time zone of the day (default UTC)")
	operators := fs.Uint("operators", 0, "operators at work all day in the replay")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if *operators > math.MaxUint32 {
		return usagef("--operators %d: too many", *operators)
	}
	var err error
	if *queue, err = c.names.queue(*queue, nameRef{"--queue", "queue_id"}); err != nil {
		return err
	}
	res, err := c.client.Analytics.ReplayDay(c.ctx, connect.NewRequest(&analyticsv1.ReplayDayRequest{QueueId: *queue, Date: *date, TimeZone: *zone, Operators: uint32(*operators)}))
	if err != nil {
		return err
	}
	m := res.Msg
	return c.show(m, func(w io.Writer) {
		rec := m.GetRecorded()
		row(w, "", "CALLS", "ANSWERED", "ABANDONED", "SL", "ASA", "ABANDON RATE", "OCCUPANCY")
		row(w, "recorded", m.GetCalls(), rec.GetCallsAnswered(), rec.GetCallsAbandoned(), rate(rec.ServiceLevel), optMS(rec.AsaMs), rate(rec.AbandonmentRate), rate(rec.Occupancy))
		sl, ab, occ := m.GetServiceLevel(), m.GetAbandonmentRate(), m.GetOccupancy()
		row(w, fmt.Sprintf("with %d", *operators), m.GetCalls(), m.GetAnswered(), m.GetAbandoned(), rate(&sl), ms(uint64(m.GetAsaMs())), rate(&ab), rate(&occ))
	})
}

func statsQueues(c *cli, args []string) error {
	fs := c.flags()
	queue := fs.String("queue", "", "only this queue, its id or name")
	span := rangeFlags(fs)
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	r, err := span()
	if err != nil {
		return err
	}
	if *queue, err = c.names.queue(*queue, nameRef{"--queue", "queue_id"}); err != nil {
		return err
	}
	res, err := c.client.Analytics.GetQueueStats(c.ctx, connect.NewRequest(&analyticsv1.GetQueueStatsRequest{QueueId: *queue, Range: r}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "QUEUE", "RECEIVED", "ANSWERED", "ABANDONED", "LOST", "AVG ANSWER", "MAX ANSWER", "OFFERS", "MISSED", "WAITING NOW", "SL", "TARGET", "AHT")
		for _, q := range res.Msg.GetQueues() {
			f := q.GetFigures()
			row(w, q.GetQueueId(), q.GetCallsReceived(), q.GetCallsAnswered(), q.GetCallsAbandoned(), q.GetCallsLost(), ms(uint64(q.GetAverageAnswerTimeMs())), ms(uint64(q.GetMaxAnswerTimeMs())), q.GetOffersMade(), q.GetOffersMissed(), q.GetWaitingNow(),
				rate(f.ServiceLevel), fmt.Sprintf("%d%%/%ds", q.GetServiceLevelRule().GetTargetPercent(), q.GetServiceLevelRule().GetThresholdS()), optMS(f.AhtMs))
		}
	})
}

func statsOperators(c *cli, args []string) error {
	fs := c.flags()
	operator := fs.String("operator", "", "only this operator, his id or login name")
	span := rangeFlags(fs)
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	r, err := span()
	if err != nil {
		return err
	}
	if *operator, err = c.names.operator(*operator, nameRef{"--operator", "operator_id"}); err != nil {
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
