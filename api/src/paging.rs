//! Paging rules shared by every list: `page[number]` and `page[size]`, checked and bounded, and
//! the query string of the next page.

use crate::error::{ApiError, ErrorCode};

/// The highest `page[number]`: deeper pages are reached with cursors or narrower filters.
pub const MAX_PAGE: i64 = 10_000;

/// `page[number]` (1–10,000, default 1) and `page[size]` (1–100, default 25), checked.
pub fn page(number: Option<i64>, size: Option<i64>) -> Result<(i64, i64), ApiError> {
    let size = size.unwrap_or(25);
    if !(1..=100).contains(&size) {
        return Err(
            ApiError::new(ErrorCode::InvalidParameter, "page[size] must be between 1 and 100.")
                .with_field("page[size]", "1–100"),
        );
    }
    let number = number.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&number) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("page[number] must be between 1 and {MAX_PAGE}."),
        )
        .with_field("page[number]", format!("1–{MAX_PAGE}")));
    }
    Ok((number, size))
}

/// `query` (a request's query string) with the parameters in `drop` removed and `key=value`
/// set: the query of the next page, every filter kept.
pub fn next_query(query: &str, drop: &[&str], (key, value): (&str, &str)) -> String {
    let pairs = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != key && !drop.contains(&k.as_str()))
        .chain([(key.to_owned(), value.to_owned())]);
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}
