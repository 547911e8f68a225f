package callcenter

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// This file and queue_rules.go hold what a valid queue, operator, spare number, absence and
// client are. Each Check returns the value with its defaults filled in, or an *Error whose
// Field names the API field at fault, so a caller of the Admin API learns which of his fields
// to fix. A default fills only a zero that means nothing in the domain (a queue without a
// name, an offer that rings 0 s); a zero that means something (no wrap-up, never ban, no
// overflow) stays. The routing engine applies these checks at its doors, so whatever creates
// configuration (the API, `tandem demo`, `tandem bench`, `tandem simulate`) meets the same
// rules.

// Defaults the checks fill in.
const (
	DefaultOfferTimeout  = 20 * time.Second // how long an operator's phone rings
	DefaultSpareCooldown = 10 * time.Minute // how long a spare number rests after a failed offer
)

// How long a queue may let an operator's phone ring.
const (
	MinOfferTimeout = 5 * time.Second
	MaxOfferTimeout = 2 * time.Minute
)

// Limits of configuration.
const (
	maxWrapUp        = 10 * time.Minute
	maxPriority      = 100
	minAnnounceEvery = 15 * time.Second
	maxAnnounceEvery = 10 * time.Minute
	maxMisses        = 100
	maxBanWindow     = 7 * 24 * time.Hour
	maxBanSteps      = 10
	minBanStep       = time.Minute
	maxBanStep       = 7 * 24 * time.Hour
	maxManagerWait   = 10 * time.Minute
	maxOptInCooldown = 3650 * 24 * time.Hour
	maxTemplate      = 500
	maxOverflowAfter = time.Hour
	maxSLThreshold   = 10 * time.Minute
	maxShortAbandon  = time.Minute
	maxNameLen       = 200
	maxGreeting      = 1500
	maxTarget        = 256
	maxNumberLen     = 64
	maxSkillLevel    = 5
	maxSpareAtOnce   = 1000
	maxSpareDaily    = 100000
	maxSpareCooldown = 24 * time.Hour
)

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
	e164Pattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	datePattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	// prefixPattern is the start of an E.164 number: + and 1 to 15 digits.
	prefixPattern = regexp.MustCompile(`^\+[1-9][0-9]{0,14}$`)
)

// ValidSlug reports whether s can be the id of a queue or a spare number: 1-63 lowercase
// letters, digits, _ or -.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// ValidName reports whether s can be a login name (an operator's or an API key's): 1-63
// lowercase letters, digits, '.', '_' or '-'.
func ValidName(s string) bool { return namePattern.MatchString(s) }

// CheckURL refuses a value that is not an http(s) URL with a host.
func CheckURL(field, value string) error {
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Invalid(field, "not an http(s) URL: %q", value)
	}
	return nil
}

// CheckNumber reads a caller number the way the engine files his calls: normalised to E.164
// (see NormalizeNumber).
func CheckNumber(field, raw string) (string, error) {
	if err := required(field, raw); err != nil {
		return "", err
	}
	if err := maxLen(field, raw, maxNumberLen); err != nil {
		return "", err
	}
	n, ok := NormalizeNumber(raw)
	if !ok {
		return "", Invalid(field, "%q is not a phone number Tandem can read (E.164 like +14155550100)", raw)
	}
	return n, nil
}

// Check returns the operator with his login name as his display name when he has none. It
// does not know which queues exist: the engine checks that.
func (o Operator) Check() (Operator, error) {
	if err := required("operator_id", string(o.ID)); err != nil {
		return o, err
	}
	if !ValidName(o.Name) {
		return o, Invalid("name", "must be 1-63 lowercase letters, digits, '.', '_' or '-'")
	}
	if o.DisplayName == "" {
		o.DisplayName = o.Name
	}
	if err := maxLen("display_name", o.DisplayName, maxNameLen); err != nil {
		return o, err
	}
	if err := o.Contact.check("contact"); err != nil {
		return o, err
	}
	if err := CheckSkills(o.Queues); err != nil {
		return o, err
	}
	if o.SoftphoneHA1 != "" && o.Contact.Kind != ContactUser {
		return o, Invalid("softphone_password", "his contact is not a Voximplant user: only a Voximplant user has a browser phone")
	}
	return o, o.Hours.check("hours")
}

// CheckSkills checks an operator's queues, as given (an update checks what it adds before it
// merges it with what he has): each names a queue, once, at a level from 1 to 5.
func CheckSkills(skills []QueueSkill) error {
	seen := map[QueueID]bool{}
	for i, s := range skills {
		field := fmt.Sprintf("queues[%d]", i)
		if err := required(field+".queue_id", string(s.Queue)); err != nil {
			return err
		}
		if s.Level < 1 || s.Level > maxSkillLevel {
			return Invalid(field+".level", "must be 1 to 5")
		}
		if seen[s.Queue] {
			return Invalid("queues", "queue %q is listed twice", s.Queue)
		}
		seen[s.Queue] = true
	}
	return nil
}

func (c Contact) check(field string) error {
	switch c.Kind {
	case ContactUser, ContactSIP, ContactPSTN:
	default:
		return Invalid(field+".kind", "must be user, sip or pstn")
	}
	if err := required(field+".target", c.Target); err != nil {
		return err
	}
	if err := maxLen(field+".target", c.Target, maxTarget); err != nil {
		return err
	}
	switch c.Kind {
	case ContactPSTN:
		if !e164Pattern.MatchString(c.Target) {
			return Invalid(field+".target", "a phone number must be E.164, like +14155550100")
		}
	case ContactSIP:
		if u, err := url.Parse(c.Target); err != nil || (u.Scheme != "sip" && u.Scheme != "sips") || u.Opaque == "" {
			return Invalid(field+".target", "a SIP contact must be a sip: or sips: URI")
		}
	}
	return nil
}

func (h WeekHours) check(field string) error {
	if tz := h.TimeZone; tz != "" {
		// "Local" is the server's own zone, which an admin cannot know.
		if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
			return Invalid(field+".time_zone", "unknown time zone %q (an IANA name like Europe/Berlin)", tz)
		}
	}
	for d, spans := range h.Days {
		for _, s := range spans {
			if s.From < 0 || s.From >= s.To || s.To > 24*60 {
				day := strings.ToLower(time.Weekday(d).String()[:3])
				return Invalid(field+".days["+day+"]", "%q is not a span within a day", FormatSpans([]Span{s}))
			}
		}
	}
	return nil
}

// Check returns the spare number with its defaults filled in: the id as its name, one call at
// once, a 10 minute rest after a failed offer.
func (s Spare) Check() (Spare, error) {
	if !ValidSlug(string(s.ID)) {
		return s, Invalid("spare.spare_id", "must be 1-63 lowercase letters, digits, _ or -")
	}
	if s.Name == "" {
		s.Name = string(s.ID)
	}
	if err := maxLen("spare.name", s.Name, maxNameLen); err != nil {
		return s, err
	}
	if err := s.Contact.check("spare.contact"); err != nil {
		return s, err
	}
	if s.Contact.Kind == ContactUser {
		return s, Invalid("spare.contact.kind", "a spare number is a phone number or a SIP URI")
	}
	if err := s.Hours.check("spare.hours"); err != nil {
		return s, err
	}
	for i, d := range s.Holidays {
		if err := checkDate(fmt.Sprintf("spare.holidays[%d]", i), d); err != nil {
			return s, err
		}
	}
	if s.MaxConcurrent == 0 {
		s.MaxConcurrent = 1
	}
	if s.MaxConcurrent < 0 || s.MaxConcurrent > maxSpareAtOnce || s.DailyCap < 0 || s.DailyCap > maxSpareDaily ||
		s.Cooldown < 0 || s.Cooldown > maxSpareCooldown || s.Priority < 0 {
		return s, Invalid("spare", "max_concurrent ≤ 1000, daily_cap ≤ 100000, cooldown_s ≤ 86400, none negative")
	}
	if s.Cooldown == 0 {
		s.Cooldown = DefaultSpareCooldown
	}
	return s, nil
}

// Check checks an absence; it has no defaults.
func (a Absence) Check() (Absence, error) {
	if err := required("absence_id", a.ID); err != nil {
		return a, err
	}
	if err := required("operator_id", string(a.Operator)); err != nil {
		return a, err
	}
	if a.Kind != AbsenceVacation && a.Kind != AbsenceSick {
		return a, Invalid("kind", "must be vacation or sick")
	}
	if err := checkDate("from", a.From); err != nil {
		return a, err
	}
	if err := checkDate("to", a.To); err != nil {
		return a, err
	}
	if a.To < a.From {
		return a, Invalid("to", "before from")
	}
	return a, nil
}

// Check returns the client with his number normalised to E.164. Whether his manager exists
// and works is the engine's to check.
func (c Client) Check() (Client, error) {
	var err error
	if c.Number, err = CheckNumber("number", c.Number); err != nil {
		return c, err
	}
	switch c.How {
	case AssignedByVoice, AssignedByAdmin, AssignedByImport:
	default:
		return c, Invalid("how", "must be voice, admin or import")
	}
	return c, nil
}

func checkDate(field, v string) error {
	if !datePattern.MatchString(v) {
		return Invalid(field, "%q is not a date like 2026-12-03", v)
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return Invalid(field, "%q is not a date", v)
	}
	return nil
}

func required(field, value string) error {
	if value == "" {
		return Invalid(field, "required")
	}
	return nil
}

func maxLen(field, value string, n int) error {
	if len(value) > n {
		return Invalid(field, "longer than %d bytes", n)
	}
	return nil
}
