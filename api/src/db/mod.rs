//! PostgreSQL: the connection pool, embedded migrations and the generated schema.

pub mod enums;
pub mod models;
pub mod schema;

use std::time::{Duration, Instant};

use diesel::pg::PgConnection;
use diesel::r2d2::{self as r2d2, ConnectionManager, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{ApiError, ApiResult};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

pub type DbPool = Pool<Manager>;
pub type DbConn = PooledConnection<Manager>;

/// A pooled connection last known to work lately is handed out without a `SELECT 1` first (as
/// HikariCP's alive-bypass window does): on a busy server that check was a round trip in every
/// request. One idle for longer, or whose last use lost the connection, is checked as before, and
/// a dead one is replaced. So after PostgreSQL restarts, a connection in use at that moment fails
/// its one request with 503 and is never handed out again unchecked.
const TRUSTED_FOR: Duration = Duration::from_millis(500);

/// diesel's r2d2 manager, with a note on each connection of when it last worked.
#[derive(Debug)]
pub struct Manager(ConnectionManager<PgConnection>);

/// A pooled PostgreSQL connection and when it was last seen to work.
pub struct Conn {
    conn: PgConnection,
    worked_at: Option<Instant>,
    /// Whether this check-out's user said how its use went ([`Conn::note_use`]); one that did not
    /// (a caller of `pool.get()` of its own) leaves the connection to be checked next time.
    noted: bool,
}

impl Conn {
    /// Records how the last use went: whether the connection itself still works.
    pub fn note_use(&mut self, connection_lost: bool) {
        self.worked_at = (!connection_lost).then(Instant::now);
        self.noted = true;
    }
}

impl std::ops::Deref for Conn {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        Ok(Conn {
            conn: self.0.connect()?,
            worked_at: Some(Instant::now()),
            noted: false,
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        if conn.worked_at.is_some_and(|at| at.elapsed() < TRUSTED_FOR) {
            return Ok(());
        }
        self.0.is_valid(&mut conn.conn)?;
        conn.worked_at = Some(Instant::now());
        Ok(())
    }

    // Called as each check-out ends.
    fn has_broken(&self, conn: &mut Conn) -> bool {
        if !std::mem::take(&mut conn.noted) {
            conn.worked_at = None;
        }
        self.0.has_broken(&mut conn.conn)
    }
}

/// Builds the pool without connecting, so the service can start (and report 503) while the
/// database is down.
pub fn pool(database_url: &str, size: u32, connect_timeout: Duration) -> DbPool {
    Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(connect_timeout)
        .test_on_check_out(true)
        .build_unchecked(Manager(ConnectionManager::new(database_url)))
}

/// The advisory lock that lets one process at a time migrate (any number start together).
const MIGRATION_LOCK: i64 = 0x7072_6f66_6d69_6772; // "profmigr"

/// Applies pending migrations; returns the versions applied. Processes starting together take
/// turns: the first applies them, the others find nothing left to do.
pub fn migrate(conn: &mut PgConnection) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    use diesel::RunQueryDsl;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
        .execute(conn)?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|v| v.iter().map(|v| v.to_string()).collect());
    let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
        .execute(conn);
    let applied = applied?;
    unlocked?;
    Ok(applied)
}

/// The migrations this build knows that the database has not applied yet. Only reads (diesel's
/// own check would create its bookkeeping table), so a role without CREATE may ask too.
pub fn pending_migrations(conn: &mut PgConnection) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    use diesel::migration::MigrationSource;
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        version: Option<String>,
    }
    // to_regclass: NULL (nothing applied) rather than an error when the table is missing.
    let exists: Vec<Applied> =
        diesel::sql_query("SELECT to_regclass('__diesel_schema_migrations')::text AS version").load(conn)?;
    let applied: Vec<String> = if exists.first().and_then(|a| a.version.as_ref()).is_some() {
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
            .load::<Applied>(conn)?
            .into_iter()
            .filter_map(|a| a.version)
            .collect()
    } else {
        Vec::new()
    };
    let known = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)?;
    Ok(known
        .iter()
        .filter(|m| !applied.contains(&m.name().version().to_string()))
        .map(|m| m.name().to_string())
        .collect())
}

/// Runs blocking diesel work on the thread pool and maps failures to API errors.
pub async fn run<T, F>(pool: &DbPool, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> ApiResult<T> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        let result = f(&mut conn);
        let lost = matches!(&result, Err(e) if e.code == crate::error::ErrorCode::DatabaseUnavailable);
        conn.note_use(lost);
        result
    })
    .await
    .map_err(ApiError::from)?
}

/// A LIKE/ILIKE pattern matching `text` anywhere, with its wildcards taken literally.
pub fn contains_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
    )
}

/// The row limits a page query is written with: a page's size rounded up to one of these, so a
/// connection prepares at most four statements per query shape (see [`Page`]).
const PAGE_LIMITS: [i64; 4] = [10, 25, 50, 100];

/// `query LIMIT n`, with `n` written into the statement rather than bound, and `OFFSET $k` only
/// when there is one to skip.
///
/// PostgreSQL plans a prepared statement again on every execution when a generic plan would have
/// to guess a bound `LIMIT` or `OFFSET` (it assumes a tenth of the rows), and on a person's list
/// that planning cost more than the query. Written in, the first page and every keyset page keep
/// one generic plan per connection, while PostgreSQL still compares it with a custom plan for
/// values where that pays (staff's searches). `n` is the page's size rounded up to
/// [`PAGE_LIMITS`]; the caller keeps the first `size` rows ([`Page::load`] does).
#[derive(Debug, Clone)]
pub struct Page<Q> {
    query: Q,
    limit: i64,
    offset: i64,
}

impl<Q> Page<Q> {
    /// A page of at most `size` rows (1–100) of `query` (ordered), after `offset` rows.
    pub fn new(query: Q, size: i64, offset: i64) -> Self {
        let limit = PAGE_LIMITS.into_iter().find(|l| *l >= size).unwrap_or(size.max(1));
        Page {
            query,
            limit,
            offset: offset.max(0),
        }
    }

    /// The page's rows: at most `size` of the ones PostgreSQL returned.
    pub fn load<'q, U>(self, conn: &mut PgConnection, size: i64) -> diesel::QueryResult<Vec<U>>
    where
        Self: diesel::query_dsl::LoadQuery<'q, PgConnection, U>,
    {
        use diesel::RunQueryDsl;
        let mut rows: Vec<U> = RunQueryDsl::load(self, conn)?;
        rows.truncate(usize::try_from(size).unwrap_or(0));
        Ok(rows)
    }
}

impl<Q> diesel::query_builder::QueryId for Page<Q> {
    type QueryId = ();
    // The SQL differs by limit, so the statement cache must key on the text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for Page<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, C> diesel::RunQueryDsl<C> for Page<Q> {}

impl<Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>> diesel::query_builder::QueryFragment<diesel::pg::Pg>
    for Page<Q>
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> diesel::QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(&format!(" LIMIT {}", self.limit));
        if self.offset > 0 {
            out.push_sql(" OFFSET ");
            out.push_bind_param::<diesel::sql_types::BigInt, _>(&self.offset)?;
        }
        Ok(())
    }
}

/// `(key, id) < (at, after)` (`>` ascending): the keyset condition of a cursor page, written as a
/// row comparison so that PostgreSQL reads it from an index on `(…, key, id)` as the scan's
/// bound. The equivalent `key < at OR (key = at AND id < after)` is only a filter, checked on
/// every row before the cursor: a person's 400th page of 25 read 10,000 index entries.
#[derive(Debug, Clone, Copy)]
pub struct Keyset<K, I> {
    key: K,
    id: I,
    at: chrono::DateTime<chrono::Utc>,
    after: uuid::Uuid,
    descending: bool,
}

impl<K, I> Keyset<K, I> {
    /// Rows past `(at, after)` in `(key, id)` order, descending or not.
    pub fn past(key: K, id: I, (at, after): (chrono::DateTime<chrono::Utc>, uuid::Uuid), descending: bool) -> Self {
        Keyset {
            key,
            id,
            at,
            after,
            descending,
        }
    }
}

impl<K, I> diesel::expression::Expression for Keyset<K, I> {
    type SqlType = diesel::sql_types::Bool;
}

impl<K, I> diesel::expression::ValidGrouping<()> for Keyset<K, I> {
    // It reads columns, as a plain comparison of them would.
    type IsAggregate = diesel::expression::is_aggregate::No;
}

impl<K, I, QS> diesel::expression::AppearsOnTable<QS> for Keyset<K, I>
where
    K: diesel::expression::AppearsOnTable<QS>,
    I: diesel::expression::AppearsOnTable<QS>,
{
}

impl<K, I, QS> diesel::expression::SelectableExpression<QS> for Keyset<K, I>
where
    K: diesel::expression::SelectableExpression<QS>,
    I: diesel::expression::SelectableExpression<QS>,
{
}

impl<K, I> diesel::query_builder::QueryId for Keyset<K, I> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<K, I> diesel::query_builder::QueryFragment<diesel::pg::Pg> for Keyset<K, I>
where
    K: diesel::expression::Expression<SqlType = diesel::sql_types::Timestamptz>
        + diesel::query_builder::QueryFragment<diesel::pg::Pg>,
    I: diesel::expression::Expression<SqlType = diesel::sql_types::Uuid>
        + diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> diesel::QueryResult<()> {
        out.push_sql("(");
        self.key.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        self.id.walk_ast(out.reborrow())?;
        out.push_sql(if self.descending { ") < (" } else { ") > (" });
        out.push_bind_param::<diesel::sql_types::Timestamptz, _>(&self.at)?;
        out.push_sql(", ");
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.after)?;
        out.push_sql(")");
        Ok(())
    }
}
