-- People (issue 8): the accounts the county owns, the failed sign-ins that
-- slow guessing, and the append-only audit of who changed which account and
-- who viewed which case's personal data.
--
-- Written to run again over itself (IF NOT EXISTS, OR REPLACE): the unit test
-- of migration 004 (tests/unit/test-county-fold.c) winds schema_migrations
-- back to 3 on a full schema and migrates forward again.

-- Every change of an account takes the next number of this sequence as the
-- account's version, so "every account changed since version N" is one
-- query: how the accounts will travel to the nodes, as the catalog does
-- (per township, the newest version queued to it).
CREATE SEQUENCE IF NOT EXISTS account_version;

CREATE TABLE IF NOT EXISTS accounts (
    login      text        PRIMARY KEY CHECK (login ~ '^[a-z0-9][a-z0-9._-]{0,31}$'),
    name       text        NOT NULL CHECK (name <> ''),
    role       text        NOT NULL
               CHECK (role IN ('supervisor', 'backoffice', 'window', 'agent', 'auditor')),
    scope      text        NOT NULL CHECK (scope ~ '^[0-9]{12}$'),
    enabled    boolean     NOT NULL DEFAULT true,
    -- crypto_pwhash_str (Argon2id, interactive limits): never the password.
    pw_hash    text        NOT NULL CHECK (pw_hash LIKE '$argon2id$%'),
    created_at timestamptz NOT NULL DEFAULT now(),
    changed_at timestamptz NOT NULL DEFAULT now(),
    version    bigint      NOT NULL DEFAULT nextval('account_version')
);

-- Failed password checks per login (also for logins that do not exist, so a
-- refusal says nothing about which logins do).  Rows older than the window
-- no longer count; a successful check clears the login's rows.
CREATE TABLE IF NOT EXISTS login_failures (
    login text        NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS login_failures_login_at ON login_failures (login, at);

-- Who changed which account: the signed-in login, or "os:USER" for a
-- command run at the county's machine without one.
CREATE TABLE IF NOT EXISTS account_audit (
    id     bigserial   PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    actor  text        NOT NULL,
    login  text        NOT NULL,
    action text        NOT NULL CHECK (action IN ('add', 'disable', 'enable', 'passwd')),
    detail text        NOT NULL DEFAULT ''
);

-- Who viewed which case's personal data, and how (the command or screen).
CREATE TABLE IF NOT EXISTS view_audit (
    id      bigserial   PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text        NOT NULL,
    case_id text        NOT NULL,
    what    text        NOT NULL
);

CREATE OR REPLACE FUNCTION audit_record_view(p_actor text, p_case text, p_what text) RETURNS bigint
    LANGUAGE sql AS
    'INSERT INTO view_audit(actor, case_id, what) VALUES (p_actor, p_case, p_what) RETURNING id';

-- Append-only in the database itself, whatever the client: no UPDATE,
-- DELETE or TRUNCATE of an audit row.
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$;
CREATE OR REPLACE TRIGGER account_audit_append_only BEFORE UPDATE OR DELETE ON account_audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE OR REPLACE TRIGGER account_audit_no_truncate BEFORE TRUNCATE ON account_audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE OR REPLACE TRIGGER view_audit_append_only BEFORE UPDATE OR DELETE ON view_audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE OR REPLACE TRIGGER view_audit_no_truncate BEFORE TRUNCATE ON view_audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
