package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
)

// reportDays are the first and the day after the last of a report's period, in loc: a day, the
// week (Monday to Sunday) or the month around date, or first to last (both included).
func reportDays(period, date, first, last string, loc *time.Location) (time.Time, time.Time, error) {
	day := func(flag, s string) (time.Time, error) {
		d, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			return d, usagef("%s %q: want YYYY-MM-DD", flag, s)
		}
		return d, nil
	}
	if period == "custom" {
		if first == "" || last == "" {
			return time.Time{}, time.Time{}, usagef("--period custom needs --first and --last")
		}
		from, err := day("--first", first)
		if err != nil {
			return from, from, err
		}
		to, err := day("--last", last)
		return from, to.AddDate(0, 0, 1), err
	}
	if first != "" || last != "" {
		return time.Time{}, time.Time{}, usagef("--first and --last go with --period custom")
	}
	d := time.Now().In(loc)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	if date != "" {
		var err error
		if d, err = day("--date", date); err != nil {
			return d, d, err
		}
	}
	switch period {
	case "day":
		return d, d.AddDate(0, 0, 1), nil
	case "week":
		monday := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		return monday, monday.AddDate(0, 0, 7), nil
	case "month":
		m := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, loc)
		return m, m.AddDate(0, 1, 0), nil
	}
	return d, d, usagef("--period %q: want day, week, month or custom", period)
}

// statsReport prints a period's report: one row per queue or per operator, and the total.
func statsReport(c *cli, args []string) error {
	fs := c.flags()
	period := fs.String("period", "week", "day, week, month or custom")
	date := fs.String("date", "", "a day in the period, YYYY-MM-DD (default: today in the zone)")
	first := fs.String("first", "", "with --period custom: the first day, YYYY-MM-DD")
	last := fs.String("last", "", "with --period custom: the last day (included), YYYY-MM-DD")
	by := fs.String("by", "queue", "rows per queue or per operator")
	zone := fs.String("zone", "", "IANA time zone of the days (default UTC)")
	asCSV := fs.Bool("csv", false, "print CSV (the export) instead of a table")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		return usagef("--zone %q: not a time zone this machine knows", *zone)
	}
	if *by != "queue" && *by != "operator" {
		return usagef("--by %q: want queue or operator", *by)
	}
	from, to, err := reportDays(*period, *date, *first, *last, loc)
	if err != nil {
		return err
	}
	req := &analyticsv1.GetHistoryRequest{Range: &analyticsv1.TimeRange{From: timestamppb.New(from), To: timestamppb.New(to)},
		Interval: analyticsv1.Interval_INTERVAL_RANGE, TimeZone: *zone, ByQueue: *by == "queue", ByOperator: *by == "operator"}
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
		fmt.Fprintf(w, "%s to %s (%s)\n", from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02"), loc)
		row(w, strings.ToUpper(*by), "RECEIVED", "ANSWERED", "ABANDONED", "SL", "ABANDON RATE", "ASA", "AHT", "DISPOSITIONS")
		line := func(who string, f *analyticsv1.Figures) {
			var ds []string
			for _, d := range f.GetDispositions() {
				ds = append(ds, fmt.Sprintf("%s=%d", d.GetCode(), d.GetCalls()))
			}
			row(w, who, f.GetCallsReceived(), f.GetCallsAnswered(), f.GetCallsAbandoned(), rate(f.ServiceLevel), rate(f.AbandonmentRate),
				optMS(f.AsaMs), optMS(f.AhtMs), strings.Join(ds, ";"))
		}
		for _, h := range res.Msg.GetRows() {
			line(h.GetQueueId()+h.GetOperatorId(), h.GetFigures())
		}
		line("TOTAL", res.Msg.GetTotal())
	})
}
