DROP TABLE oauth_refresh_tokens;
DROP TABLE oauth_codes;
DROP TABLE oauth_families;
DROP TABLE oauth_consents;
DROP TABLE oauth_clients;
