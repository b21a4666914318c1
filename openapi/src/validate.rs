//! Validation rules shared by request bodies.
use validator::ValidationError;

/// Characters no text field may hold: C0/C1 controls (tab and newline excepted in free text)
/// and the bidi overrides/isolates that can disguise text (U+202A–U+202E, U+2066–U+2069).
/// The marks U+200E/U+200F stay allowed: Arabic text uses them.
fn is_forbidden(c: char, allow_newlines: bool) -> bool {
    if allow_newlines && (c == '\n' || c == '\t' || c == '\r') {
        return false;
    }
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Reads a field that may be absent (`None`: unchanged), `null` (`Some(None)`: cleared) or a
/// value (`Some(Some(v))`); use with `#[serde(default, deserialize_with = "…")]`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// A one-line text: no control or bidi-override characters, not blank.
pub fn safe_line(value: &str) -> Result<(), ValidationError> {
    if value.chars().any(|c| is_forbidden(c, false)) {
        return Err(ValidationError::new("forbidden_character"));
    }
    if value.trim().is_empty() {
        return Err(ValidationError::new("blank"));
    }
    Ok(())
}

/// A code as used across Madar (`MA-04`, `141-01`, `support_centre`, `casa-anfa-cape`):
/// ASCII letters, digits, `_` and `-`.
pub fn code(value: &str) -> Result<(), ValidationError> {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Ok(())
    } else {
        Err(ValidationError::new("invalid_code"))
    }
}

/// Free text (a narrative, a note): newlines and tabs allowed, other controls and the bidi
/// overrides refused.
pub fn free_text(value: &str) -> Result<(), ValidationError> {
    if value.chars().any(|c| is_forbidden(c, true)) {
        return Err(ValidationError::new("forbidden_character"));
    }
    if value.trim().is_empty() {
        return Err(ValidationError::new("blank"));
    }
    Ok(())
}

/// A phone number as people write it: digits, spaces, `+`, `-`, parentheses; 3 to 32 of them.
pub fn phone(value: &str) -> Result<(), ValidationError> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if digits >= 3
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c))
    {
        Ok(())
    } else {
        Err(ValidationError::new("invalid_phone"))
    }
}

/// A password: long enough (checked by `length`) and free of control characters.
pub fn password(value: &str) -> Result<(), ValidationError> {
    if value.chars().any(|c| c.is_control()) {
        return Err(ValidationError::new("forbidden_character"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_with_direction_marks_is_a_safe_line() {
        assert!(safe_line("مركز\u{200F} الرباط").is_ok());
    }

    #[test]
    fn bidi_overrides_nul_and_blank_are_refused() {
        assert!(safe_line("abc\u{202E}def").is_err());
        assert!(safe_line("abc\u{2067}").is_err());
        assert!(safe_line("a\0b").is_err());
        assert!(safe_line("   ").is_err());
    }

    #[test]
    fn free_text_keeps_lines_but_not_controls() {
        assert!(free_text("سطر\nسطر آخر\tو").is_ok());
        assert!(free_text("a\u{202E}b").is_err());
        assert!(free_text("a\u{7}b").is_err());
    }

    #[test]
    fn phones_are_digits_and_punctuation() {
        assert!(phone("+212 6 12-34-56-78").is_ok());
        assert!(phone("2511").is_ok());
        assert!(phone("12").is_err());
        assert!(phone("call me").is_err());
    }

    #[test]
    fn codes_are_ascii_words() {
        assert!(code("141-01").is_ok());
        assert!(code("support_centre").is_ok());
        assert!(code("a b").is_err());
        assert!(code("").is_err());
        assert!(code("é").is_err());
    }
}
