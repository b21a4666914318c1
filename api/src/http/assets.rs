//! The web client's assets (`/assets/<hash>/<file>`), served precompressed: the build writes
//! each file beside its Brotli (`.br`, quality 11) and gzip (`.gz`, level 9) forms, far smaller
//! than what on-the-fly compression makes, and this handler picks the best one the browser
//! accepts. The folder is named by the content hash, so the files never change (cached for a
//! year by `middleware::request_context`).
use std::path::PathBuf;

use actix_files::NamedFile;
use actix_web::http::header::{self, ContentEncoding};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::ApiError;
use crate::state::AppState;

/// A path segment that names a file of the folder and nothing else.
fn plain(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with('.')
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

/// The encodings the request accepts, best first, among those Madar precompresses.
fn accepted(req: &HttpRequest) -> Vec<(ContentEncoding, &'static str)> {
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let offers = |name: &str| {
        accept.split(',').any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or("").trim();
            let refused = it.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    [
        (ContentEncoding::Brotli, "br"),
        (ContentEncoding::Gzip, "gz"),
    ]
    .into_iter()
    .filter(|(_, suffix)| offers(if *suffix == "gz" { "gzip" } else { "br" }))
    .collect()
}

pub async fn asset(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (hash, file) = path.into_inner();
    if !plain(&hash) || !plain(&file) {
        return Err(ApiError::NotFound);
    }
    let plain_path: PathBuf = state
        .settings
        .client_dir
        .join("assets")
        .join(&hash)
        .join(&file);
    let mime = mime_guess::from_path(&plain_path).first_or_octet_stream();
    for (encoding, suffix) in accepted(&req) {
        let packed = plain_path.with_file_name(format!("{file}.{suffix}"));
        if let Ok(named) = NamedFile::open_async(&packed).await {
            let mut res = named
                .set_content_type(mime.clone())
                .set_content_encoding(encoding)
                .disable_content_disposition()
                .into_response(&req);
            res.headers_mut().insert(
                header::VARY,
                header::HeaderValue::from_static("accept-encoding"),
            );
            return Ok(res);
        }
    }
    match NamedFile::open_async(&plain_path).await {
        Ok(named) => Ok(named.disable_content_disposition().into_response(&req)),
        Err(_) => Err(ApiError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn only_plain_file_names_are_served() {
        assert!(plain("madar_client_bg.wasm") && plain("0123abcd"));
        for bad in ["", "..", ".hidden", "a/b", "a\\b", "%2e%2e", "a b"] {
            assert!(!plain(bad), "{bad}");
        }
    }

    #[test]
    fn brotli_is_preferred_and_a_refused_coding_is_not_used() {
        let pick = |accept: &str| {
            let req = TestRequest::default()
                .insert_header((header::ACCEPT_ENCODING, accept))
                .to_http_request();
            accepted(&req)
                .into_iter()
                .map(|(_, s)| s)
                .collect::<Vec<_>>()
        };
        assert_eq!(pick("gzip, deflate, br, zstd"), ["br", "gz"]);
        assert_eq!(pick("gzip"), ["gz"]);
        assert_eq!(pick("br;q=0, gzip"), ["gz"]);
        assert!(pick("identity").is_empty());
    }
}
