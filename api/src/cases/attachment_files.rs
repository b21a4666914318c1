//! The pure rules of an attachment's file: the media types accepted and the first bytes each
//! must start with, the size limit, what a file name may be, and how a download names it.
use madar_openapi::cases::{ATTACHMENT_CONTENT_TYPES, ATTACHMENT_MAX_BYTES};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The media type a file's first bytes show, among those accepted.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Checks an upload: its declared media type is one accepted (415 `unsupported_media_type`
/// otherwise), it is at most `ATTACHMENT_MAX_BYTES` (413), and its first bytes match the
/// declared type (422 `content_mismatch`). Returns the media type.
pub fn check_contents(declared: Option<&str>, bytes: &[u8]) -> Result<&'static str, ApiError> {
    let declared = accepted_type(declared)?;
    if bytes.len() > ATTACHMENT_MAX_BYTES {
        return Err(too_large());
    }
    if sniff(bytes) != Some(declared) {
        return Err(ApiError::Unprocessable {
            code: "content_mismatch",
            detail: format!("The file's contents are not {declared}."),
        });
    }
    Ok(declared)
}

/// The declared media type if it is one accepted (415 `unsupported_media_type` otherwise).
pub fn accepted_type(declared: Option<&str>) -> Result<&'static str, ApiError> {
    declared
        .and_then(|d| {
            ATTACHMENT_CONTENT_TYPES
                .iter()
                .copied()
                .find(|t| t.eq_ignore_ascii_case(d))
        })
        .ok_or_else(unsupported)
}

/// 415 for a media type other than PDF, PNG, JPEG or WebP.
pub fn unsupported() -> ApiError {
    ApiError::Framework {
        status: actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        code: "unsupported_media_type",
    }
}

/// 413 for a file over the limit.
pub fn too_large() -> ApiError {
    ApiError::Framework {
        status: actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
        code: "payload_too_large",
    }
}

/// A file name is one line of 1 to 200 characters, without path separators (422 on
/// `file_name` otherwise).
pub fn check_file_name(name: &str) -> Result<(), ApiError> {
    let invalid = |code: &str, message: &str| Err(ApiError::validation("file_name", code, message));
    let length = name.chars().count();
    if !(1..=200).contains(&length) {
        return invalid("length", "has 1 to 200 characters");
    }
    if madar_openapi::validate::safe_line(name).is_err() || name.contains(['\n', '\r', '\t']) {
        return invalid("forbidden_character", "is one line of visible characters");
    }
    if name.contains(['/', '\\']) || name == "." || name == ".." {
        return invalid("path", "is a file name, not a path");
    }
    Ok(())
}

/// SHA-256 of the contents, in lower-case hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// RFC 5987 `attr-char`s stay as they are; every other byte is percent-encoded.
const ATTR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `Content-Disposition` of a download: an ASCII fallback name and the exact name in UTF-8.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_. ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn the_first_bytes_must_match_the_declared_type() {
        assert_eq!(
            check_contents(Some("application/pdf"), PDF).ok(),
            Some("application/pdf")
        );
        assert_eq!(
            check_contents(Some("IMAGE/PNG"), PNG).ok(),
            Some("image/png")
        );
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some("image/jpeg"));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        assert!(matches!(
            check_contents(Some("image/png"), PDF),
            Err(ApiError::Unprocessable {
                code: "content_mismatch",
                ..
            })
        ));
        assert!(matches!(
            check_contents(Some("application/pdf"), b""),
            Err(ApiError::Unprocessable {
                code: "content_mismatch",
                ..
            })
        ));
        for declared in [None, Some("text/html"), Some("image/svg+xml")] {
            assert!(matches!(
                check_contents(declared, PDF),
                Err(ApiError::Framework {
                    code: "unsupported_media_type",
                    ..
                })
            ));
        }
        let mut big = PDF.to_vec();
        big.resize(ATTACHMENT_MAX_BYTES + 1, 0);
        assert!(matches!(
            check_contents(Some("application/pdf"), &big),
            Err(ApiError::Framework {
                code: "payload_too_large",
                ..
            })
        ));
        big.truncate(ATTACHMENT_MAX_BYTES);
        assert!(check_contents(Some("application/pdf"), &big).is_ok());
    }

    #[test]
    fn a_file_name_is_one_line_without_path() {
        assert!(check_file_name("شهادة طبية.pdf").is_ok());
        assert!(check_file_name(&"a".repeat(200)).is_ok());
        for bad in [
            "",
            "  ",
            "a\nb",
            "../etc/passwd",
            "C:\\x.pdf",
            "..",
            "a\u{202E}fdp.exe",
        ] {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_file_name(&"a".repeat(201)).is_err());
    }

    #[test]
    fn a_download_names_the_file_in_ascii_and_utf8() {
        assert_eq!(
            content_disposition("décision 1.pdf"),
            "attachment; filename=\"d_cision 1.pdf\"; filename*=UTF-8''d%C3%A9cision%201.pdf"
        );
        assert_eq!(sha256(b"abc").len(), 64);
    }
}
