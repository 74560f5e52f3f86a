//! DataCite metadata → ORCID v3.0 work JSON, and the auto-update skip rules.
//!
//! Pure: parses the body of DataCite's `GET /dois/{doi}` leniently, builds the work ORCID's
//! Member API v3.0 expects, and says why auto-update must leave a DOI alone. Unlike volpino,
//! `journal-title` is the container title when there is one, and the publisher only as a fallback.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::domain::{Doi, OrcidId};

/// ORCID keeps titles to 1000 characters (volpino truncates there too).
const TITLE_MAX_CHARS: usize = 1000;
/// volpino's limit for `short-description`.
const DESCRIPTION_MAX_CHARS: usize = 2500;

/// Relation types that make auto-update skip a DOI (levriero's `push_item`), with the reason shown.
const SKIPPED_RELATIONS: [(&str, &str); 4] = [
    ("IsVersionOf", "a version of another work"),
    ("IsPreviousVersionOf", "a previous version of another work"),
    ("IsPartOf", "part of another work"),
    ("IsIdenticalTo", "identical to another work"),
];

/// The parts of a DataCite DOI record that claims need, parsed leniently from `GET /dois/{doi}`.
#[derive(Debug, Clone)]
pub struct DoiMetadata {
    doi: Doi,
    title: Option<String>,
    creators: Vec<Person>,
    contributors: Vec<Person>,
    container_title: Option<String>,
    publisher: Option<String>,
    publication_year: Option<i32>,
    issued: Option<PartialDate>,
    description: Option<String>,
    resource_type_general: Option<String>,
    resource_type: Option<String>,
    related: Vec<Relation>,
    url: Option<String>,
    /// The DataCite repository (client) that registered it, e.g. `datacite.test`.
    client_id: Option<String>,
}

/// Why a DataCite response could not be read as a DOI record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("the response is not a DataCite DOI record (no data.attributes object)")]
    NotADoiRecord,
    #[error("the DataCite record has no valid DOI")]
    NoDoi,
}

/// A field ORCID requires is absent; the claim fails with this message (volpino's "Missing data").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the DOI's metadata lacks {0}, which an ORCID work requires")]
pub struct MissingData(pub &'static str);

/// A creator or contributor, reduced to what a work and a claim need.
#[derive(Debug, Clone)]
struct Person {
    credit_name: Option<String>,
    orcid: Option<OrcidId>,
}

#[derive(Debug, Clone)]
struct Relation {
    relation_type: String,
    identifier: String,
}

/// A date with optional month and day; the day is only kept when there is a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PartialDate {
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
}

impl DoiMetadata {
    /// From the whole JSON:API response body `{"data":{"attributes":{...}}}`; a bare `data` object or bare
    /// attributes are accepted too.
    pub fn from_response(body: &Value) -> Result<Self, MetadataError> {
        let data = body.get("data").unwrap_or(body);
        let attributes = data.get("attributes").unwrap_or(data);
        let Some(attrs) = attributes.as_object() else {
            return Err(MetadataError::NotADoiRecord);
        };
        let doi = text(attrs.get("doi"))
            .or_else(|| text(data.get("id")))
            .and_then(|d| Doi::parse(&d).ok());
        let Some(doi) = doi else {
            // A JSON:API error document, a list, …: not a DOI record at all.
            let looks_like_doi = ["doi", "creators", "titles"].iter().any(|k| attrs.contains_key(*k));
            return Err(if looks_like_doi {
                MetadataError::NoDoi
            } else {
                MetadataError::NotADoiRecord
            });
        };

        let types = attrs.get("types");
        let publisher = match attrs.get("publisher") {
            Some(Value::Object(p)) => text(p.get("name")),
            other => text(other),
        };
        let issued = each(attrs.get("dates"))
            .filter(|d| text(d.get("dateType")).is_some_and(|t| t.eq_ignore_ascii_case("Issued")))
            .find_map(|d| text(d.get("date")).and_then(|s| parse_date(&s)));
        let related = each(attrs.get("relatedIdentifiers"))
            .filter_map(|r| {
                Some(Relation {
                    relation_type: text(r.get("relationType"))?,
                    identifier: text(r.get("relatedIdentifier"))?,
                })
            })
            .collect();

        Ok(Self {
            doi,
            title: first_text(attrs.get("titles"), "title"),
            creators: each(attrs.get("creators")).map(Person::from_json).collect(),
            contributors: each(attrs.get("contributors")).map(Person::from_json).collect(),
            container_title: attrs.get("container").and_then(|c| text(c.get("title"))),
            publisher,
            publication_year: parse_year(attrs.get("publicationYear")),
            issued,
            description: first_text(attrs.get("descriptions"), "description"),
            resource_type_general: types.and_then(|t| text(t.get("resourceTypeGeneral"))),
            resource_type: types.and_then(|t| text(t.get("resourceType"))),
            related,
            url: text(attrs.get("url")),
            client_id: text(data.pointer("/relationships/client/data/id")),
        })
    }

    /// Lower-cased DOI from the record.
    pub fn doi(&self) -> &str {
        self.doi.as_str()
    }

    /// The first title.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// `publicationYear`, else the year of the `Issued` date.
    pub fn publication_year(&self) -> Option<i32> {
        self.publication_year.or(self.issued.map(|d| d.year))
    }

    /// The landing page.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// What goes into the work's `journal-title`: the container title, else the publisher.
    pub fn journal_title(&self) -> Option<&str> {
        self.container_title.as_deref().or(self.publisher.as_deref())
    }

    /// The ORCID work type (see [`work_type`]).
    pub fn work_type(&self) -> &'static str {
        work_type(self.resource_type_general.as_deref(), self.resource_type.as_deref())
    }

    /// ORCID iDs of creators AND contributors (first valid ORCID nameIdentifier of each person), de-duplicated,
    /// creators first, in order.
    pub fn orcid_ids(&self) -> Vec<OrcidId> {
        let mut ids: Vec<OrcidId> = Vec::new();
        for id in self
            .creators
            .iter()
            .chain(&self.contributors)
            .filter_map(|p| p.orcid.as_ref())
        {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        ids
    }

    /// ORCID iDs of creators only (what DataCite's `user-id` filter matches), de-duplicated, in order.
    pub fn creator_orcid_ids(&self) -> Vec<OrcidId> {
        let mut ids: Vec<OrcidId> = Vec::new();
        for id in self.creators.iter().filter_map(|p| p.orcid.as_ref()) {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        ids
    }

    /// Why Auto-Update must not push this DOI, or None: its prefix is in `excluded_prefixes`, or it is a
    /// version, part or duplicate of another work (a relation pointing back at the DOI itself does not count).
    /// True when the record lists creators (a record without any says nothing about who is named).
    pub fn has_creators(&self) -> bool {
        !self.creators.is_empty()
    }

    /// The DataCite repository (client) that registered the DOI, when DataCite says.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// The resource type, as DataCite names it (`Dataset`, `Software`, …).
    pub fn resource_type_general(&self) -> Option<&str> {
        self.resource_type_general.as_deref()
    }

    /// The relation types this record declares (`IsVersionOf`, `IsPartOf`, …), with their target.
    pub fn relations(&self) -> impl Iterator<Item = (&str, &str)> {
        self.related
            .iter()
            .map(|r| (r.relation_type.as_str(), r.identifier.as_str()))
    }

    pub fn skip_reason(&self, excluded_prefixes: &[String]) -> Option<String> {
        let prefix = self.doi.prefix();
        let excluded = excluded_prefixes
            .iter()
            .map(|p| p.trim().trim_end_matches('/'))
            .any(|p| p.eq_ignore_ascii_case(prefix));
        if excluded {
            return Some(format!("prefix {prefix} is excluded from ORCID claiming"));
        }
        self.related.iter().find_map(|relation| {
            let (name, why) = SKIPPED_RELATIONS
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(&relation.relation_type))?;
            let target = Doi::parse(&relation.identifier).ok();
            if target.as_ref() == Some(&self.doi) {
                return None;
            }
            let target = target.map_or_else(|| relation.identifier.clone(), String::from);
            Some(format!("related identifier {name} {target}: {why}"))
        })
    }

    /// The ORCID v3.0 work JSON (application/vnd.orcid+json). `put_code` Some → include `"put-code": n` (for PUT
    /// updates); None → no put-code and `"visibility": "public"`.
    pub fn to_orcid_work(&self, put_code: Option<i64>) -> Result<Value, MissingData> {
        let contributors: Vec<Value> = self
            .creators
            .iter()
            .filter(|p| p.credit_name.is_some() || p.orcid.is_some())
            .enumerate()
            .map(|(i, p)| p.to_orcid_contributor(i == 0))
            .collect();
        if contributors.is_empty() {
            return Err(MissingData("a creator"));
        }
        let title = self.title.as_deref().ok_or(MissingData("a title"))?;
        let journal_title = self
            .journal_title()
            .ok_or(MissingData("a journal title (container title or publisher)"))?;
        let date = self
            .issued
            .or(self.publication_year.map(|year| PartialDate {
                year,
                month: None,
                day: None,
            }))
            .ok_or(MissingData("a publication year"))?;

        let mut work = Map::new();
        work.insert(
            "title".into(),
            json!({ "title": { "value": truncate(title, TITLE_MAX_CHARS) } }),
        );
        work.insert("journal-title".into(), json!({ "value": journal_title }));
        if let Some(description) = &self.description {
            work.insert(
                "short-description".into(),
                Value::String(truncate(description, DESCRIPTION_MAX_CHARS)),
            );
        }
        work.insert("type".into(), Value::String(self.work_type().into()));
        work.insert("publication-date".into(), date.to_orcid());
        work.insert(
            "external-ids".into(),
            json!({ "external-id": [{
                "external-id-type": "doi",
                "external-id-value": self.doi.as_str(),
                "external-id-url": { "value": crate::domain::doi_url(self.doi.as_str()) },
                "external-id-relationship": "self",
            }] }),
        );
        if let Some(url) = &self.url {
            work.insert("url".into(), json!({ "value": url }));
        }
        work.insert("contributors".into(), json!({ "contributor": contributors }));
        match put_code {
            Some(put_code) => work.insert("put-code".into(), json!(put_code)),
            None => work.insert("visibility".into(), json!("public")),
        };
        Ok(Value::Object(work))
    }
}

impl Person {
    fn from_json(value: &Value) -> Self {
        let given = text(value.get("givenName"));
        let family = text(value.get("familyName"));
        let credit_name = match (given, family) {
            (Some(given), Some(family)) => Some(format!("{given} {family}")),
            (given, family) => text(value.get("name")).or(family).or(given),
        };
        let orcid = each(value.get("nameIdentifiers"))
            .filter(|n| {
                // Without a scheme, an orcid.org URL still says what it is.
                match text(n.get("nameIdentifierScheme")) {
                    Some(scheme) => scheme.eq_ignore_ascii_case("ORCID"),
                    None => {
                        text(n.get("nameIdentifier")).is_some_and(|id| id.to_ascii_lowercase().contains("orcid.org/"))
                    }
                }
            })
            .find_map(|n| OrcidId::parse(&text(n.get("nameIdentifier"))?).ok());
        Self { credit_name, orcid }
    }

    fn to_orcid_contributor(&self, first: bool) -> Value {
        let mut contributor = Map::new();
        if let Some(orcid) = &self.orcid {
            contributor.insert(
                "contributor-orcid".into(),
                json!({ "uri": format!("https://orcid.org/{orcid}"), "path": orcid.as_str(), "host": "orcid.org" }),
            );
        }
        if let Some(name) = &self.credit_name {
            contributor.insert("credit-name".into(), json!({ "value": name }));
        }
        contributor.insert(
            "contributor-attributes".into(),
            json!({
                "contributor-sequence": if first { "first" } else { "additional" },
                "contributor-role": "author",
            }),
        );
        Value::Object(contributor)
    }
}

impl PartialDate {
    /// ORCID's `publication-date`: zero-padded strings.
    fn to_orcid(self) -> Value {
        let mut date = Map::new();
        date.insert("year".into(), json!({ "value": format!("{:04}", self.year) }));
        if let Some(month) = self.month {
            date.insert("month".into(), json!({ "value": format!("{month:02}") }));
            if let Some(day) = self.day {
                date.insert("day".into(), json!({ "value": format!("{day:02}") }));
            }
        }
        Value::Object(date)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Work types (work_types.json)

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkTypes {
    #[serde(rename = "_comment", default)]
    _comment: Value,
    default: String,
    general: BTreeMap<String, String>,
    refinements: BTreeMap<String, Vec<Refinement>>,
}

/// One refinement rule; patterns are normalised (lower-case, whitespace squished) when the table is loaded.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Refinement {
    #[serde(rename = "type")]
    work_type: String,
    #[serde(default)]
    equals: Vec<String>,
    #[serde(default)]
    contains: Vec<String>,
}

impl Refinement {
    /// `resource_type` must already be normalised.
    fn matches(&self, resource_type: &str) -> bool {
        self.equals.iter().any(|p| p == resource_type) || self.contains.iter().any(|p| contains_words(resource_type, p))
    }
}

impl WorkTypes {
    fn lookup<'a, T>(map: &'a BTreeMap<String, T>, key: &str) -> Option<&'a T> {
        map.get(key)
            .or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
    }
}

fn work_types() -> &'static WorkTypes {
    static TABLE: OnceLock<WorkTypes> = OnceLock::new();
    TABLE.get_or_init(|| {
        // A broken embedded file is a build mistake; the tests parse it, so this cannot reach production.
        let mut table: WorkTypes = serde_json::from_str(include_str!("work_types.json"))
            .unwrap_or_else(|e| panic!("claims/work_types.json is invalid: {e}"));
        for rule in table.refinements.values_mut().flatten() {
            for pattern in rule.equals.iter_mut().chain(rule.contains.iter_mut()) {
                *pattern = normalize_phrase(pattern);
            }
        }
        table
    })
}

/// ORCID work type for a DataCite resourceTypeGeneral + free-text resourceType, from work_types.json.
pub fn work_type(resource_type_general: Option<&str>, resource_type: Option<&str>) -> &'static str {
    let table = work_types();
    let Some(general) = resource_type_general.map(str::trim).filter(|g| !g.is_empty()) else {
        return &table.default;
    };
    let refined = resource_type
        .zip(WorkTypes::lookup(&table.refinements, general))
        .and_then(|(rt, rules)| {
            let rt = normalize_phrase(rt);
            rules.iter().find(|rule| rule.matches(&rt))
        });
    match refined {
        Some(rule) => &rule.work_type,
        None => WorkTypes::lookup(&table.general, general).unwrap_or(&table.default),
    }
}

fn normalize_phrase(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Whether `phrase` occurs in `haystack` with no letter or digit directly before or after it.
fn contains_words(haystack: &str, phrase: &str) -> bool {
    !phrase.is_empty()
        && haystack.match_indices(phrase).any(|(at, _)| {
            let before = haystack[..at].chars().next_back();
            let after = haystack[at + phrase.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
}

// ---------------------------------------------------------------------------------------------------------------
// Lenient JSON reading

/// The items of a list; a single value counts as a list of one, null or absent as empty (Ruby's `Array.wrap`).
fn each(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    let items: &[Value] = match value {
        None | Some(Value::Null) => &[],
        Some(Value::Array(items)) => items,
        Some(one) => std::slice::from_ref(one),
    };
    items.iter()
}

/// A string (or number) with whitespace squished and control characters dropped; None when empty or one of
/// DataCite's "unknown" codes such as `(:unav)`.
fn text(value: Option<&Value>) -> Option<String> {
    let raw = match value? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let squished = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>();
    let unknown = squished.starts_with("(:")
        && squished.ends_with(')')
        && squished[2..squished.len() - 1].chars().all(|c| c.is_ascii_lowercase());
    (!squished.is_empty() && !unknown).then_some(squished)
}

/// The first usable `key` of a list of objects (`titles`, `descriptions`); plain strings are accepted too.
fn first_text(list: Option<&Value>, key: &str) -> Option<String> {
    each(list).find_map(|item| match item {
        Value::Object(o) => match o.get(key) {
            Some(Value::Array(values)) => values.iter().find_map(|v| text(Some(v))),
            other => text(other),
        },
        other => text(Some(other)),
    })
}

/// `publicationYear`: an integer, or a string starting with a four-digit year.
fn parse_year(value: Option<&Value>) -> Option<i32> {
    let year = match value? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))?,
        Value::String(s) => {
            let s = s.trim();
            let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            if digits != 4 {
                return None;
            }
            s[..4].parse().ok()?
        }
        _ => return None,
    };
    i32::try_from(year).ok().filter(|y| (1..=9999).contains(y))
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, also the start of a range (`2015/2019`) or a timestamp. A month or day that
/// does not exist is dropped rather than failing the whole date.
fn parse_date(s: &str) -> Option<PartialDate> {
    let date = s.trim().split('/').next()?.split('T').next()?;
    let mut parts = date.split('-');
    let year_part = parts.next()?;
    if year_part.len() != 4 {
        return None;
    }
    let year = parse_year(Some(&Value::String(year_part.into())))?;
    let number = |p: Option<&str>| {
        p.filter(|p| (1..=2).contains(&p.len()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let month = number(parts.next()).filter(|m| (1..=12).contains(m));
    let day =
        month.and_then(|m| number(parts.next()).filter(|&d| chrono::NaiveDate::from_ymd_opt(year, m, d).is_some()));
    Some(PartialDate { year, month, day })
}

/// At most `max` characters, cut at a word boundary and ending in `…` when shortened.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    // Leave room for the ellipsis: `limit` is the byte index of the first character that does not fit.
    let limit = s.char_indices().nth(max.saturating_sub(1)).map_or(s.len(), |(i, _)| i);
    let head = &s[..limit];
    let whole_words = if s[limit..].starts_with(char::is_whitespace) {
        head
    } else {
        head.rfind(char::is_whitespace).map_or("", |i| &head[..i])
    };
    // One word longer than the limit is cut where it must be.
    let kept = match whole_words.trim_end() {
        "" => head,
        kept => kept,
    };
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    // Fixtures as the DataCite double serves them (e2e/stand-ins/datacite.mjs: FIXTURE_SOURCE through
    // normalizeDoi/renderDoi): publisher and affiliations as strings, `container: {}` when there is none.
    const CARBERRY: &str = "0000-0002-1825-0097";
    const QUILL: &str = "0000-0001-5109-3700";
    const OKAFOR: &str = "0000-0002-9079-593X";

    fn person(given: &str, family: &str, orcid: Option<&str>) -> Value {
        let ids: Vec<Value> = orcid
            .map(|o| {
                json!({
                    "nameIdentifier": format!("https://orcid.org/{o}"),
                    "nameIdentifierScheme": "ORCID",
                    "schemeUri": "https://orcid.org",
                })
            })
            .into_iter()
            .collect();
        json!({
            "name": format!("{family}, {given}"), "nameType": "Personal", "givenName": given, "familyName": family,
            "affiliation": ["Brown University"], "nameIdentifiers": ids,
        })
    }
    fn carberry() -> Value {
        person("Josiah", "Carberry", Some(CARBERRY))
    }
    fn marsh() -> Value {
        person("Imogen", "Marsh", None)
    }
    fn ng() -> Value {
        person("Priya", "Ng", None)
    }
    fn organization(name: &str) -> Value {
        json!({ "name": name, "nameType": "Organizational", "affiliation": [], "nameIdentifiers": [] })
    }
    fn doi_relation(relation_type: &str, doi: &str) -> Value {
        json!({ "relationType": relation_type, "relatedIdentifier": doi, "relatedIdentifierType": "DOI" })
    }

    /// `base` with the keys of `extra` replaced or added.
    fn with(mut base: Value, extra: Value) -> Value {
        for (key, value) in extra.as_object().expect("an object") {
            base[key] = value.clone();
        }
        base
    }

    /// The JSON:API document `GET /dois/{doi}` answers with; `extra` overrides or adds attributes.
    fn response(doi: &str, extra: Value) -> Value {
        let attributes = json!({
            "doi": doi, "prefix": doi.split('/').next(), "suffix": doi.split('/').nth(1),
            "identifiers": [], "creators": [], "titles": [], "publisher": "(:unav)", "container": {},
            "subjects": [], "contributors": [], "dates": [], "language": null,
            "types": { "resourceTypeGeneral": "Other", "resourceType": "" },
            "relatedIdentifiers": [], "descriptions": [], "version": null, "state": "findable",
        });
        json!({ "data": { "id": doi, "type": "dois", "attributes": with(attributes, extra), "relationships": {} } })
    }

    fn parse(body: &Value) -> DoiMetadata {
        DoiMetadata::from_response(body).expect("a DOI record")
    }

    fn fixtures() -> Vec<Value> {
        vec![
            response(
                "10.5555/j9cp-6b21",
                json!({
                    "creators": [carberry(), marsh()],
                    "titles": [{ "title": "Cephalopod sightings in Narragansett Bay, 2015–2019" }],
                    "publisher": "Brown University Digital Repository", "publicationYear": 2019,
                    "types": { "resourceTypeGeneral": "Dataset", "resourceType": "Survey data" },
                    "dates": [
                        { "date": "2019-06-12", "dateType": "Issued" },
                        { "date": "2015/2019", "dateType": "Collected" },
                    ],
                    "descriptions": [{
                        "description": "Monthly shore and boat counts of squid and octopus,   collected by volunteers.",
                        "descriptionType": "Abstract",
                    }],
                    "url": "https://repository.example.edu/datasets/j9cp-6b21",
                }),
            ),
            response(
                "10.5555/k4s2-v7q8",
                json!({
                    "creators": [carberry(), ng()],
                    "titles": [{ "title": "psychoceramics-toolkit: tools for the quantitative study of cracked pots" }],
                    "publisher": "Zenodo", "publicationYear": 2020,
                    "types": { "resourceTypeGeneral": "Software", "resourceType": "" },
                    "dates": [{ "date": "2020-02-03", "dateType": "Issued" }],
                    "relatedIdentifiers": [
                        doi_relation("HasVersion", "10.5555/4gx1-mc20"),
                        {
                            "relationType": "IsSupplementTo",
                            "relatedIdentifier": "https://github.com/example/psychoceramics-toolkit/tree/v1.2.0",
                            "relatedIdentifierType": "URL",
                        },
                    ],
                    "url": "https://zenodo.example.org/records/k4s2-v7q8",
                }),
            ),
            response(
                "10.5555/4gx1-mc20",
                json!({
                    "creators": [carberry(), ng()],
                    "titles": [{ "title": "psychoceramics-toolkit: tools for the quantitative study of cracked pots" }],
                    "publisher": "Zenodo", "publicationYear": 2022, "version": "1.2.0",
                    "types": { "resourceTypeGeneral": "Software", "resourceType": "" },
                    "dates": [{ "date": "2022-08-19", "dateType": "Issued" }],
                    "relatedIdentifiers": [doi_relation("IsVersionOf", "10.5555/k4s2-v7q8")],
                    "url": "https://zenodo.example.org/records/4gx1-mc20",
                }),
            ),
            response(
                "10.5555/ty4m-3h09",
                json!({
                    "creators": [carberry(), marsh()],
                    "titles": [
                        { "title": "The effect of glaze thickness on crack propagation in Ming-era vessels" },
                        { "title": "Glaze and cracks", "titleType": "AlternativeTitle" },
                    ],
                    "publisher": "Psychoceramics Society Press",
                    "container": {
                        "type": "Journal", "title": "Journal of Psychoceramics", "identifier": "1234-5679",
                        "identifierType": "ISSN", "volume": "12", "issue": "3", "firstPage": "45", "lastPage": "67",
                    },
                    "publicationYear": 2021,
                    "types": { "resourceTypeGeneral": "Text", "resourceType": "Journal article" },
                    "dates": [{ "date": "2021-04-30", "dateType": "Issued" }],
                    "descriptions": [{
                        "description": "We measure how glaze thickness changes the paths cracks take.",
                        "descriptionType": "Abstract",
                    }],
                    "relatedIdentifiers": [{
                        "relationType": "IsPublishedIn", "relatedIdentifier": "1234-5679",
                        "relatedIdentifierType": "ISSN", "resourceTypeGeneral": "Journal",
                    }],
                    "url": "https://journal.example.org/articles/ty4m-3h09",
                }),
            ),
            response(
                "10.14454/q6vx-2t51",
                json!({
                    "creators": [carberry(), organization("Carberry Lab")],
                    "titles": [{ "title": "Carberry Lab field data, 2010–2020" }],
                    "publisher": "DataCite", "publicationYear": 2020,
                    "types": { "resourceTypeGeneral": "Collection", "resourceType": "Collection of Datasets" },
                    "dates": [{ "date": "2020-11-11", "dateType": "Issued" }],
                    "relatedIdentifiers": [doi_relation("HasPart", "10.5555/j9cp-6b21")],
                    "url": "https://lab.example.edu/carberry/data",
                }),
            ),
            response(
                "10.14454/m8fd-0c37",
                json!({
                    "creators": [person("Rosalind", "Quill", Some(QUILL))],
                    "titles": [{ "title": "Persistent identifiers for research outputs: a practical survey" }],
                    "publisher": "DataCite", "publicationYear": 2023,
                    "types": { "resourceTypeGeneral": "JournalArticle", "resourceType": "" },
                    "dates": [{ "date": "2023-09-15", "dateType": "Issued" }],
                    "url": "https://datacite.example.org/articles/m8fd-0c37",
                }),
            ),
            response(
                "10.14454/w2b7-9kp4",
                json!({
                    "creators": [person("Tomás", "Okafor", Some(OKAFOR))],
                    "contributors": [with(carberry(), json!({ "contributorType": "ContactPerson" }))],
                    "titles": [{ "title": "Soil moisture readings from the Kettle Pond sensor array" }],
                    "publisher": "University of Examples Research Data", "publicationYear": 2024,
                    "types": { "resourceTypeGeneral": "Dataset", "resourceType": "Sensor data" },
                    "dates": [{ "date": "2024-01-20", "dateType": "Issued" }],
                    "url": "https://data.example.edu/kettle-pond",
                }),
            ),
            response(
                "10.5555/n0or-c1d0",
                json!({
                    "creators": [marsh(), ng()],
                    "titles": [{ "title": "Kiln temperature logging: a technical note" }],
                    "publisher": "Brown University Digital Repository", "publicationYear": 2018,
                    "types": { "resourceTypeGeneral": "Text", "resourceType": "Technical Report" },
                    "dates": [{ "date": "2018-10-01", "dateType": "Issued" }],
                    "url": "https://repository.example.edu/reports/n0or-c1d0",
                }),
            ),
            response(
                "10.5555/dr4f-7x0p",
                json!({
                    "state": "registered",
                    "creators": [carberry()],
                    "titles": [{ "title": "Embargoed cephalopod tracking data" }],
                    "publisher": "Brown University Digital Repository", "publicationYear": 2025,
                    "types": { "resourceTypeGeneral": "Dataset", "resourceType": "" },
                    "dates": [{ "date": "2025", "dateType": "Issued" }],
                    "url": "https://repository.example.edu/datasets/dr4f-7x0p",
                }),
            ),
        ]
    }

    fn fixture(doi: &str) -> DoiMetadata {
        let body = fixtures()
            .into_iter()
            .find(|f| f["data"]["id"] == doi)
            .expect("a fixture");
        parse(&body)
    }

    fn orcid(id: &str) -> OrcidId {
        OrcidId::parse(id).expect("a valid iD")
    }

    /// datacite.mjs `EXPECTED`, row by row: work type, journal title, and what auto-update does.
    #[test]
    fn fixtures_match_the_independent_oracle() {
        let expected = [
            (
                "10.5555/j9cp-6b21",
                "data-set",
                "Brown University Digital Repository",
                "push",
            ),
            ("10.5555/k4s2-v7q8", "software", "Zenodo", "push"),
            ("10.5555/4gx1-mc20", "software", "Zenodo", "skip: IsVersionOf"),
            (
                "10.5555/ty4m-3h09",
                "journal-article",
                "Journal of Psychoceramics",
                "push",
            ),
            ("10.14454/q6vx-2t51", "other", "DataCite", "push"),
            ("10.14454/m8fd-0c37", "journal-article", "DataCite", "push"),
            (
                "10.14454/w2b7-9kp4",
                "data-set",
                "University of Examples Research Data",
                "push",
            ),
            (
                "10.5555/n0or-c1d0",
                "report",
                "Brown University Digital Repository",
                "skip: no ORCID",
            ),
            (
                "10.5555/dr4f-7x0p",
                "data-set",
                "Brown University Digital Repository",
                "not findable",
            ),
        ];
        assert_eq!(expected.len(), fixtures().len());
        for (doi, work_type, journal_title, auto_update) in expected {
            let meta = fixture(doi);
            assert_eq!(meta.doi(), doi);
            assert_eq!(meta.work_type(), work_type, "{doi}");
            assert_eq!(meta.journal_title(), Some(journal_title), "{doi}");
            let work = meta.to_orcid_work(None).expect("a complete work");
            assert_eq!(work["type"], work_type, "{doi}");
            assert_eq!(work["journal-title"]["value"], journal_title, "{doi}");
            let skip = meta.skip_reason(&[]);
            match auto_update {
                "push" => {
                    assert_eq!(skip, None, "{doi}");
                    assert!(!meta.orcid_ids().is_empty(), "{doi}");
                }
                "skip: IsVersionOf" => {
                    assert_eq!(
                        skip.as_deref(),
                        Some("related identifier IsVersionOf 10.5555/k4s2-v7q8: a version of another work")
                    );
                }
                "skip: no ORCID" => {
                    assert_eq!(skip, None, "{doi}");
                    assert!(meta.orcid_ids().is_empty(), "{doi}");
                }
                // The API answers 404 to anonymous callers (test below); the record itself would push.
                "not findable" => assert_eq!(skip, None, "{doi}"),
                other => panic!("unknown expectation {other}"),
            }
        }
    }

    #[test]
    fn a_not_found_answer_is_not_a_doi_record() {
        let not_found =
            json!({ "errors": [{ "status": "404", "title": "The resource you are looking for doesn't exist." }] });
        assert_eq!(
            DoiMetadata::from_response(&not_found).err(),
            Some(MetadataError::NotADoiRecord)
        );
        assert_eq!(
            DoiMetadata::from_response(&json!({ "data": [] })).err(),
            Some(MetadataError::NotADoiRecord)
        );
        assert_eq!(
            DoiMetadata::from_response(&json!("10.5555/x")).err(),
            Some(MetadataError::NotADoiRecord)
        );
        let no_doi = json!({ "data": { "type": "dois", "attributes": { "doi": "not a doi", "titles": [] } } });
        assert_eq!(DoiMetadata::from_response(&no_doi).err(), Some(MetadataError::NoDoi));
    }

    #[test]
    fn accepts_the_whole_document_the_data_object_or_bare_attributes() {
        let body = fixture_body("10.5555/ty4m-3h09");
        for shape in [body.clone(), body["data"].clone(), body["data"]["attributes"].clone()] {
            let meta = parse(&shape);
            assert_eq!(meta.doi(), "10.5555/ty4m-3h09");
            assert_eq!(
                meta.title(),
                Some("The effect of glaze thickness on crack propagation in Ming-era vessels")
            );
            assert_eq!(meta.publication_year(), Some(2021));
            assert_eq!(meta.url(), Some("https://journal.example.org/articles/ty4m-3h09"));
        }
        // The DOI is lower-cased, and taken from data.id when the attributes lack it.
        let upper = json!({ "data": { "id": "10.5555/TY4M-3H09", "attributes": { "titles": [{ "title": "T" }] } } });
        assert_eq!(parse(&upper).doi(), "10.5555/ty4m-3h09");
        let url_form = json!({ "doi": "https://doi.org/10.5555/AbC" });
        assert_eq!(parse(&url_form).doi(), "10.5555/abc");
    }

    fn fixture_body(doi: &str) -> Value {
        fixtures()
            .into_iter()
            .find(|f| f["data"]["id"] == doi)
            .expect("a fixture")
    }

    #[test]
    fn the_work_for_a_journal_article_is_complete() {
        let work = fixture("10.5555/ty4m-3h09").to_orcid_work(None).expect("a work");
        assert_eq!(
            work,
            json!({
                "title": {
                    "title": { "value": "The effect of glaze thickness on crack propagation in Ming-era vessels" },
                },
                "journal-title": { "value": "Journal of Psychoceramics" },
                "short-description": "We measure how glaze thickness changes the paths cracks take.",
                "type": "journal-article",
                "publication-date": {
                    "year": { "value": "2021" }, "month": { "value": "04" }, "day": { "value": "30" },
                },
                "external-ids": { "external-id": [{
                    "external-id-type": "doi",
                    "external-id-value": "10.5555/ty4m-3h09",
                    "external-id-url": { "value": "https://doi.org/10.5555/ty4m-3h09" },
                    "external-id-relationship": "self",
                }] },
                "url": { "value": "https://journal.example.org/articles/ty4m-3h09" },
                "contributors": { "contributor": [
                    {
                        "contributor-orcid": {
                            "uri": "https://orcid.org/0000-0002-1825-0097",
                            "path": "0000-0002-1825-0097",
                            "host": "orcid.org",
                        },
                        "credit-name": { "value": "Josiah Carberry" },
                        "contributor-attributes": { "contributor-sequence": "first", "contributor-role": "author" },
                    },
                    {
                        "credit-name": { "value": "Imogen Marsh" },
                        "contributor-attributes": {
                            "contributor-sequence": "additional", "contributor-role": "author",
                        },
                    },
                ] },
                "visibility": "public",
            })
        );
    }

    #[test]
    fn put_code_replaces_visibility() {
        let meta = fixture("10.5555/j9cp-6b21");
        let create = meta.to_orcid_work(None).expect("a work");
        assert_eq!(create["visibility"], "public");
        assert!(create.get("put-code").is_none());
        let update = meta.to_orcid_work(Some(123_456)).expect("a work");
        assert_eq!(update["put-code"], 123_456);
        assert!(update.get("visibility").is_none());
    }

    #[test]
    fn description_is_squished_and_omitted_when_absent() {
        let work = fixture("10.5555/j9cp-6b21").to_orcid_work(None).expect("a work");
        assert_eq!(
            work["short-description"],
            "Monthly shore and boat counts of squid and octopus, collected by volunteers."
        );
        let work = fixture("10.14454/q6vx-2t51").to_orcid_work(None).expect("a work");
        assert!(work.get("short-description").is_none());
        // No nulls anywhere: a record without url has no url key.
        let no_url = with(
            fixture_body("10.14454/q6vx-2t51")["data"]["attributes"].clone(),
            json!({ "url": null }),
        );
        let work = parse(&no_url).to_orcid_work(None).expect("a work");
        assert!(work.get("url").is_none());
        assert!(!work.to_string().contains("null"));
    }

    #[test]
    fn contributors_with_and_without_orcid_and_organizations() {
        let work = fixture("10.14454/q6vx-2t51").to_orcid_work(None).expect("a work");
        let contributors = work["contributors"]["contributor"].as_array().expect("contributors");
        assert_eq!(contributors.len(), 2);
        assert_eq!(contributors[0]["contributor-orcid"]["path"], CARBERRY);
        assert_eq!(
            contributors[0]["contributor-attributes"]["contributor-sequence"],
            "first"
        );
        // An organisation has no given/family name: its `name` is the credit name.
        assert_eq!(contributors[1]["credit-name"]["value"], "Carberry Lab");
        assert!(contributors[1].get("contributor-orcid").is_none());
        assert_eq!(
            contributors[1]["contributor-attributes"]["contributor-sequence"],
            "additional"
        );

        // A lower-case x, a bare iD, a non-ORCID identifier first and an invalid ORCID all behave.
        let attrs = json!({
            "doi": "10.5555/people",
            "creators": [
                { "name": "Ramos, Sofia", "nameIdentifiers": [
                    { "nameIdentifier": "https://orcid.org/0000-0002-9079-593x", "nameIdentifierScheme": "ORCID" },
                ] },
                { "name": "Haak, Laurel", "nameIdentifiers": [
                    { "nameIdentifier": "https://isni.org/isni/000000012146438X", "nameIdentifierScheme": "ISNI" },
                    { "nameIdentifier": "0000-0001-5109-3700", "nameIdentifierScheme": "orcid" },
                ] },
                { "name": "Bad, Check", "nameIdentifiers": [
                    { "nameIdentifier": "https://orcid.org/0000-0002-1825-0098", "nameIdentifierScheme": "ORCID" },
                ] },
                // No scheme and a single object instead of a list.
                { "givenName": "Only", "familyName": "Family", "nameIdentifiers": {
                    "nameIdentifier": "https://orcid.org/0000-0003-1419-2405",
                } },
            ],
            "titles": [{ "title": "People" }], "publisher": "P", "publicationYear": 2020,
        });
        let meta = parse(&attrs);
        assert_eq!(
            meta.orcid_ids(),
            vec![orcid(OKAFOR), orcid(QUILL), orcid("0000-0003-1419-2405")]
        );
        let work = meta.to_orcid_work(None).expect("a work");
        let contributors = work["contributors"]["contributor"].as_array().expect("contributors");
        assert_eq!(
            contributors[0]["contributor-orcid"]["uri"],
            "https://orcid.org/0000-0002-9079-593X"
        );
        assert_eq!(contributors[1]["contributor-orcid"]["path"], QUILL);
        assert_eq!(contributors[1]["credit-name"]["value"], "Haak, Laurel");
        assert!(
            contributors[2].get("contributor-orcid").is_none(),
            "a bad check digit is ignored"
        );
        assert_eq!(contributors[3]["credit-name"]["value"], "Only Family");
    }

    #[test]
    fn orcid_ids_cover_creators_then_contributors_without_duplicates() {
        let meta = fixture("10.14454/w2b7-9kp4");
        assert_eq!(meta.orcid_ids(), vec![orcid(OKAFOR), orcid(CARBERRY)]);
        assert_eq!(meta.creator_orcid_ids(), vec![orcid(OKAFOR)]);
        // The contributor does not become a work contributor.
        let work = meta.to_orcid_work(None).expect("a work");
        assert_eq!(work["contributors"]["contributor"].as_array().map(Vec::len), Some(1));

        let twice = with(
            fixture_body("10.5555/j9cp-6b21")["data"]["attributes"].clone(),
            json!({
                "creators": [carberry(), marsh(), carberry()],
                "contributors": [carberry(), person("Rosalind", "Quill", Some(QUILL))],
            }),
        );
        let meta = parse(&twice);
        assert_eq!(meta.orcid_ids(), vec![orcid(CARBERRY), orcid(QUILL)]);
        assert_eq!(meta.creator_orcid_ids(), vec![orcid(CARBERRY)]);
        assert!(fixture("10.5555/n0or-c1d0").creator_orcid_ids().is_empty());
    }

    #[test]
    fn relations_that_make_auto_update_skip() {
        let base = fixture_body("10.5555/j9cp-6b21")["data"]["attributes"].clone();
        let skip =
            |relations: Value| parse(&with(base.clone(), json!({ "relatedIdentifiers": relations }))).skip_reason(&[]);
        assert_eq!(
            skip(json!([doi_relation("isversionof", "https://doi.org/10.5555/XYZ")])).as_deref(),
            Some("related identifier IsVersionOf 10.5555/xyz: a version of another work")
        );
        assert_eq!(
            skip(json!([doi_relation("IsPreviousVersionOf", "10.5555/next")])).as_deref(),
            Some("related identifier IsPreviousVersionOf 10.5555/next: a previous version of another work")
        );
        assert_eq!(
            skip(json!([doi_relation("IsPartOf", "doi:10.14454/q6vx-2t51")])).as_deref(),
            Some("related identifier IsPartOf 10.14454/q6vx-2t51: part of another work")
        );
        assert_eq!(
            skip(json!([{
                "relationType": "IsIdenticalTo",
                "relatedIdentifier": "https://example.org/copy",
                "relatedIdentifierType": "URL",
            }]))
            .as_deref(),
            Some("related identifier IsIdenticalTo https://example.org/copy: identical to another work")
        );
        for harmless in [
            "HasVersion",
            "HasPart",
            "IsSupplementTo",
            "IsNewVersionOf",
            "References",
            "IsCitedBy",
        ] {
            assert_eq!(
                skip(json!([doi_relation(harmless, "10.5555/other")])),
                None,
                "{harmless}"
            );
        }
        // A concept DOI that points at itself, in any spelling, is not a version of another work.
        for itself in [
            "10.5555/j9cp-6b21",
            "https://doi.org/10.5555/J9CP-6B21",
            "doi:10.5555/j9cp-6b21",
        ] {
            assert_eq!(skip(json!([doi_relation("IsVersionOf", itself)])), None, "{itself}");
        }
        // …but a real relation next to the self-reference still counts.
        assert!(skip(json!([
            doi_relation("IsVersionOf", "10.5555/j9cp-6b21"),
            doi_relation("IsPartOf", "10.5555/c")
        ]))
        .is_some());
    }

    #[test]
    fn excluded_prefixes_are_skipped() {
        let meta = fixture("10.5555/j9cp-6b21");
        assert_eq!(
            meta.skip_reason(&["10.5072".into(), "10.5555".into()]).as_deref(),
            Some("prefix 10.5555 is excluded from ORCID claiming")
        );
        assert!(
            meta.skip_reason(&[" 10.5555/ ".into()]).is_some(),
            "surrounding space and a slash are tolerated"
        );
        assert_eq!(
            meta.skip_reason(&["10.55".into(), "10.55551".into()]),
            None,
            "whole prefixes only"
        );
        assert_eq!(fixture("10.14454/q6vx-2t51").skip_reason(&["10.5555".into()]), None);
    }

    #[test]
    fn type_table_and_refinements() {
        let cases = [
            // The general table, every row.
            (Some("Book"), None, "book"),
            (Some("BookChapter"), None, "book-chapter"),
            (Some("ComputationalNotebook"), None, "software"),
            (Some("ConferencePaper"), None, "conference-paper"),
            (Some("Dataset"), Some("Survey data"), "data-set"),
            (Some("Dissertation"), None, "dissertation-thesis"),
            (Some("JournalArticle"), Some(""), "journal-article"),
            (Some("OutputManagementPlan"), None, "data-management-plan"),
            (Some("PeerReview"), None, "review"),
            (Some("Poster"), None, "conference-poster"),
            (Some("Preprint"), None, "preprint"),
            (Some("Presentation"), None, "conference-presentation"),
            (Some("PhysicalObject"), None, "physical-object"),
            (Some("Report"), None, "report"),
            (Some("Software"), None, "software"),
            (Some("Standard"), None, "standards-and-policy"),
            (Some("Audiovisual"), None, "other"),
            (Some("Collection"), None, "other"),
            (Some("Event"), None, "other"),
            (Some("Image"), None, "other"),
            (Some("InteractiveResource"), None, "other"),
            (Some("Journal"), None, "other"),
            (Some("Model"), None, "other"),
            (Some("Service"), None, "other"),
            (Some("Sound"), None, "other"),
            (Some("Text"), None, "other"),
            (Some("Workflow"), None, "other"),
            (Some("Other"), None, "other"),
            (Some("Film"), None, "other"),
            // Unknown or missing general types; the key is matched case-insensitively.
            (Some("Hologram"), None, "other"),
            (None, Some("Journal article"), "other"),
            (Some("dataset"), None, "data-set"),
            // Text refinements.
            (Some("Text"), Some("Article"), "journal-article"),
            (Some("Text"), Some("Journal Article"), "journal-article"),
            (Some("Text"), Some("JournalArticle"), "journal-article"),
            (Some("Text"), Some("Research article"), "journal-article"),
            (Some("Text"), Some("Book"), "book"),
            (Some("Text"), Some("eBook"), "book"),
            (Some("Text"), Some("Monographs"), "book"),
            (Some("Text"), Some("Monografie"), "book"),
            (Some("Text"), Some("Chapter"), "book-chapter"),
            (Some("Text"), Some("Book chapter"), "book-chapter"),
            (Some("Text"), Some("Report"), "report"),
            (Some("Text"), Some("Technical Report"), "report"),
            (Some("Text"), Some("TechnicalReport"), "report"),
            (Some("Text"), Some("Project report"), "report"),
            (Some("Text"), Some("Text/Report"), "report"),
            (Some("Text"), Some("XFEL.EU Annual Report"), "report"),
            (Some("Text"), Some("Dissertation"), "dissertation-thesis"),
            (Some("Text"), Some("Doctoral thesis"), "dissertation-thesis"),
            (Some("Text"), Some("Masterthesis"), "dissertation-thesis"),
            (Some("Text"), Some("Conference Abstract"), "conference-abstract"),
            (
                Some("Text"),
                Some("Conference extended abstract"),
                "conference-abstract",
            ),
            (Some("Text"), Some("Conference paper"), "conference-paper"),
            (Some("Text"), Some("Conference full text"), "conference-paper"),
            (Some("Text"), Some("Poster"), "conference-poster"),
            (Some("Text"), Some("Conference poster"), "conference-poster"),
            (Some("Text"), Some("Presentation"), "conference-presentation"),
            (
                Some("Text"),
                Some("Conference  presentation"),
                "conference-presentation",
            ),
            (Some("Text"), Some("Working Paper"), "working-paper"),
            (Some("Text"), Some("workingpaper"), "working-paper"),
            (Some("Text"), Some("Preprint"), "preprint"),
            (Some("Text"), Some("Dataset"), "data-set"),
            (Some("TEXT"), Some("  journal   ARTICLE "), "journal-article"),
            // Words, not substrings: no presentation in "Representation", no book in "Notebook".
            (Some("Text"), Some("Knowledge representation"), "other"),
            (Some("Text"), Some("Lab notebook"), "other"),
            (Some("Text"), Some("Paper"), "other"),
            (Some("Text"), Some(""), "other"),
            (Some("Text"), Some("Newsletter"), "other"),
            // Refinements only apply to their own general type.
            (Some("Dataset"), Some("Technical Report"), "data-set"),
            (Some("Software"), Some("Preprint"), "software"),
            // Collection refinements.
            (Some("Collection"), Some("Collection of Datasets"), "other"),
            (
                Some("Collection"),
                Some("Supplementary Collection of Datasets"),
                "other",
            ),
            (Some("Collection"), Some("Data Files"), "other"),
            (Some("Collection"), Some("Report"), "report"),
            (Some("Collection"), Some("Photographs"), "other"),
        ];
        for (general, specific, expected) in cases {
            assert_eq!(work_type(general, specific), expected, "{general:?} / {specific:?}");
        }
    }

    #[test]
    fn work_types_json_uses_only_orcid_work_types() {
        const ORCID_WORK_TYPES: &[&str] = &[
            "annotation",
            "artistic-performance",
            "book-chapter",
            "book-review",
            "book",
            "conference-abstract",
            "conference-paper",
            "conference-poster",
            "conference-presentation",
            "data-management-plan",
            "data-set",
            "dictionary-entry",
            "disclosure",
            "dissertation-thesis",
            "edited-book",
            "encyclopedia-entry",
            "invention",
            "journal-article",
            "journal-issue",
            "lecture-speech",
            "license",
            "magazine-article",
            "manual",
            "newsletter-article",
            "newspaper-article",
            "online-resource",
            "other",
            "patent",
            "physical-object",
            "preprint",
            "registered-copyright",
            "review",
            "report",
            "research-technique",
            "research-tool",
            "software",
            "spin-off-company",
            "standards-and-policy",
            "supervised-student-publication",
            "technical-standard",
            "test",
            "trademark",
            "translation",
            "website",
            "working-paper",
        ];
        let table = work_types();
        let used = std::iter::once(&table.default)
            .chain(table.general.values())
            .chain(table.refinements.values().flatten().map(|r| &r.work_type));
        for t in used {
            assert!(ORCID_WORK_TYPES.contains(&t.as_str()), "{t} is not an ORCID work type");
        }
        for rule in table.refinements.values().flatten() {
            assert!(
                !(rule.equals.is_empty() && rule.contains.is_empty()),
                "{} matches nothing",
                rule.work_type
            );
        }
    }

    fn date_of(dates: Value, publication_year: Value) -> Value {
        let attrs = with(
            fixture_body("10.5555/j9cp-6b21")["data"]["attributes"].clone(),
            json!({ "dates": dates, "publicationYear": publication_year }),
        );
        parse(&attrs).to_orcid_work(None).expect("a work")["publication-date"].clone()
    }

    #[test]
    fn publication_date_variants() {
        let y = |y: &str| json!({ "value": y });
        let issued =
            |d: &str| json!([{ "date": "2001-01-01", "dateType": "Created" }, { "date": d, "dateType": "Issued" }]);
        assert_eq!(
            date_of(issued("2021-03-05"), json!(2020)),
            json!({ "year": y("2021"), "month": y("03"), "day": y("05") })
        );
        assert_eq!(
            date_of(issued("2021-3"), json!(2020)),
            json!({ "year": y("2021"), "month": y("03") })
        );
        assert_eq!(date_of(issued("2021"), json!(2020)), json!({ "year": y("2021") }));
        assert_eq!(
            date_of(issued("2021-04-30T12:00:00Z"), json!(2020)),
            json!({ "year": y("2021"), "month": y("04"), "day": y("30") })
        );
        assert_eq!(date_of(issued("2015/2019"), json!(2020)), json!({ "year": y("2015") }));
        // A day without a valid month is dropped; so is a day that does not exist.
        assert_eq!(date_of(issued("2021-13-05"), json!(2020)), json!({ "year": y("2021") }));
        assert_eq!(
            date_of(issued("2021-02-30"), json!(2020)),
            json!({ "year": y("2021"), "month": y("02") })
        );
        // No (usable) Issued date: publicationYear, an integer or a string.
        assert_eq!(
            date_of(json!([{ "date": "2001-01-01", "dateType": "Created" }]), json!(2019)),
            json!({ "year": y("2019") })
        );
        assert_eq!(date_of(json!([]), json!("2018")), json!({ "year": y("2018") }));
        assert_eq!(
            date_of(issued("unknown"), json!(" 2017 ")),
            json!({ "year": y("2017") })
        );
        assert_eq!(date_of(json!(null), json!(2016)), json!({ "year": y("2016") }));
    }

    #[test]
    fn publication_year_as_integer_or_string() {
        let base = fixture_body("10.5555/j9cp-6b21")["data"]["attributes"].clone();
        let year =
            |v: Value| parse(&with(base.clone(), json!({ "publicationYear": v, "dates": [] }))).publication_year();
        assert_eq!(year(json!(2019)), Some(2019));
        assert_eq!(year(json!("2019")), Some(2019));
        assert_eq!(year(json!(2019.0)), Some(2019));
        assert_eq!(year(json!("19")), None);
        assert_eq!(year(json!("soon")), None);
        assert_eq!(year(json!(null)), None);
        // Without publicationYear, the Issued date's year.
        let issued_only = with(
            base,
            json!({ "publicationYear": null, "dates": [{ "date": "2014-05", "dateType": "Issued" }] }),
        );
        assert_eq!(parse(&issued_only).publication_year(), Some(2014));
    }

    #[test]
    fn publisher_as_string_or_object_and_container_first() {
        let base = fixture_body("10.5555/ty4m-3h09")["data"]["attributes"].clone();
        let journal = |extra: Value| parse(&with(base.clone(), extra)).journal_title().map(str::to_string);
        assert_eq!(journal(json!({})).as_deref(), Some("Journal of Psychoceramics"));
        assert_eq!(
            journal(json!({ "container": {} })).as_deref(),
            Some("Psychoceramics Society Press")
        );
        assert_eq!(
            journal(json!({ "container": { "title": "  " } })).as_deref(),
            Some("Psychoceramics Society Press")
        );
        assert_eq!(
            journal(json!({
                "container": null,
                "publisher": { "name": "Zenodo", "lang": "en", "publisherIdentifier": "https://ror.org/x" },
            }))
            .as_deref(),
            Some("Zenodo")
        );
        assert_eq!(journal(json!({ "container": {}, "publisher": "(:unav)" })), None);
        assert_eq!(journal(json!({ "container": {}, "publisher": { "name": "" } })), None);
    }

    #[test]
    fn missing_data() {
        let base = fixture_body("10.5555/ty4m-3h09")["data"]["attributes"].clone();
        let build = |extra: Value| parse(&with(base.clone(), extra)).to_orcid_work(None).err();
        assert_eq!(build(json!({})), None);
        assert_eq!(build(json!({ "creators": [] })), Some(MissingData("a creator")));
        assert_eq!(
            build(json!({ "creators": [{ "nameIdentifiers": [] }] })),
            Some(MissingData("a creator"))
        );
        assert_eq!(build(json!({ "titles": [] })), Some(MissingData("a title")));
        assert_eq!(
            build(json!({ "titles": [{ "title": "(:unav)" }] })),
            Some(MissingData("a title"))
        );
        assert_eq!(
            build(json!({ "container": {}, "publisher": "(:unav)" })),
            Some(MissingData("a journal title (container title or publisher)"))
        );
        assert_eq!(
            build(json!({ "publicationYear": null, "dates": [] })),
            Some(MissingData("a publication year"))
        );
        assert_eq!(
            MissingData("a title").to_string(),
            "the DOI's metadata lacks a title, which an ORCID work requires"
        );
        // The first usable title counts; the work uses it.
        let work = parse(&with(
            base,
            json!({ "titles": [{ "title": "" }, { "title": "Second" }] }),
        ))
        .to_orcid_work(None);
        assert_eq!(work.expect("a work")["title"]["title"]["value"], "Second");
    }

    #[test]
    fn truncation_keeps_whole_words_and_characters() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("exactly ten", 11), "exactly ten");
        assert_eq!(truncate("one two three", 10), "one two…");
        assert_eq!(truncate("one two three", 8), "one two…");
        assert_eq!(truncate("unbreakableword", 6), "unbre…");
        // Multi-byte text: cut on characters, never inside one.
        assert_eq!(truncate("Ærø ømø åså ÿÿÿ", 10), "Ærø ømø…");
        assert_eq!(truncate("日本語のタイトル", 4), "日本語…");

        let word = "Kraków–Łódź ";
        let long_title = word.repeat(200);
        let base = fixture_body("10.5555/ty4m-3h09")["data"]["attributes"].clone();
        let work = parse(&with(base.clone(), json!({ "titles": [{ "title": long_title }] })))
            .to_orcid_work(None)
            .expect("a work");
        let title = work["title"]["title"]["value"].as_str().expect("a title");
        assert!(title.chars().count() <= 1000, "{} characters", title.chars().count());
        assert!(title.chars().count() > 980);
        assert!(title.ends_with("Kraków–Łódź…"), "{title}");

        let long_description = "słowo ".repeat(600);
        let work = parse(&with(
            base,
            json!({ "descriptions": [{ "description": long_description }] }),
        ))
        .to_orcid_work(None)
        .expect("a work");
        let description = work["short-description"].as_str().expect("a description");
        assert!(description.chars().count() <= 2500);
        assert!(description.ends_with("słowo…"), "{description}");
    }
}
