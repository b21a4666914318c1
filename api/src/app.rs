//! The HTTP application: routes, middleware, docs, metrics, the web client, and the server.
use std::time::Duration;

use actix_web::middleware::{from_fn, Compress};
use actix_web::{guard, web, App, HttpResponse, HttpServer};
use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use prometheus::{IntGauge, Registry};
use utoipa::OpenApi;
use utoipa_actix_web::{scope, service_config::ServiceConfig, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::api_doc::ApiDoc;
use crate::error::ApiError;
use crate::http::fallback::{not_matched, RouteTable};
use crate::http::middleware::request_context;
use crate::state::AppState;
use crate::{
    audit, auth, cases, children, clients, health, organizations, reference, reports, users,
};

/// Every operation of `/api/v1`. Registering through utoipa-actix-web puts each one in the
/// OpenAPI document; a handler without `#[utoipa::path]` does not compile here.
fn api_routes(cfg: &mut ServiceConfig) {
    cfg.service(auth::handlers::login)
        .service(auth::handlers::refresh)
        .service(auth::handlers::logout)
        .service(auth::handlers::issue_token)
        .service(users::me::get_me)
        .service(users::me::update_me)
        .service(users::handlers::list_users)
        .service(users::handlers::create_user)
        .service(users::handlers::get_user)
        .service(users::handlers::update_user)
        .service(users::handlers::delete_user)
        .service(organizations::handlers::list_organizations)
        .service(organizations::handlers::create_organization)
        .service(organizations::handlers::get_organization)
        .service(organizations::handlers::update_organization)
        .service(organizations::handlers::delete_organization)
        .service(clients::handlers::list_clients)
        .service(clients::handlers::create_client)
        .service(clients::handlers::get_client)
        .service(clients::handlers::update_client)
        .service(clients::handlers::rotate_client_secret)
        .service(clients::handlers::delete_client)
        .service(reference::handlers::list_territories)
        .service(reference::handlers::get_territory)
        .service(reference::handlers::update_territory)
        .service(reference::handlers::list_reference_lists)
        .service(reference::handlers::get_reference_list)
        .service(audit::handlers::verify_audit_chain)
        .service(audit::handlers::list_audit_events)
        .service(reports::handlers::create_report)
        .service(reports::handlers::list_reports)
        .service(reports::handlers::get_report)
        .service(reports::screening::screen_report)
        // `matches` before `{id}`, which would take it for an id.
        .service(children::matches::match_children)
        .service(children::handlers::create_child)
        .service(children::handlers::list_children)
        .service(children::handlers::get_child)
        .service(children::merge::merge_child)
        .service(children::merge::undo_merge)
        .service(children::merge::list_merges)
        .service(children::access_log::get_child_access_log)
        .service(children::export::export_child)
        .service(children::handlers::update_child)
        .service(children::consent_handlers::create_consent)
        .service(children::consent_handlers::list_consents)
        .service(children::consent_handlers::withdraw_consent)
        .service(children::family::list_guardians)
        .service(children::family::create_guardian)
        .service(children::family::update_guardian)
        .service(children::family::delete_guardian)
        .service(children::family::list_siblings)
        .service(children::family::create_sibling)
        .service(children::family::delete_sibling)
        .configure(cases::routes)
        .configure(crate::services::routes)
        .configure(crate::placements::routes)
        .configure(crate::referrals::routes)
        .configure(crate::plans::routes)
        .configure(crate::programme::routes)
        .configure(crate::protocols::routes)
        .configure(crate::statistics::routes)
        .configure(crate::events::routes)
        .configure(crate::webhooks::routes)
        .configure(crate::access::routes)
        .configure(crate::diagnostics::routes);
}

/// Everything the OpenAPI document describes: `/api/v1` and the health checks.
fn documented_routes(cfg: &mut ServiceConfig) {
    cfg.service(scope::scope("/api/v1").configure(api_routes))
        .service(health::healthz)
        .service(health::readyz);
}

/// The OpenAPI document, as served and as `madar openapi` prints it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(documented_routes)
        .split_for_parts();
    doc
}

fn metrics(pool_in_use: IntGauge) -> anyhow::Result<PrometheusMetrics> {
    let registry = Registry::new();
    registry.register(Box::new(pool_in_use))?;
    PrometheusMetricsBuilder::new("madar")
        .registry(registry)
        .endpoint("/metrics")
        .mask_unmatched_patterns("UNMATCHED")
        .build()
        .map_err(|e| anyhow::anyhow!("metrics: {e}"))
}

fn query_error(
    e: actix_web::error::QueryPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    let message = e.to_string();
    ApiError::validation(
        "query",
        "invalid_value",
        message.split(" at line ").next().unwrap_or(""),
    )
    .into()
}

fn path_error(_: actix_web::error::PathError, _: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::NotFound.into()
}

pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let doc = openapi();
    let routes = web::Data::new(RouteTable::from_openapi(&doc));
    let pool_in_use = IntGauge::new(
        "madar_db_pool_connections_in_use",
        "Database connections checked out of the pool",
    )?;
    let metrics = metrics(pool_in_use.clone())?;
    let settings = state.settings.clone();
    let (pool, clock) = (state.pool.clone(), state.clock.clone());
    let keys = state.data_keys.clone();
    let webhook_keys = state.data_keys.clone();
    let webhook_allow_private = state.settings.webhook_allow_private;
    let keep_idempotency_keys = state.settings.retention.idempotency();
    crate::statistics::tally::set_enabled(state.settings.statistics_tallies);
    let state = web::Data::new(state);
    let bind = settings.bind.clone();
    let backend = crate::db::Backend::of(&settings.database_url).name();
    let server = HttpServer::new(move || {
        let pool = state.pool.clone();
        let gauge = pool_in_use.clone();
        let cors = cors(&settings.cors_origins);
        let (app, _) = App::new()
            .app_data(state.clone())
            .app_data(routes.clone())
            .app_data(web::PayloadConfig::new(crate::http::BODY_LIMIT))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .wrap(metrics.clone())
            .wrap(cors)
            .wrap(Compress::default())
            .wrap(from_fn(request_context))
            .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", doc.clone()))
            // Before the `/api/v1` scope, which would otherwise answer for this path.
            .configure(|cfg| {
                if settings.is_development() {
                    cfg.route(
                        "/api/v1/dev/clock",
                        web::post().to(crate::dev::advance_clock),
                    );
                }
            })
            .wrap_fn(move |req, srv| {
                if req.path() == "/metrics" {
                    let s = pool.state();
                    gauge.set(i64::from(s.connections - s.idle_connections));
                }
                actix_web::dev::Service::call(srv, req)
            })
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .configure(documented_routes)
            .split_for_parts();
        let mut app = app.route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("location", "/docs/"))
                    .finish()
            }),
        );
        if settings.client_dir.is_dir() {
            app = app.route(
                "/assets/{hash}/{file}",
                web::get().to(crate::http::assets::asset),
            );
            app = app.service(
                actix_files::Files::new("/", &settings.client_dir)
                    .index_file("index.html")
                    .guard(guard::Get())
                    .default_handler(web::to(not_matched)),
            );
        }
        app.default_service(web::to(not_matched))
    })
    .client_request_timeout(Duration::from_secs(10))
    .shutdown_timeout(30)
    .bind(&bind)?;
    for address in server.addrs() {
        tracing::info!(address = %address, database = backend, "madar listening on http://{address}");
    }
    crate::idempotency::spawn_purger(pool.clone(), clock.clone(), keep_idempotency_keys);
    crate::referrals::expiry::spawn(pool.clone(), clock.clone(), keys);
    crate::protocols::worker::spawn(pool.clone(), clock.clone());
    crate::statistics::tally::spawn(pool.clone());
    crate::webhooks::worker::spawn(
        pool.clone(),
        clock.clone(),
        webhook_keys,
        webhook_allow_private,
    );
    server.run().await?;
    tracing::info!("madar stopped");
    Ok(())
}

/// CORS is closed unless `MADAR_CORS_ORIGINS` names origins.
fn cors(origins: &[String]) -> actix_web::middleware::Condition<actix_cors::Cors> {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "idempotency-key",
            "x-request-id",
        ])
        .expose_headers(["etag", "location", "retry-after", "x-request-id"])
        .max_age(600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    actix_web::middleware::Condition::new(!origins.is_empty(), cors)
}
