package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrNewerSchema is returned (wrapped) by Open for a database written by a
// newer sipaudit than this one: its schema version is beyond the
// migrations this binary embeds.
var ErrNewerSchema = errors.New("database schema is newer than this sipaudit")

// ErrNotFound is returned (wrapped) for an unknown run, exchange or
// dialog.
var ErrNotFound = errors.New("not found")

// readers is the size of the read-only connection pool.
const readers = 4

// DB is an open sipaudit database: one writer connection, used by the Runs
// in turn (each holds it for one batch transaction at a time), and a pool
// of read-only connections that read in parallel with it (WAL). Its
// methods are safe for concurrent use.
type DB struct {
	path string
	// wmu guards w and its statements: one transaction at a time.
	wmu sync.Mutex
	w   *sqlite3.SQLiteConn
	ws  *writeStmts
	// r is the read-only pool.
	r *sql.DB
	// ck checkpoints the WAL in the background (checkpoint.go); walBytes
	// is what the writer appended to the WAL since it was last reset
	// (guarded by wmu).
	ck       *checkpointer
	walBytes int64
}

// SetWriteCache sets the writer's page cache, in bytes (128 MiB by
// default, so that an analysis's batch transactions never spill). A
// long-running live capture commits small transactions every second and
// sets it lower, so that its memory stays flat while the database grows.
// Call it before BeginRun.
func (db *DB) SetWriteCache(bytes int64) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	_, err := db.w.Exec(fmt.Sprintf("PRAGMA cache_size=%d", -max(bytes>>10, 1024)), nil)
	return err
}

// Open opens the database at path, creating it when missing, and brings
// its schema up to date with the embedded migrations (PRAGMA
// user_version counts those applied). A database whose schema is newer
// than this binary's is refused with ErrNewerSchema. The database uses
// WAL, so that readers never wait for the writer.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	uri := fileURI(path)
	dc, err := (&sqlite3.SQLiteDriver{}).Open(uri + "?_busy_timeout=10000&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w := dc.(*sqlite3.SQLiteConn)
	db := &DB{path: path, w: w}
	fail := func(err error) (*DB, error) {
		w.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	// WAL: readers and the writer do not block each other; NORMAL
	// synchronous: a commit is durable at the next checkpoint, which is
	// enough for an analysis that can be run again, and much cheaper.
	for _, p := range []string{
		// 16 KiB pages: fewer pages (and WAL frames, and system calls)
		// per message; it applies to a new database only.
		"PRAGMA page_size=16384",
		"PRAGMA journal_mode=WAL",
		"PRAGMA synchronous=NORMAL",
		"PRAGMA foreign_keys=OFF",
		"PRAGMA cache_size=-131072", // 128 MiB: a batch transaction fits, no spill
		// The checkpointer checkpoints; this is a bound in case it lags.
		"PRAGMA wal_autocheckpoint=65536",
		"PRAGMA temp_store=MEMORY",
	} {
		if _, err := w.Exec(p, nil); err != nil {
			return fail(fmt.Errorf("%s: %w", p, err))
		}
	}
	if err := db.migrate(ctx); err != nil {
		return fail(err)
	}
	if db.ws, err = prepareWrites(w); err != nil {
		return fail(err)
	}
	r, err := sql.Open("sqlite3", uri+"?mode=ro&_busy_timeout=10000&_query_only=1")
	if err != nil {
		db.ws.close()
		return fail(err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		db.ws.close()
		return fail(err)
	}
	db.r = r
	cc, err := (&sqlite3.SQLiteDriver{}).Open(uri + "?_busy_timeout=10000")
	if err != nil {
		r.Close()
		db.ws.close()
		return fail(err)
	}
	db.ck = newCheckpointer(cc.(*sqlite3.SQLiteConn))
	return db, nil
}

// Close closes the database. Runs not finished by then stay incomplete;
// their batches not yet committed are lost.
func (db *DB) Close() error {
	err := db.r.Close()
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.w == nil {
		return err
	}
	db.ws.close()
	db.ck.close()
	// A last checkpoint folds the WAL into the database file.
	_, _ = db.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)", nil)
	if cerr := db.w.Close(); err == nil {
		err = cerr
	}
	db.w = nil
	return err
}

// Path returns the file name the database was opened with.
func (db *DB) Path() string { return db.path }

// fileURI turns a file name into a SQLite URI filename, escaping the
// characters URIs give a meaning to.
func fileURI(p string) string {
	var b strings.Builder
	b.WriteString("file:")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '%', '?', '#':
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// migration is one embedded schema step; version n is migrations/000n_*.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order; their numbers must
// be 1, 2, 3, ...
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{n, e.Name(), string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want number %d", m.name, i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the schema version this binary writes: the number of
// embedded migrations.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the embedded files are fixed at build time; a test checks them
	}
	return len(ms)
}

// migrate applies the migrations the database lacks, each in its own
// transaction with the user_version it sets.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	cur, err := userVersion(db.w)
	if err != nil {
		return err
	}
	if cur > len(ms) {
		return fmt.Errorf("%w: schema version %d, this binary knows up to %d", ErrNewerSchema, cur, len(ms))
	}
	for _, m := range ms[cur:] {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := db.w.Exec("BEGIN IMMEDIATE", nil); err != nil {
			return err
		}
		// Another process may have migrated meanwhile.
		if v, err := userVersion(db.w); err != nil || v >= m.version {
			_, _ = db.w.Exec("ROLLBACK", nil)
			if err != nil {
				return err
			}
			continue
		}
		if _, err := db.w.Exec(m.sql, nil); err != nil {
			_, _ = db.w.Exec("ROLLBACK", nil)
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := db.w.Exec("PRAGMA user_version="+strconv.Itoa(m.version), nil); err != nil {
			_, _ = db.w.Exec("ROLLBACK", nil)
			return err
		}
		if _, err := db.w.Exec("COMMIT", nil); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

func userVersion(c *sqlite3.SQLiteConn) (int, error) {
	rows, err := c.Query("PRAGMA user_version", nil)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	vals := make([]driver.Value, 1)
	if err := rows.Next(vals); err != nil {
		return 0, err
	}
	n, ok := vals[0].(int64)
	if !ok {
		return 0, fmt.Errorf("user_version is %T", vals[0])
	}
	return int(n), nil
}
