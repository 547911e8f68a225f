package callcenter

import (
	"fmt"
	"slices"
)

// The rules of a queue; see rules.go for how the checks work.

// Check returns the queue with its defaults filled in: the id as its name, longest-idle
// routing, a 20 s offer, away after one miss, spares in turn.
func (q Queue) Check() (Queue, error) {
	if !ValidSlug(string(q.ID)) {
		return q, Invalid("queue.queue_id", "must be 1-63 lowercase letters, digits, _ or -")
	}
	if q.Name == "" {
		q.Name = string(q.ID)
	}
	if err := maxLen("queue.name", q.Name, maxNameLen); err != nil {
		return q, err
	}
	if q.Strategy == "" {
		q.Strategy = StrategyLongestIdle
	}
	if !slices.Contains(Strategies, q.Strategy) {
		return q, Invalid("queue.strategy", "unknown strategy %q (known: %v)", q.Strategy, Strategies)
	}
	switch {
	case q.RingAtOnce == 0 && q.Strategy == StrategyRingAll:
		q.RingAtOnce = DefaultRingAtOnce
	case q.RingAtOnce != 0 && q.RingAtOnce < MinRingAtOnce || q.RingAtOnce > MaxRingAtOnce:
		return q, Invalid("queue.ring_at_once", "must be %d to %d operators", MinRingAtOnce, MaxRingAtOnce)
	}
	var err error
	if q.Rules, err = q.Rules.check(); err != nil {
		return q, err
	}
	switch {
	case q.OfferTimeout == 0:
		q.OfferTimeout = DefaultOfferTimeout
	case q.OfferTimeout < MinOfferTimeout || q.OfferTimeout > MaxOfferTimeout:
		return q, Invalid("queue.offer_timeout_s", "must be 5 to 120 seconds")
	}
	if q.WrapUp < 0 || q.WrapUp > maxWrapUp {
		return q, Invalid("queue.wrap_up_s", "must be 0 to 600 seconds")
	}
	if q.Priority < 0 || q.Priority > maxPriority {
		return q, Invalid("queue.priority", "must be 0 to 100")
	}
	if q.HoldMusicURL != "" {
		if err := CheckURL("queue.hold_music_url", q.HoldMusicURL); err != nil {
			return q, err
		}
	}
	if err := maxLen("queue.greeting", q.Greeting, maxGreeting); err != nil {
		return q, err
	}
	if err := maxLen("queue.recording_notice", q.RecordingNotice, maxGreeting); err != nil {
		return q, err
	}
	seen := map[string]bool{}
	for i, n := range q.DialedNumbers {
		field := fmt.Sprintf("queue.dialed_numbers[%d]", i)
		if !e164Pattern.MatchString(n) {
			return q, Invalid(field, "%q is not an E.164 number like +14155550100", n)
		}
		if seen[n] {
			return q, Invalid(field, "%s is listed twice", n)
		}
		seen[n] = true
	}
	return q, nil
}

func (r QueueRules) check() (QueueRules, error) {
	if r.AnnounceEvery != 0 && (r.AnnounceEvery < minAnnounceEvery || r.AnnounceEvery > maxAnnounceEvery) {
		return r, Invalid("queue.announce_every_s", "must be 0 (never) or 15 to 600 seconds")
	}
	switch {
	case r.AwayAfterMisses < 0 || r.AwayAfterMisses > maxMisses:
		return r, Invalid("queue.away_after_misses", "must be at most 100")
	case r.AwayAfterMisses == 0:
		r.AwayAfterMisses = 1 // the first miss is the earliest an operator can go away
	}
	if r.AwayAfterDeclines < 0 || r.AwayAfterDeclines > maxMisses {
		return r, Invalid("queue.away_after_declines", "must be 0 (never) to 100")
	}
	if r.BanAfterMisses < 0 || r.BanAfterMisses > maxMisses {
		return r, Invalid("queue.ban_after_misses", "must be at most 100")
	}
	if r.BanWindow < 0 || r.BanWindow > maxBanWindow {
		return r, Invalid("queue.ban_window_s", "must be at most a week")
	}
	if len(r.BanSteps) > maxBanSteps {
		return r, Invalid("queue.ban_steps_s", "at most 10 steps")
	}
	for i, st := range r.BanSteps {
		if st < minBanStep || st > maxBanStep {
			return r, Invalid(fmt.Sprintf("queue.ban_steps_s[%d]", i), "must be a minute to a week")
		}
	}
	if r.ManagerWait < 0 || r.ManagerWait > maxManagerWait {
		return r, Invalid("queue.manager_wait_s", "must be at most 600 seconds")
	}
	if r.OptInCooldown < 0 || r.OptInCooldown > maxOptInCooldown {
		return r, Invalid("queue.opt_in_cooldown_days", "must be at most 3650")
	}
	for reason, text := range r.AbsenceTemplates {
		if _, known := DefaultAbsenceTemplates[reason]; !known {
			return r, Invalid("queue.absence_templates", "unknown reason %q (vacation, sick, dismissed, off_hours)", reason)
		}
		if len(text) > maxTemplate {
			return r, Invalid("queue.absence_templates["+string(reason)+"]", "longer than 500 bytes")
		}
	}
	var err error
	if r, err = r.checkExits(); err != nil {
		return r, err
	}
	if r.Overflow, err = r.Overflow.check(); err != nil {
		return r, err
	}
	if err := r.Alerts.check(); err != nil {
		return r, err
	}
	if r.Dispositions, err = checkDispositions(r.Dispositions, r.DispositionRequired); err != nil {
		return r, err
	}
	if r.Callback, err = r.Callback.check("queue.callback"); err != nil {
		return r, err
	}
	return r, r.ServiceLevel.check()
}

func (o Overflow) check() (Overflow, error) {
	if o.After < 0 || o.After > maxOverflowAfter {
		return o, Invalid("queue.overflow.after_s", "must be at most 3600 seconds")
	}
	for i, id := range o.Spares {
		if !ValidSlug(string(id)) {
			return o, Invalid(fmt.Sprintf("queue.overflow.spare_ids[%d]", i), "not a spare id")
		}
	}
	if o.MaxAtOnce < 0 {
		return o, Invalid("queue.overflow.max_at_once", "must not be negative")
	}
	switch o.Order {
	case "":
		o.Order = SpareInTurn
	case SpareInTurn, SpareLeastUsed, SparePriority:
	default:
		return o, Invalid("queue.overflow.order", "unknown order %q (in_turn, least_used, priority)", o.Order)
	}
	if o.After > 0 && len(o.Spares) == 0 {
		return o, Invalid("queue.overflow.spare_ids", "an overflow rule needs spare numbers")
	}
	return o, nil
}

// check leaves zeros alone: ServiceLevel.OrDefaults reads them as the defaults.
func (s ServiceLevel) check() error {
	if s.Threshold < 0 || s.Threshold > maxSLThreshold {
		return Invalid("queue.service_level_threshold_s", "must be 1 to 600 seconds (0: the default, 20)")
	}
	if s.Target < 0 || s.Target > 100 {
		return Invalid("queue.service_level_target_percent", "must be 1 to 100 (0: the default, 80)")
	}
	if s.Abandoned != "" && !slices.Contains(AbandonedRules, s.Abandoned) {
		return Invalid("queue.service_level_abandoned", "unknown rule %q (count_against, ignore, count_within_threshold_as_met)", s.Abandoned)
	}
	if s.ShortAbandon > maxShortAbandon { // a negative one means none
		return Invalid("queue.short_abandon_s", "must be at most 60 seconds")
	}
	return nil
}
