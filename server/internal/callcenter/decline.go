package callcenter

import "fmt"

// MaxDeclineReasonBytes bounds the reason an operator gives for declining an offer.
const MaxDeclineReasonBytes = 200

// Decline is an operator saying no to the offer out to him (DeclineOffer).
type Decline struct {
	Offer    OfferID
	Operator OperatorID
	Reason   string
}

// Check says whether the decline may end offer of: only its own operator may decline it, and
// only while it is pending (an answered or settled offer is past saying no to).
func (d Decline) Check(of Offer) error {
	switch {
	case len(d.Reason) > MaxDeclineReasonBytes:
		return Invalid("reason", "longer than %d bytes", MaxDeclineReasonBytes)
	case of.Operator != d.Operator:
		return &Error{Code: CodePermissionDenied, Field: "offer_id", Message: fmt.Sprintf("offer %s is not yours: you may decline only an offer made to you", of.ID)}
	case of.State != OfferPending:
		return &Error{Code: CodeFailedPrecondition, Field: "offer_id", Message: fmt.Sprintf("offer %s is %s: only a pending offer can be declined", of.ID, of.State)}
	}
	return nil
}
