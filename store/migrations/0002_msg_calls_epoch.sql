-- 0002: msg_calls keyed by epoch first (epoch = block >> 8, 256 blocks),
-- so that a run's inserts, random by Call-ID hash, fall in the latest
-- epoch's small subtree rather than all over the index (readers seek
-- each epoch of the run). The findings client and server indexes go:
-- the IP query ORs four columns, which they cannot serve.
ALTER TABLE msg_calls RENAME TO msg_calls_0001;
CREATE TABLE msg_calls (
	run_id    INTEGER NOT NULL,
	epoch     INTEGER NOT NULL, -- block >> 8
	call_hash INTEGER NOT NULL,
	block     INTEGER NOT NULL, -- msg_blocks.id
	PRIMARY KEY (run_id, epoch, call_hash, block)
) WITHOUT ROWID;
INSERT INTO msg_calls (run_id, epoch, call_hash, block) SELECT run_id, block >> 8, call_hash, block FROM msg_calls_0001;
DROP TABLE msg_calls_0001;
DROP INDEX findings_client;
DROP INDEX findings_server;

-- The exchanges' user and Call-ID indexes and the dialogs' Call-ID index
-- get the same treatment: epoch is the row's number in its run (0, 1,
-- ...) >> 14, so readers seek epochs 0 .. runs.exchanges >> 14 (or
-- runs.dialogs); rows of older databases are all in epoch 0.
ALTER TABLE exchanges ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dialogs ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
DROP INDEX exchanges_user;
DROP INDEX exchanges_call;
DROP INDEX dialogs_call;
CREATE INDEX exchanges_user ON exchanges (run_id, epoch, user_hash);
CREATE INDEX exchanges_call ON exchanges (run_id, epoch, call_hash);
CREATE INDEX dialogs_call ON dialogs (run_id, epoch, call_hash);
