//! The PostgreSQL job queue: skip-locked claims, leases, backoff, attempt caps, dedup.

use std::time::Duration;

use diesel::prelude::*;
use profiles_api::clock::Clock;
use profiles_api::db::schema::jobs as jobs_table;
use profiles_api::jobs::{self, JobError, NewJob};
use serde_json::json;

use crate::support::TestDb;

fn kinds() -> Vec<String> {
    vec!["test.kind".into()]
}

#[test]
fn two_workers_never_take_the_same_job() {
    let clock = Clock::system();
    let db = TestDb::new();
    let mut c = db.conn();
    for i in 0..10 {
        jobs::enqueue(&mut c, NewJob::new("test.kind", json!({ "i": i }))).unwrap();
    }
    let pool = db.pool();
    let handles: Vec<_> = (0..4)
        .map(|w| {
            let (pool, clock) = (pool.clone(), clock.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                let mut mine = Vec::new();
                loop {
                    let got = jobs::claim(
                        &mut conn,
                        &format!("w{w}"),
                        &kinds(),
                        Duration::from_secs(60),
                        2,
                        clock.now(),
                    )
                    .unwrap();
                    if got.is_empty() {
                        break;
                    }
                    mine.extend(got.into_iter().map(|j| j.id));
                }
                mine
            })
        })
        .collect();
    let mut all: Vec<i64> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    all.sort();
    let n = all.len();
    all.dedup();
    assert_eq!(n, 10, "every job claimed once");
    assert_eq!(all.len(), 10, "no job claimed twice");
}

#[test]
fn an_expired_lease_lets_another_worker_take_the_job() {
    let clock = Clock::system();
    let db = TestDb::new();
    let mut c = db.conn();
    let id = jobs::enqueue(&mut c, NewJob::new("test.kind", json!({}))).unwrap();
    let first = jobs::claim(&mut c, "crashed", &kinds(), Duration::from_secs(60), 1, clock.now()).unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        jobs::claim(&mut c, "other", &kinds(), Duration::from_secs(60), 1, clock.now())
            .unwrap()
            .is_empty()
    );
    // The crashed worker's lease runs out.
    clock.advance(chrono::Duration::seconds(61));
    let again = jobs::claim(&mut c, "other", &kinds(), Duration::from_secs(60), 1, clock.now()).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    // The crashed worker can no longer finish it.
    assert!(!jobs::complete(&mut c, id, "crashed", clock.now()).unwrap());
    assert!(jobs::complete(&mut c, id, "other", clock.now()).unwrap());
    let state: String = jobs_table::table
        .find(id)
        .select(jobs_table::state)
        .first(&mut c)
        .unwrap();
    assert_eq!(state, "done");
}

#[test]
fn failures_back_off_then_fail_for_good_at_the_cap() {
    let clock = Clock::system();
    let db = TestDb::new();
    let mut c = db.conn();
    let id = jobs::enqueue(&mut c, NewJob::new("test.kind", json!({})).max_attempts(2)).unwrap();
    let job = jobs::claim(&mut c, "w", &kinds(), Duration::from_secs(60), 1, clock.now())
        .unwrap()
        .remove(0);
    let before = clock.now();
    assert!(jobs::fail(&mut c, &job, "w", &JobError::retry("upstream 503"), clock.now()).unwrap());
    let (state, run_at, err): (String, chrono::DateTime<chrono::Utc>, Option<String>) = jobs_table::table
        .find(id)
        .select((jobs_table::state, jobs_table::run_at, jobs_table::last_error))
        .first(&mut c)
        .unwrap();
    assert_eq!(state, "pending");
    assert!(run_at > before, "retry is scheduled later");
    assert_eq!(err.as_deref(), Some("upstream 503"));
    assert!(
        jobs::claim(&mut c, "w", &kinds(), Duration::from_secs(60), 1, clock.now())
            .unwrap()
            .is_empty(),
        "not before its time"
    );

    // Its time comes.
    clock.advance(chrono::Duration::hours(2));
    let job = jobs::claim(&mut c, "w", &kinds(), Duration::from_secs(60), 1, clock.now())
        .unwrap()
        .remove(0);
    assert_eq!(job.attempts, 2);
    jobs::fail(&mut c, &job, "w", &JobError::retry("upstream 503 again"), clock.now()).unwrap();
    let state: String = jobs_table::table
        .find(id)
        .select(jobs_table::state)
        .first(&mut c)
        .unwrap();
    assert_eq!(state, "failed", "kept, not dropped, once attempts run out");
}

#[test]
fn permanent_errors_fail_at_once() {
    let clock = Clock::system();
    let db = TestDb::new();
    let mut c = db.conn();
    let id = jobs::enqueue(&mut c, NewJob::new("test.kind", json!({}))).unwrap();
    let job = jobs::claim(&mut c, "w", &kinds(), Duration::from_secs(60), 1, clock.now())
        .unwrap()
        .remove(0);
    jobs::fail(&mut c, &job, "w", &JobError::permanent("bad payload"), clock.now()).unwrap();
    let state: String = jobs_table::table
        .find(id)
        .select(jobs_table::state)
        .first(&mut c)
        .unwrap();
    assert_eq!(state, "failed");
}

#[test]
fn a_dedup_key_keeps_one_pending_job() {
    let clock = Clock::system();
    let db = TestDb::new();
    let mut c = db.conn();
    let a = jobs::enqueue(&mut c, NewJob::new("test.kind", json!({})).dedup("k")).unwrap();
    let b = jobs::enqueue(&mut c, NewJob::new("test.kind", json!({})).dedup("k")).unwrap();
    assert_eq!(a, b);
    assert_eq!(jobs::depth(&mut c).unwrap(), 1);
    // Once done, the key is free again.
    let job = jobs::claim(&mut c, "w", &kinds(), Duration::from_secs(60), 1, clock.now())
        .unwrap()
        .remove(0);
    jobs::complete(&mut c, job.id, "w", clock.now()).unwrap();
    let next = jobs::enqueue(&mut c, NewJob::new("test.kind", json!({})).dedup("k")).unwrap();
    assert_ne!(next, a);
}

#[actix_web::test]
async fn the_worker_runs_handlers_and_records_outcomes() {
    use futures_util::FutureExt;
    use std::sync::Arc;
    let clock = Clock::system();
    let db = TestDb::new();
    let mut c = db.conn();
    let ok = jobs::enqueue(&mut c, NewJob::new("test.kind", json!({ "ok": true }))).unwrap();
    let bad = jobs::enqueue(&mut c, NewJob::new("test.kind", json!({ "ok": false })).max_attempts(1)).unwrap();
    let options = jobs::WorkerOptions {
        clock: clock.clone(),
        ..jobs::WorkerOptions::default()
    };
    let worker = jobs::Worker::new(db.pool(), options).handle(
        "test.kind",
        Arc::new(|job: jobs::Job| {
            async move {
                if job.payload["ok"] == true {
                    Ok(())
                } else {
                    Err(JobError::retry("it went wrong"))
                }
            }
            .boxed()
        }),
    );
    let ran = worker.tick(&kinds()).await.unwrap();
    assert_eq!(ran, 2);
    let states: Vec<(i64, String)> = jobs_table::table
        .select((jobs_table::id, jobs_table::state))
        .order(jobs_table::id)
        .load(&mut c)
        .unwrap();
    assert_eq!(states, vec![(ok, "done".to_owned()), (bad, "failed".to_owned())]);
}

#[test]
fn purge_removes_only_expired_auth_states() {
    use profiles_api::db::schema::auth_states;
    let clock = Clock::system();
    let db = TestDb::new();
    let mut c = db.conn();
    for (state, minutes) in [("expired-state-000001", 5i64), ("live-state-000000001", 15)] {
        diesel::insert_into(auth_states::table)
            .values((
                auth_states::state.eq(state),
                auth_states::provider.eq("orcid"),
                auth_states::intent.eq("sign_in"),
                auth_states::expires_at.eq(clock.now() + chrono::Duration::minutes(minutes)),
            ))
            .execute(&mut c)
            .unwrap();
    }
    assert_eq!(profiles_api::worker::purge_expired(&mut c, clock.now()).unwrap(), 0);
    clock.advance(chrono::Duration::minutes(10));
    assert_eq!(profiles_api::worker::purge_expired(&mut c, clock.now()).unwrap(), 1);
    let left: Vec<String> = auth_states::table.select(auth_states::state).load(&mut c).unwrap();
    assert_eq!(left, vec!["live-state-000000001".to_owned()]);
}

#[test]
fn purge_removes_spent_provider_codes_lapsed_refresh_tokens_and_long_revoked_sign_ins() {
    use profiles_api::db::schema::{oauth_codes, oauth_families, oauth_refresh_tokens};
    let clock = Clock::system();
    let db = TestDb::new();
    let mut c = db.conn();
    let client: profiles_api::clients::NewClient =
        serde_json::from_value(serde_json::json!({"name": "Purge", "redirect_uris": ["https://rp.example/cb"]}))
            .unwrap();
    let (client, _) = profiles_api::clients::register(&mut c, &client, None).unwrap();
    let account: uuid::Uuid = diesel::insert_into(profiles_api::db::schema::accounts::table)
        .values(profiles_api::db::schema::accounts::orcid.eq("0000-0002-1825-0097"))
        .returning(profiles_api::db::schema::accounts::id)
        .get_result(&mut c)
        .unwrap();
    let request = profiles_api::clients::tokens::CodeRequest {
        client_id: client.id.clone(),
        account_id: account,
        session_id: None,
        redirect_uri: "https://rp.example/cb".into(),
        scopes: vec!["openid".into()],
        nonce: None,
        code_challenge: profiles_api::clients::tokens::challenge_of("v".repeat(43).as_str()),
        auth_time: None,
    };
    profiles_api::clients::tokens::issue_code(&mut c, &request, clock.now()).unwrap();
    let code = profiles_api::clients::tokens::issue_code(&mut c, &request, clock.now()).unwrap();
    let (family, _) = profiles_api::clients::tokens::redeem_code(
        &mut c,
        &code,
        &client.id,
        "https://rp.example/cb",
        &"v".repeat(43),
        clock.now(),
    )
    .unwrap();
    profiles_api::clients::tokens::new_refresh(&mut c, family.id, std::time::Duration::from_secs(86_400), clock.now())
        .unwrap();
    profiles_api::clients::tokens::revoke_family(&mut c, family.id, "test", clock.now()).unwrap();
    let counts = |c: &mut diesel::PgConnection| -> (i64, i64, i64) {
        (
            oauth_codes::table.count().get_result(c).unwrap(),
            oauth_refresh_tokens::table.count().get_result(c).unwrap(),
            oauth_families::table.count().get_result(c).unwrap(),
        )
    };
    profiles_api::worker::purge_expired(&mut c, clock.now()).unwrap();
    assert_eq!(counts(&mut c), (2, 1, 1), "nothing is due yet");
    clock.advance(chrono::Duration::days(2));
    profiles_api::worker::purge_expired(&mut c, clock.now()).unwrap();
    assert_eq!(
        counts(&mut c),
        (0, 0, 1),
        "codes and the lapsed refresh token go; the revoked sign-in stays a while"
    );
    clock.advance(chrono::Duration::days(31));
    profiles_api::worker::purge_expired(&mut c, clock.now()).unwrap();
    assert_eq!(counts(&mut c), (0, 0, 0));
}

/// A worker asked to stop lets its jobs finish within the grace; a job still running then is
/// dropped and its lease given back, so another worker takes it at once (the attempt not counted).
#[actix_web::test]
async fn a_stopping_worker_gives_back_the_leases_of_jobs_it_could_not_finish() {
    use futures_util::FutureExt;
    use std::sync::Arc;
    let db = TestDb::new();
    let mut c = db.conn();
    let stuck = jobs::enqueue(&mut c, NewJob::new("test.kind", json!({}))).unwrap();
    let options = jobs::WorkerOptions {
        id: "stopping-worker".into(),
        lease: Duration::from_secs(600),
        poll_interval: Duration::from_millis(20),
        shutdown_grace: Duration::from_millis(200),
        ..jobs::WorkerOptions::default()
    };
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let started_tx = Arc::new(std::sync::Mutex::new(Some(started_tx)));
    let worker = jobs::Worker::new(db.pool(), options).handle(
        "test.kind",
        Arc::new(move |_job: jobs::Job| {
            if let Some(tx) = started_tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
            async move {
                std::future::pending::<()>().await;
                Ok(())
            }
            .boxed()
        }),
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let running = actix_web::rt::spawn(worker.run(stop_rx));
    started_rx.await.unwrap();
    let leased: (Option<String>, i32) = jobs_table::table
        .find(stuck)
        .select((jobs_table::locked_by, jobs_table::attempts))
        .first(&mut c)
        .unwrap();
    assert_eq!(leased, (Some("stopping-worker".to_owned()), 1));
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the worker stops within its grace")
        .unwrap();
    let after: (String, Option<String>, Option<chrono::DateTime<chrono::Utc>>, i32) = jobs_table::table
        .find(stuck)
        .select((
            jobs_table::state,
            jobs_table::locked_by,
            jobs_table::locked_until,
            jobs_table::attempts,
        ))
        .first(&mut c)
        .unwrap();
    assert_eq!(after, ("pending".to_owned(), None, None, 0));
}
