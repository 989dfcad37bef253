-- 0003: a finding is one row per run and fingerprint (rule and key), so
-- that a live run can store a finding when it is made and update its
-- count, last time, severity and message as occurrences fold into it.
CREATE UNIQUE INDEX findings_fingerprint ON findings (run_id, fingerprint);
