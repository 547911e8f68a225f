package cloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"

	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// EncodeCommand returns the JSON body of a command as the scenario reads it: the proto
// CloudCommand in protojson with the proto field names as keys (wireJSON), the same JSON as an
// event's reply carries in next, e.g.
//
//	{"type":"dial","call_id":"c1","offer_id":"o1","contact":{"kind":"user","target":"anna"},"timeout_s":20,"caller_id":"+15550100"}
//
// Only the fields that belong to the command's type are sent (dial: offer_id, contact,
// timeout_s, caller_id, ring_all; say: text; ask: text, question_id; hangup: reason, text; forward: contact,
// text, caller_id, reason; hold: music_url;
// resume: none; transfer: mode, music_url, and with a target leg offer_id, contact, timeout_s,
// caller_id; complete_transfer: offer_id; cancel_transfer: offer_id, reason; add_party: party_id,
// contact, mode, timeout_s, caller_id; party_mode: party_id, mode; drop_party: party_id, reason;
// forward: contact, text);
// empty ones are left
// out (cancel: offer_id, reason). A timeout is rounded up to whole seconds so a short one does not become 0 ("unset").
// A command the scenario could not act on (unknown type, no call id, a dial with no contact)
// is an error: it is a bug upstream, not something to retry.
func EncodeCommand(cmd callcenter.Command) ([]byte, error) {
	msg, err := CommandMessage(cmd)
	if err != nil {
		return nil, err
	}
	b, err := wireJSON.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("cloud: encode %s command for call %s: %w", cmd.Type, cmd.Call, err)
	}
	// protojson deliberately varies its whitespace between builds; compact it so the bytes on
	// the wire (and in tests) are stable.
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, fmt.Errorf("cloud: encode %s command for call %s: %w", cmd.Type, cmd.Call, err)
	}
	return out.Bytes(), nil
}

// CommandMessage is a command as the API's CloudCommand message: what EncodeCommand sends, and
// what an event's reply carries as its next command.
func CommandMessage(cmd callcenter.Command) (*callintakev1.CloudCommand, error) {
	if cmd.Call == "" {
		return nil, fmt.Errorf("cloud: %s command has no call id", cmd.Type)
	}
	msg := &callintakev1.CloudCommand{Type: string(cmd.Type), CallId: string(cmd.Call)}
	switch cmd.Type {
	case callcenter.CommandDial:
		if err := checkContact(cmd); err != nil {
			return nil, err
		}
		msg.OfferId = string(cmd.Offer)
		msg.Contact = &callintakev1.CloudContact{Kind: string(cmd.Contact.Kind), Target: cmd.Contact.Target}
		msg.TimeoutS = timeoutSeconds(cmd.Timeout)
		msg.CallerId = cmd.CallerID
		msg.RingAll = cmd.RingAll
	case callcenter.CommandSay:
		msg.Text = cmd.Text
	case callcenter.CommandAsk:
		msg.Text = cmd.Text
		msg.QuestionId = cmd.QuestionID
	case callcenter.CommandCancel:
		msg.OfferId = string(cmd.Offer)
		msg.Reason = cmd.Reason
	case callcenter.CommandHangup:
		msg.Reason = cmd.Reason
		msg.Text = cmd.Text
	case callcenter.CommandForward:
		if err := checkContact(cmd); err != nil {
			return nil, err
		}
		msg.Contact = &callintakev1.CloudContact{Kind: string(cmd.Contact.Kind), Target: cmd.Contact.Target}
		msg.Text = cmd.Text
		msg.CallerId = cmd.CallerID
		msg.Reason = cmd.Reason
	case callcenter.CommandOfferCallback:
		msg.Text, msg.Digit, msg.Words, msg.AskNumber = cmd.Text, cmd.Digit, cmd.Words, cmd.AskNumber
	case callcenter.CommandVoicemail:
		msg.Text = cmd.Text
		msg.TimeoutS = timeoutSeconds(cmd.Timeout)
		msg.Reason = cmd.Reason
	case callcenter.CommandHold:
		msg.MusicUrl = cmd.MusicURL
	case callcenter.CommandResume:
	case callcenter.CommandAddParty:
		if err := checkContact(cmd); err != nil {
			return nil, err
		}
		msg.PartyId, msg.Mode = string(cmd.Party), string(cmd.PartyMode)
		msg.Contact = &callintakev1.CloudContact{Kind: string(cmd.Contact.Kind), Target: cmd.Contact.Target}
		msg.TimeoutS = timeoutSeconds(cmd.Timeout)
		msg.CallerId = cmd.CallerID
	case callcenter.CommandPartyMode:
		msg.PartyId, msg.Mode = string(cmd.Party), string(cmd.PartyMode)
	case callcenter.CommandDropParty:
		msg.PartyId, msg.Reason = string(cmd.Party), cmd.Reason
	case callcenter.CommandTransfer:
		if cmd.Mode != callcenter.TransferBlind && cmd.Mode != callcenter.TransferWarm {
			return nil, fmt.Errorf("cloud: transfer command for call %s: unknown mode %q", cmd.Call, cmd.Mode)
		}
		msg.Mode = string(cmd.Mode)
		msg.MusicUrl = cmd.MusicURL
		if cmd.Contact != (callcenter.Contact{}) {
			if cmd.Contact.Target == "" || cmd.Offer == "" {
				return nil, fmt.Errorf("cloud: transfer command for call %s has a contact without a target or offer", cmd.Call)
			}
			msg.OfferId = string(cmd.Offer)
			msg.Contact = &callintakev1.CloudContact{Kind: string(cmd.Contact.Kind), Target: cmd.Contact.Target}
			msg.TimeoutS = timeoutSeconds(cmd.Timeout)
			msg.CallerId = cmd.CallerID
		} else if cmd.Mode == callcenter.TransferWarm {
			return nil, fmt.Errorf("cloud: warm transfer command for call %s has no contact", cmd.Call)
		}
	case callcenter.CommandCompleteTransfer:
		msg.OfferId = string(cmd.Offer)
	case callcenter.CommandCancelTransfer:
		msg.OfferId = string(cmd.Offer)
		msg.Reason = cmd.Reason
	default:
		return nil, fmt.Errorf("cloud: command for call %s has unknown type %q", cmd.Call, cmd.Type)
	}
	return msg, nil
}

// checkContact says whether cmd's contact is one the scenario can dial.
func checkContact(cmd callcenter.Command) error {
	switch cmd.Contact.Kind {
	case callcenter.ContactUser, callcenter.ContactSIP, callcenter.ContactPSTN:
	default:
		return fmt.Errorf("cloud: %s command for call %s: unknown contact kind %q", cmd.Type, cmd.Call, cmd.Contact.Kind)
	}
	if cmd.Contact.Target == "" {
		return fmt.Errorf("cloud: %s command for call %s has no contact target", cmd.Type, cmd.Call)
	}
	return nil
}

func timeoutSeconds(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	s := d / time.Second
	if d%time.Second != 0 {
		s++
	}
	if s > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(s)
}
