DROP INDEX calls_menu;
ALTER TABLE calls DROP COLUMN menu_exit;
ALTER TABLE calls DROP COLUMN menu_path;
ALTER TABLE calls DROP COLUMN menu_at;
ALTER TABLE calls DROP COLUMN menu_id;
DROP TABLE menus;
