-- A supervisor's browser phone: the Voximplant user an API key logs in as and the digest of its
-- password (see cc.APIKey.SoftphoneUser / SoftphoneHA1); '' for keys without one.
ALTER TABLE api_keys ADD COLUMN softphone_user TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN softphone_ha1 TEXT NOT NULL DEFAULT '';
