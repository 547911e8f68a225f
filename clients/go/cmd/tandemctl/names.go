package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
)

// People name operators by login name, queues and spare numbers by what they are called; the
// API takes ids. The directory turns the one into the other, reading each list from the Admin
// API once per run, when first needed.
type directory struct {
	c                         *cli
	operators, queues, spares []named
	loaded                    map[string]bool
}

// named is one operator, queue or spare number: its id and the names it may be given by.
type named struct {
	id    string
	names []string
}

func (n named) String() string {
	if len(n.names) == 0 || n.names[0] == n.id {
		return n.id
	}
	return n.names[0] + " (" + n.id + ")"
}

// nameRef is where a name was given on the command line, for the error that does not find it:
// the argument or flag as the user typed it, and the API field it fills.
type nameRef struct {
	given string // "the ID argument", "--queue"
	field string // "operator_id", "queue_id"
}

// operator is the id of the operator s names: an id that exists, else a login name (exact,
// then ignoring case). An empty s stays empty: the server says whether it is required.
func (d *directory) operator(s string, at nameRef) (string, error) {
	if s == "" {
		return "", nil
	}
	if err := d.load("operator"); err != nil {
		return "", err
	}
	return resolve("operator", "ID or login name", d.operators, s, at)
}

// queue is the id of the queue s names: an id that exists, else its display name ignoring case.
func (d *directory) queue(s string, at nameRef) (string, error) {
	if s == "" {
		return "", nil
	}
	if err := d.load("queue"); err != nil {
		return "", err
	}
	return resolve("queue", "ID or name", d.queues, s, at)
}

// spare is the id of the spare number s names: an id that exists, else its name ignoring case.
func (d *directory) spare(s string, at nameRef) (string, error) {
	if s == "" {
		return "", nil
	}
	if err := d.load("spare"); err != nil {
		return "", err
	}
	return resolve("spare", "ID or name", d.spares, s, at)
}

func (d *directory) load(kind string) error {
	if d.loaded[kind] {
		return nil
	}
	ctx, admin := d.c.ctx, d.c.client.Admin
	switch kind {
	case "operator":
		res, err := admin.ListOperators(ctx, connect.NewRequest(&adminv1.ListOperatorsRequest{}))
		if err != nil {
			return err
		}
		for _, o := range res.Msg.GetOperators() {
			d.operators = append(d.operators, named{o.GetOperatorId(), []string{o.GetName(), o.GetDisplayName()}})
		}
	case "queue":
		res, err := admin.ListQueues(ctx, connect.NewRequest(&adminv1.ListQueuesRequest{}))
		if err != nil {
			return err
		}
		for _, q := range res.Msg.GetQueues() {
			d.queues = append(d.queues, named{q.GetQueueId(), []string{q.GetName()}})
		}
	case "spare":
		res, err := admin.ListSpares(ctx, connect.NewRequest(&adminv1.ListSparesRequest{}))
		if err != nil {
			return err
		}
		for _, s := range res.Msg.GetSpares() {
			d.spares = append(d.spares, named{s.GetSpareId(), []string{s.GetName()}})
		}
	}
	if d.loaded == nil {
		d.loaded = map[string]bool{}
	}
	d.loaded[kind] = true
	return nil
}

// resolve finds the id s names among all. An id wins over a name; then the first name (an
// operator's login name, a queue's name) matched exactly, then ignoring case. For operators the
// display name is only a hint in errors: two people may share one. Nothing found, or more than
// one, is an error (Connect not_found or invalid_argument, on the field at) listing the near
// matches.
func resolve(kind, by string, all []named, s string, at nameRef) (string, error) {
	for _, n := range all {
		if n.id == s {
			return s, nil
		}
	}
	var exact, folded []named
	for _, n := range all {
		if len(n.names) == 0 || n.names[0] == "" {
			continue
		}
		switch {
		case n.names[0] == s:
			exact = append(exact, n)
		case strings.EqualFold(n.names[0], s):
			folded = append(folded, n)
		}
	}
	found := cmp.Or(len(exact), len(folded))
	if len(exact) == 0 {
		exact = folded
	}
	switch {
	case found == 1:
		return exact[0].id, nil
	case found > 1:
		return "", nameError(connect.CodeInvalidArgument, at,
			fmt.Sprintf("%s %q (%s) names %d %ss: %s; give the id", kind, s, at.given, found, kind, list(exact)))
	}
	msg := fmt.Sprintf("no %s %q (%s, by %s)", kind, s, at.given, by)
	if near := nearMatches(all, s); len(near) > 0 {
		msg += "; near: " + list(near)
	}
	return "", nameError(connect.CodeNotFound, at, msg)
}

func nameError(code connect.Code, at nameRef, msg string) error {
	err := connect.NewError(code, fmt.Errorf("%s", msg))
	if d, derr := connect.NewErrorDetail(&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: at.field, Description: msg}}}); derr == nil {
		err.AddDetail(d)
	}
	return err
}

func list(ns []named) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = n.String()
	}
	return strings.Join(parts, ", ")
}

// nearMatches are the entries whose id or a name contains s, or is s with a letter or two
// wrong, closest first; at most five.
func nearMatches(all []named, s string) []named {
	s = strings.ToLower(s)
	type scored struct {
		n    named
		dist int
	}
	var near []scored
	for _, n := range all {
		best := -1
		for _, cand := range append([]string{n.id}, n.names...) {
			cand = strings.ToLower(cand)
			if cand == "" {
				continue
			}
			dist := editDistance(s, cand)
			if strings.Contains(cand, s) || strings.Contains(s, cand) {
				dist = min(dist, 1)
			}
			if dist <= max(2, len(s)/4) && (best < 0 || dist < best) {
				best = dist
			}
		}
		if best >= 0 {
			near = append(near, scored{n, best})
		}
	}
	slices.SortStableFunc(near, func(a, b scored) int { return cmp.Compare(a.dist, b.dist) })
	out := make([]named, 0, min(5, len(near)))
	for _, sc := range near[:min(5, len(near))] {
		out = append(out, sc.n)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			sub := prev[j-1]
			if ra[i-1] != rb[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
		}
		prev = cur
	}
	return prev[len(rb)]
}
