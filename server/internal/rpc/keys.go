package rpc

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file serves API keys: tools authenticate with a key that has a role. Only the SHA-256 of
// a key's secret is stored; the secret is shown once, when the key is made.

// APIKeyStore is what API keys need of storage.
type APIKeyStore interface {
	KeyStore
	CreateAPIKey(ctx context.Context, k cc.APIKey) error
	APIKeys(ctx context.Context, includeRevoked bool) ([]cc.APIKey, error)
	RevokeAPIKey(ctx context.Context, id string, at time.Time) (cc.APIKey, error)
}

var keyRolesIn = map[adminv1.KeyRole]Role{
	adminv1.KeyRole_KEY_ROLE_ADMIN:      RoleAdmin,
	adminv1.KeyRole_KEY_ROLE_SUPERVISOR: RoleSupervisor,
	adminv1.KeyRole_KEY_ROLE_READONLY:   RoleReadonly,
}

func keyRoleOut(r Role) adminv1.KeyRole {
	for kr, in := range keyRolesIn {
		if in == r {
			return kr
		}
	}
	return adminv1.KeyRole_KEY_ROLE_UNSPECIFIED
}

func apiKeyOut(k cc.APIKey) *adminv1.ApiKey {
	return &adminv1.ApiKey{KeyId: k.ID, Name: k.Name, Role: keyRoleOut(Role(k.Role)), CreatedAt: ts(k.CreatedAt), CreatedBy: k.CreatedBy,
		LastUsedAt: ts(k.LastUsedAt), RevokedAt: ts(k.RevokedAt)}
}

func (h adminHandler) CreateApiKey(ctx context.Context, req *connect.Request[adminv1.CreateApiKeyRequest]) (*connect.Response[adminv1.CreateApiKeyResponse], error) {
	m := req.Msg
	role, ok := keyRolesIn[m.GetRole()]
	if !cc.ValidName(m.GetName()) {
		return nil, toConnect(ctx, cc.Invalid("name", "must be 1-63 lowercase letters, digits, '.', '_' or '-'"))
	}
	if !ok {
		return nil, toConnect(ctx, cc.Invalid("role", "must be admin, supervisor or readonly"))
	}
	p, _ := principalFrom(ctx)
	secret, hash := newSecret(apiKeyPrefix)
	k := cc.APIKey{ID: newID("key"), Name: m.GetName(), Role: string(role), Hash: hash, CreatedAt: h.s.clock.Now(), CreatedBy: p.Name}
	if err := h.s.keys.CreateAPIKey(ctx, k); err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateApiKeyResponse{ApiKey: apiKeyOut(k), Secret: secret}), nil
}

func (h adminHandler) ListApiKeys(ctx context.Context, req *connect.Request[adminv1.ListApiKeysRequest]) (*connect.Response[adminv1.ListApiKeysResponse], error) {
	keys, err := h.s.keys.APIKeys(ctx, req.Msg.GetIncludeRevoked())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &adminv1.ListApiKeysResponse{}
	for _, k := range keys {
		out.ApiKeys = append(out.ApiKeys, apiKeyOut(k))
	}
	return connect.NewResponse(out), nil
}

var errKeyRevoked = connect.NewError(connect.CodeUnauthenticated, errors.New("API key revoked"))

func (h adminHandler) RevokeApiKey(ctx context.Context, req *connect.Request[adminv1.RevokeApiKeyRequest]) (*connect.Response[adminv1.RevokeApiKeyResponse], error) {
	if err := required("key_id", req.Msg.GetKeyId()); err != nil {
		return nil, toConnect(ctx, err)
	}
	k, err := h.s.keys.RevokeAPIKey(ctx, req.Msg.GetKeyId(), h.s.clock.Now())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	h.s.limits.streams.end(Principal{KeyID: k.ID}.identity(), errKeyRevoked)
	return connect.NewResponse(&adminv1.RevokeApiKeyResponse{ApiKey: apiKeyOut(k)}), nil
}

// WhoAmI answers from the credentials the authenticator found: the key itself, not a stored copy.
func (h adminHandler) WhoAmI(ctx context.Context, _ *connect.Request[adminv1.WhoAmIRequest]) (*connect.Response[adminv1.WhoAmIResponse], error) {
	p, _ := principalFrom(ctx)
	return connect.NewResponse(&adminv1.WhoAmIResponse{KeyId: p.KeyID, Name: p.Name, Role: keyRoleOut(p.Role)}), nil
}
