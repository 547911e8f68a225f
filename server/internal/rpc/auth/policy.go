package auth

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"connectrpc.com/connect"

	"github.com/tandemcc/tandem/gen/go/tandem/admin/v1/adminv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/analytics/v1/analyticsv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/assignment/v1/assignmentv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/callintake/v1/callintakev1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1/operatorpresencev1connect"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Who may call what, by kind of procedure.
var (
	// readers may call every read: supervisors and read-only tools see what admins see.
	readers = []Role{RoleAdmin, RoleSupervisor, RoleReadonly}
	// supervisors run the floor: calls, offers, bans, operators' presence.
	supervisors = []Role{RoleAdmin, RoleSupervisor}
	// admins configure the call center and manage keys and personal data.
	admins = []Role{RoleAdmin}
)

// policy says which roles may call each procedure. A procedure missing here is refused to all:
// a new RPC stays closed until someone decides who may call it. An operator may call a procedure
// only for himself (self resolves the operator a request names).
var policy = map[string][]Role{
	callintakev1connect.CallIntakeServiceRegisterCallProcedure:    {RoleCloud},
	callintakev1connect.CallIntakeServiceReportCallEventProcedure: {RoleCloud},

	operatorpresencev1connect.OperatorPresenceServiceLogInProcedure:        {Public},
	operatorpresencev1connect.OperatorPresenceServiceLogOutProcedure:       with(supervisors, RoleOperator),
	operatorpresencev1connect.OperatorPresenceServiceGoReadyProcedure:      with(supervisors, RoleOperator),
	operatorpresencev1connect.OperatorPresenceServiceGoAwayProcedure:       with(supervisors, RoleOperator),
	operatorpresencev1connect.OperatorPresenceServiceEndWrapUpProcedure:    with(supervisors, RoleOperator),
	operatorpresencev1connect.OperatorPresenceServiceSaveCallNoteProcedure: {RoleOperator}, // his own words on his own calls
	// The operator on the call he handled; a supervisor may set or correct it for him.
	operatorpresencev1connect.OperatorPresenceServiceSetDispositionProcedure: with(supervisors, RoleOperator),
	// The caller's own browser phone's login: an operator's, or the one a supervisor's or an
	// admin's key was given for monitoring (never someone else's: see presence.softphone).
	operatorpresencev1connect.OperatorPresenceServiceSignSoftphoneKeyProcedure: with(supervisors, RoleOperator),
	operatorpresencev1connect.OperatorPresenceServiceGetSoftphoneProcedure:     with(supervisors, RoleOperator),
	operatorpresencev1connect.OperatorPresenceServiceWatchOperatorProcedure:    with(readers, RoleOperator),

	assignmentv1connect.AssignmentServiceListCallsProcedure:     readers,
	assignmentv1connect.AssignmentServiceGetCallProcedure:       readers,
	assignmentv1connect.AssignmentServiceExplainCallProcedure:   readers,
	assignmentv1connect.AssignmentServiceWithdrawOfferProcedure: supervisors,
	assignmentv1connect.AssignmentServiceRequeueCallProcedure:   supervisors,
	assignmentv1connect.AssignmentServiceLiftBanProcedure:       supervisors,
	// Saying no to a call is the operator's own word, like his note: a supervisor withdraws.
	assignmentv1connect.AssignmentServiceDeclineOfferProcedure: {RoleOperator},
	assignmentv1connect.AssignmentServiceHoldCallProcedure:     {RoleOperator}, // the call he talks on
	assignmentv1connect.AssignmentServiceResumeCallProcedure:   {RoleOperator},
	// The operator adds to the call he talks on; a supervisor may drop any party of any call.
	assignmentv1connect.AssignmentServiceAddToCallProcedure:      {RoleOperator},
	assignmentv1connect.AssignmentServiceRemoveFromCallProcedure: with(supervisors, RoleOperator),
	// Monitoring is the floor's: never an operator's, never a read-only tool's.
	assignmentv1connect.AssignmentServiceMonitorCallProcedure:         supervisors,
	assignmentv1connect.AssignmentServiceStopMonitorProcedure:         supervisors,
	assignmentv1connect.AssignmentServiceTransferCallProcedure:        {RoleOperator}, // the call he talks on
	assignmentv1connect.AssignmentServiceCompleteTransferProcedure:    {RoleOperator},
	assignmentv1connect.AssignmentServiceCancelTransferProcedure:      {RoleOperator},
	assignmentv1connect.AssignmentServiceListTransferTargetsProcedure: {RoleOperator}, // his colleagues, for his transfer

	analyticsv1connect.AnalyticsServiceGetQueueStatsProcedure:        readers,
	analyticsv1connect.AnalyticsServiceGetOperatorStatsProcedure:     with(readers, RoleOperator),
	analyticsv1connect.AnalyticsServiceWatchWallboardProcedure:       readers,
	analyticsv1connect.AnalyticsServiceGetHistoryProcedure:           readers,
	analyticsv1connect.AnalyticsServiceExportHistoryProcedure:        readers,
	analyticsv1connect.AnalyticsServiceGetCallTimelineProcedure:      readers,
	analyticsv1connect.AnalyticsServiceCalculateStaffingProcedure:    readers,
	analyticsv1connect.AnalyticsServiceReplayDayProcedure:            readers,
	analyticsv1connect.AnalyticsServiceSearchCallsProcedure:          readers,
	analyticsv1connect.AnalyticsServiceGetOperatorDrillDownProcedure: readers,
	analyticsv1connect.AnalyticsServiceListAlertsProcedure:           readers,
	analyticsv1connect.AnalyticsServiceAcknowledgeAlertProcedure:     supervisors,
	analyticsv1connect.AnalyticsServiceGetMenuReportProcedure:        readers,
	// The recordings' URLs: those who hear recordings (HearsRecordings), not read-only tools.
	analyticsv1connect.AnalyticsServiceListVoicemailsProcedure: supervisors,

	adminv1connect.AdminServiceCreateOperatorProcedure:       admins,
	adminv1connect.AdminServiceUpdateOperatorProcedure:       admins,
	adminv1connect.AdminServiceGetOperatorProcedure:          readers,
	adminv1connect.AdminServiceListOperatorsProcedure:        readers,
	adminv1connect.AdminServiceCreateQueueProcedure:          admins,
	adminv1connect.AdminServiceUpdateQueueProcedure:          admins,
	adminv1connect.AdminServiceGetQueueProcedure:             readers,
	adminv1connect.AdminServiceListQueuesProcedure:           readers,
	adminv1connect.AdminServiceSetClientProcedure:            admins,
	adminv1connect.AdminServiceRemoveClientProcedure:         admins,
	adminv1connect.AdminServiceGetClientProcedure:            readers,
	adminv1connect.AdminServiceListClientsProcedure:          readers,
	adminv1connect.AdminServiceImportClientsProcedure:        admins,
	adminv1connect.AdminServiceCreateAbsenceProcedure:        admins,
	adminv1connect.AdminServiceDeleteAbsenceProcedure:        admins,
	adminv1connect.AdminServiceListAbsencesProcedure:         readers,
	adminv1connect.AdminServiceCreateSpareProcedure:          admins,
	adminv1connect.AdminServiceUpdateSpareProcedure:          admins,
	adminv1connect.AdminServiceListSparesProcedure:           readers,
	adminv1connect.AdminServicePreviewOverflowProcedure:      readers,
	adminv1connect.AdminServicePutMenuProcedure:              admins,
	adminv1connect.AdminServiceDeleteMenuProcedure:           admins,
	adminv1connect.AdminServiceListMenusProcedure:            readers,
	adminv1connect.AdminServiceCreateApiKeyProcedure:         admins,
	adminv1connect.AdminServiceListApiKeysProcedure:          admins,
	adminv1connect.AdminServiceRevokeApiKeyProcedure:         admins,
	adminv1connect.AdminServiceSetApiKeySoftphoneProcedure:   admins,
	adminv1connect.AdminServiceSetPersonSoftphoneProcedure:   admins,
	adminv1connect.AdminServiceListPersonSoftphonesProcedure: admins,
	adminv1connect.AdminServiceWhoAmIProcedure:               readers,
	adminv1connect.AdminServiceListAuditEntriesProcedure:     admins,
	adminv1connect.AdminServiceListLoginFailuresProcedure:    supervisors,
	adminv1connect.AdminServiceUnlockLoginProcedure:          supervisors,
	adminv1connect.AdminServiceGetRetentionProcedure:         readers,
	adminv1connect.AdminServiceSetRetentionProcedure:         admins,
	adminv1connect.AdminServiceExportCallerDataProcedure:     admins,
	adminv1connect.AdminServiceDeleteCallerDataProcedure:     admins,
	// People: admins manage accounts; anyone may try to sign in (throttled like operators'
	// logins); a signed-in person signs himself out (a key is revoked instead).
	adminv1connect.AdminServiceCreateAccountProcedure:      admins,
	adminv1connect.AdminServiceListAccountsProcedure:       admins,
	adminv1connect.AdminServiceUpdateAccountProcedure:      admins,
	adminv1connect.AdminServiceSetAccountPasswordProcedure: admins,
	adminv1connect.AdminServiceSignInProcedure:             {Public},
	adminv1connect.AdminServiceSignOutProcedure:            supervisors,
	adminv1connect.AdminServiceGetSignInOptionsProcedure:   {Public},
}

// reads are the procedures that change nothing. Every other procedure called by an admin or a
// supervisor is a change, and goes in the audit log; ExportCallerData is a read that is audited
// too, as it discloses a caller's personal data.
var reads = map[string]bool{
	operatorpresencev1connect.OperatorPresenceServiceWatchOperatorProcedure:    true,
	operatorpresencev1connect.OperatorPresenceServiceGetSoftphoneProcedure:     true,
	operatorpresencev1connect.OperatorPresenceServiceSignSoftphoneKeyProcedure: true,
	assignmentv1connect.AssignmentServiceListCallsProcedure:                    true,
	assignmentv1connect.AssignmentServiceGetCallProcedure:                      true,
	assignmentv1connect.AssignmentServiceExplainCallProcedure:                  true,
	analyticsv1connect.AnalyticsServiceGetQueueStatsProcedure:                  true,
	analyticsv1connect.AnalyticsServiceGetOperatorStatsProcedure:               true,
	analyticsv1connect.AnalyticsServiceWatchWallboardProcedure:                 true,
	analyticsv1connect.AnalyticsServiceGetHistoryProcedure:                     true,
	analyticsv1connect.AnalyticsServiceExportHistoryProcedure:                  true,
	analyticsv1connect.AnalyticsServiceGetCallTimelineProcedure:                true,
	analyticsv1connect.AnalyticsServiceCalculateStaffingProcedure:              true,
	analyticsv1connect.AnalyticsServiceReplayDayProcedure:                      true,
	analyticsv1connect.AnalyticsServiceSearchCallsProcedure:                    true,
	analyticsv1connect.AnalyticsServiceGetOperatorDrillDownProcedure:           true,
	analyticsv1connect.AnalyticsServiceListAlertsProcedure:                     true,
	adminv1connect.AdminServiceGetOperatorProcedure:                            true,
	adminv1connect.AdminServiceListOperatorsProcedure:                          true,
	adminv1connect.AdminServiceGetQueueProcedure:                               true,
	adminv1connect.AdminServiceListQueuesProcedure:                             true,
	adminv1connect.AdminServiceGetClientProcedure:                              true,
	adminv1connect.AdminServiceListClientsProcedure:                            true,
	adminv1connect.AdminServiceListAbsencesProcedure:                           true,
	adminv1connect.AdminServiceListSparesProcedure:                             true,
	adminv1connect.AdminServicePreviewOverflowProcedure:                        true,
	adminv1connect.AdminServiceListMenusProcedure:                              true,
	analyticsv1connect.AnalyticsServiceGetMenuReportProcedure:                  true,
	analyticsv1connect.AnalyticsServiceListVoicemailsProcedure:                 true,
	adminv1connect.AdminServiceListApiKeysProcedure:                            true,
	adminv1connect.AdminServiceWhoAmIProcedure:                                 true,
	adminv1connect.AdminServiceListAuditEntriesProcedure:                       true,
	adminv1connect.AdminServiceListLoginFailuresProcedure:                      true,
	adminv1connect.AdminServiceGetRetentionProcedure:                           true,
	adminv1connect.AdminServiceExportCallerDataProcedure:                       true,
	adminv1connect.AdminServiceListAccountsProcedure:                           true,
	adminv1connect.AdminServiceGetSignInOptionsProcedure:                       true,
}

// IsRead reports whether a procedure changes nothing.
func IsRead(procedure string) bool { return reads[procedure] }

func with(roles []Role, more ...Role) []Role {
	return append(append([]Role(nil), roles...), more...)
}

// authorize enforces the policy for one procedure.
func authorize(ctx context.Context, procedure string) error {
	roles, known := policy[procedure]
	if !known {
		return connect.NewError(connect.CodePermissionDenied, errors.New("no one may call "+procedure))
	}
	p, authenticated := From(ctx)
	for _, r := range roles {
		if r == Public || (authenticated && r == p.Role) {
			return nil
		}
	}
	if !authenticated {
		return connect.NewError(connect.CodeUnauthenticated, errors.New("credentials required"))
	}
	return connect.NewError(connect.CodePermissionDenied, errors.New(string(p.Role)+" may not call "+procedure))
}

// Policy is the interceptor that applies the policy table to every unary and streaming call.
type Policy struct{}

func (Policy) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := authorize(ctx, req.Spec().Procedure); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (Policy) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (Policy) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := authorize(ctx, conn.Spec().Procedure); err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// HearsRecordings reports whether the caller of ctx may have a call's recording: admins and
// supervisors. Operators never read calls; read-only keys (dashboards, scrapers) are not given
// conversations.
func HearsRecordings(ctx context.Context) bool {
	p, _ := From(ctx)
	return slices.Contains(supervisors, p.Role)
}

// Self resolves the operator a request acts on: an operator may only name himself (or nobody,
// meaning himself); every other role must name one.
func Self(ctx context.Context, requested string) (cc.OperatorID, error) {
	p, _ := From(ctx)
	switch {
	case p.Role == RoleOperator && (requested == "" || cc.OperatorID(requested) == p.Operator):
		return p.Operator, nil
	case p.Role == RoleOperator:
		return "", &cc.Error{Code: cc.CodePermissionDenied, Field: "operator_id", Message: "an operator may only act on himself"}
	case requested == "":
		return "", cc.Invalid("operator_id", "required")
	}
	return cc.OperatorID(requested), nil
}

// ReadersOnly lets through the roles that may call every read (Prometheus scrapes with a
// readonly API key as its bearer token).
func ReadersOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := From(r.Context())
		if !ok {
			http.Error(w, "credentials required: an API key as a bearer token", http.StatusUnauthorized)
			return
		}
		if !slices.Contains(readers, p.Role) {
			http.Error(w, string(p.Role)+" may not read /metrics", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
