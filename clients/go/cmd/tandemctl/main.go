// Command tandemctl is the admin's and supervisor's command line for Tandem: it configures
// operators and queues, looks at live calls and why they went where they did, and reads the
// figures. It is a thin shell over the generated Go client; every rule lives in the server.
//
//	tandemctl [--url URL] [--key KEY] [--json] [--timeout 10s] COMMAND [ARGS]
//
// Flags may come before the command or after it, among its arguments; "--" ends them. Where a
// command asks for an operator, a queue or a spare number, its id or its name will do. Run
// "tandemctl help" for the commands.
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
)

const usage = `tandemctl — the admin and supervisor command line for Tandem

Usage:
  tandemctl [global flags] COMMAND [ARGS] [flags]

Flags go before the command or after it, mixed with its arguments; "--" ends them.
An operator may be named by his id or his login name, a queue or a spare number by its id
or its name (any case). Time flags take durations like 20s, 1m30s or 1h; a plain number
is seconds. Lists print the columns under the names of the flags that set them.

Global flags (anywhere on the line):
  --url URL        server (default $TANDEM_URL or http://127.0.0.1:8080)
  --key KEY        admin API key (default $TANDEM_ADMIN_KEY)
  --json           print the response messages as JSON (protojson) instead of tables
  --timeout D      give up after D (default 10s)

Commands:
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one "noun verb" of the command line.
type command struct {
	noun, verb string
	synopsis   string // the arguments, for help
	summary    string
	run        func(c *cli, args []string) error
}

func (c command) name() string { return "tandemctl " + c.noun + " " + c.verb }

func (c command) usage() string { return strings.TrimSpace(c.name() + " " + c.synopsis) }

// commands is every command, in the order help lists them.
var commands []command

func init() {
	for _, cs := range [][]command{operatorsCommands, queuesCommands, clientsCommands, absencesCommands, sparesCommands, menusCommands, overflowCommands, callsCommands, statsCommands, operatorCommands, keysCommands, accountsCommands} {
		commands = append(commands, cs...)
	}
}

// cli is what a command runs with: the client, the input, the output and its format. The client
// and the context exist once the command's flags are parsed, as global flags may come last.
type cli struct {
	ctx            context.Context
	cancel         context.CancelFunc
	client         *tandem.Client
	global         *globalFlags
	names          directory
	stdin          io.Reader
	stdout, stderr io.Writer
	cmd            command
}

// usageError is a mistake in the command line: reported with the command's usage, exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errHelp says the user asked for a command's help (-h), which is not a failure.
var errHelp = errors.New("help requested")

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := newGlobalFlags()
	args, err := globalsBefore(g, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "tandemctl: %v (run \"tandemctl help\" for the global flags)\n", err)
		return 2
	}
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	if args[0] == "help" {
		printUsage(stdout)
		return 0
	}
	cmd, rest, err := find(args)
	if err != nil {
		fmt.Fprintf(stderr, "tandemctl: %v (run \"tandemctl help\" for the commands)\n", err)
		return 2
	}

	c := &cli{ctx: ctx, global: g, stdin: stdin, stdout: stdout, stderr: stderr, cmd: cmd}
	c.names.c = c
	defer func() {
		if c.cancel != nil {
			c.cancel()
		}
	}()
	return c.report(cmd.run(c, rest))
}

// globalsBefore reads the global flags before the command and between its two words
// ("tandemctl queues --json list"), and returns the command line without them. The ones after
// the command are the command's flag set's to read.
func globalsBefore(g *globalFlags, args []string) ([]string, error) {
	fs := flag.NewFlagSet("tandemctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	g.define(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	args = fs.Args()
	if len(args) == 0 {
		return args, nil
	}
	out := []string{args[0]}
	for rest := args[1:]; len(rest) > 0; {
		known, needsNext := takesValue(fs, rest[0])
		if !known {
			return append(out, rest...), nil
		}
		n := 1
		if needsNext {
			n = min(2, len(rest))
		}
		if err := fs.Parse(rest[:n]); err != nil {
			return nil, err
		}
		rest = rest[n:]
	}
	return out, nil
}

// find picks the command named by args; a noun alone means its list. A noun may be singular
// or plural ("queue list", "operator get"): "operator" has verbs of its own, and the others of
// "operators".
func find(args []string) (command, []string, error) {
	if args[0] == "why" { // "tandemctl why CALL" is "tandemctl calls why CALL"
		return find(append([]string{"calls"}, args...))
	}
	noun := args[0]
	verb := ""
	if len(args) > 1 {
		verb = args[1]
	}
	var verbs []string
	for _, c := range commands {
		if strings.TrimSuffix(c.noun, "s") != strings.TrimSuffix(noun, "s") || slices.Contains(verbs, c.verb) {
			continue
		}
		verbs = append(verbs, c.verb)
		if c.verb == verb {
			return c, args[2:], nil
		}
	}
	switch {
	case verbs == nil:
		return command{}, nil, fmt.Errorf("unknown command %q", noun)
	case (verb == "" || strings.HasPrefix(verb, "-")) && slices.Contains(verbs, "list"):
		return find(append([]string{noun, "list"}, args[min(1, len(args)):]...))
	case verb == "":
		return command{}, nil, fmt.Errorf("%s what? (%s)", noun, strings.Join(verbs, ", "))
	default:
		return command{}, nil, fmt.Errorf("unknown command %q (%s %s)", noun+" "+verb, noun, strings.Join(verbs, ", "))
	}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", strings.Join(append([]string{c.noun, c.verb}, positional(c.synopsis)...), " "), c.summary)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nRun \"tandemctl COMMAND -h\" for a command's flags.")
}

// positional is the leading positional arguments of a synopsis, for the command list.
func positional(synopsis string) []string {
	var out []string
	for _, w := range strings.Fields(synopsis) {
		if strings.HasPrefix(w, "-") || strings.HasPrefix(w, "[") {
			break
		}
		out = append(out, w)
	}
	return out
}

// report prints err as the user should see it and returns the exit code.
func (c *cli) report(err error) int {
	var ue *usageError
	var ce *connect.Error
	switch {
	case err == nil || errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(c.stderr, "%s: %v\nusage: %s\n", c.cmd.name(), ue, c.cmd.usage())
		return 2
	case errors.As(err, &ce):
		fmt.Fprintf(c.stderr, "tandemctl: %s: %s\n", ce.Code(), ce.Message())
		for _, d := range ce.Details() {
			v, derr := d.Value()
			if br, ok := v.(*errdetails.BadRequest); derr == nil && ok {
				for _, f := range br.GetFieldViolations() {
					fmt.Fprintf(c.stderr, "tandemctl: field: %s\n", f.GetField())
				}
			}
		}
		return 1
	default:
		fmt.Fprintf(c.stderr, "tandemctl: %v\n", err)
		return 1
	}
}

// flags returns the command's flag set; its errors go to stderr with the command's usage.
func (c *cli) flags() *flag.FlagSet {
	fs := flag.NewFlagSet(c.cmd.name(), flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse's errors are reported once, by report
	fs.Usage = func() {}
	return fs
}

// parse reads flags (the command's and the global ones) and positional arguments in any order,
// checks the positional ones against names ("ID"; "[ID]" when optional), and readies the client.
func (c *cli) parse(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	c.global.define(fs)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(c.stdout, "usage:", c.cmd.usage())
				fs.SetOutput(c.stdout)
				fs.PrintDefaults()
				return nil, errHelp
			}
			return nil, &usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if len(pos) < len(names) && !strings.HasPrefix(names[len(pos)], "[") {
		return nil, usagef("missing %s", names[len(pos)])
	}
	if len(pos) > len(names) {
		return nil, usagef("unexpected arguments: %s", strings.Join(pos[len(names):], " "))
	}
	if c.global.timeout <= 0 {
		return nil, usagef("--timeout %v: want more than 0, like 10s", c.global.timeout.get())
	}
	var opts []tandem.Option
	if c.global.key != "" {
		opts = append(opts, tandem.WithToken(c.global.key))
	}
	c.client = tandem.New(strings.TrimRight(c.global.url, "/"), opts...)
	c.ctx, c.cancel = context.WithTimeout(c.ctx, c.global.timeout.get())
	return pos, nil
}

// show prints a response: as JSON with --json, else through table.
func (c *cli) show(msg proto.Message, table func(w io.Writer)) error {
	if c.global.json {
		data, err := protojson.Marshal(msg)
		if err != nil {
			return err
		}
		// protojson varies its spacing on purpose; indenting it again makes the output stable.
		var out bytes.Buffer
		if err := json.Indent(&out, data, "", "  "); err != nil {
			return err
		}
		out.WriteByte('\n')
		_, err = c.stdout.Write(out.Bytes())
		return err
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	table(tw)
	return tw.Flush()
}

// row writes one tab-separated line; empty cells show as "-".
func row(w io.Writer, cells ...any) {
	s := make([]string, len(cells))
	for i, v := range cells {
		s[i] = fmt.Sprint(v)
		if s[i] == "" {
			s[i] = "-"
		}
	}
	fmt.Fprintln(w, strings.Join(s, "\t"))
}

// stamp is a time in local RFC 3339 without fractions, or "" when unset.
func stamp(t *timestamppb.Timestamp) string {
	if t == nil {
		return ""
	}
	return t.AsTime().Local().Format(time.RFC3339)
}

// human is a duration as people read it: "350ms", "2.3s", "4m12s", "1h5m".
func human(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return strconv.FormatFloat(d.Round(100*time.Millisecond).Seconds(), 'f', -1, 64) + "s"
	case d < time.Hour:
		return d.Round(time.Second).String()
	default:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	}
}

// ms is a duration the API gives in milliseconds, or "" for none.
func ms(n uint64) string {
	if n == 0 {
		return ""
	}
	return human(time.Duration(n) * time.Millisecond)
}

func seconds(n uint32) string { return human(time.Duration(n) * time.Second) }

// enumName is an enum value without its prefix, in lower case: "ready", "waiting".
func enumName(v fmt.Stringer, prefix string) string {
	s := strings.ToLower(strings.TrimPrefix(v.String(), prefix))
	if s == "unspecified" {
		return ""
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// wholeSeconds turns a time flag into the API's seconds.
func wholeSeconds(flagName string, d time.Duration) (uint32, error) {
	if d < 0 || d%time.Second != 0 || d/time.Second > math.MaxUint32 {
		return 0, usagef("--%s %v: want whole seconds, like 20s", flagName, d)
	}
	return uint32(d / time.Second), nil
}

// timeFlag parses an optional RFC 3339 time.
func timeFlag(flagName, v string) (*timestamppb.Timestamp, error) {
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, usagef("--%s %q: want an RFC 3339 time like 2025-01-31T09:00:00+01:00", flagName, v)
	}
	return timestamppb.New(t), nil
}

// nonEmpty drops the empty values of a repeatable flag, so that a lone --flag= clears a list.
func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// oneID is the object an update names: by its argument or by --id, not two different ones.
func oneID(pos []string, flagID, name string) (string, error) {
	switch {
	case len(pos) == 1 && flagID != "" && pos[0] != flagID:
		return "", usagef("two ids: %s and --id %s", pos[0], flagID)
	case len(pos) == 1:
		return pos[0], nil
	case flagID == "":
		return "", usagef("missing %s", name)
	}
	return flagID, nil
}

// days are the API's weekdays in the order a week is read.
var days = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// hoursFlags are --tz and --hours: the working hours of an operator or a spare number.
type hoursFlags struct {
	tz    string
	hours listFlag
}

func newHoursFlags(fs *flag.FlagSet, what string) *hoursFlags {
	hf := &hoursFlags{}
	fs.StringVar(&hf.tz, "tz", "", "time zone of the hours, an IANA name like Europe/Berlin (empty: UTC)")
	fs.Var(&hf.hours, "hours", "when "+what+", as DAY=SPANS: mon=09:00-18:00, mon-fri=09:00-13:00,14:00-18:00 (repeatable or space-separated, a later day wins; replaces the week; a day left out is off; \"always\": no limit)")
	return hf
}

// given reports whether --tz or --hours is on the command line.
func (hf *hoursFlags) given(fs *flag.FlagSet) bool {
	yes := false
	fs.Visit(func(f *flag.Flag) { yes = yes || f.Name == "tz" || f.Name == "hours" })
	return yes
}

// apply returns h (a new WeekHours when nil) with --tz and --hours applied, when given.
func (hf *hoursFlags) apply(fs *flag.FlagSet, h *adminv1.WeekHours) (*adminv1.WeekHours, error) {
	if h == nil {
		h = &adminv1.WeekHours{}
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "tz":
			h.TimeZone = hf.tz
		case "hours":
			h.Days, err = parseDays(hf.hours)
		}
	})
	return h, err
}

// parseDays reads DAY=SPANS values into the API's map by day; the spans are the server's to check.
// One value may hold several, space-separated, as the lists print them.
func parseDays(given []string) (map[string]string, error) {
	out := map[string]string{}
	var vs []string
	for _, v := range given {
		if f := strings.Fields(v); len(f) > 1 {
			vs = append(vs, f...)
		} else {
			vs = append(vs, v)
		}
	}
	for _, v := range vs {
		if v == "always" {
			if len(vs) > 1 {
				return nil, usagef("--hours always with other --hours")
			}
			return out, nil
		}
		spec, spans, ok := strings.Cut(v, "=")
		from, to, isRange := strings.Cut(strings.ToLower(strings.TrimSpace(spec)), "-")
		i := slices.Index(days, from)
		j := i
		if isRange {
			j = slices.Index(days, to)
		}
		if !ok || i < 0 || j < 0 {
			return nil, usagef("--hours %q: want DAY=SPANS, like mon=09:00-18:00 or mon-fri=09:00-13:00,14:00-18:00 (days: %s)", v, strings.Join(days, ", "))
		}
		for d := i; ; d = (d + 1) % len(days) {
			if spans = strings.TrimSpace(spans); spans == "" {
				delete(out, days[d])
			} else {
				out[days[d]] = spans
			}
			if d == j {
				break
			}
		}
	}
	return out, nil
}

// hoursString is a week's hours as --hours writes them, then the time zone:
// "mon-fri=09:00-18:00 sat=10:00-14:00 (Europe/Berlin)"; "always" when there is no limit.
func hoursString(h *adminv1.WeekHours) string {
	days := daysString(h)
	switch {
	case days != "always":
		return days + " (" + cmp.Or(h.GetTimeZone(), "UTC") + ")"
	case h.GetTimeZone() != "":
		return "always (" + h.GetTimeZone() + ")"
	default:
		return "always"
	}
}

// daysString is a week's hours as one --hours value takes them, runs of days with the same
// spans joined: "mon-fri=09:00-18:00 sat=10:00-14:00", or "always".
func daysString(h *adminv1.WeekHours) string {
	var parts []string
	for i := 0; i < len(days); {
		spans := h.GetDays()[days[i]]
		j := i
		for j+1 < len(days) && h.GetDays()[days[j+1]] == spans {
			j++
		}
		if spans != "" {
			name := days[i]
			if j > i {
				name += "-" + days[j]
			}
			parts = append(parts, name+"="+spans)
		}
		i = j + 1
	}
	if len(parts) == 0 {
		return "always"
	}
	return strings.Join(parts, " ")
}
