package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
)

// A queue's skills relaxation on the command line (issue 23).

const relaxSynopsis = "[--min-level 3] [--relax AFTER[:LEVEL][+QUEUE,...]...]"

// relaxFlags are a queue's starting level and its relaxation steps.
type relaxFlags struct {
	minLevel uint
	steps    listFlag
}

func newRelaxFlags(fs *flag.FlagSet) *relaxFlags {
	rf := &relaxFlags{}
	fs.UintVar(&rf.minLevel, "min-level", 0, "skills relaxation: only the queue's operators of this level and up take its calls at first, 1-5 (0: all of them)")
	fs.Var(&rf.steps, "relax", `a step of the skills relaxation, from a call's arrival: AFTER[:LEVEL][+QUEUE,...], e.g. 30s:2 (level 2 and up from 30 s) or 1m+sales (the operators of sales too from 1 min) (repeatable, in order; replaces the list; --relax= empties it)`)
	return rf
}

// set copies flag f, if it is one of these, into q; queues may be named.
func (rf *relaxFlags) set(c *cli, f *flag.Flag, q *adminv1.Queue) (bool, error) {
	switch f.Name {
	case "min-level":
		q.MinLevel = uint32(min(rf.minLevel, 1000)) // the server refuses past 5
	case "relax":
		q.Relax = nil
		for _, v := range rf.steps {
			if v == "" {
				continue // --relax= empties the list
			}
			step, err := rf.step(c, v, len(q.Relax))
			if err != nil {
				return true, err
			}
			q.Relax = append(q.Relax, step)
		}
	default:
		return false, nil
	}
	return true, nil
}

// step reads one --relax value, the i-th step.
func (rf *relaxFlags) step(c *cli, v string, i int) (*adminv1.RelaxStep, error) {
	bad := func() error {
		return usagef("--relax %q: want AFTER[:LEVEL][+QUEUE,...], like 30s:2, 1m+sales or 2m:1+sales,billing", v)
	}
	head, queues, _ := strings.Cut(v, "+")
	after, level, hasLevel := strings.Cut(head, ":")
	d, err := parseDuration(after)
	if err != nil {
		return nil, bad()
	}
	secs, err := wholeSeconds("relax", d)
	if err != nil {
		return nil, err
	}
	step := &adminv1.RelaxStep{AfterS: secs}
	if hasLevel {
		l, err := strconv.ParseUint(strings.TrimSpace(level), 10, 32)
		if err != nil {
			return nil, bad()
		}
		step.MinLevel = uint32(l)
	}
	for j, name := range nonEmpty(strings.Split(queues, ",")) {
		id, err := c.names.queue(strings.TrimSpace(name), nameRef{"--relax", fmt.Sprintf("queue.relax[%d].also_queue_ids[%d]", i, j)})
		if err != nil {
			return nil, err
		}
		step.AlsoQueueIds = append(step.AlsoQueueIds, id)
	}
	if !hasLevel && len(step.AlsoQueueIds) == 0 {
		return nil, bad()
	}
	return step, nil
}

// relaxText is a queue's relaxation in a line, as the flags take it: "level 3 and up, then
// 30s:2, 1m+sales", or "none".
func relaxText(q *adminv1.Queue) string {
	var steps []string
	for _, s := range q.GetRelax() {
		step := seconds(s.GetAfterS())
		if s.GetMinLevel() > 0 {
			step += fmt.Sprintf(":%d", s.GetMinLevel())
		}
		if len(s.GetAlsoQueueIds()) > 0 {
			step += "+" + strings.Join(s.GetAlsoQueueIds(), ",")
		}
		steps = append(steps, step)
	}
	start := "every level"
	if l := q.GetMinLevel(); l > 1 {
		start = fmt.Sprintf("level %d and up", l)
	}
	if len(steps) == 0 {
		if q.GetMinLevel() > 1 {
			return start
		}
		return "none"
	}
	return start + ", then " + strings.Join(steps, ", ")
}
