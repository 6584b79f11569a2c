package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"sync"
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

// rows gathers the values of one statement. JSON columns are encoded into
// buf and passed as strings that share its bytes: the driver copies a value
// when it binds it, so buf is reused for the next statement.
type rows struct {
	vals []any
	buf  []byte
}

// text is what was appended to buf since start, as a value.
func (r *rows) text(start int) string { return unsafeString(r.buf[start:]) }

// rowsPool holds the rows of commits; one is kept only up to maxRowsBuf.
var rowsPool = sync.Pool{New: func() any { return new(rows) }}

const maxRowsBuf = 4 << 20

func getRows() *rows { return rowsPool.Get().(*rows) }

func putRows(r *rows) {
	if cap(r.buf) > maxRowsBuf {
		return
	}
	clear(r.vals[:cap(r.vals)]) // keep no value alive
	r.vals, r.buf = r.vals[:0], r.buf[:0]
	rowsPool.Put(r)
}

// insert writes n rows in tx: row appends the values of row i to r.
func (m *multi) insert(ctx context.Context, tx *sql.Tx, r *rows, n int, row func(r *rows, i int) error) error {
	for i := 0; i < n; {
		size := chunk(n - i)
		r.vals, r.buf = r.vals[:0], r.buf[:0]
		for j := i; j < i+size; j++ {
			if err := row(r, j); err != nil {
				return err
			}
		}
		if _, err := tx.StmtContext(ctx, m.bySize[size]).ExecContext(ctx, r.vals...); err != nil {
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
