package sqlite

import (
	"context"
	"database/sql"
	"strings"
)

// multiSizes are the row counts of the prepared multi-row INSERTs, largest
// first: n rows go as the binary decomposition of n, so that 45 rows are
// four statements (32 + 8 + 4 + 1) rather than 45.
var multiSizes = []int{64, 32, 16, 8, 4, 2, 1}

// multi is an INSERT prepared for each of multiSizes rows: head, the row
// placeholder repeated, then tail (an ON CONFLICT clause, or nothing).
type multi struct {
	cols   int
	bySize map[int]*sql.Stmt
}

func prepareMulti(ctx context.Context, db *sql.DB, head, row, tail string) (*multi, error) {
	m := &multi{cols: strings.Count(row, "?"), bySize: map[int]*sql.Stmt{}}
	for _, n := range multiSizes {
		st, err := db.PrepareContext(ctx, head+strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")+tail)
		if err != nil {
			m.close()
			return nil, internal(err, "prepare")
		}
		m.bySize[n] = st
	}
	return m, nil
}

func (m *multi) close() {
	if m == nil {
		return
	}
	for _, st := range m.bySize {
		st.Close()
	}
}

// insert writes n rows in tx: args appends the values of row i to a.
func (m *multi) insert(ctx context.Context, tx *sql.Tx, n int, args func(a []any, i int) ([]any, error)) error {
	vals := make([]any, 0, min(n, multiSizes[0])*m.cols)
	for i := 0; i < n; {
		size := chunk(n - i)
		vals = vals[:0]
		for j := i; j < i+size; j++ {
			var err error
			if vals, err = args(vals, j); err != nil {
				return err
			}
		}
		if _, err := tx.StmtContext(ctx, m.bySize[size]).ExecContext(ctx, vals...); err != nil {
			return err
		}
		i += size
	}
	return nil
}

// chunk is the largest prepared size not above n.
func chunk(n int) int {
	for _, s := range multiSizes {
		if s <= n {
			return s
		}
	}
	return 1
}
