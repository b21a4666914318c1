//! A paged list loaded from the API: the first page when its key changes, then "more" pages
//! with the API's `next_cursor`. Shared by the approvals and audit screens.
use madar_openapi::Page;
use serde::de::DeserializeOwned;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, ApiError};

/// `path` with `cursor=` added (the path may already have a query).
pub fn with_cursor(path: &str, cursor: Option<&str>) -> String {
    match cursor {
        None => path.to_owned(),
        Some(c) => {
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{path}{sep}cursor={}", encode(c))
        }
    }
}

/// Percent-encodes a query value (unreserved characters kept).
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Clone)]
pub struct Listing<T: Clone> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The state of a paged list and a callback that loads the next page.
pub struct Paged<T: Clone> {
    pub listing: Option<Result<Listing<T>, ApiError>>,
    pub more_error: Option<ApiError>,
    pub loading_more: bool,
    pub load_more: Callback<()>,
}

#[hook]
pub fn use_paged<T>(path: String, reload: u64) -> Paged<T>
where
    T: Clone + DeserializeOwned + 'static,
{
    let listing = use_state(|| None::<Result<Listing<T>, ApiError>>);
    let more_error = use_state(|| None::<ApiError>);
    let loading_more = use_state(|| false);
    {
        let listing = listing.clone();
        let more_error = more_error.clone();
        use_effect_with((path.clone(), reload), move |(path, _)| {
            let path = path.clone();
            listing.set(None);
            spawn_local(async move {
                let answer = api::get::<Page<T>>(&path).await;
                more_error.set(None);
                listing.set(Some(answer.map(|p| Listing {
                    items: p.items,
                    next_cursor: p.next_cursor,
                })));
            });
        });
    }
    let load_more = {
        let listing = listing.clone();
        let more_error = more_error.clone();
        let loading_more = loading_more.clone();
        Callback::from(move |()| {
            let Some(Ok(current)) = (*listing).clone() else {
                return;
            };
            let Some(cursor) = current.next_cursor.clone() else {
                return;
            };
            let next = with_cursor(&path, Some(&cursor));
            let (listing, more_error, loading_more) =
                (listing.clone(), more_error.clone(), loading_more.clone());
            loading_more.set(true);
            spawn_local(async move {
                match api::get::<Page<T>>(&next).await {
                    Ok(page) => {
                        let mut items = current.items;
                        items.extend(page.items);
                        listing.set(Some(Ok(Listing {
                            items,
                            next_cursor: page.next_cursor,
                        })));
                        more_error.set(None);
                    }
                    Err(e) => more_error.set(Some(e)),
                }
                loading_more.set(false);
            });
        })
    };
    Paged {
        listing: (*listing).clone(),
        more_error: (*more_error).clone(),
        loading_more: *loading_more,
        load_more,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_appended_and_encoded() {
        assert_eq!(with_cursor("/a?x=1", None), "/a?x=1");
        assert_eq!(with_cursor("/a?x=1", Some("0|ab")), "/a?x=1&cursor=0%7Cab");
        assert_eq!(with_cursor("/a", Some("12")), "/a?cursor=12");
        assert_eq!(
            encode("2026-01-01T00:00:00+00:00"),
            "2026-01-01T00%3A00%3A00%2B00%3A00"
        );
    }
}
