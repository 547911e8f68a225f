// Command nightly-report prints one day of a Tandem call center: the figures of each queue, a
// table of the operators, and the calls hour by hour — as text for a mail or a chat, or as CSV
// for a spreadsheet. It is an example of a tool built on the Go client
// (github.com/tandemcc/tandem/clients/go) and the generated messages, and nothing else.
//
//	nightly-report [--url URL] [--key KEY] [--date 2026-11-26] [--zone Europe/Berlin] [--csv]
//
// --url and --key default to $TANDEM_URL and $TANDEM_ADMIN_KEY; the key may be any API key
// with the readonly role (or higher). --date defaults to yesterday in --zone (default UTC).
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	tandem "github.com/tandemcc/tandem/clients/go"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, time.Now))
}

// run is the whole program: it returns the exit code (0 done, 1 the server said no, 2 a bad
// command line). now is the clock "yesterday" is taken from.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs := flag.NewFlagSet("nightly-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", envOr("TANDEM_URL", "http://127.0.0.1:8080"), "Tandem's URL (env TANDEM_URL)")
	key := fs.String("key", os.Getenv("TANDEM_ADMIN_KEY"), "API key, readonly or higher (env TANDEM_ADMIN_KEY)")
	date := fs.String("date", "", "the day, YYYY-MM-DD (default: yesterday in --zone)")
	zone := fs.String("zone", "UTC", "IANA time zone whose day and hours the report follows")
	asCSV := fs.Bool("csv", false, "print the three tables as CSV, each with a header line, separated by an empty line")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "nightly-report: unexpected arguments: %v\n", fs.Args())
		return 2
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		fmt.Fprintf(stderr, "nightly-report: --zone %q: %v\n", *zone, err)
		return 2
	}
	var day time.Time
	if *date == "" {
		y, m, d := now().In(loc).AddDate(0, 0, -1).Date()
		day = time.Date(y, m, d, 0, 0, 0, 0, loc)
	} else if day, err = time.ParseInLocation(time.DateOnly, *date, loc); err != nil {
		fmt.Fprintf(stderr, "nightly-report: --date %q: want YYYY-MM-DD\n", *date)
		return 2
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	client := tandem.New(strings.TrimRight(*url, "/"), tandem.WithToken(*key))
	rep, err := fetch(ctx, client, day, *zone)
	if err != nil {
		// A Connect error reads "invalid_argument: …": the code, then the server's message.
		fmt.Fprintf(stderr, "nightly-report: %v\n", err)
		return 1
	}
	if *asCSV {
		err = rep.writeCSV(stdout)
	} else {
		err = rep.writeText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "nightly-report: %v\n", err)
		return 1
	}
	return 0
}

// report is what the three calls returned.
type report struct {
	day       time.Time
	zone      string
	queues    []*analyticsv1.QueueStats
	operators []*analyticsv1.OperatorStats
	hours     *analyticsv1.GetHistoryResponse
}

// fetch asks for the day [00:00, next 00:00) in the zone: the queues' and operators' figures,
// and the history per hour split by queue.
func fetch(ctx context.Context, c *tandem.Client, day time.Time, zone string) (*report, error) {
	span := &analyticsv1.TimeRange{From: timestamppb.New(day), To: timestamppb.New(day.AddDate(0, 0, 1))}
	qs, err := c.Analytics.GetQueueStats(ctx, connect.NewRequest(&analyticsv1.GetQueueStatsRequest{Range: span}))
	if err != nil {
		return nil, err
	}
	ops, err := c.Analytics.GetOperatorStats(ctx, connect.NewRequest(&analyticsv1.GetOperatorStatsRequest{Range: span}))
	if err != nil {
		return nil, err
	}
	hours, err := c.Analytics.GetHistory(ctx, connect.NewRequest(&analyticsv1.GetHistoryRequest{
		Range: span, Interval: analyticsv1.Interval_INTERVAL_HOUR, TimeZone: zone, ByQueue: true,
	}))
	if err != nil {
		return nil, err
	}
	return &report{day: day, zone: zone, queues: qs.Msg.GetQueues(), operators: ops.Msg.GetOperators(), hours: hours.Msg}, nil
}

// table is a header and rows of cells. Each column has a heading for text and a name for CSV.
type table struct {
	title string
	text  []string
	csv   []string
	rows  [][]string
}

// cols splits "Text heading=csv_name" pairs.
func cols(pairs ...string) (text, csv []string) {
	for _, p := range pairs {
		t, c, _ := strings.Cut(p, "=")
		text, csv = append(text, t), append(csv, c)
	}
	return text, csv
}

// tables lays the report out. Rates the server could not define (nothing to divide by) are "-".
func (r *report) tables() []table {
	queues := table{title: "Queues"}
	queues.text, queues.csv = cols("QUEUE=queue", "RECEIVED=received", "ANSWERED=answered", "ABANDONED=abandoned",
		"SHORT=short_abandons", "LOST=lost", "SL=service_level", "TARGET=target", "ASA s=asa_s", "AHT s=aht_s",
		"ABANDONED %=abandonment_rate", "LONGEST ANSWER s=longest_answer_s", "MISSED OFFERS=offers_missed")
	for _, q := range r.queues {
		f, rule := q.GetFigures(), q.GetServiceLevelRule()
		queues.rows = append(queues.rows, []string{q.GetQueueId(), num(f.GetCallsReceived()), num(f.GetCallsAnswered()),
			num(f.GetCallsAbandoned()), num(f.GetShortAbandons()), num(f.GetCallsLost()), pct(f.ServiceLevel),
			fmt.Sprintf("%d%%/%ds", rule.GetTargetPercent(), rule.GetThresholdS()), secs(f.AsaMs), secs(f.AhtMs),
			pct(f.AbandonmentRate), msToS(uint64(f.GetAnswerTimeMaxMs())), num(f.GetOffersMissed())})
	}
	operators := table{title: "Operators"}
	operators.text, operators.csv = cols("OPERATOR=operator_id", "NAME=name", "OFFERS=offers", "ANSWERED=answered",
		"MISSED=missed", "RING s=average_ring_s", "TALK s=talk_s", "AHT s=aht_s", "OCCUPANCY=occupancy", "SCORE NOW=score")
	for _, o := range r.operators {
		f := o.GetFigures()
		operators.rows = append(operators.rows, []string{o.GetOperatorId(), o.GetName(), num(f.GetOffersMade()),
			num(f.GetCallsAnswered()), num(f.GetOffersMissed()), secs(f.AverageRingTimeMs), msToS(f.GetTalkTimeMs()),
			secs(f.AhtMs), pct(f.Occupancy), strconv.FormatFloat(o.GetMarks().GetScore(), 'f', 0, 64)})
	}
	hourly := table{title: "Hour by hour"}
	hourly.text, hourly.csv = cols("HOUR=hour", "QUEUE=queue", "RECEIVED=received", "ANSWERED=answered",
		"ABANDONED=abandoned", "SL=service_level", "ASA s=asa_s", "AHT s=aht_s")
	for _, h := range r.hours.GetRows() {
		f := h.GetFigures()
		hourly.rows = append(hourly.rows, []string{h.GetStart().AsTime().In(r.day.Location()).Format("15:04"), h.GetQueueId(),
			num(f.GetCallsReceived()), num(f.GetCallsAnswered()), num(f.GetCallsAbandoned()), pct(f.ServiceLevel),
			secs(f.AsaMs), secs(f.AhtMs)})
	}
	t := r.hours.GetTotal()
	hourly.rows = append(hourly.rows, []string{"total", "", num(t.GetCallsReceived()), num(t.GetCallsAnswered()),
		num(t.GetCallsAbandoned()), pct(t.ServiceLevel), secs(t.AsaMs), secs(t.AhtMs)})
	return []table{queues, operators, hourly}
}

func (r *report) writeText(w io.Writer) error {
	fmt.Fprintf(w, "Tandem, %s (%s)\n", r.day.Format("Monday 2 January 2006"), r.zone)
	for _, t := range r.tables() {
		fmt.Fprintf(w, "\n%s\n", t.title)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(t.text, "\t"))
		for _, row := range t.rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		if len(t.rows) == 0 {
			fmt.Fprintln(tw, "(none)")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func (r *report) writeCSV(w io.Writer) error {
	for i, t := range r.tables() {
		if i > 0 {
			fmt.Fprintln(w)
		}
		cw := csv.NewWriter(w)
		_ = cw.Write(t.csv)
		for _, row := range t.rows {
			blank := make([]string, len(row)) // CSV leaves undefined rates empty, not "-"
			for j, cell := range row {
				if cell != "-" {
					blank[j] = cell
				}
			}
			_ = cw.Write(blank)
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	return nil
}

func num(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

// pct is a 0..1 rate in percent, "-" when the server left it undefined.
func pct(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
}

// secs is an optional millisecond figure in seconds, "-" when undefined.
func secs(v *uint32) string {
	if v == nil {
		return "-"
	}
	return msToS(uint64(*v))
}

func msToS(ms uint64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) }

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
