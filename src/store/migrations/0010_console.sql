-- 0010: the console (issue #18): who may log in and with which scope, their sessions,
-- failed logins (five for one login within 15 minutes lock it until the window passes),
-- and every view of a case page (who, when, which case).

-- role: legal (everything), supervisor (one unit), officer (one officer id); the password is
-- an argon2id PHC string, never the password itself
CREATE TABLE console_users (
    login         TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('legal', 'supervisor', 'officer')),
    unit_id       TEXT,
    officer_id    TEXT,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CHECK (role <> 'supervisor' OR unit_id IS NOT NULL),
    CHECK (role <> 'officer' OR officer_id IS NOT NULL)
) WITHOUT ROWID;

-- a logged-in session: the cookie carries the id; data is the session's JSON (login, CSRF
-- token); a session is gone once expires_at (epoch seconds) has passed
CREATE TABLE console_sessions (
    id         TEXT PRIMARY KEY,
    login      TEXT NOT NULL,
    data       TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX console_sessions_login ON console_sessions(login);
CREATE INDEX console_sessions_expiry ON console_sessions(expires_at);

-- one row per failed login, by the login that was tried (whether or not it exists)
CREATE TABLE console_login_failures (
    login TEXT NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX console_login_failures_login ON console_login_failures(login, at);

-- every view of a case page
CREATE TABLE console_case_views (
    id      INTEGER PRIMARY KEY,
    login   TEXT NOT NULL,
    case_id TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX console_case_views_case ON console_case_views(case_id, at);
