ALTER TABLE api_keys DROP COLUMN softphone_ha1;
ALTER TABLE api_keys DROP COLUMN softphone_user;
