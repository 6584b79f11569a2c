package sqlite

import (
	"context"
	"database/sql"
	"runtime"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	sb "github.com/switchboard/switchboard"
)

// decodeChunk is how many rows one decoding job holds.
const decodeChunk = 2048

// openChats reads the open chats by numeric id. It counts them first so the
// slice is allocated once at its final size (a million chats would otherwise
// be copied on every growth), reads the rows on this goroutine into reused
// chunk buffers (no string per row) and decodes their JSON on every core.
func openChats(ctx context.Context, tx *sql.Tx) ([]sb.Chat, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM chats WHERE status <> 'closed'`).Scan(&n); err != nil {
		return nil, translate(err, "chat")
	}
	out := make([]sb.Chat, n)
	workers := runtime.GOMAXPROCS(0)
	jobs, free := make(chan *chatJob, workers), make(chan *chatJob, workers+2)
	for range workers + 2 {
		free <- &chatJob{}
	}
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				if err := j.decode(out); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
				free <- j
			}
		})
	}
	read, err := readChats(ctx, tx, n, jobs, free)
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	if read == 0 {
		return nil, err // as list returns for no rows
	}
	return out[:read], err
}

// chatJob is a run of rows to decode into out[first:]: their JSON one
// after the other in buf, row i ending at ends[i].
type chatJob struct {
	first int
	buf   []byte
	ends  []int
}

func (j *chatJob) decode(out []sb.Chat) error {
	start := 0
	for i, end := range j.ends {
		c := &out[j.first+i]
		if err := jsonv2.Unmarshal(j.buf[start:end], c); err != nil {
			return name.Internal(err, "decode chat")
		}
		c.InUTC()
		start = end
	}
	return nil
}

// readChats sends the JSON of at most n open chats to jobs in chunks taken
// from free, and returns how many rows it sent.
func readChats(ctx context.Context, tx *sql.Tx, n int, jobs, free chan *chatJob) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT json FROM chats WHERE status <> 'closed' ORDER BY id`)
	if err != nil {
		return 0, translate(err, "chat")
	}
	defer rows.Close()
	var j *chatJob
	read := 0
	for read < n && rows.Next() {
		if j == nil {
			j = <-free
			j.first, j.buf, j.ends = read, j.buf[:0], j.ends[:0]
		}
		var data sql.RawBytes // valid until the next Next: copied into buf
		if err := rows.Scan(&data); err != nil {
			return read, translate(err, "chat")
		}
		j.buf = append(j.buf, data...)
		j.ends = append(j.ends, len(j.buf))
		if read++; len(j.ends) == decodeChunk {
			jobs <- j
			j = nil
		}
	}
	if j != nil {
		jobs <- j
	}
	return read, translate(rows.Err(), "chat")
}
