-- The county's command line signs in (issue 8): every step that changes a
-- case, a complaint, a rating or the supervision limits is taken by a
-- signed-in county account, and the sign-in is in the audit with the step and
-- its case, so `tongban-county audit --case ID` and `--login LOGIN` show who
-- took which step (the case's events carry the same login as their actor).
--
-- Written to run again over itself (IF NOT EXISTS, DROP ... IF EXISTS).  The
-- audit stays append-only: ALTER is neither UPDATE, DELETE nor TRUNCATE.
ALTER TABLE account_audit ADD COLUMN IF NOT EXISTS case_id text;
ALTER TABLE account_audit DROP CONSTRAINT IF EXISTS account_audit_action_check;
ALTER TABLE account_audit ADD CONSTRAINT account_audit_action_check
    CHECK (action IN ('add', 'disable', 'enable', 'passwd', 'signin'));
CREATE INDEX IF NOT EXISTS account_audit_case ON account_audit (case_id) WHERE case_id IS NOT NULL;
