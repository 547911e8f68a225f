-- The browser phone: the digest of the operator's Voximplant user password (see cc.Operator.SoftphoneHA1).
ALTER TABLE operators ADD COLUMN softphone_ha1 TEXT NOT NULL DEFAULT '';
