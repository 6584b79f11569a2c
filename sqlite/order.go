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
	var lo, hi sql.NullInt64
	if err := s.r.QueryRowContext(ctx, sqlKeyRange(table, key)).Scan(&lo, &hi); err != nil {
		return 0, translate(err, table)
	}
	if !lo.Valid {
		return 0, nil // empty
	}
	next := sqlNextAt(table, key, column)
	low, high := lo.Int64, hi.Int64+1
	for low < high { // every key from high on is at t or later; no key below low is
		mid := low + (high-low)/2
		var k int64
		var later sql.NullBool
		err := s.r.QueryRowContext(ctx, next, t, mid).Scan(&k, &later)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && later.Bool:
			high = mid
		case err == nil:
			low = k + 1
		default:
			return 0, translate(err, table)
		}
	}
	return low, nil
}

// sqlKeyRange selects the smallest and the largest key. Each is a subquery
// of its own: SQLite reads a lone min or max from the end of the key's
// b-tree, but scans the whole table for both in one SELECT.
func sqlKeyRange(table, key string) string {
	return `SELECT (SELECT min(` + key + `) FROM ` + table + `), (SELECT max(` + key + `) FROM ` + table + `)`
}

// sqlNextAt selects the first key at or after a given key, and whether its
// column is at or after a given time.
func sqlNextAt(table, key, column string) string {
	return `SELECT ` + key + `, ` + column + ` >= ? FROM ` + table + ` WHERE ` + key + ` >= ? ORDER BY ` + key + ` LIMIT 1`
}
