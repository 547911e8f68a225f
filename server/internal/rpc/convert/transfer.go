package convert

import (
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

var transferModes = map[commonv1.TransferMode]cc.TransferMode{
	commonv1.TransferMode_TRANSFER_MODE_BLIND: cc.TransferBlind,
	commonv1.TransferMode_TRANSFER_MODE_WARM:  cc.TransferWarm,
}

var transferStates = map[cc.TransferState]commonv1.TransferState{
	cc.TransferDialing:    commonv1.TransferState_TRANSFER_STATE_DIALING,
	cc.TransferConsulting: commonv1.TransferState_TRANSFER_STATE_CONSULTING,
	cc.TransferCompleted:  commonv1.TransferState_TRANSFER_STATE_COMPLETED,
	cc.TransferCancelled:  commonv1.TransferState_TRANSFER_STATE_CANCELLED,
	cc.TransferFailed:     commonv1.TransferState_TRANSFER_STATE_FAILED,
}

// TransferModeIn reads a transfer mode; an unknown one is left empty for the domain to refuse.
func TransferModeIn(m commonv1.TransferMode) cc.TransferMode { return transferModes[m] }

// TransferOut is a call's transfer as the API shows it; nil when it was never transferred.
func TransferOut(t cc.Transfer) *commonv1.Transfer {
	if t.State == "" {
		return nil
	}
	out := &commonv1.Transfer{
		FromOperatorId: string(t.From),
		ToOperatorId:   string(t.Target.Operator),
		ToQueueId:      string(t.Target.Queue),
		State:          transferStates[t.State],
		OfferId:        string(t.Offer),
		OperatorId:     string(t.Operator),
		StartedAt:      Timestamp(t.StartedAt),
		Reason:         t.Reason,
		Priority:       uint32(t.Priority),
	}
	for k, v := range transferModes {
		if v == t.Mode {
			out.Mode = k
		}
	}
	if t.Target.Number != (cc.Contact{}) {
		out.ToNumber = ContactOut(t.Target.Number)
	}
	return out
}

// TransferTargetsOut is an operator's transfer targets as the API shows them.
func TransferTargetsOut(tt cc.TransferTargets) *assignmentv1.ListTransferTargetsResponse {
	out := &assignmentv1.ListTransferTargetsResponse{}
	for _, o := range tt.Operators {
		out.Operators = append(out.Operators, &assignmentv1.TransferOperator{OperatorId: string(o.Operator), Name: o.Name, DisplayName: o.DisplayName, State: OperatorStates[o.State], Busy: o.Busy})
	}
	for _, q := range tt.Queues {
		out.Queues = append(out.Queues, &assignmentv1.TransferQueue{QueueId: string(q.Queue), Name: q.Name, Free: uint32(q.Free)})
	}
	return out
}
