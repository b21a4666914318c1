//! The protocol page's calls: a version read with its ETag, a draft saved (PATCH with
//! `If-Match`) and published, and a refusal turned into what the page shows (a 412: the
//! version as it is now; a 422: each problem on the rule it names).
use std::rc::Rc;

use gloo_net::http::Method;
use madar_openapi::protocols::{ProtocolResponse, UpdateProtocol};

use super::logic::{locate_all, FieldErrors, Located};
use crate::api::{self, ApiError, Call};

/// A version read with its ETag, for a change with `If-Match`.
#[derive(Clone)]
pub struct Tagged {
    pub record: Rc<ProtocolResponse>,
    pub etag: String,
}

pub async fn read(path: &str) -> Result<Tagged, ApiError> {
    let (record, etag) = api::get_tagged::<ProtocolResponse>(path).await?;
    Ok(Tagged {
        record: Rc::new(record),
        etag,
    })
}

/// Why a change was not made.
pub enum Refused {
    /// Changed meanwhile (412): the version as it is now.
    Reloaded(Tagged),
    /// Problems on the rules (422), located.
    Rules(Vec<Located>),
    Failed(ApiError),
}

fn keys(record: &ProtocolResponse) -> Vec<String> {
    record.rules.iter().map(|r| r.key.clone()).collect()
}

async fn refused(path: &str, error: ApiError, keys: &[String]) -> Refused {
    if error.status() == Some(412) {
        if let Ok(fresh) = read(path).await {
            return Refused::Reloaded(fresh);
        }
    }
    let fields: FieldErrors = error
        .field_errors()
        .iter()
        .map(|f| (f.field.clone(), f.code.clone()))
        .collect();
    if fields.is_empty() {
        Refused::Failed(error)
    } else {
        Refused::Rules(locate_all(&fields, keys))
    }
}

/// Saves `update` (when given), then publishes when asked: the version as it is after, or
/// why not, with the version saved on the way (its ETag is needed by the next change).
pub async fn send(
    path: &str,
    current: Tagged,
    update: Option<UpdateProtocol>,
    publish: bool,
) -> (Option<Tagged>, Result<Tagged, Refused>) {
    let saved = match update {
        Some(update) => match save(path, current, update).await {
            Ok(saved) => saved,
            Err(refusal) => return (None, Err(refusal)),
        },
        None => current,
    };
    if !publish {
        return (None, Ok(saved));
    }
    match publish_version(path, &saved).await {
        Ok(published) => (None, Ok(published)),
        Err(refusal) => (Some(saved), Err(refusal)),
    }
}

/// `PATCH` the draft with `If-Match`.
async fn save(path: &str, current: Tagged, update: UpdateProtocol) -> Result<Tagged, Refused> {
    let sent: Vec<String> = match &update.rules {
        Some(rules) => rules.iter().map(|r| r.key.clone()).collect(),
        None => keys(&current.record),
    };
    match api::patch::<_, ProtocolResponse>(path, &current.etag, &update).await {
        Ok((record, etag)) => Ok(Tagged {
            record: Rc::new(record),
            etag,
        }),
        Err(e) => Err(refused(path, e, &sent).await),
    }
}

/// `POST …/publish` with `If-Match`.
async fn publish_version(path: &str, current: &Tagged) -> Result<Tagged, Refused> {
    let publish_path = format!("{path}/publish");
    let answer = Call::new(Method::POST, &publish_path)
        .if_match(&current.etag)
        .send()
        .await;
    match answer {
        Ok(response) => {
            let etag = api::etag(&response).unwrap_or_default();
            let record = api::json::<ProtocolResponse>(response)
                .await
                .map_err(Refused::Failed)?;
            Ok(Tagged {
                record: Rc::new(record),
                etag,
            })
        }
        Err(e) => Err(refused(path, e, &keys(&current.record)).await),
    }
}
