//! Reading JSON text (API answers, locale files, the offline queue) into Rust types.
//!
//! In the browser the text goes through the browser's own parser (`JSON.parse`) and
//! serde-wasm-bindgen (already in the module through yew): serde_json's parser, monomorphized
//! for every contract type, cost about 34 KB more of the first load (Brotli). On the host, where
//! the unit tests run, serde_json reads it.
//!
//! The two read the same JSON alike, but serde-wasm-bindgen looks up only the fields a struct
//! declares: an answer's unknown fields are ignored even where the contract denies them (the
//! server checks what it receives; what it sends is its own contract).
use serde::de::DeserializeOwned;

/// `T` from a JSON text; `None` when the text is not JSON or not a `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    #[cfg(target_arch = "wasm32")]
    {
        let value = js_sys::JSON::parse(text).ok()?;
        serde_wasm_bindgen::from_value(value).ok()
    }
    #[cfg(not(target_arch = "wasm32"))]
    serde_json::from_str(text).ok()
}

/// `T` from JSON text in UTF-8 bytes, as [`from_str`].
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    from_str(std::str::from_utf8(bytes).ok()?)
}

/// A contract enum from its code (`"immediate"` → `RiskLevel::Immediate`), named as in JSON;
/// `None` for a code it does not have. Reads the bare string, without a JSON value around it.
pub fn code<T: DeserializeOwned>(code: &str) -> Option<T> {
    use serde::de::value::{Error, StrDeserializer};
    use serde::de::IntoDeserializer;
    let deserializer: StrDeserializer<'_, Error> = code.into_deserializer();
    T::deserialize(deserializer).ok()
}

#[cfg(test)]
mod tests {
    use madar_openapi::cases::RiskLevel;
    use madar_openapi::reports::ReportSource;

    use super::*;

    #[test]
    fn codes_read_as_in_json() {
        assert_eq!(code("immediate_danger"), Some(RiskLevel::ImmediateDanger));
        assert_eq!(code("hotline_2511"), Some(ReportSource::Hotline2511));
        assert_eq!(code::<RiskLevel>("ImmediateDanger"), None);
        assert_eq!(code::<RiskLevel>(""), None);
    }

    #[test]
    fn text_reads_as_json() {
        assert_eq!(
            from_str::<Vec<RiskLevel>>(r#"["low"]"#),
            Some(vec![RiskLevel::Low])
        );
        assert_eq!(from_str::<RiskLevel>("low"), None);
        assert_eq!(from_slice::<u16>(b"422"), Some(422));
        assert_eq!(from_slice::<u16>(&[0xff]), None);
    }
}
