package store

import (
	"sync"

	"github.com/mattn/go-sqlite3"
)

// The writer connection does not checkpoint the WAL itself (that would
// copy every page a second time on the writer's path): a checkpointer
// goroutine, on a connection of its own, runs a PASSIVE checkpoint after
// each commit, in parallel with the next batch. A checkpoint cannot
// reset the WAL while the writer keeps appending to it, so once
// walRestartBytes were written since the last reset, the writer waits for
// the checkpoint to catch up before its next transaction, which then
// starts the WAL over.
const walRestartBytes = 256 << 20

// checkpointer runs the background checkpoints of a DB.
type checkpointer struct {
	conn *sqlite3.SQLiteConn

	mu        sync.Mutex
	cond      *sync.Cond
	requested uint64 // checkpoints asked for
	done      uint64 // checkpoints done (the last asked for covers all before)
	closed    bool
	stopped   chan struct{}
}

func newCheckpointer(conn *sqlite3.SQLiteConn) *checkpointer {
	c := &checkpointer{conn: conn, stopped: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	go c.loop()
	return c
}

func (c *checkpointer) loop() {
	defer close(c.stopped)
	c.mu.Lock()
	for {
		for c.done == c.requested && !c.closed {
			c.cond.Wait()
		}
		if c.closed {
			c.mu.Unlock()
			return
		}
		target := c.requested
		c.mu.Unlock()
		// Errors (busy) are harmless: the next request tries again, and
		// Close checkpoints what is left.
		_, _ = c.conn.Exec("PRAGMA wal_checkpoint(PASSIVE)", nil)
		c.mu.Lock()
		c.done = target
		c.cond.Broadcast()
	}
}

// request asks for a checkpoint of what is committed, without waiting;
// it returns the request's number.
func (c *checkpointer) request() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requested++
	c.cond.Broadcast()
	return c.requested
}

// wait waits until checkpoint n is done.
func (c *checkpointer) wait(n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.done < n && !c.closed {
		c.cond.Wait()
	}
}

// close stops the goroutine and closes the connection.
func (c *checkpointer) close() {
	c.mu.Lock()
	c.closed = true
	c.cond.Broadcast()
	c.mu.Unlock()
	<-c.stopped
	c.conn.Close()
}
