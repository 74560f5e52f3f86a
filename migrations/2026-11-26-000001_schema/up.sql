-- The whole Profiles schema. Later features mostly add code, not tables.
-- Constraints live here so that every process (API, worker, CLI) obeys them.

-- Keep updated_at honest whatever code path writes the row.
CREATE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- An ORCID iD in its canonical upper-case hyphenated form.
CREATE DOMAIN orcid_id AS text
    CHECK (VALUE ~ '^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$');

CREATE TABLE accounts (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    orcid         orcid_id NOT NULL UNIQUE,
    name          text,
    given_names   text,
    family_name   text,
    other_names   jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(other_names) = 'array'),
    email         text CHECK (email IS NULL OR email ~ '^[^@\s]+@[^@\s]+$'),
    role          text NOT NULL DEFAULT 'user' CHECK (role IN (
                      'staff_admin', 'staff_user', 'provider_admin', 'provider_user',
                      'client_admin', 'client_user', 'user')),
    provider_id   text,
    client_id     text,
    auto_update   boolean NOT NULL DEFAULT true,
    is_public     boolean NOT NULL DEFAULT true,
    beta_tester   boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_name_idx ON accounts (family_name, given_names);
CREATE INDEX accounts_role_idx ON accounts (role);
CREATE INDEX accounts_created_idx ON accounts (created_at);
CREATE TRIGGER accounts_updated_at BEFORE UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A way to sign in: ORCID (the anchor), Google or GitHub.
CREATE TABLE identities (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id          uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    provider            text NOT NULL CHECK (provider IN ('orcid', 'google', 'github')),
    subject             text NOT NULL CHECK (subject <> ''),
    email               text,
    display_name        text,
    avatar_url          text,
    profile_url         text,
    -- AES-256-GCM ciphertexts (nonce || ciphertext || tag); never plaintext.
    access_token_enc    bytea,
    refresh_token_enc   bytea,
    scopes              text[] NOT NULL DEFAULT '{}',
    token_expires_at    timestamptz,
    linked_at           timestamptz NOT NULL DEFAULT now(),
    last_used_at        timestamptz,
    UNIQUE (provider, subject),
    -- One identity per provider per account.
    UNIQUE (account_id, provider)
);

-- ORCID grants used to push works: one per kind per account.
CREATE TABLE orcid_permissions (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id          uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind                text NOT NULL CHECK (kind IN ('search_and_link', 'auto_update')),
    access_token_enc    bytea,
    refresh_token_enc   bytea,
    scope               text NOT NULL DEFAULT '',
    expires_at          timestamptz,
    granted_at          timestamptz NOT NULL DEFAULT now(),
    revoked_at          timestamptz,
    status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked', 'invalid')),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, kind),
    -- An active grant always has a token; a revoked one never keeps it.
    CHECK (status <> 'active' OR access_token_enc IS NOT NULL),
    CHECK (status <> 'revoked' OR (access_token_enc IS NULL AND refresh_token_enc IS NULL AND revoked_at IS NOT NULL))
);
CREATE TRIGGER orcid_permissions_updated_at BEFORE UPDATE ON orcid_permissions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Pending OAuth logins, keyed by `state`; single use, short-lived.
CREATE TABLE auth_states (
    state           text PRIMARY KEY CHECK (length(state) >= 16),
    provider        text NOT NULL CHECK (provider IN ('orcid', 'google', 'github')),
    intent          text NOT NULL CHECK (intent IN ('sign_in', 'link', 'grant')),
    pkce_verifier   text,
    nonce           text,
    account_id      uuid REFERENCES accounts (id) ON DELETE CASCADE,
    session_id      uuid,
    grant_kind      text CHECK (grant_kind IN ('search_and_link', 'auto_update')),
    pending_signup_id uuid,
    return_to       text NOT NULL DEFAULT '/',
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    CHECK (intent = 'sign_in' OR account_id IS NOT NULL),
    CHECK ((intent = 'grant') = (grant_kind IS NOT NULL))
);
CREATE INDEX auth_states_expires_idx ON auth_states (expires_at);

-- A verified Google/GitHub identity waiting for its ORCID iD to finish sign-up.
CREATE TABLE pending_signups (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider            text NOT NULL CHECK (provider IN ('google', 'github')),
    subject             text NOT NULL CHECK (subject <> ''),
    email               text,
    display_name        text,
    avatar_url          text,
    profile_url         text,
    access_token_enc    bytea,
    refresh_token_enc   bytea,
    scopes              text[] NOT NULL DEFAULT '{}',
    token_expires_at    timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL
);
CREATE INDEX pending_signups_expires_idx ON pending_signups (expires_at);

-- Server-side sessions: the cookie only names one of these rows.
CREATE TABLE sessions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    user_agent      text,
    ip              text,
    revoked_at      timestamptz
);
CREATE INDEX sessions_account_idx ON sessions (account_id) WHERE revoked_at IS NULL;

-- Personal API tokens for integrators; only a hash of the secret is kept.
CREATE TABLE api_tokens (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (name <> ''),
    prefix          text NOT NULL UNIQUE,
    token_hash      bytea NOT NULL UNIQUE,
    scopes          text[] NOT NULL DEFAULT '{}'
                    CHECK (scopes <@ ARRAY['claims:read', 'claims:write', 'events:write', 'accounts:read']::text[]),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    last_used_at    timestamptz,
    revoked_at      timestamptz
);
CREATE INDEX api_tokens_account_idx ON api_tokens (account_id);

-- Keys that sign our JWTs. Several may be active while keys rotate.
CREATE TABLE signing_keys (
    kid             text PRIMARY KEY,
    algorithm       text NOT NULL DEFAULT 'RS256' CHECK (algorithm = 'RS256'),
    private_key_enc bytea NOT NULL,
    public_jwk      jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    retired_at      timestamptz,
    CHECK ((status = 'retired') = (retired_at IS NOT NULL))
);

-- A DOI to push into (or remove from) an ORCID record.
CREATE TABLE claims (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    orcid               orcid_id NOT NULL,
    -- Normalised: lower case, no resolver prefix.
    doi                 text NOT NULL CHECK (doi ~ '^10\.[0-9]{4,9}/\S+$' AND doi = lower(doi)),
    source              text NOT NULL CHECK (source IN ('search_and_link', 'auto_update')),
    action              text NOT NULL DEFAULT 'create' CHECK (action IN ('create', 'delete')),
    state               text NOT NULL DEFAULT 'waiting' CHECK (state IN (
                            'waiting', 'waiting_for_permission', 'working', 'done',
                            'failed', 'deleted', 'ignored')),
    put_code            bigint CHECK (put_code > 0),
    title               text,
    attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     timestamptz,
    error_code          text,
    error_message       text,
    skip_reason         text,
    claimed_at          timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (orcid, doi),
    CHECK ((error_code IS NULL) = (error_message IS NULL)),
    CHECK (state <> 'ignored' OR skip_reason IS NOT NULL)
);
CREATE INDEX claims_state_idx ON claims (state, updated_at);
CREATE INDEX claims_source_idx ON claims (source);
CREATE INDEX claims_created_idx ON claims (created_at);
CREATE INDEX claims_doi_idx ON claims (doi);
CREATE TRIGGER claims_updated_at BEFORE UPDATE ON claims
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- The job queue. Workers take rows with FOR UPDATE SKIP LOCKED and hold a lease.
CREATE TABLE jobs (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind <> ''),
    payload         jsonb NOT NULL DEFAULT '{}'::jsonb,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    run_at          timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts    integer NOT NULL DEFAULT 10 CHECK (max_attempts > 0),
    locked_by       text,
    locked_until    timestamptz,
    last_error      text,
    dedup_key       text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    CHECK ((locked_by IS NULL) = (locked_until IS NULL))
);
-- Ready jobs, cheapest to find.
CREATE INDEX jobs_ready_idx ON jobs (run_at) WHERE state = 'pending';
-- At most one pending job per dedup key.
CREATE UNIQUE INDEX jobs_dedup_pending_idx ON jobs (dedup_key) WHERE state = 'pending' AND dedup_key IS NOT NULL;

-- Small key/value state shared by workers (e.g. the DataCite poller's cursor).
CREATE TABLE worker_state (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    -- The acting account; NULL for the system or the command line. Kept when the account goes.
    actor_id    uuid REFERENCES accounts (id) ON DELETE SET NULL,
    actor_label text NOT NULL,
    action      text NOT NULL CHECK (action <> ''),
    target_type text NOT NULL,
    target_id   text NOT NULL,
    details     jsonb NOT NULL DEFAULT '{}'::jsonb,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id);
CREATE INDEX audit_log_at_idx ON audit_log (at);
