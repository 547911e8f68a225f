package rpc

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	"github.com/tandemcc/tandem/gen/go/tandem/admin/v1/adminv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/analytics/v1/analyticsv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/assignment/v1/assignmentv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/callintake/v1/callintakev1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1/operatorpresencev1connect"
	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// public marks procedures anyone may call.
const public Role = "public"

// policy says which roles may call each procedure. A procedure missing here is refused to all:
// a new RPC stays closed until someone decides who may call it.
var policy = map[string][]Role{
	callintakev1connect.CallIntakeServiceRegisterCallProcedure:    {RoleCloud},
	callintakev1connect.CallIntakeServiceReportCallEventProcedure: {RoleCloud},

	operatorpresencev1connect.OperatorPresenceServiceLogInProcedure:         {public},
	operatorpresencev1connect.OperatorPresenceServiceLogOutProcedure:        {RoleOperator},
	operatorpresencev1connect.OperatorPresenceServiceGoReadyProcedure:       {RoleOperator, RoleAdmin},
	operatorpresencev1connect.OperatorPresenceServiceGoAwayProcedure:        {RoleOperator, RoleAdmin},
	operatorpresencev1connect.OperatorPresenceServiceEndWrapUpProcedure:     {RoleOperator, RoleAdmin},
	operatorpresencev1connect.OperatorPresenceServiceWatchOperatorProcedure: {RoleOperator, RoleAdmin},

	assignmentv1connect.AssignmentServiceListCallsProcedure:     {RoleAdmin},
	assignmentv1connect.AssignmentServiceGetCallProcedure:       {RoleAdmin},
	assignmentv1connect.AssignmentServiceExplainCallProcedure:   {RoleAdmin},
	assignmentv1connect.AssignmentServiceWithdrawOfferProcedure: {RoleAdmin},
	assignmentv1connect.AssignmentServiceRequeueCallProcedure:   {RoleAdmin},
	assignmentv1connect.AssignmentServiceLiftBanProcedure:       {RoleAdmin},

	analyticsv1connect.AnalyticsServiceGetQueueStatsProcedure:    {RoleAdmin},
	analyticsv1connect.AnalyticsServiceGetOperatorStatsProcedure: {RoleAdmin, RoleOperator},

	adminv1connect.AdminServiceCreateOperatorProcedure:  {RoleAdmin},
	adminv1connect.AdminServiceUpdateOperatorProcedure:  {RoleAdmin},
	adminv1connect.AdminServiceGetOperatorProcedure:     {RoleAdmin},
	adminv1connect.AdminServiceListOperatorsProcedure:   {RoleAdmin},
	adminv1connect.AdminServiceCreateQueueProcedure:     {RoleAdmin},
	adminv1connect.AdminServiceUpdateQueueProcedure:     {RoleAdmin},
	adminv1connect.AdminServiceGetQueueProcedure:        {RoleAdmin},
	adminv1connect.AdminServiceListQueuesProcedure:      {RoleAdmin},
	adminv1connect.AdminServiceSetClientProcedure:       {RoleAdmin},
	adminv1connect.AdminServiceRemoveClientProcedure:    {RoleAdmin},
	adminv1connect.AdminServiceGetClientProcedure:       {RoleAdmin},
	adminv1connect.AdminServiceListClientsProcedure:     {RoleAdmin},
	adminv1connect.AdminServiceImportClientsProcedure:   {RoleAdmin},
	adminv1connect.AdminServiceCreateAbsenceProcedure:   {RoleAdmin},
	adminv1connect.AdminServiceDeleteAbsenceProcedure:   {RoleAdmin},
	adminv1connect.AdminServiceListAbsencesProcedure:    {RoleAdmin},
	adminv1connect.AdminServiceCreateSpareProcedure:     {RoleAdmin},
	adminv1connect.AdminServiceUpdateSpareProcedure:     {RoleAdmin},
	adminv1connect.AdminServiceListSparesProcedure:      {RoleAdmin},
	adminv1connect.AdminServicePreviewOverflowProcedure: {RoleAdmin},
}

// authorize enforces the policy for one procedure.
func authorize(ctx context.Context, procedure string) error {
	roles, known := policy[procedure]
	if !known {
		return connect.NewError(connect.CodePermissionDenied, errors.New("no one may call "+procedure))
	}
	p, authenticated := principalFrom(ctx)
	for _, r := range roles {
		if r == public || (authenticated && r == p.Role) {
			return nil
		}
	}
	if !authenticated {
		return connect.NewError(connect.CodeUnauthenticated, errors.New("credentials required"))
	}
	return connect.NewError(connect.CodePermissionDenied, errors.New(string(p.Role)+" may not call "+procedure))
}

// policyInterceptor applies authorize to every unary and streaming call.
type policyInterceptor struct{}

func (policyInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := authorize(ctx, req.Spec().Procedure); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (policyInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (policyInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := authorize(ctx, conn.Spec().Procedure); err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// self resolves the operator a request acts on: an operator may only name himself (or nobody,
// meaning himself); the admin must name one.
func self(ctx context.Context, requested string) (callcenter.OperatorID, error) {
	p, _ := principalFrom(ctx)
	switch {
	case p.Role == RoleOperator && (requested == "" || callcenter.OperatorID(requested) == p.Operator):
		return p.Operator, nil
	case p.Role == RoleOperator:
		return "", &callcenter.Error{Code: callcenter.CodePermissionDenied, Field: "operator_id", Message: "an operator may only act on himself"}
	case requested == "":
		return "", callcenter.Invalid("operator_id", "required")
	}
	return callcenter.OperatorID(requested), nil
}
