//! Password and secret hashing: argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1).
//! Hashing is the most expensive thing a request can do, so it runs off the request workers
//! with its own bounded concurrency: a login flood cannot starve case reads.
use std::sync::Arc;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::ApiError;

fn argon2() -> anyhow::Result<Argon2<'static>> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a secret into a PHC string.
pub fn hash(secret: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// Checks a secret against a PHC string; a malformed hash never matches.
pub fn verify(secret: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    argon2()
        .map(|a| a.verify_password(secret.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Runs hashing work on the blocking pool, at most `permits` at a time.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// Verified against when an email is unknown, so timing does not tell whether it exists.
    dummy: Arc<String>,
}

impl Hasher {
    pub fn new(permits: usize) -> anyhow::Result<Hasher> {
        Ok(Hasher {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            dummy: Arc::new(hash("madar-dummy-password")?),
        })
    }

    pub async fn hash(&self, secret: String) -> Result<String, ApiError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(ApiError::unavailable)?;
        Ok(actix_web::web::block(move || hash(&secret)).await??)
    }

    /// Verifies `secret` against `phc`, or against a dummy hash when there is none.
    pub async fn verify(&self, secret: String, phc: Option<String>) -> Result<bool, ApiError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(ApiError::unavailable)?;
        let exists = phc.is_some();
        let phc = phc.unwrap_or_else(|| self.dummy.as_ref().clone());
        let ok = actix_web::web::block(move || verify(&secret, &phc)).await?;
        Ok(ok && exists)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_hash_verifies_its_secret_only() {
        let phc = super::hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(super::verify("correct horse battery", &phc));
        assert!(!super::verify("wrong horse battery", &phc));
        assert!(!super::verify("x", "not a hash"));
    }
}
