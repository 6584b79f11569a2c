package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// firstAt returns the smallest key of table at which column is t or later,
// or one past the largest key when none is. It relies on column never
// decreasing as the key grows, which holds for times the engine stamps (its
// clock never goes back) on ids it hands out in order: a chat's creation
// time, a decision's time. It is a binary search over the key, one indexed
// lookup per step, instead of an index on column that every commit would
// write to. A NULL column counts as earlier than any t.
func (s *Store) firstAt(ctx context.Context, table, key, column string, t int64) (int64, error) {
	next := `SELECT ` + key + `, ` + column + ` >= ? FROM ` + table + ` WHERE ` + key + ` >= ? ORDER BY ` + key + ` LIMIT 1`
	var lo, hi int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(min(`+key+`), 0), coalesce(max(`+key+`), -1) + 1 FROM `+table).Scan(&lo, &hi); err != nil {
		return 0, translate(err, table)
	}
	for lo < hi { // every key from hi on is at t or later; no key below lo is
		mid := lo + (hi-lo)/2
		var k int64
		var later sql.NullBool
		err := s.r.QueryRowContext(ctx, next, t, mid).Scan(&k, &later)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && later.Bool:
			hi = mid
		case err == nil:
			lo = k + 1
		default:
			return 0, translate(err, table)
		}
	}
	return lo, nil
}
