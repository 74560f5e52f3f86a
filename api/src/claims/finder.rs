//! Search & Link's search: what a person types becomes a DataCite request.
//!
//! A DOI in any of its forms (`10.5555/x`, `doi:10.5555/x`, `https://doi.org/10.5555/x`) finds
//! that DOI, read directly. Anything else is searched as plain words: every character DataCite's
//! query syntax would read as an operator is escaped, and bare `AND`/`OR`/`NOT` are dropped, so no
//! input is a syntax error. "Your DOIs" are those naming the person as a creator *or* a
//! contributor (DataCite's `user-id` filter matches creators only; Auto-Update claims both).

use crate::domain::Doi;

use super::datacite::{Datacite, DataciteError, DoiPage, DoiQuery};

/// What a search asks DataCite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// One DOI, by its identifier.
    Doi(Doi),
    /// A `query` for `GET /dois`.
    Query(String),
}

/// The characters DataCite's query syntax (Elasticsearch's `query_string`) gives a meaning.
const SPECIAL: &[char] = &[
    '+', '-', '=', '&', '|', '>', '<', '!', '(', ')', '{', '}', '[', ']', '^', '"', '~', '*', '?', ':', '\\', '/',
];

/// Free text as words: operators escaped, bare boolean words dropped (words are ANDed anyway).
pub fn words(text: &str) -> Option<String> {
    let escaped: Vec<String> = text
        .split_whitespace()
        .filter(|w| !matches!(*w, "AND" | "OR" | "NOT" | "&&" | "||"))
        .map(|w| {
            let mut out = String::with_capacity(w.len());
            for c in w.chars() {
                if SPECIAL.contains(&c) {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        })
        .collect();
    (!escaped.is_empty()).then(|| escaped.join(" "))
}

/// The DOIs that name `orcid` as a creator or a contributor, as a query clause.
pub fn naming(orcid: &str) -> String {
    let url = format!("https://orcid.org/{orcid}");
    ["creators", "contributors"]
        .iter()
        .flat_map(|who| {
            [
                format!("{who}.nameIdentifiers.nameIdentifier:\"{url}\""),
                format!("{who}.nameIdentifiers.nameIdentifier:\"{orcid}\""),
            ]
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// Reads what was typed: a DOI, or words, limited to the person's DOIs when `mine`.
pub fn interpret(text: Option<&str>, mine_of: Option<&str>) -> Search {
    if let Some(doi) = text.and_then(|t| Doi::parse(t).ok()) {
        return Search::Doi(doi);
    }
    let words = text.and_then(words);
    let query = match (mine_of.map(naming), words) {
        (Some(mine), Some(words)) => format!("({mine}) AND ({words})"),
        (Some(mine), None) => mine,
        (None, Some(words)) => words,
        // Nothing to look for (the route refuses this before asking): match nothing useful.
        (None, None) => "doi:\"\"".to_owned(),
    };
    Search::Query(query)
}

/// Runs a search: a DOI is read directly (none found is an empty page), anything else is a page
/// of `GET /dois`.
pub async fn run(datacite: &Datacite, search: Search, page: u32, page_size: u32) -> Result<DoiPage, DataciteError> {
    match search {
        Search::Doi(doi) => match datacite.doi(&doi).await {
            Ok(record) => {
                let data = record.get("data").cloned().unwrap_or(record);
                Ok(DoiPage {
                    records: vec![data],
                    total: 1,
                    next: None,
                })
            }
            Err(DataciteError::NotFound(_)) => Ok(DoiPage {
                records: Vec::new(),
                total: 0,
                next: None,
            }),
            Err(e) => Err(e),
        },
        Search::Query(query) => {
            datacite
                .search(&DoiQuery {
                    user_id: None,
                    query: Some(query),
                    page_number: Some(page),
                    page_size,
                    cursor: false,
                    sort: None,
                })
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doi_in_any_form_is_that_doi() {
        for typed in [
            "10.5555/ty4m-3h09",
            "doi:10.5555/ty4m-3h09",
            "https://doi.org/10.5555/TY4M-3H09",
            "  https://dx.doi.org/10.5555/ty4m-3h09 ",
        ] {
            assert_eq!(
                interpret(Some(typed), None),
                Search::Doi(Doi::parse("10.5555/ty4m-3h09").unwrap()),
                "{typed}"
            );
        }
    }

    #[test]
    fn other_text_is_words_whatever_it_holds() {
        assert_eq!(words("title:("), Some("title\\:\\(".into()));
        assert_eq!(words("pots AND"), Some("pots".into()));
        assert_eq!(words("a/b \"c"), Some("a\\/b \\\"c".into()));
        assert_eq!(words("AND OR"), None);
    }

    #[test]
    fn mine_means_creator_or_contributor() {
        let Search::Query(q) = interpret(Some("soil"), Some("0000-0002-1825-0097")) else {
            panic!("a query");
        };
        assert!(q.contains("creators.nameIdentifiers.nameIdentifier:\"https://orcid.org/0000-0002-1825-0097\""));
        assert!(q.contains("contributors.nameIdentifiers.nameIdentifier:\"0000-0002-1825-0097\""));
        assert!(q.ends_with("AND (soil)"), "{q}");
    }
}
