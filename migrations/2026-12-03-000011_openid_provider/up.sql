-- Profiles as an OpenID Provider: client applications registered by staff, the consents people
-- gave them, authorization codes, and token families (one per sign-in of a person to a client,
-- holding its rotating refresh tokens).
CREATE TABLE oauth_clients (
    id                        text PRIMARY KEY,
    name                      text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- SHA-256 of the secret; NULL for a public client (PKCE alone).
    secret_hash               bytea,
    redirect_uris             text[] NOT NULL,
    post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
    backchannel_logout_uri    text,
    allowed_scopes            text[] NOT NULL,
    -- First-party clients sign people in without a consent page.
    first_party               boolean NOT NULL DEFAULT false,
    created_by                uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at                timestamptz NOT NULL DEFAULT now(),
    disabled_at               timestamptz
);

-- What a person agreed a third-party client may have.
CREATE TABLE oauth_consents (
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id  text NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    scopes     text[] NOT NULL,
    granted_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

-- One sign-in of a person to a client: its refresh tokens rotate within it, and it ends with the
-- session it came from, when the person revokes the app, or when a refresh token is reused.
CREATE TABLE oauth_families (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id      text NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    account_id     uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id     uuid REFERENCES sessions (id) ON DELETE SET NULL,
    scopes         text[] NOT NULL,
    auth_time      timestamptz,
    created_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    revoked_reason text
);
CREATE INDEX oauth_families_session_idx ON oauth_families (session_id) WHERE revoked_at IS NULL;
CREATE INDEX oauth_families_account_idx ON oauth_families (account_id, client_id);

-- Authorization codes (SHA-256), single use, one minute.
CREATE TABLE oauth_codes (
    code_hash      bytea PRIMARY KEY,
    client_id      text NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    account_id     uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id     uuid REFERENCES sessions (id) ON DELETE CASCADE,
    redirect_uri   text NOT NULL,
    scopes         text[] NOT NULL,
    nonce          text,
    code_challenge text NOT NULL,
    auth_time      timestamptz,
    expires_at     timestamptz NOT NULL,
    -- Set when redeemed, with the family it started: a second use revokes that family.
    used_at        timestamptz,
    family_id      uuid REFERENCES oauth_families (id) ON DELETE CASCADE
);

-- Refresh tokens (SHA-256). A used one presented again revokes its whole family.
CREATE TABLE oauth_refresh_tokens (
    token_hash bytea PRIMARY KEY,
    family_id  uuid NOT NULL REFERENCES oauth_families (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX oauth_refresh_tokens_family_idx ON oauth_refresh_tokens (family_id);
