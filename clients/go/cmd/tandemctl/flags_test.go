package main

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// parseQueueUpdate reads a command line as run does, up to the flags of "queues update", without
// calling anything.
func parseQueueUpdate(args []string) (*globalFlags, command, []string, *queueFlags, error) {
	g := newGlobalFlags()
	args, err := globalsBefore(g, args)
	if err != nil {
		return nil, command{}, nil, nil, err
	}
	cmd, rest, err := find(args)
	if err != nil {
		return nil, command{}, nil, nil, err
	}
	c := &cli{ctx: context.Background(), global: g, stdout: io.Discard, cmd: cmd}
	fs := c.flags()
	qf := newQueueFlags(fs, false)
	pos, err := c.parse(fs, rest, "[QUEUE]")
	if c.cancel != nil {
		c.cancel()
	}
	return g, cmd, pos, qf, err
}

func TestCommandLine(t *testing.T) {
	const def = "http://127.0.0.1:8080"
	for _, tc := range []struct {
		name string
		args []string
		// what was read, when it parses
		url          string
		json         bool
		pos          []string
		offer, wrap  time.Duration
		timeout      time.Duration
		wantErrParts []string
	}{
		{name: "global flags first", args: []string{"--url", "http://a", "--json", "queues", "update", "support", "--offer-timeout", "20s"},
			url: "http://a", json: true, pos: []string{"support"}, offer: 20 * time.Second, timeout: 10 * time.Second},
		{name: "global flags last", args: []string{"queues", "update", "support", "--offer-timeout", "20s", "--url", "http://b", "--json", "--timeout", "3s"},
			url: "http://b", json: true, pos: []string{"support"}, offer: 20 * time.Second, timeout: 3 * time.Second},
		{name: "flags before the argument", args: []string{"queues", "update", "--offer-timeout=30s", "-wrap-up", "1m30s", "support"},
			url: def, pos: []string{"support"}, offer: 30 * time.Second, wrap: 90 * time.Second, timeout: 10 * time.Second},
		{name: "a plain number is seconds", args: []string{"queues", "update", "support", "--offer-timeout", "25", "--timeout", "2"},
			url: def, pos: []string{"support"}, offer: 25 * time.Second, timeout: 2 * time.Second},
		{name: "between noun and verb", args: []string{"queues", "--json", "--url", "http://c", "update", "support"},
			url: "http://c", json: true, pos: []string{"support"}, timeout: 10 * time.Second},
		{name: "singular noun", args: []string{"queue", "update", "support", "--wrap-up", "0"},
			url: def, pos: []string{"support"}, timeout: 10 * time.Second},
		{name: "after the command wins", args: []string{"--url", "http://a", "queues", "update", "support", "--url", "http://b"},
			url: "http://b", pos: []string{"support"}, timeout: 10 * time.Second},
		{name: "-- ends flags", args: []string{"queues", "update", "--offer-timeout", "20s", "--", "-odd"},
			url: def, pos: []string{"-odd"}, offer: 20 * time.Second, timeout: 10 * time.Second},

		{name: "flags after --", args: []string{"queues", "update", "support", "--", "--wrap-up", "5s"}, wantErrParts: []string{"unexpected arguments: --wrap-up 5s"}},
		{name: "negative", args: []string{"queues", "update", "support", "--offer-timeout", "-5s"}, wantErrParts: []string{`"-5s"`, "-offer-timeout", "negative"}},
		{name: "negative seconds", args: []string{"queues", "update", "support", "--wrap-up", "-5"}, wantErrParts: []string{`"-5"`, "-wrap-up", "negative"}},
		{name: "absurd", args: []string{"queues", "update", "support", "--offer-timeout", "9000h"}, wantErrParts: []string{"-offer-timeout", "more than a year"}},
		{name: "absurd seconds", args: []string{"queues", "update", "support", "--offer-timeout", "1e12"}, wantErrParts: []string{"-offer-timeout", "more than"}},
		{name: "overflowing", args: []string{"queues", "update", "support", "--offer-timeout", "99999999999h"}, wantErrParts: []string{"-offer-timeout", "want a duration like 20s"}},
		{name: "not a duration", args: []string{"queues", "update", "support", "--wrap-up", "soon"}, wantErrParts: []string{`"soon"`, "-wrap-up", "want a duration like 20s"}},
		{name: "no timeout", args: []string{"queues", "update", "support", "--timeout", "0s"}, wantErrParts: []string{"--timeout 0s"}},
		{name: "bad global before", args: []string{"--timeout", "-1s", "queues", "list"}, wantErrParts: []string{"-timeout", "negative"}},
		{name: "global without its value", args: []string{"queues", "--url"}, wantErrParts: []string{"flag needs an argument: -url"}},
		{name: "unknown verb", args: []string{"queue", "frob"}, wantErrParts: []string{`unknown command "queue frob"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, cmd, pos, qf, err := parseQueueUpdate(tc.args)
			if tc.wantErrParts != nil {
				if err == nil {
					t.Fatalf("took it: pos %q", pos)
				}
				for _, p := range tc.wantErrParts {
					if !strings.Contains(err.Error(), p) {
						t.Errorf("error %q lacks %q", err, p)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cmd.noun != "queues" || cmd.verb != "update" {
				t.Errorf("command = %s %s", cmd.noun, cmd.verb)
			}
			if g.url != tc.url || g.json != tc.json || g.timeout.get() != tc.timeout || !slices.Equal(pos, tc.pos) {
				t.Errorf("url %q json %v timeout %v pos %q; want %q %v %v %q", g.url, g.json, g.timeout.get(), pos, tc.url, tc.json, tc.timeout, tc.pos)
			}
			if qf.offerTimeout.get() != tc.offer || qf.wrapUp.get() != tc.wrap {
				t.Errorf("offer %v wrap %v; want %v %v", qf.offerTimeout.get(), qf.wrapUp.get(), tc.offer, tc.wrap)
			}
		})
	}
}

func TestFindNouns(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		noun, verb string
	}{
		{[]string{"queue", "list"}, "queues", "list"},
		{[]string{"queues"}, "queues", "list"},
		{[]string{"queue", "--json"}, "queues", "list"},
		{[]string{"operator", "get", "anna"}, "operators", "get"},
		{[]string{"operators", "ready", "anna"}, "operator", "ready"},
		{[]string{"operator"}, "operators", "list"},
		{[]string{"spare", "update", "night"}, "spares", "update"},
		{[]string{"call", "why", "c"}, "calls", "why"},
		{[]string{"why", "c"}, "calls", "why"},
		{[]string{"absence", "delete", "a"}, "absences", "delete"},
		{[]string{"stats", "queues"}, "stats", "queues"},
	} {
		cmd, _, err := find(tc.args)
		if err != nil || cmd.noun != tc.noun || cmd.verb != tc.verb {
			t.Errorf("find(%q) = %s %s, %v; want %s %s", tc.args, cmd.noun, cmd.verb, err, tc.noun, tc.verb)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"20s", 20 * time.Second},
		{"1m30s", 90 * time.Second},
		{"1h", time.Hour},
		{"20", 20 * time.Second},
		{" 20 ", 20 * time.Second},
		{"0", 0},
		{"1.5", 1500 * time.Millisecond},
		{"8784h", maxDuration},
	} {
		if got, err := parseDuration(tc.in); err != nil || got != tc.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"-1s", "negative"},
		{"-1", "negative"},
		{"8785h", "more than a year"},
		{"31622401", "more than a year"},
		{"inf", "want a duration"},
		{"NaN", "want a duration"},
		{"0x10", "want a duration"},
		{"", "want a duration"},
		{"20 s", "want a duration"},
		{"twenty", "want a duration"},
	} {
		if got, err := parseDuration(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseDuration(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.want)
		}
	}
	var l durations
	if err := l.Set("5m,15m"); err != nil || l.Set("1h") != nil || !slices.Equal(l, durations{5 * time.Minute, 15 * time.Minute, time.Hour}) {
		t.Errorf("durations = %v, %v", l, err)
	}
	if err := l.Set("5m,-1m"); err == nil || !strings.Contains(err.Error(), `"-1m"`) {
		t.Errorf("a negative step in a list: %v", err)
	}
}
