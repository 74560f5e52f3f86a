//! DataCite's `/users`, as lupo and DataCite's front ends call it: the JSON:API user, the people
//! search, the profile's facets from DataCite, and creating or updating a user from DataCite's
//! JSON:API body (never its role).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use diesel::prelude::*;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::datacite::{CompatError, CompatResult};
use crate::app::AppState;
use crate::db::models::{Account, AccountChangeset};
use crate::db::schema::{accounts, identities};
use crate::domain::OrcidId;

/// A user as DataCite renders one; `email` only for those who may read the account.
pub fn user_resource(a: &Account, github: Option<String>, with_email: bool) -> Value {
    let mut attributes = json!({
        "givenName": a.given_names,
        "familyName": a.family_name,
        "name": a.name,
        "orcid": format!("https://orcid.org/{}", a.orcid),
        "github": github,
        "roleId": a.role,
        "isActive": true,
        "created": a.created_at,
        "updated": a.updated_at,
    });
    if with_email {
        attributes["email"] = json!(a.email);
    }
    json!({ "id": a.orcid, "type": "users", "attributes": attributes })
}

/// The account of `orcid` and its GitHub profile's address, if it has one here.
pub async fn load_user(state: &AppState, orcid: String) -> CompatResult<Option<UserWithGithub>> {
    Ok(crate::db::run(&state.pool, move |conn| {
        let account: Option<Account> = accounts::table
            .filter(accounts::orcid.eq(&orcid))
            .select(Account::as_select())
            .first(conn)
            .optional()?;
        let Some(account) = account else {
            return Ok(None);
        };
        let github = github_urls(conn, &[account.id])?.remove(&account.id);
        Ok(Some((account, github)))
    })
    .await?)
}

fn github_urls(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<BTreeMap<Uuid, String>> {
    Ok(identities::table
        .filter(identities::account_id.eq_any(ids))
        .filter(identities::provider.eq("github"))
        .select((identities::account_id, identities::profile_url))
        .load::<(Uuid, Option<String>)>(conn)?
        .into_iter()
        .filter_map(|(id, url)| url.map(|u| (id, u)))
        .collect())
}

/// DataCite's facets of a person's DOIs for `GET /users/{orcid}`'s `meta`, when DataCite answers:
/// `dois` (by year created), `published` (by publication year), `resourceTypes`, `views`,
/// `downloads` and `citations`.
pub async fn profile_meta(state: &AppState, orcid: &str) -> Option<Value> {
    let meta = state.claims.datacite.facets_of(orcid).await.ok()?;
    let facet = |key: &str| meta.get(key).filter(|v| v.is_array()).cloned().unwrap_or(json!([]));
    Some(json!({
        "dois": facet("created"),
        "published": facet("published"),
        "resourceTypes": facet("resourceTypes"),
        "views": facet("views"),
        "downloads": facet("downloads"),
        "citations": facet("citations"),
    }))
}

/// How `GET /users` is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    /// The iD itself first, then names that match, then by family name.
    Relevance,
    Name(bool),
    Created(bool),
    /// DataCite's default: family name, then given names.
    FamilyName,
}

/// A checked `GET /users`.
#[derive(Debug, Clone)]
pub struct UserSearch {
    pub words: Vec<String>,
    pub sort: UserSort,
    pub page: i64,
    pub size: i64,
}

pub fn parse_user_search(q: &BTreeMap<String, String>) -> CompatResult<UserSearch> {
    let unprocessable = |m: String| CompatError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
    if q.get("query").is_some_and(|v| v.chars().count() > 2000) {
        return Err(unprocessable("query: at most 2000 characters".into()));
    }
    let words: Vec<String> = q
        .get("query")
        .map(|v| v.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    if words.len() > super::claims::MAX_WORDS {
        return Err(unprocessable(format!(
            "query: at most {} words",
            super::claims::MAX_WORDS
        )));
    }
    let sort = match q.get("sort").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => {
            if words.is_empty() {
                UserSort::FamilyName
            } else {
                UserSort::Relevance
            }
        }
        Some("relevance") => UserSort::Relevance,
        Some("name") => UserSort::Name(false),
        Some("-name") => UserSort::Name(true),
        Some("created") => UserSort::Created(false),
        Some("-created") => UserSort::Created(true),
        Some(other) => {
            return Err(unprocessable(format!(
                "sort: one of relevance, name, -name, created, -created; not {other:?}"
            )))
        }
    };
    let (page, size) = super::datacite::page_of(q)?;
    Ok(UserSearch {
        words,
        sort,
        page,
        size,
    })
}

/// Public profiles that match every word (in the iD or a name), one page, the total, and their
/// GitHub addresses. Never an email, never a private profile.
/// An account and its GitHub profile's address.
pub type UserWithGithub = (Account, Option<String>);

pub fn search_users(conn: &mut PgConnection, s: &UserSearch) -> QueryResult<(Vec<UserWithGithub>, i64)> {
    let filtered = || {
        let mut query = accounts::table.filter(accounts::is_public.eq(true)).into_boxed();
        for word in &s.words {
            let pattern = crate::db::contains_pattern(word);
            query = query.filter(
                accounts::orcid
                    .ilike(pattern.clone())
                    .or(accounts::name.ilike(pattern.clone()))
                    .or(accounts::given_names.ilike(pattern.clone()))
                    .or(accounts::family_name.ilike(pattern)),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let query = filtered();
    let query = match s.sort {
        UserSort::Relevance => {
            let whole = s.words.join(" ");
            // The iD asked for, then a name that is the text, then the rest by family name.
            query
                .order((
                    accounts::orcid.eq(whole.clone()).desc(),
                    accounts::name.ilike(crate::db::contains_pattern(&whole)).desc(),
                    accounts::family_name.asc(),
                    accounts::given_names.asc(),
                ))
                .then_order_by(accounts::id.asc())
        }
        UserSort::Name(true) => query.order((accounts::name.desc(), accounts::id.desc())),
        UserSort::Name(false) => query.order((accounts::name.asc(), accounts::id.asc())),
        UserSort::Created(true) => query.order((accounts::created_at.desc(), accounts::id.desc())),
        UserSort::Created(false) => query.order((accounts::created_at.asc(), accounts::id.asc())),
        UserSort::FamilyName => query.order((
            accounts::family_name.asc(),
            accounts::given_names.asc(),
            accounts::id.asc(),
        )),
    };
    let rows: Vec<Account> = query
        .offset((s.page - 1) * s.size)
        .limit(s.size)
        .select(Account::as_select())
        .load(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    let mut github = github_urls(conn, &ids)?;
    Ok((
        rows.into_iter()
            .map(|a| {
                let g = github.remove(&a.id);
                (a, g)
            })
            .collect(),
        total,
    ))
}

/// What DataCite's services may set on a user (lupo clears provider/client links this way);
/// `None`: leave it, `Some(None)`: clear it.
#[derive(Debug, Clone, Default)]
pub struct UserAttributes {
    pub uid: Option<String>,
    pub name: Option<Option<String>>,
    pub given_names: Option<Option<String>>,
    pub family_name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub provider_id: Option<Option<String>>,
    pub client_id: Option<Option<String>>,
    pub beta_tester: Option<bool>,
}

/// The attributes of DataCite's JSON:API user body (`{"data": {"type": "users", "attributes":
/// {…}}}`, camelCase or snake_case keys): 400 without `data`, a 422 per unusable attribute;
/// other attributes (`roleId` among them) are not taken.
pub fn user_attributes(body: &[u8]) -> CompatResult<UserAttributes> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| CompatError::new(StatusCode::BAD_REQUEST, "The request body is not valid JSON."))?;
    let Some(Value::Object(data)) = value.get("data") else {
        return Err(CompatError::new(
            StatusCode::BAD_REQUEST,
            "You need to provide a payload following the JSONAPI spec",
        ));
    };
    let attributes = match data.get("attributes") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(CompatError::invalid(&[("attributes", "Is invalid")])),
    };
    let get = |camel: &str, snake: &str| attributes.get(camel).or_else(|| attributes.get(snake));
    let mut invalid: Vec<(&str, &str)> = Vec::new();
    let mut text = |camel: &'static str, snake: &'static str, max: usize| -> Option<Option<String>> {
        match get(camel, snake) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(s)) if s.trim().is_empty() => Some(None),
            Some(Value::String(s)) if s.chars().count() <= max && !s.chars().any(char::is_control) => {
                Some(Some(s.split_whitespace().collect::<Vec<_>>().join(" ")))
            }
            Some(_) => {
                invalid.push((snake, "Is invalid"));
                None
            }
        }
    };
    let uid = text("uid", "uid", 64).flatten();
    let name = text("name", "name", 200);
    let given_names = text("givenNames", "given_names", 200);
    let family_name = text("familyName", "family_name", 200);
    let email = text("email", "email", 254);
    let provider_id = text("providerId", "provider_id", 100);
    let client_id = text("clientId", "client_id", 100);
    let beta_tester = match get("betaTester", "beta_tester") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            invalid.push(("beta_tester", "Is invalid"));
            None
        }
    };
    if matches!(&email, Some(Some(e)) if !crate::accounts::profile::looks_like_email(e)) {
        invalid.push(("email", "Is not a valid email address"));
    }
    if !invalid.is_empty() {
        return Err(CompatError::invalid(&invalid));
    }
    Ok(UserAttributes {
        uid,
        name,
        given_names,
        family_name,
        email,
        provider_id,
        client_id,
        beta_tester,
    })
}

/// Creates (`create`) or updates the account of `orcid` with `attrs`, audited as `actor` /
/// `label`. A create of an existing iD is `{"source": "uid", "title": "Has already been taken"}`.
pub fn upsert_user(
    conn: &mut PgConnection,
    orcid: &OrcidId,
    attrs: &UserAttributes,
    (actor, label, via): (Option<&Account>, &str, &str),
    create_only: bool,
) -> CompatResult<(Account, bool)> {
    let orcid = orcid.to_string();
    let result = conn.transaction(|conn| {
        let before: Option<Account> = accounts::table
            .filter(accounts::orcid.eq(&orcid))
            .select(Account::as_select())
            .for_update()
            .first(conn)
            .optional()?;
        if create_only && before.is_some() {
            return Ok(None);
        }
        let id: Uuid = match before.as_ref().map(|a| a.id) {
            Some(id) => id,
            None => {
                // Made meanwhile by another request: taken, not a server error.
                let made: Option<Uuid> = diesel::insert_into(accounts::table)
                    .values(accounts::orcid.eq(&orcid))
                    .on_conflict_do_nothing()
                    .returning(accounts::id)
                    .get_result(conn)
                    .optional()?;
                match made {
                    Some(id) => id,
                    None => return Ok(None),
                }
            }
        };
        // Never a role: DataCite's body does not decide who may do what here.
        AccountChangeset {
            name: attrs.name.clone(),
            given_names: attrs.given_names.clone(),
            family_name: attrs.family_name.clone(),
            email: attrs.email.clone(),
            provider_id: attrs.provider_id.clone(),
            client_id: attrs.client_id.clone(),
            beta_tester: attrs.beta_tester,
            ..Default::default()
        }
        .apply(conn, id)?;
        let after: Account = accounts::table.find(id).select(Account::as_select()).first(conn)?;
        let view = |a: &Account| {
            json!({"name": a.name, "given_names": a.given_names, "family_name": a.family_name,
                   "email": a.email, "provider_id": a.provider_id, "client_id": a.client_id,
                   "beta_tester": a.beta_tester})
        };
        let created = before.is_none();
        crate::audit::audit(
            conn,
            actor,
            label,
            if created { "account.created" } else { "account.updated" },
            ("account", &orcid),
            json!({ "via": via, "before": before.as_ref().map(view), "after": view(&after) }),
        )?;
        Ok::<_, diesel::result::Error>(Some((after, created)))
    })?;
    result.ok_or_else(|| CompatError::invalid(&[("uid", "Has already been taken")]))
}
