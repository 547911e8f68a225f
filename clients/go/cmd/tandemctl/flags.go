package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// globalFlags are the flags every command takes, before the command or after it: one struct
// behind two flag sets, so a flag given after the command overrides the same flag before it.
type globalFlags struct {
	url, key string
	json     bool
	timeout  duration
}

func newGlobalFlags() *globalFlags {
	return &globalFlags{url: envOr("TANDEM_URL", "http://127.0.0.1:8080"), key: envOr("TANDEM_ADMIN_KEY", ""), timeout: duration(10 * time.Second)}
}

// define adds the global flags to fs, with their current values as defaults.
func (g *globalFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&g.url, "url", g.url, "server (default $TANDEM_URL or http://127.0.0.1:8080)")
	fs.StringVar(&g.key, "key", g.key, "admin API key (default $TANDEM_ADMIN_KEY)")
	fs.BoolVar(&g.json, "json", g.json, "print the response messages as JSON (protojson) instead of tables")
	fs.Var(&g.timeout, "timeout", "give up after this long"+durationHelp)
}

// takesValue reports whether arg is a flag of fs that needs the next argument as its value.
func takesValue(fs *flag.FlagSet, arg string) (known, needsNext bool) {
	if !strings.HasPrefix(arg, "-") || arg == "-" || arg == "--" {
		return false, false
	}
	name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	f := fs.Lookup(name)
	if f == nil {
		return false, false
	}
	b, isBool := f.Value.(interface{ IsBoolFlag() bool })
	return true, !hasValue && !(isBool && b.IsBoolFlag())
}

// maxDuration bounds every time flag: anything longer is a typo, not a setting.
const maxDuration = 366 * 24 * time.Hour

// durationHelp ends the help of every time flag.
const durationHelp = " (a `DURATION` like 20s, 1m30s or 1h; a plain number is seconds)"

// duration is a time flag. It takes Go durations ("20s", "1m30s") and, as the API counts in
// seconds, plain numbers of seconds ("20"); a negative or absurdly long value is refused.
type duration time.Duration

func (d *duration) String() string { return time.Duration(*d).String() }

func (d *duration) Set(s string) error {
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	*d = duration(v)
	return nil
}

func (d duration) get() time.Duration { return time.Duration(d) }

var errDuration = errors.New("want a duration like 20s, 1m30s or 1h, or a number of seconds")

var errTooLong = errors.New("more than a year; is it a typo?")

// parseDuration reads one time flag's value.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if n, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXpP_") {
		switch {
		case math.IsNaN(n) || math.IsInf(n, 0):
			return 0, errDuration
		case n < 0:
			return 0, errors.New("negative; want 0 or more")
		case n > maxDuration.Seconds():
			return 0, errTooLong
		}
		d = time.Duration(n * float64(time.Second))
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, errDuration // also a duration too long for time.Duration
	}
	switch {
	case d < 0:
		return 0, errors.New("negative; want 0 or more")
	case d > maxDuration:
		return 0, errTooLong
	}
	return d, nil
}

// durations is a repeatable time flag; each value may also be a comma-separated list, as lists
// print them.
type durations []time.Duration

func (l *durations) String() string {
	parts := make([]string, len(*l))
	for i, d := range *l {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

func (l *durations) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		d, err := parseDuration(part)
		if err != nil {
			return fmt.Errorf("%q: %w", part, err)
		}
		*l = append(*l, d)
	}
	return nil
}

// listFlag is a flag that may be repeated.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// commaList is a repeatable flag whose values may also be comma-separated lists, as the lists
// print them ("--number +18005550100,+18005550101"); an empty value is kept, so that a lone
// --flag= clears the list.
type commaList []string

func (l *commaList) String() string { return strings.Join(*l, ",") }
func (l *commaList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		*l = append(*l, strings.TrimSpace(part))
	}
	return nil
}
