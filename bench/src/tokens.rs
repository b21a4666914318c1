//! Access tokens minted with the server's secret, exactly as `madar`'s `Keys::access_token`
//! makes them (HS256, `typ: at+jwt`, issuer `madar`, audience `madar-api`, 15 minutes), so that
//! no virtual user has to log in (logins are rate-limited).
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    sub_kind: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
}

/// Who a token is for: a user or an API client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Client,
}

pub struct Minter {
    key: EncodingKey,
}

impl Minter {
    pub fn new(secret: &str) -> Minter {
        Minter {
            key: EncodingKey::from_secret(secret.as_bytes()),
        }
    }

    /// A bearer token for `sub`, valid 15 minutes from now.
    pub fn token(&self, kind: Kind, sub: &str) -> anyhow::Result<String> {
        let iat = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: "madar",
            aud: "madar-api",
            sub,
            sub_kind: match kind {
                Kind::User => "user",
                Kind::Client => "client",
            },
            iat,
            exp: iat + 15 * 60,
            jti: uuid::Uuid::new_v4().simple().to_string(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some("at+jwt".into());
        Ok(jsonwebtoken::encode(&header, &claims, &self.key)?)
    }
}
