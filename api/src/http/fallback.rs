//! What answers when no route matched: 405 with `Allow` for a known path with another method,
//! a problem 404 under `/api`, and the web client's `index.html` for deep links.
use actix_web::{http::Method, web, HttpRequest, HttpResponse};

use crate::error::ApiError;

/// Every API path template with its methods, taken from the OpenAPI document.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> RouteTable {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_string).collect();
                let mut methods = Vec::new();
                let ops = [
                    ("GET", &item.get),
                    ("POST", &item.post),
                    ("PUT", &item.put),
                    ("PATCH", &item.patch),
                    ("DELETE", &item.delete),
                ];
                for (name, op) in ops {
                    if op.is_some() {
                        methods.push(name.to_string());
                    }
                }
                (segments, methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods allowed on a concrete path, if it matches a template.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .find(|(template, _)| {
                template.len() == parts.len()
                    && template
                        .iter()
                        .zip(&parts)
                        .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
            })
            .map(|(_, methods)| methods.clone())
    }
}

pub async fn not_matched(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if let Some(mut methods) = table.allowed(path) {
        if !methods.is_empty() {
            if methods.iter().any(|m| m == "GET") {
                methods.push("HEAD".into());
            }
            return Err(ApiError::MethodNotAllowed {
                allow: methods.join(", "),
            });
        }
    }
    let is_page = req.method() == Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/docs")
        && !path.rsplit('/').next().unwrap_or("").contains('.');
    if is_page {
        if let Some(state) = req.app_data::<web::Data<crate::state::AppState>>() {
            let index = state.settings.client_dir.join("index.html");
            if let Ok(Ok(html)) = web::block(move || std::fs::read(index)).await {
                return Ok(HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body(html));
            }
        }
    }
    Err(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_concrete_paths() {
        let table = RouteTable {
            routes: vec![
                (
                    vec!["".into(), "api".into(), "users".into(), "{id}".into()],
                    vec!["GET".into(), "PATCH".into()],
                ),
                (
                    vec!["".into(), "api".into(), "users".into()],
                    vec!["GET".into()],
                ),
            ],
        };
        assert_eq!(
            table.allowed("/api/users/42"),
            Some(vec!["GET".into(), "PATCH".into()])
        );
        assert_eq!(table.allowed("/api/users"), Some(vec!["GET".into()]));
        assert_eq!(table.allowed("/api/users/42/x"), None);
        assert_eq!(table.allowed("/api/users/"), None);
    }
}
