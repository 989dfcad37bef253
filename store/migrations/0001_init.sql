-- 0001: the first schema. Times are Unix nanoseconds (NULL when zero),
-- frame numbers 1-based per input, ip:port strings as the analyzer
-- prints them; *_ip columns hold the address alone, for filters.

CREATE TABLE runs (
	id            INTEGER PRIMARY KEY,
	started       INTEGER NOT NULL,
	finished      INTEGER,
	complete      INTEGER NOT NULL DEFAULT 0,
	version       TEXT NOT NULL DEFAULT '',
	args          TEXT NOT NULL DEFAULT '[]', -- JSON array
	stats         TEXT,                       -- JSON analyzer.Stats, at Finish
	capture       TEXT,                       -- JSON capture.Stats, at Finish
	baselined     INTEGER NOT NULL DEFAULT 0,
	-- rows stored so far, kept up to date at every commit
	messages      INTEGER NOT NULL DEFAULT 0,
	exchanges     INTEGER NOT NULL DEFAULT 0,
	dialogs       INTEGER NOT NULL DEFAULT 0,
	registrations INTEGER NOT NULL DEFAULT 0,
	findings      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE inputs (
	run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	seq       INTEGER NOT NULL, -- order of first appearance in the run
	path      TEXT NOT NULL,
	format    TEXT NOT NULL DEFAULT '',
	link_type TEXT NOT NULL DEFAULT '',
	packets   INTEGER NOT NULL DEFAULT 0,
	bytes     INTEGER NOT NULL DEFAULT 0,
	error     TEXT NOT NULL DEFAULT '',
	done      INTEGER NOT NULL DEFAULT 0, -- AddInput was called
	PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- Messages are stored in blocks of consecutive messages of one input
-- (up to blockMsgs messages or blockBytes of raw bytes): raw holds their
-- bytes end to end, meta their other fields packed (store/block.go: a
-- format byte, then per message varints and length-prefixed strings).
-- Readers fetch the blocks and decode them.
CREATE TABLE msg_blocks (
	id          INTEGER PRIMARY KEY, -- capture order
	run_id      INTEGER NOT NULL,
	input       INTEGER NOT NULL,    -- inputs.seq
	n           INTEGER NOT NULL,    -- messages in the block
	first_frame INTEGER NOT NULL,    -- the lowest frame of its messages
	last_frame  INTEGER NOT NULL,    -- the highest
	meta        BLOB NOT NULL,
	raw         BLOB NOT NULL
);
CREATE INDEX msg_blocks_frame ON msg_blocks (run_id, first_frame, last_frame);

-- One row per distinct (Call-ID, block): the blocks that hold a
-- Call-ID's messages. call_hash is FNV-1a 64 of the Call-ID.
CREATE TABLE msg_calls (
	run_id    INTEGER NOT NULL,
	call_hash INTEGER NOT NULL,
	block     INTEGER NOT NULL, -- msg_blocks.id
	PRIMARY KEY (run_id, call_hash, block)
) WITHOUT ROWID;

-- Messages by request method (status 0) or response status and CSeq
-- method, retransmissions included; kept up to date at every commit.
CREATE TABLE msg_counts (
	run_id INTEGER NOT NULL,
	method TEXT NOT NULL,
	status INTEGER NOT NULL,
	n      INTEGER NOT NULL,
	PRIMARY KEY (run_id, method, status)
) WITHOUT ROWID;

-- ex_key, dlg_key: the number of an "e123"/"d123" ID (else a hash of
-- it); *_hash: FNV-1a 64 of the text column, small index keys.
CREATE TABLE exchanges (
	id             INTEGER PRIMARY KEY,
	run_id         INTEGER NOT NULL,
	ex_key         INTEGER NOT NULL,
	ex_id          TEXT NOT NULL,
	input          TEXT NOT NULL,
	frame          INTEGER NOT NULL,
	time           INTEGER,
	call_id        TEXT NOT NULL,
	call_hash      INTEGER NOT NULL,
	method         TEXT NOT NULL,
	client         TEXT NOT NULL,
	server         TEXT NOT NULL,
	client_ip      TEXT NOT NULL,
	server_ip      TEXT NOT NULL,
	username       TEXT NOT NULL,
	user_hash      INTEGER NOT NULL,
	realm          TEXT NOT NULL,
	reference      TEXT NOT NULL,
	server_verdict TEXT NOT NULL,
	status         INTEGER NOT NULL,
	cause          TEXT NOT NULL,
	data           TEXT NOT NULL -- JSON analyzer.Exchange (public fields; Work masked)
);
CREATE INDEX exchanges_id ON exchanges (run_id, ex_key);
CREATE INDEX exchanges_user ON exchanges (run_id, user_hash);
CREATE INDEX exchanges_call ON exchanges (run_id, call_hash);

CREATE TABLE dialogs (
	id            INTEGER PRIMARY KEY,
	run_id        INTEGER NOT NULL,
	dlg_key       INTEGER NOT NULL,
	dlg_id        TEXT NOT NULL,
	input         TEXT NOT NULL,
	call_id       TEXT NOT NULL,
	call_hash     INTEGER NOT NULL,
	method        TEXT NOT NULL,
	state         TEXT NOT NULL,
	from_uri      TEXT NOT NULL,
	to_uri        TEXT NOT NULL,
	from_tag      TEXT NOT NULL,
	to_tags       TEXT NOT NULL, -- JSON array
	caller        TEXT NOT NULL,
	callee        TEXT NOT NULL,
	caller_ip     TEXT NOT NULL,
	callee_ip     TEXT NOT NULL,
	first_frame   INTEGER NOT NULL,
	last_frame    INTEGER NOT NULL,
	start_time    INTEGER,
	end_time      INTEGER,
	messages      INTEGER NOT NULL,
	status        INTEGER NOT NULL,
	authenticated INTEGER NOT NULL
);
CREATE INDEX dialogs_id ON dialogs (run_id, dlg_key);
CREATE INDEX dialogs_call ON dialogs (run_id, call_hash);
CREATE INDEX dialogs_start ON dialogs (run_id, start_time);

CREATE TABLE registrations (
	id             INTEGER PRIMARY KEY,
	run_id         INTEGER NOT NULL,
	aor            TEXT NOT NULL,
	input          TEXT NOT NULL,
	state          TEXT NOT NULL,
	implicit       TEXT NOT NULL, -- JSON array
	bindings       TEXT NOT NULL, -- JSON array of analyzer.Binding
	events         TEXT NOT NULL, -- JSON array of analyzer.RegEvent
	events_dropped INTEGER NOT NULL,
	first_frame    INTEGER NOT NULL,
	last_frame     INTEGER NOT NULL
);
CREATE INDEX registrations_aor ON registrations (run_id, aor);

CREATE TABLE findings (
	id          INTEGER PRIMARY KEY,
	run_id      INTEGER NOT NULL,
	rule        TEXT NOT NULL,
	name        TEXT NOT NULL,
	severity    INTEGER NOT NULL, -- finding.Severity, 1 (info) .. 5 (critical)
	message     TEXT NOT NULL,
	clause      TEXT NOT NULL,
	call_id     TEXT NOT NULL,
	exchange    TEXT NOT NULL,
	frames      TEXT NOT NULL, -- JSON array
	first_frame INTEGER NOT NULL,
	time        INTEGER,
	input       TEXT NOT NULL,
	client      TEXT NOT NULL,
	server      TEXT NOT NULL,
	client_ip   TEXT NOT NULL,
	server_ip   TEXT NOT NULL,
	transport   TEXT NOT NULL,
	username    TEXT NOT NULL,
	finding_key TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	count       INTEGER NOT NULL,
	last_time   INTEGER
);
CREATE INDEX findings_severity ON findings (run_id, severity);
CREATE INDEX findings_rule ON findings (run_id, rule);
CREATE INDEX findings_user ON findings (run_id, username);
CREATE INDEX findings_call ON findings (run_id, call_id);
CREATE INDEX findings_client ON findings (run_id, client_ip);
CREATE INDEX findings_server ON findings (run_id, server_ip);
CREATE INDEX findings_exchange ON findings (run_id, exchange);
