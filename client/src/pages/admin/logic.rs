//! What the administration forms share without the browser (tested on the host): field errors
//! by contract path, the contract's own checks of a request, and generated passwords. Each
//! resource's form as typed, and the requests made from it, are in its `draft` module.
use validator::Validate;

use crate::pages::new_report::form::flatten;

/// `(contract path, error code)` of each invalid field: `("email", "email")`,
/// `("labels.ar", "required")`.
pub type FieldErrors = Vec<(String, String)>;

/// The code of the first error on `path`.
pub fn error_on<'a>(errors: &'a FieldErrors, path: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, c)| c.as_str())
}

/// The contract's own checks of a request, as field errors.
pub fn checked<T: Validate>(request: T, mut errors: FieldErrors) -> Result<T, FieldErrors> {
    if let Err(found) = request.validate() {
        flatten(&found, "", &mut errors);
    }
    if errors.is_empty() {
        Ok(request)
    } else {
        Err(errors)
    }
}

/// `required` on each blank field: plainer than the contract's `length` for an empty one (the
/// first error of a field is the one shown).
pub fn blanks(errors: &mut FieldErrors, fields: &[(&str, &str)]) {
    for (path, value) in fields {
        if value.trim().is_empty() {
            errors.push(((*path).into(), "required".into()));
        }
    }
}

/// Letters and digits that cannot be misread for one another (no 0/O, 1/l/I).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A password of 16 characters in groups of four (`abcd-EFGH-2345-jkmn`) from random bytes,
/// each drawn without bias; `None` when the bytes run out first.
pub fn password_from(bytes: &[u8]) -> Option<String> {
    // The largest multiple of the alphabet's size below 256: bytes above it are skipped.
    let limit = 256 - 256 % ALPHABET.len();
    let mut picked = bytes
        .iter()
        .filter(|b| usize::from(**b) < limit)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    let mut out = String::new();
    for group in 0..4 {
        if group > 0 {
            out.push('-');
        }
        for _ in 0..4 {
            out.push(picked.next()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_enough_and_unambiguous() {
        let bytes: Vec<u8> = (0..=255).collect();
        let password = password_from(&bytes).expect("enough bytes");
        assert_eq!(password.len(), 19);
        assert_eq!(password.matches('-').count(), 3);
        assert!(!password.contains(['0', 'O', '1', 'l', 'I']));
        // Bytes past the last multiple of the alphabet's size are skipped, not folded.
        assert_eq!(password_from(&[255; 64]), None);
        assert_eq!(password_from(&[0; 15]), None);
    }
}
