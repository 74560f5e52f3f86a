ALTER TABLE sessions DROP COLUMN authenticated_at;
DELETE FROM auth_states WHERE intent = 'reauthenticate';
ALTER TABLE auth_states DROP CONSTRAINT auth_states_check,
    ADD CONSTRAINT auth_states_check CHECK (intent = 'sign_in' OR account_id IS NOT NULL);
ALTER TABLE auth_states DROP CONSTRAINT auth_states_intent_check,
    ADD CONSTRAINT auth_states_intent_check CHECK (intent IN ('sign_in', 'link', 'grant'));
DROP TABLE request_limits;
