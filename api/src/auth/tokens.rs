//! Access tokens (JWT, HS256, 15 minutes) and refresh tokens (opaque, 12 hours, rotating).
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

pub const ISSUER: &str = "madar";
pub const AUDIENCE: &str = "madar-api";
/// RFC 9068's media type for access tokens, checked so that no other JWT signed with the same
/// key can pass for one.
pub const TOKEN_TYPE: &str = "at+jwt";
pub const ACCESS_TTL: TimeDelta = TimeDelta::minutes(15);
pub const REFRESH_TTL: TimeDelta = TimeDelta::hours(12);
/// Two tabs refreshing at once: a rotated token reused this soon gets the same new pair.
pub const REFRESH_GRACE: TimeDelta = TimeDelta::seconds(30);

/// Who a token was issued to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    User,
    Client,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub sub_kind: Subject,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// Signs and checks tokens with one secret.
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    secret: Vec<u8>,
}

impl Keys {
    pub fn new(secret: &[u8]) -> Keys {
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            secret: secret.to_vec(),
        }
    }

    /// An access token for `sub`, issued at `iat`. The same inputs give the same token.
    pub fn access_token(
        &self,
        sub_kind: Subject,
        sub: &str,
        iat: DateTime<Utc>,
        jti: &str,
    ) -> Result<String, ApiError> {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: sub.into(),
            sub_kind,
            iat: iat.timestamp(),
            exp: (iat + ACCESS_TTL).timestamp(),
            jti: jti.into(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some(TOKEN_TYPE.into());
        jsonwebtoken::encode(&header, &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(e.into()))
    }

    /// Checks signature, algorithm, type, issuer, audience and times (against Madar's clock).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, ApiError> {
        let invalid = ApiError::Unauthorized {
            code: "invalid_token",
        };
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Expiry is checked below against the Clock, which tests can move.
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| invalid)?;
        if data.header.typ.as_deref() != Some(TOKEN_TYPE) || data.claims.jti.is_empty() {
            return Err(ApiError::Unauthorized {
                code: "invalid_token",
            });
        }
        let now = now.timestamp();
        if data.claims.exp <= now {
            return Err(ApiError::Unauthorized {
                code: "token_expired",
            });
        }
        if data.claims.iat > now + 60 {
            return Err(ApiError::Unauthorized {
                code: "invalid_token",
            });
        }
        Ok(data.claims)
    }

    /// The refresh token that follows `token` in its family. Deriving it (instead of drawing a
    /// random one) lets a reuse within the grace period return the same pair without storing
    /// any token in clear.
    pub fn successor(&self, token: &str) -> Result<String, ApiError> {
        // HMAC takes keys of any length: this cannot fail, but an error is still an error.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("refresh key: {e}")))?;
        mac.update(b"madar refresh successor\0");
        mac.update(token.as_bytes());
        Ok(base64_url(&mac.finalize().into_bytes()))
    }
}

pub fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new random token of 256 bits.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64_url(&bytes)
}

/// How refresh tokens are stored: SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A token id derived from a refresh token, so a replayed rotation gives the same access token.
pub fn jti_for(refresh_token: &str) -> String {
    hex::encode(&Sha256::digest(format!("jti:{refresh_token}").as_bytes())[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::new(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn a_fresh_token_verifies_and_an_old_one_expires() {
        let now = Utc::now();
        let token = keys().access_token(Subject::User, "u1", now, "j1").unwrap();
        assert_eq!(keys().verify(&token, now).unwrap().sub, "u1");
        let later = now + ACCESS_TTL + TimeDelta::seconds(1);
        assert!(matches!(
            keys().verify(&token, later),
            Err(ApiError::Unauthorized {
                code: "token_expired"
            })
        ));
    }

    #[test]
    fn another_key_or_a_tampered_token_is_refused() {
        let now = Utc::now();
        let token = keys().access_token(Subject::User, "u1", now, "j1").unwrap();
        assert!(Keys::new(b"another secret of enough length!!")
            .verify(&token, now)
            .is_err());
        let mut tampered = token.clone();
        tampered.insert(tampered.len() - 3, 'x');
        assert!(keys().verify(&tampered, now).is_err());
    }

    #[test]
    fn the_same_token_derives_the_same_successor() {
        let t = random_token();
        assert_eq!(keys().successor(&t).unwrap(), keys().successor(&t).unwrap());
        assert_ne!(keys().successor(&t).unwrap(), t);
        assert_eq!(token_hash("a").len(), 64);
    }
}
