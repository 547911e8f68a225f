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
	var taken cc.Phones
	if err == nil && user != "" {
		taken, err = h.phones(ctx)
	}
	if err == nil {
		err = k.CheckSoftphone(user, taken)
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

// phones reads every Voximplant user already taken: operators' contacts, keys' and people's
// browser phones.
func (h *Handler) phones(ctx context.Context) (cc.Phones, error) {
	var ph cc.Phones
	var err error
	if ph.Operators, err = h.store.Operators(ctx); err != nil {
		return ph, err
	}
	if ph.Keys, err = h.keys.APIKeys(ctx, false); err != nil {
		return ph, err
	}
	ph.People, err = h.keys.PersonPhones(ctx)
	return ph, err
}

// SetPersonSoftphone gives a person a browser phone (or removes it), as SetApiKeySoftphone
// gives a key one; the password is kept only as its digest.
func (h *Handler) SetPersonSoftphone(ctx context.Context, req *connect.Request[adminv1.SetPersonSoftphoneRequest]) (*connect.Response[adminv1.SetPersonSoftphoneResponse], error) {
	m := req.Msg
	p := cc.PersonPhone{Person: m.GetPerson(), User: m.GetSoftphoneUser()}
	password := m.GetSoftphonePassword()
	var err error
	switch {
	case p.User != "":
		err = convert.Required("softphone_password", password)
	case password != "":
		err = cc.Invalid("softphone_password", "set only with softphone_user (an empty user removes the phone)")
	}
	if err == nil {
		err = convert.MaxLen("softphone_password", password, 128)
	}
	var taken cc.Phones
	if err == nil && p.User != "" {
		taken, err = h.phones(ctx)
	}
	if err == nil {
		err = p.Check(taken)
	}
	if err == nil {
		if p.User != "" {
			p.HA1 = softphone.HA1(p.User, password)
		}
		err = h.keys.SetPersonPhone(ctx, p)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.SetPersonSoftphoneResponse{}
	if p.User != "" {
		out.Softphone = &adminv1.PersonSoftphone{Person: p.Person, SoftphoneUser: p.User}
	}
	return connect.NewResponse(out), nil
}

// ListPersonSoftphones lists the people's browser phones, without their digests.
func (h *Handler) ListPersonSoftphones(ctx context.Context, _ *connect.Request[adminv1.ListPersonSoftphonesRequest]) (*connect.Response[adminv1.ListPersonSoftphonesResponse], error) {
	people, err := h.keys.PersonPhones(ctx)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.ListPersonSoftphonesResponse{}
	for _, p := range people {
		out.Softphones = append(out.Softphones, &adminv1.PersonSoftphone{Person: p.Person, SoftphoneUser: p.User})
	}
	return connect.NewResponse(out), nil
}

// WhoAmI answers from the credentials the authenticator found: the key or the person's session
// itself, not a stored copy.
func (h *Handler) WhoAmI(ctx context.Context, _ *connect.Request[adminv1.WhoAmIRequest]) (*connect.Response[adminv1.WhoAmIResponse], error) {
	p, _ := auth.From(ctx)
	return connect.NewResponse(&adminv1.WhoAmIResponse{KeyId: p.KeyID, Name: p.Name, Role: convert.KeyRoleOut(p.Role),
		DisplayName: p.DisplayName, SignIn: p.HowSignedIn()}), nil
}
