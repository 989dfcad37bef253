-- 0003: a finding is one row per run and fingerprint (rule and key), so
-- that a live run can store a finding when it is made and update its
-- count, last time, severity and message as occurrences fold into it.
CREATE UNIQUE INDEX findings_fingerprint ON findings (run_id, fingerprint);

-- A live capture's input records the packets the kernel and the
-- interface dropped.
ALTER TABLE inputs ADD COLUMN kernel_dropped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inputs ADD COLUMN interface_dropped INTEGER NOT NULL DEFAULT 0;
