package admin

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
	"github.com/tandemcc/tandem/server/internal/softphone"
)

// API keys: tools authenticate with a key that has a role. Only the SHA-256 of a key's secret is
// stored; the secret is shown once, when the key is made.

func (h *Handler) CreateApiKey(ctx context.Context, req *connect.Request[adminv1.CreateApiKeyRequest]) (*connect.Response[adminv1.CreateApiKeyResponse], error) {
	m := req.Msg
	role, ok := convert.KeyRoleIn(m.GetRole())
	if !cc.ValidName(m.GetName()) {
		return nil, codes.ToConnect(ctx, cc.Invalid("name", "must be 1-63 lowercase letters, digits, '.', '_' or '-'"))
	}
	if !ok {
		return nil, codes.ToConnect(ctx, cc.Invalid("role", "must be admin, supervisor or readonly"))
	}
	p, _ := auth.From(ctx)
	secret, hash := auth.NewAPIKey()
	k := cc.APIKey{ID: newID("key"), Name: m.GetName(), Role: string(role), Hash: hash, CreatedAt: h.clock.Now(), CreatedBy: p.Name}
	if err := h.keys.CreateAPIKey(ctx, k); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateApiKeyResponse{ApiKey: convert.APIKeyOut(k), Secret: secret}), nil
}

func (h *Handler) ListApiKeys(ctx context.Context, req *connect.Request[adminv1.ListApiKeysRequest]) (*connect.Response[adminv1.ListApiKeysResponse], error) {
	keys, err := h.keys.APIKeys(ctx, req.Msg.GetIncludeRevoked())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.ListApiKeysResponse{}
	for _, k := range keys {
		out.ApiKeys = append(out.ApiKeys, convert.APIKeyOut(k))
	}
	return connect.NewResponse(out), nil
}

var errKeyRevoked = connect.NewError(connect.CodeUnauthenticated, errors.New("API key revoked"))

func (h *Handler) RevokeApiKey(ctx context.Context, req *connect.Request[adminv1.RevokeApiKeyRequest]) (*connect.Response[adminv1.RevokeApiKeyResponse], error) {
	if err := convert.Required("key_id", req.Msg.GetKeyId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	k, err := h.keys.RevokeAPIKey(ctx, req.Msg.GetKeyId(), h.clock.Now())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	h.streams.EndStreams(auth.Principal{KeyID: k.ID}.Identity(), errKeyRevoked)
	return connect.NewResponse(&adminv1.RevokeApiKeyResponse{ApiKey: convert.APIKeyOut(k)}), nil
}

// SetApiKeySoftphone gives a key a browser phone (or removes it). Like an operator's, the
// password is kept only as its digest and no answer or log carries it (audit redacts it).
func (h *Handler) SetApiKeySoftphone(ctx context.Context, req *connect.Request[adminv1.SetApiKeySoftphoneRequest]) (*connect.Response[adminv1.SetApiKeySoftphoneResponse], error) {
	m := req.Msg
	user, password := m.GetSoftphoneUser(), m.GetSoftphonePassword()
	err := convert.Required("key_id", m.GetKeyId())
	if err == nil && user != "" {
		err = convert.Required("softphone_password", password)
	}
	if err == nil {
		err = convert.MaxLen("softphone_password", password, 128)
	}
	if err == nil && user == "" && password != "" {
		err = cc.Invalid("softphone_password", "set only with softphone_user (an empty user removes the phone)")
	}
	var k cc.APIKey
	if err == nil {
		k, err = h.keys.APIKey(ctx, m.GetKeyId())
	}
	var operators []cc.Operator
	if err == nil && user != "" {
		operators, err = h.store.Operators(ctx)
	}
	var keys []cc.APIKey
	if err == nil && user != "" {
		keys, err = h.keys.APIKeys(ctx, false)
	}
	if err == nil {
		err = k.CheckSoftphone(user, operators, keys)
	}
	if err == nil {
		ha1 := ""
		if user != "" {
			ha1 = softphone.HA1(user, password)
		}
		k, err = h.keys.SetAPIKeySoftphone(ctx, k.ID, user, ha1)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.SetApiKeySoftphoneResponse{ApiKey: convert.APIKeyOut(k)}), nil
}

// WhoAmI answers from the credentials the authenticator found: the key or the person's session
// itself, not a stored copy.
func (h *Handler) WhoAmI(ctx context.Context, _ *connect.Request[adminv1.WhoAmIRequest]) (*connect.Response[adminv1.WhoAmIResponse], error) {
	p, _ := auth.From(ctx)
	return connect.NewResponse(&adminv1.WhoAmIResponse{KeyId: p.KeyID, Name: p.Name, Role: convert.KeyRoleOut(p.Role),
		DisplayName: p.DisplayName, SignIn: p.HowSignedIn()}), nil
}
