-- People who sign in to the supervisor pages as themselves (API keys stay for machines). The
-- password is kept as bcrypt, like an operator's.
CREATE TABLE accounts (
    name          TEXT    NOT NULL PRIMARY KEY,
    display_name  TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL DEFAULT '',
    disabled      BIGINT  NOT NULL DEFAULT 0,
    created_at    BIGINT,
    created_by    TEXT    NOT NULL DEFAULT ''
);

-- A signed-in person's sessions. A session signed in with OpenID Connect names a person the
-- provider vouches for, who need not have an account here: it keeps his name and role itself.
CREATE TABLE account_sessions (
    token_hash   TEXT    NOT NULL PRIMARY KEY,
    account      TEXT    NOT NULL,
    display_name TEXT    NOT NULL DEFAULT '',
    role         TEXT    NOT NULL,
    sign_in      TEXT    NOT NULL,
    created_at   BIGINT,
    expires_at   BIGINT
);
CREATE INDEX account_sessions_account ON account_sessions (account);

-- How the actor of an audit entry signed in: key, password or oidc ('' before 0011).
ALTER TABLE audit_log ADD COLUMN actor_sign_in TEXT NOT NULL DEFAULT '';
