-- IVR menus: one row per menu (callcenter.Menu as JSON: its dialed numbers, nodes, prompts,
-- choices and defaults). A call that came through a menu names it, keeps the way the caller
-- took (callcenter.MenuStep list as JSON, '' when none), how he left it (menu_exit:
-- "queue:sales", "number:+14155550177", "hangup"; '' while in it) and when he entered it
-- (menu_at; arrived_at is then his entry into the queue he chose).
CREATE TABLE menus (
    id     TEXT NOT NULL PRIMARY KEY,
    config TEXT NOT NULL
);
ALTER TABLE calls ADD COLUMN menu_id TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN menu_at INTEGER;
ALTER TABLE calls ADD COLUMN menu_path TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN menu_exit TEXT NOT NULL DEFAULT '';
CREATE INDEX calls_menu ON calls (menu_id, menu_at) WHERE menu_id <> '';
