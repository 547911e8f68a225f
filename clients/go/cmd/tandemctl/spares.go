package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
)

// Spare numbers take a queue's calls when nobody is free (see the queues' --overflow flags).
const spareSynopsis = "[--name N] [--tz ZONE] [--hours DAY=SPANS...] [--holiday 2026-12-25...] [--max-concurrent 1] [--daily-cap N] [--priority N] [--cooldown 10m] [--disable]"

var sparesCommands = []command{
	{"spares", "list", "", "list the spare numbers and their use now", sparesList},
	{"spares", "create", "--id ID --contact pstn:+E164|sip:URI " + spareSynopsis, "add a spare number", sparesCreate},
	{"spares", "update", "SPARE [--contact pstn:+E164|sip:URI] " + spareSynopsis, "change the given settings of a spare number", sparesUpdate},
}

func sparesList(c *cli, args []string) error {
	if _, err := c.parse(c.flags(), args); err != nil {
		return err
	}
	res, err := c.client.Admin.ListSpares(c.ctx, connect.NewRequest(&adminv1.ListSparesRequest{}))
	if err != nil {
		return err
	}
	// The columns up to disable are the flags of "spares create|update", their values as those
	// flags take them; the rest is its use now.
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "id", "name", "contact", "hours", "tz", "holiday", "max-concurrent", "daily-cap", "priority", "cooldown", "disable", "active", "calls-today", "cooling-down-until")
		for _, s := range res.Msg.GetSpares() {
			u := s.GetUse()
			row(w, s.GetSpareId(), s.GetName(), contactString(s.GetContact()), daysString(s.GetHours()), s.GetHours().GetTimeZone(), strings.Join(s.GetHolidays(), ","), s.GetMaxConcurrent(), s.GetDailyCap(), s.GetPriority(),
				seconds(s.GetCooldownS()), s.GetDisabled(), u.GetActive(), u.GetCallsToday(), coolingUntil(u))
		}
	})
}

func sparesCreate(c *cli, args []string) error {
	fs := c.flags()
	sf := newSpareFlags(fs, true)
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	s := &adminv1.Spare{}
	if err := sf.apply(fs, s, fs.VisitAll); err != nil {
		return err
	}
	res, err := c.client.Admin.CreateSpare(c.ctx, connect.NewRequest(&adminv1.CreateSpareRequest{Spare: s}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { spareTable(w, res.Msg.GetSpare()) })
}

// sparesUpdate reads the spare and sends it back with the given flags changed: UpdateSpare
// replaces every setting.
func sparesUpdate(c *cli, args []string) error {
	fs := c.flags()
	sf := newSpareFlags(fs, false)
	pos, err := c.parse(fs, args, "[SPARE]")
	if err != nil {
		return err
	}
	given, err := oneID(pos, sf.id, "SPARE")
	if err != nil {
		return err
	}
	id, err := c.names.spare(given, nameRef{"the SPARE argument", "spare.spare_id"})
	if err != nil {
		return err
	}
	sf.id = id // --id names the spare to change; it does not rename it
	// There is no GetSpare: the list has them all.
	list, err := c.client.Admin.ListSpares(c.ctx, connect.NewRequest(&adminv1.ListSparesRequest{}))
	if err != nil {
		return err
	}
	var s *adminv1.Spare
	for _, got := range list.Msg.GetSpares() {
		if got.GetSpareId() == id {
			s = got
		}
	}
	if s == nil {
		return connect.NewError(connect.CodeNotFound, fmt.Errorf("no spare %q", id))
	}
	s.Use = nil // read only
	if err := sf.apply(fs, s, fs.Visit); err != nil {
		return err
	}
	res, err := c.client.Admin.UpdateSpare(c.ctx, connect.NewRequest(&adminv1.UpdateSpareRequest{Spare: s}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { spareTable(w, res.Msg.GetSpare()) })
}

// spareFlags are a spare number's settings on the command line.
type spareFlags struct {
	id, name, contact             string
	hours                         *hoursFlags
	holidays                      commaList
	maxConcurrent, dailyCap, prio uint
	cooldown                      duration
	disable                       bool
}

// newSpareFlags defines the flags; create gives them the API's documented defaults.
func newSpareFlags(fs *flag.FlagSet, create bool) *spareFlags {
	sf := &spareFlags{}
	idHelp, maxConcurrent := "the spare number (its id or name), instead of the SPARE argument", uint(0)
	if create {
		idHelp, maxConcurrent, sf.cooldown = "spare id: lowercase letters, digits, _ or -", 1, duration(10*time.Minute)
	}
	fs.StringVar(&sf.id, "id", "", idHelp)
	fs.StringVar(&sf.name, "name", "", "name shown to people (default: the id)")
	fs.StringVar(&sf.contact, "contact", "", "what is dialed: pstn:+E164 or sip:URI")
	sf.hours = newHoursFlags(fs, "it may be called")
	fs.Var(&sf.holidays, "holiday", "a date, like 2026-12-25, in its time zone, when it may not be called (repeatable or comma-separated; replaces the list; --holiday= empties it)")
	fs.UintVar(&sf.maxConcurrent, "max-concurrent", maxConcurrent, "calls at once (0: server default, 1)")
	fs.UintVar(&sf.dailyCap, "daily-cap", 0, "calls a day (0: no cap)")
	fs.UintVar(&sf.prio, "priority", 0, "higher first in a pool ordered by priority")
	fs.Var(&sf.cooldown, "cooldown", "skip it this long after it missed a call (0: server default, 10m)"+durationHelp)
	fs.BoolVar(&sf.disable, "disable", false, "take it out of use (--disable=false puts it back)")
	return sf
}

// apply copies the flags that visit reaches into s.
func (sf *spareFlags) apply(fs *flag.FlagSet, s *adminv1.Spare, visit func(func(*flag.Flag))) (err error) {
	big := func(name string, v uint) uint32 {
		if v > math.MaxUint32 && err == nil {
			err = usagef("--%s %d is too large", name, v)
		}
		return uint32(min(v, math.MaxUint32))
	}
	visit(func(f *flag.Flag) {
		if err != nil {
			return
		}
		switch f.Name {
		case "id":
			s.SpareId = sf.id
		case "name":
			s.Name = sf.name
		case "contact":
			if !visited(fs, "contact") {
				return // create without --contact: the server says it is required
			}
			s.Contact, err = parseContact(sf.contact)
		case "holiday":
			s.Holidays = nonEmpty(sf.holidays)
		case "max-concurrent":
			s.MaxConcurrent = big(f.Name, sf.maxConcurrent)
		case "daily-cap":
			s.DailyCap = big(f.Name, sf.dailyCap)
		case "priority":
			s.Priority = big(f.Name, sf.prio)
		case "cooldown":
			s.CooldownS, err = wholeSeconds(f.Name, sf.cooldown.get())
		case "disable":
			s.Disabled = sf.disable
		}
	})
	if err != nil {
		return err
	}
	if sf.hours.given(fs) {
		s.Hours, err = sf.hours.apply(fs, s.GetHours())
	}
	return err
}

// visited reports whether flag name is on the command line.
func visited(fs *flag.FlagSet, name string) bool {
	yes := false
	fs.Visit(func(f *flag.Flag) { yes = yes || f.Name == name })
	return yes
}

func spareTable(w io.Writer, s *adminv1.Spare) {
	row(w, "ID", s.GetSpareId())
	row(w, "Name", s.GetName())
	row(w, "Contact", contactString(s.GetContact()))
	row(w, "Hours", hoursString(s.GetHours()))
	row(w, "Holidays", strings.Join(s.GetHolidays(), ","))
	row(w, "At once", s.GetMaxConcurrent())
	row(w, "Daily cap", dailyCap(s.GetDailyCap()))
	row(w, "Priority", s.GetPriority())
	row(w, "Cool-down", seconds(s.GetCooldownS()))
	row(w, "Disabled", yesNo(s.GetDisabled()))
	u := s.GetUse()
	row(w, "Active", u.GetActive())
	row(w, "Calls today", u.GetCallsToday())
	row(w, "Misses", u.GetMisses())
	row(w, "Cooling down until", coolingUntil(u))
}

func dailyCap(n uint32) string {
	if n == 0 {
		return "none"
	}
	return fmt.Sprint(n)
}

// coolingUntil is when a spare's cool-down ends, or "" when it is not cooling down.
func coolingUntil(u *adminv1.SpareUse) string {
	if t := u.GetCooldownUntil(); t == nil || !t.AsTime().After(time.Now()) {
		return ""
	}
	return stamp(u.GetCooldownUntil())
}
