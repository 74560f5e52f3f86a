//! `src/db/schema.rs` must describe the migrated database exactly, and the migrations must be
//! reversible. Constraints live in the database: a few are exercised here.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;
use profiles_api::db::MIGRATIONS;

use crate::support::TestDb;

type Columns = BTreeMap<String, BTreeMap<String, String>>;

/// Tables and `column -> Type` as written in schema.rs.
fn declared() -> Columns {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs")).unwrap();
    let mut tables = Columns::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line
            .strip_suffix('{')
            .and_then(|l| l.trim().split_once(" ("))
            .map(|(n, _)| n.trim())
        {
            current = Some(name.to_owned());
            tables.entry(name.to_owned()).or_default();
        } else if let (Some(table), Some((col, ty))) = (&current, line.split_once(" -> ")) {
            tables
                .get_mut(table)
                .unwrap()
                .insert(col.to_owned(), ty.trim_end_matches(',').to_owned());
        } else if line == "}" {
            current = None;
        }
    }
    tables
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

fn actual(conn: &mut PgConnection) -> Columns {
    let cols: Vec<Column> = diesel::sql_query(
        "SELECT c.table_name::text, c.column_name::text,
                COALESCE(bt.udt_name, c.udt_name)::text AS udt_name, c.is_nullable::text
         FROM information_schema.columns c
         LEFT JOIN information_schema.domains d ON d.domain_name = c.domain_name AND d.domain_schema = c.domain_schema
         LEFT JOIN LATERAL (SELECT d.udt_name) bt ON c.domain_name IS NOT NULL
         WHERE c.table_schema = 'public' AND c.table_name <> '__diesel_schema_migrations'",
    )
    .load(conn)
    .unwrap();
    let mut tables = Columns::new();
    for c in cols {
        let base = match c.udt_name.as_str() {
            "uuid" => "Uuid",
            "text" => "Text",
            "jsonb" => "Jsonb",
            "bool" => "Bool",
            "timestamptz" => "Timestamptz",
            "bytea" => "Bytea",
            "int8" => "Int8",
            "int4" => "Int4",
            "float8" => "Float8",
            "_text" => "Array<Text>",
            other => panic!("unmapped column type {other} on {}.{}", c.table_name, c.column_name),
        };
        let ty = if c.is_nullable == "YES" {
            format!("Nullable<{base}>")
        } else {
            base.to_owned()
        };
        tables.entry(c.table_name).or_default().insert(c.column_name, ty);
    }
    tables
}

#[test]
fn schema_rs_matches_the_migrated_database() {
    let db = TestDb::new();
    let mut conn = db.conn();
    assert_eq!(
        declared(),
        actual(&mut conn),
        "src/db/schema.rs differs from the migrations"
    );
}

#[test]
fn migrations_are_reversible() {
    let db = TestDb::empty();
    let mut conn = db.conn();
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    let up = actual(&mut conn);
    assert!(up.contains_key("claims"));
    conn.revert_all_migrations(MIGRATIONS).unwrap();
    assert!(actual(&mut conn).is_empty(), "down.sql leaves tables behind");
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    assert_eq!(actual(&mut conn), up);
}

fn insert_account(conn: &mut PgConnection, orcid: &str, role: &str) -> QueryResult<uuid::Uuid> {
    use profiles_api::db::schema::accounts;
    diesel::insert_into(accounts::table)
        .values((accounts::orcid.eq(orcid), accounts::role.eq(role)))
        .returning(accounts::id)
        .get_result(conn)
}

fn is_violation(r: QueryResult<impl std::fmt::Debug>, kind: &str) -> bool {
    match r {
        Err(diesel::result::Error::DatabaseError(k, _)) => format!("{k:?}").contains(kind),
        _ => false,
    }
}

#[test]
fn the_database_enforces_identity_rules() {
    use profiles_api::db::schema::{claims, identities};
    let db = TestDb::new();
    let mut c = db.conn();
    let a = insert_account(&mut c, "0000-0002-1825-0097", "user").unwrap();
    assert!(is_violation(
        insert_account(&mut c, "0000-0002-1825-0097", "user"),
        "UniqueViolation"
    ));
    assert!(is_violation(
        insert_account(&mut c, "0000-0002-1825-009x", "user"),
        "CheckViolation"
    ));
    assert!(is_violation(
        insert_account(&mut c, "https://orcid.org/0000-0001-5109-3700", "user"),
        "CheckViolation"
    ));
    assert!(is_violation(
        insert_account(&mut c, "0000-0001-5109-3700", "superuser"),
        "CheckViolation"
    ));
    let b = insert_account(&mut c, "0000-0001-5109-3700", "staff_admin").unwrap();

    let link = |c: &mut PgConnection, account: uuid::Uuid, provider: &str, subject: &str| {
        diesel::insert_into(identities::table)
            .values((
                identities::account_id.eq(account),
                identities::provider.eq(provider),
                identities::subject.eq(subject),
            ))
            .execute(c)
    };
    link(&mut c, a, "github", "583231").unwrap();
    assert!(
        is_violation(link(&mut c, b, "github", "583231"), "UniqueViolation"),
        "one owner per identity"
    );
    assert!(
        is_violation(link(&mut c, a, "github", "999"), "UniqueViolation"),
        "one GitHub per account"
    );
    assert!(is_violation(link(&mut c, a, "facebook", "1"), "CheckViolation"));

    let claim = |c: &mut PgConnection, doi: &str| {
        diesel::insert_into(claims::table)
            .values((
                claims::orcid.eq("0000-0002-1825-0097"),
                claims::doi.eq(doi),
                claims::source.eq("search_and_link"),
            ))
            .execute(c)
    };
    claim(&mut c, "10.5555/abc").unwrap();
    assert!(
        is_violation(claim(&mut c, "10.5555/abc"), "UniqueViolation"),
        "one claim per (ORCID iD, DOI)"
    );
    assert!(
        is_violation(claim(&mut c, "10.5555/ABC"), "CheckViolation"),
        "DOIs are stored lower-case"
    );
    assert!(is_violation(
        claim(&mut c, "https://doi.org/10.5555/x"),
        "CheckViolation"
    ));

    // Deleting an account takes its identities with it.
    diesel::delete(profiles_api::db::schema::accounts::table.find(a))
        .execute(&mut c)
        .unwrap();
    let left: i64 = identities::table.count().get_result(&mut c).unwrap();
    assert_eq!(left, 0);
}

/// Every enum column reads back as its enum, and a value the enum does not know is an error
/// when the row is read, not a silent default (an unreadable claim state once became `failed`).
#[test]
fn enum_columns_read_every_value_and_refuse_unknown_ones() {
    use diesel::dsl::sql;
    use profiles_api::claims::{ClaimAction, ClaimSource, ClaimState};
    use profiles_api::domain::{GrantStatus, PermissionKind, Provider, Role};

    fn round_trip<T>(conn: &mut PgConnection, values: &[T], name: fn(&T) -> &'static str)
    where
        T: diesel::deserialize::FromSqlRow<Text, diesel::pg::Pg> + PartialEq + std::fmt::Debug + 'static,
    {
        for value in values {
            let text = name(value);
            let read: T = diesel::select(sql::<Text>(&format!("'{text}'")))
                .get_result(conn)
                .unwrap();
            assert_eq!(&read, value, "{text}");
        }
        let unknown = diesel::select(sql::<Text>("'not-a-value'")).get_result::<T>(conn);
        assert!(unknown.is_err(), "an unknown value must not read as {unknown:?}");
    }

    let db = TestDb::new();
    let mut conn = db.conn();
    round_trip(&mut conn, &ClaimState::ALL, |s| s.as_str());
    round_trip(&mut conn, &ClaimSource::ALL, |s| s.as_str());
    round_trip(&mut conn, &[ClaimAction::Create, ClaimAction::Delete], |s| s.as_str());
    round_trip(&mut conn, &Provider::ALL, |s| s.as_str());
    round_trip(&mut conn, &PermissionKind::ALL, |s| s.as_str());
    round_trip(
        &mut conn,
        &[GrantStatus::Active, GrantStatus::Revoked, GrantStatus::Invalid],
        |s| s.as_str(),
    );
    round_trip(&mut conn, &Role::ALL, |s| s.as_str());
}
