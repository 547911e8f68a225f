package postgres

import "time"

// SetFollowEvery sets how often FollowLeader rereads the leadership row, until restore.
func SetFollowEvery(d time.Duration) (restore func()) {
	old := followEvery
	followEvery = d
	return func() { followEvery = old }
}
