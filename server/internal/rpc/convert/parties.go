package convert

import (
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

var partyModes = map[cc.PartyMode]commonv1.PartyMode{
	cc.PartyConference: commonv1.PartyMode_PARTY_MODE_CONFERENCE,
	cc.PartyListen:     commonv1.PartyMode_PARTY_MODE_LISTEN,
	cc.PartyWhisper:    commonv1.PartyMode_PARTY_MODE_WHISPER,
	cc.PartyBarge:      commonv1.PartyMode_PARTY_MODE_BARGE,
}

var partyStates = map[cc.PartyState]commonv1.PartyState{
	cc.PartyDialing: commonv1.PartyState_PARTY_STATE_DIALING,
	cc.PartyJoined:  commonv1.PartyState_PARTY_STATE_JOINED,
	cc.PartyLeft:    commonv1.PartyState_PARTY_STATE_LEFT,
	cc.PartyFailed:  commonv1.PartyState_PARTY_STATE_FAILED,
}

// MonitorModeIn reads the mode of a MonitorCall; one that is not a monitoring mode is left
// empty for the domain to refuse (naming mode).
func MonitorModeIn(m commonv1.PartyMode) cc.PartyMode {
	switch m {
	case commonv1.PartyMode_PARTY_MODE_LISTEN:
		return cc.PartyListen
	case commonv1.PartyMode_PARTY_MODE_WHISPER:
		return cc.PartyWhisper
	case commonv1.PartyMode_PARTY_MODE_BARGE:
		return cc.PartyBarge
	}
	return ""
}

// OptionalContactIn reads a contact that may be left out (nil: none).
func OptionalContactIn(c *commonv1.Contact) cc.Contact {
	if c == nil {
		return cc.Contact{}
	}
	return cc.Contact{Kind: contactKinds[c.GetKind()], Target: c.GetTarget()}
}

// PartyOut is a call's party as the API shows it.
func PartyOut(p cc.Party) *commonv1.CallParty {
	return &commonv1.CallParty{
		PartyId:    string(p.ID),
		Mode:       partyModes[p.Mode],
		State:      partyStates[p.State],
		Contact:    ContactOut(p.Contact),
		OperatorId: string(p.Operator),
		AddedBy:    p.AddedBy,
		Monitor:    p.Monitor,
		InvitedAt:  Timestamp(p.InvitedAt),
		JoinedAt:   Timestamp(p.JoinedAt),
		LeftAt:     Timestamp(p.LeftAt),
		Reason:     p.Reason,
	}
}

// PartiesOut lists parties as the API shows them, those keep says to.
func PartiesOut(parties []cc.Party, keep func(cc.Party) bool) []*commonv1.CallParty {
	var out []*commonv1.CallParty
	for _, p := range parties {
		if keep == nil || keep(p) {
			out = append(out, PartyOut(p))
		}
	}
	return out
}
