//! The provincial report's print view and CSV: fetched with the token (no plain link can
//! carry it), turned into a Blob, then opened in a new tab or saved as a file.
use gloo_net::http::Method;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

use crate::api::{ApiError, Call};

/// What the report is fetched as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Csv,
}

impl Format {
    fn media_type(self) -> &'static str {
        match self {
            Format::Html => "text/html",
            Format::Csv => "text/csv",
        }
    }
}

/// `GET path` with `Accept` for the format → an object URL of its body, and the body.
pub async fn fetch_object_url(path: &str, format: Format) -> Result<(String, String), ApiError> {
    let response = Call::new(Method::GET, path)
        .accept(format.media_type())
        .send()
        .await?;
    let body = response.text().await.map_err(|_| ApiError::Decode)?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&body));
    let options = BlobPropertyBag::new();
    options.set_type(&format!("{};charset=utf-8", format.media_type()));
    let blob =
        Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|_| ApiError::Decode)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::Decode)?;
    Ok((url, body))
}

/// The text of a page's first `<style>` element.
pub fn style_of(html: &str) -> Option<&str> {
    let open = html.find("<style")?;
    let start = open + html[open..].find('>')? + 1;
    let end = start + html[start..].find("</style>")?;
    Some(&html[start..end])
}

/// Gives the page opened in `tab` its own style sheet. A page opened from a Blob inherits the
/// app's Content-Security-Policy, which refuses the report's inline `<style>`; a constructed
/// style sheet (CSSOM) is not an inline style, so the page looks as printed from the API.
pub async fn adopt_style(tab: &web_sys::Window, url: &str, css: &str) {
    use js_sys::{Array, Function, Reflect};
    use wasm_bindgen::JsValue;
    for _ in 0..100 {
        yew::platform::time::sleep(std::time::Duration::from_millis(100)).await;
        let Some(document) = tab.document() else {
            continue;
        };
        if document.url().ok().as_deref() != Some(url) || document.ready_state() == "loading" {
            continue;
        }
        let Ok(ctor) = Reflect::get(tab, &JsValue::from_str("CSSStyleSheet")) else {
            return;
        };
        let Ok(ctor) = ctor.dyn_into::<Function>() else {
            return;
        };
        let Ok(sheet) = Reflect::construct(&ctor, &Array::new()) else {
            return;
        };
        let Ok(replace) = Reflect::get(&sheet, &JsValue::from_str("replaceSync")) else {
            return;
        };
        let Ok(replace) = replace.dyn_into::<Function>() else {
            return;
        };
        if replace.call1(&sheet, &JsValue::from_str(css)).is_err() {
            return;
        }
        let _ = Reflect::set(
            &document,
            &JsValue::from_str("adoptedStyleSheets"),
            &Array::of1(&sheet),
        );
        return;
    }
}

/// Saves an object URL as a file named `name` (a click on a temporary `<a download>`).
pub fn save(url: &str, name: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<HtmlAnchorElement>().ok())
    else {
        return false;
    };
    anchor.set_href(url);
    anchor.set_download(name);
    anchor.click();
    true
}

/// Lets go of an object URL a while later (after the new tab or the download has read it).
pub fn revoke_later(url: String) {
    yew::platform::spawn_local(async move {
        yew::platform::time::sleep(std::time::Duration::from_secs(60)).await;
        let _ = Url::revoke_object_url(&url);
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_style_of_a_page() {
        let page = "<html><head><style nonce=\"x\">body{color:red}</style></head></html>";
        assert_eq!(super::style_of(page), Some("body{color:red}"));
        assert_eq!(super::style_of("<html></html>"), None);
    }
}
