package convert

import (
	"time"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
)

// QueueOut is a queue as the API shows it: its service level with the defaults filled in.
func QueueOut(q cc.Queue) *adminv1.Queue {
	sl := q.Rules.ServiceLevel.OrDefaults()
	var steps []uint32
	for _, st := range q.Rules.BanSteps {
		steps = append(steps, uint32(st/time.Second))
	}
	var spares []string
	for _, id := range q.Rules.Overflow.Spares {
		spares = append(spares, string(id))
	}
	templates := map[string]string{}
	for k, v := range q.Rules.AbsenceTemplates {
		templates[string(k)] = v
	}
	return &adminv1.Queue{
		ManagerWaitS:      uint32(q.Rules.ManagerWait / time.Second),
		NoOptIn:           !q.Rules.OptIn,
		OptInCooldownDays: uint32(q.Rules.OptInCooldown / (24 * time.Hour)),
		AbsenceTemplates:  templates,
		Overflow: &adminv1.Overflow{AfterS: uint32(q.Rules.Overflow.After / time.Second), SpareIds: spares,
			MaxAtOnce: uint32(q.Rules.Overflow.MaxAtOnce), Order: string(q.Rules.Overflow.Order), OnPredictedWait: q.Rules.Overflow.OnPredictedWait},
		ServiceLevelThresholdS:        uint32(sl.Threshold / time.Second),
		ServiceLevelTargetPercent:     uint32(sl.Target),
		ServiceLevelAbandoned:         string(sl.Abandoned),
		ShortAbandonS:                 uint32(sl.ShortAbandon / time.Second),
		AnnounceEveryS:                uint32(q.Rules.AnnounceEvery / time.Second),
		AwayAfterMisses:               uint32(q.Rules.AwayAfterMisses),
		AwayAfterDeclines:             uint32(q.Rules.AwayAfterDeclines),
		BanAfterMisses:                uint32(q.Rules.BanAfterMisses),
		BanWindowS:                    uint32(q.Rules.BanWindow / time.Second),
		BanStepsS:                     steps,
		QueueId:                       string(q.ID),
		Name:                          q.Name,
		DialedNumbers:                 q.DialedNumbers,
		Strategy:                      string(q.Strategy),
		OfferTimeoutS:                 uint32(q.OfferTimeout / time.Second),
		WrapUpS:                       uint32(q.WrapUp / time.Second),
		Priority:                      uint32(q.Priority),
		HoldMusicUrl:                  q.HoldMusicURL,
		Greeting:                      q.Greeting,
		IsDefault:                     q.IsDefault,
		RecordCalls:                   q.RecordCalls,
		RecordingNotice:               q.RecordingNotice,
		RingAtOnce:                    uint32(q.RingAtOnce),
		AlertServiceLevelUnderPercent: uint32(q.Rules.Alerts.ServiceLevelUnder),
		AlertLongestWaitOverS:         uint32(q.Rules.Alerts.LongestWaitOver / time.Second),
		AlertWaitingOver:              uint32(q.Rules.Alerts.WaitingOver),
		AlertMissesInRow:              uint32(q.Rules.Alerts.MissesInRow),
		AlertAbandonmentOverPercent:   uint32(q.Rules.Alerts.AbandonmentOver),
		AlertWindowS:                  uint32(q.Rules.Alerts.Window / time.Second),
		AlertHoldS:                    uint32(q.Rules.Alerts.Hold / time.Second),
		Dispositions:                  DispositionsOut(q.Rules.Dispositions),
		DispositionRequired:           q.Rules.DispositionRequired,
		Hours:                         QueueHoursOut(q.Rules.Hours),
		ClosedExit:                    ExitOut(q.Rules.ClosedExit),
		ExitWaitingAtClose:            q.Rules.ExitWaitingAtClose,
		MaxWaiting:                    uint32(q.Rules.MaxWaiting.Calls),
		MaxWaitingExit:                ExitOut(q.Rules.MaxWaiting.Exit),
		LongestWaitS:                  uint32(q.Rules.LongestWait.After / time.Second),
		LongestWaitExit:               ExitOut(q.Rules.LongestWait.Exit),
		Callback:                      CallbackRulesOut(q.Rules.Callback),
	}
}

// CallbackRulesOut is a queue's callback rules as the API shows them; nil when it offers none.
func CallbackRulesOut(r cc.CallbackRules) *adminv1.QueueCallback {
	if !r.Offered() && r.CallerID == "" && len(r.ForbiddenPrefixes) == 0 && r.Digit == "" && len(r.Words) == 0 && r.Attempts == 0 && r.RetryAfter == 0 {
		return nil
	}
	return &adminv1.QueueCallback{OfferAfterS: uint32(r.OfferAfter / time.Second), OfferOverWaitS: uint32(r.OfferOverWait / time.Second),
		Digit: r.Digit, Words: r.Words, Attempts: uint32(r.Attempts), RetryAfterS: uint32(r.RetryAfter / time.Second),
		CallerId: r.CallerID, ForbiddenPrefixes: r.ForbiddenPrefixes}
}

// CallbackRulesIn reads a queue's callback rules (Queue.Check checks them, naming the field).
func CallbackRulesIn(r *adminv1.QueueCallback) cc.CallbackRules {
	if r == nil {
		return cc.CallbackRules{}
	}
	return cc.CallbackRules{OfferAfter: Seconds(r.GetOfferAfterS()), OfferOverWait: Seconds(r.GetOfferOverWaitS()), Digit: r.GetDigit(),
		Words: r.GetWords(), Attempts: int(min(r.GetAttempts(), 1000)), RetryAfter: Seconds(r.GetRetryAfterS()),
		CallerID: r.GetCallerId(), ForbiddenPrefixes: r.GetForbiddenPrefixes()}
}

// DispositionOut is a disposition as the API shows it.
func DispositionOut(d cc.Disposition) *commonv1.Disposition {
	return &commonv1.Disposition{Code: d.Code, Label: d.Label}
}

// DispositionsOut are a queue's dispositions as the API shows them.
func DispositionsOut(ds []cc.Disposition) []*commonv1.Disposition {
	var out []*commonv1.Disposition
	for _, d := range ds {
		out = append(out, DispositionOut(d))
	}
	return out
}

// ClientOut is a caller's personal manager as the API shows it.
func ClientOut(c cc.Client) *adminv1.Client {
	return &adminv1.Client{Number: c.Number, ManagerId: string(c.Manager), How: string(c.How), AssignedAt: Timestamp(c.AssignedAt), DeclinedAt: Timestamp(c.DeclinedAt)}
}

// AbsenceOut is an absence as the API shows it.
func AbsenceOut(a cc.Absence) *adminv1.Absence {
	return &adminv1.Absence{AbsenceId: a.ID, OperatorId: string(a.Operator), Kind: string(a.Kind), From: a.From, To: a.To}
}

// SpareOut is a spare number and its use today, as the API shows them.
func SpareOut(s cc.Spare, use cc.SpareStatus) *adminv1.Spare {
	return &adminv1.Spare{
		SpareId: string(s.ID), Name: s.Name, Contact: ContactOut(s.Contact), Hours: HoursOut(s.Hours), Holidays: s.Holidays,
		MaxConcurrent: uint32(s.MaxConcurrent), DailyCap: uint32(s.DailyCap), Priority: uint32(s.Priority),
		CooldownS: uint32(s.Cooldown / time.Second), Disabled: s.Disabled,
		Use: &adminv1.SpareUse{Active: uint32(use.Active), CallsToday: uint32(use.CallsToday), CooldownUntil: Timestamp(use.CooldownUntil), Misses: uint32(use.Misses)},
	}
}

// keyRoles are the roles an API key can have.
var keyRoles = map[adminv1.KeyRole]auth.Role{
	adminv1.KeyRole_KEY_ROLE_ADMIN:      auth.RoleAdmin,
	adminv1.KeyRole_KEY_ROLE_SUPERVISOR: auth.RoleSupervisor,
	adminv1.KeyRole_KEY_ROLE_READONLY:   auth.RoleReadonly,
}

// KeyRoleIn is the role an API key is made with; false for none of admin, supervisor, readonly.
func KeyRoleIn(r adminv1.KeyRole) (auth.Role, bool) {
	role, ok := keyRoles[r]
	return role, ok
}

// KeyRoleOut is the API's name of an API key's role; unspecified for the roles keys cannot have.
func KeyRoleOut(r auth.Role) adminv1.KeyRole {
	for kr, in := range keyRoles {
		if in == r {
			return kr
		}
	}
	return adminv1.KeyRole_KEY_ROLE_UNSPECIFIED
}

// AccountOut is a person's account as the API shows it (never its password's hash).
func AccountOut(a cc.Account) *adminv1.Account {
	return &adminv1.Account{Name: a.Name, DisplayName: a.DisplayName, Role: KeyRoleOut(auth.Role(a.Role)), Disabled: a.Disabled,
		CreatedAt: Timestamp(a.CreatedAt), CreatedBy: a.CreatedBy}
}

// APIKeyOut is an API key as the API shows it (never its secret, its hash or its phone's digest).
func APIKeyOut(k cc.APIKey) *adminv1.ApiKey {
	return &adminv1.ApiKey{KeyId: k.ID, Name: k.Name, Role: KeyRoleOut(auth.Role(k.Role)), CreatedAt: Timestamp(k.CreatedAt), CreatedBy: k.CreatedBy,
		LastUsedAt: Timestamp(k.LastUsedAt), RevokedAt: Timestamp(k.RevokedAt), SoftphoneUser: k.SoftphoneUser}
}
