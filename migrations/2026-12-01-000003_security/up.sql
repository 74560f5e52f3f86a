-- Request rate limits shared by every process: one row per (bucket, fixed window).
CREATE TABLE request_limits (
    bucket TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX request_limits_window ON request_limits (window_start);
