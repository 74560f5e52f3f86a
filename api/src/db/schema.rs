// @generated automatically by Diesel CLI.

diesel::table! {
    accounts (id) {
        id -> Uuid,
        orcid -> Text,
        name -> Nullable<Text>,
        given_names -> Nullable<Text>,
        family_name -> Nullable<Text>,
        other_names -> Jsonb,
        email -> Nullable<Text>,
        role -> Text,
        provider_id -> Nullable<Text>,
        client_id -> Nullable<Text>,
        auto_update -> Bool,
        is_public -> Bool,
        beta_tester -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        orcid_checked_at -> Nullable<Timestamptz>,
        auto_update_mode -> Text,
        inbox_notifications -> Bool,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Uuid,
        account_id -> Uuid,
        name -> Text,
        prefix -> Text,
        token_hash -> Bytea,
        scopes -> Array<Text>,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        actor_id -> Nullable<Uuid>,
        actor_label -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        details -> Jsonb,
        at -> Timestamptz,
    }
}

diesel::table! {
    auth_states (state) {
        state -> Text,
        provider -> Text,
        intent -> Text,
        pkce_verifier -> Nullable<Text>,
        nonce -> Nullable<Text>,
        account_id -> Nullable<Uuid>,
        session_id -> Nullable<Uuid>,
        grant_kind -> Nullable<Text>,
        pending_signup_id -> Nullable<Uuid>,
        return_to -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    auto_update_exclusions (id) {
        id -> Uuid,
        account_id -> Uuid,
        kind -> Text,
        value -> Text,
        origin -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    claim_counts (orcid, state, source) {
        orcid -> Text,
        state -> Text,
        source -> Text,
        n -> Int8,
    }
}

diesel::table! {
    claims (id) {
        id -> Uuid,
        orcid -> Text,
        doi -> Text,
        source -> Text,
        action -> Text,
        state -> Text,
        put_code -> Nullable<Int8>,
        title -> Nullable<Text>,
        attempts -> Int4,
        next_attempt_at -> Nullable<Timestamptz>,
        error_code -> Nullable<Text>,
        error_message -> Nullable<Text>,
        skip_reason -> Nullable<Text>,
        claimed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        doi_as_given -> Nullable<Text>,
    }
}

diesel::table! {
    identities (id) {
        id -> Uuid,
        account_id -> Uuid,
        provider -> Text,
        subject -> Text,
        email -> Nullable<Text>,
        display_name -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        profile_url -> Nullable<Text>,
        access_token_enc -> Nullable<Bytea>,
        refresh_token_enc -> Nullable<Bytea>,
        scopes -> Array<Text>,
        token_expires_at -> Nullable<Timestamptz>,
        linked_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    jobs (id) {
        id -> Int8,
        kind -> Text,
        payload -> Jsonb,
        state -> Text,
        run_at -> Timestamptz,
        attempts -> Int4,
        max_attempts -> Int4,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        dedup_key -> Nullable<Text>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    oauth_clients (id) {
        id -> Text,
        name -> Text,
        secret_hash -> Nullable<Bytea>,
        redirect_uris -> Array<Text>,
        post_logout_redirect_uris -> Array<Text>,
        backchannel_logout_uri -> Nullable<Text>,
        allowed_scopes -> Array<Text>,
        first_party -> Bool,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        disabled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    oauth_codes (code_hash) {
        code_hash -> Bytea,
        client_id -> Text,
        account_id -> Uuid,
        session_id -> Nullable<Uuid>,
        redirect_uri -> Text,
        scopes -> Array<Text>,
        nonce -> Nullable<Text>,
        code_challenge -> Text,
        auth_time -> Nullable<Timestamptz>,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        family_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    oauth_consents (account_id, client_id) {
        account_id -> Uuid,
        client_id -> Text,
        scopes -> Array<Text>,
        granted_at -> Timestamptz,
    }
}

diesel::table! {
    oauth_families (id) {
        id -> Uuid,
        client_id -> Text,
        account_id -> Uuid,
        session_id -> Nullable<Uuid>,
        scopes -> Array<Text>,
        auth_time -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    oauth_refresh_tokens (token_hash) {
        token_hash -> Bytea,
        family_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    orcid_activity (id) {
        id -> Int8,
        orcid -> Text,
        claim_id -> Nullable<Uuid>,
        doi -> Text,
        action -> Text,
        reason -> Text,
        actor -> Nullable<Text>,
        put_code -> Nullable<Int8>,
        orcid_status -> Nullable<Int4>,
        error_code -> Nullable<Text>,
        message -> Nullable<Text>,
        at -> Timestamptz,
    }
}

diesel::table! {
    orcid_notification_items (notification_id, doi) {
        notification_id -> Uuid,
        claim_id -> Nullable<Uuid>,
        doi -> Text,
        title -> Nullable<Text>,
    }
}

diesel::table! {
    orcid_notifications (id) {
        id -> Uuid,
        orcid -> Text,
        status -> Text,
        answer -> Nullable<Text>,
        orcid_status -> Nullable<Int4>,
        message -> Nullable<Text>,
        put_code -> Nullable<Int8>,
        body -> Jsonb,
        attempts -> Int4,
        state_hash -> Bytea,
        pkce_verifier_enc -> Bytea,
        nonce -> Text,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        read_at -> Nullable<Timestamptz>,
        actioned_at -> Nullable<Timestamptz>,
        archived_at -> Nullable<Timestamptz>,
        checked_at -> Nullable<Timestamptz>,
        granted_at -> Nullable<Timestamptz>,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    orcid_permissions (id) {
        id -> Uuid,
        account_id -> Uuid,
        kind -> Text,
        access_token_enc -> Nullable<Bytea>,
        refresh_token_enc -> Nullable<Bytea>,
        scope -> Text,
        expires_at -> Nullable<Timestamptz>,
        granted_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        status -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    orcid_record_works (orcid, doi, put_code) {
        orcid -> Text,
        put_code -> Int8,
        doi -> Text,
        ours -> Bool,
        source_name -> Nullable<Text>,
    }
}

diesel::table! {
    pending_signups (id) {
        id -> Uuid,
        provider -> Text,
        subject -> Text,
        email -> Nullable<Text>,
        display_name -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        profile_url -> Nullable<Text>,
        access_token_enc -> Nullable<Bytea>,
        refresh_token_enc -> Nullable<Bytea>,
        scopes -> Array<Text>,
        token_expires_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    rate_limits (name) {
        name -> Text,
        tokens -> Float8,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    request_limits (bucket, window_start) {
        bucket -> Text,
        window_start -> Timestamptz,
        hits -> Int4,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        account_id -> Uuid,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        revoked_at -> Nullable<Timestamptz>,
        authenticated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        algorithm -> Text,
        private_key_enc -> Bytea,
        public_jwk -> Jsonb,
        status -> Text,
        created_at -> Timestamptz,
        retired_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    worker_state (key) {
        key -> Text,
        value -> Jsonb,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(api_tokens -> accounts (account_id));
diesel::joinable!(audit_log -> accounts (actor_id));
diesel::joinable!(auth_states -> accounts (account_id));
diesel::joinable!(auto_update_exclusions -> accounts (account_id));
diesel::joinable!(identities -> accounts (account_id));
diesel::joinable!(oauth_clients -> accounts (created_by));
diesel::joinable!(oauth_codes -> accounts (account_id));
diesel::joinable!(oauth_codes -> oauth_clients (client_id));
diesel::joinable!(oauth_codes -> oauth_families (family_id));
diesel::joinable!(oauth_codes -> sessions (session_id));
diesel::joinable!(oauth_consents -> accounts (account_id));
diesel::joinable!(oauth_consents -> oauth_clients (client_id));
diesel::joinable!(oauth_families -> accounts (account_id));
diesel::joinable!(oauth_families -> oauth_clients (client_id));
diesel::joinable!(oauth_families -> sessions (session_id));
diesel::joinable!(oauth_refresh_tokens -> oauth_families (family_id));
diesel::joinable!(orcid_activity -> claims (claim_id));
diesel::joinable!(orcid_notification_items -> claims (claim_id));
diesel::joinable!(orcid_notification_items -> orcid_notifications (notification_id));
diesel::joinable!(orcid_permissions -> accounts (account_id));
diesel::joinable!(sessions -> accounts (account_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    api_tokens,
    audit_log,
    auth_states,
    auto_update_exclusions,
    claim_counts,
    claims,
    identities,
    jobs,
    oauth_clients,
    oauth_codes,
    oauth_consents,
    oauth_families,
    oauth_refresh_tokens,
    orcid_activity,
    orcid_notification_items,
    orcid_notifications,
    orcid_permissions,
    orcid_record_works,
    pending_signups,
    rate_limits,
    request_limits,
    sessions,
    signing_keys,
    worker_state,
);
