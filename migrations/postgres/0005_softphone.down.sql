ALTER TABLE operators DROP COLUMN softphone_ha1;
