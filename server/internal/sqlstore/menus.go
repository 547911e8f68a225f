package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// MenuTrips returns the calls that entered a menu (menu, or any when "") in [from, to), by when
// they entered it: each one's menu, path and exit only, oldest first.
func (db *DB) MenuTrips(ctx context.Context, menu callcenter.MenuID, from, to time.Time) ([]callcenter.Call, error) {
	query := `SELECT id, menu_id, menu_path, menu_exit FROM calls WHERE menu_id <> '' AND menu_at >= ? AND menu_at < ?`
	args := []any{from.UnixMilli(), to.UnixMilli()}
	if menu != "" {
		query += ` AND menu_id = ?`
		args = append(args, menu)
	}
	query += ` ORDER BY menu_at, id`
	var out []callcenter.Call
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		out, err = queryAll(ctx, tx, func(s Scanner) (callcenter.Call, error) {
			var c callcenter.Call
			var path string
			if err := s.Scan(&c.ID, &c.Menu, &path, &c.MenuExit); err != nil {
				return c, err
			}
			if path != "" {
				if err := json.Unmarshal([]byte(path), &c.MenuPath); err != nil {
					return c, err
				}
			}
			return c, nil
		}, query, args...)
		return err
	})
	if err != nil {
		return nil, db.d.errorf("menu calls: %w", err)
	}
	return out, nil
}
