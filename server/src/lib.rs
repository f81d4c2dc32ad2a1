//! The `anxin` server: configuration, start-up, the HTTP stack and background jobs.
//! It wires things together and holds no business rule.

mod body_limit;
mod calendar;
mod case_files;
mod case_stats_csv;
mod claim_files;
mod client_ip;
mod cross_site;
pub mod jobs;
mod outage;
mod refusal;
mod security_headers;
mod server_fns;
mod staff_download;
pub mod static_files;
mod survey_export;

use app::backend::{AppState, ClientIp, Clock, Config, Db, RequestId};
use app::model::Permission;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list_with_exclusions, LeptosRoutes};
use std::net::SocketAddr;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Connects, migrates and (when asked and empty) fills the database with demo data.
pub async fn prepare(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    let db = Db::connect(&config.database_url, config.db).await?;
    if db.read_only {
        let msg = "the database is read-only: pages can be read, but every change (signing \
                   in included) is answered with 503 until the file is writable and the \
                   server restarted";
        tracing::error!("{msg}");
        eprintln!("anxin: {msg}");
    }
    db.migrate().await.map_err(|e| {
        if db.read_only {
            e.context("the database is read-only and needs migrating: open it read-write once")
        } else {
            e
        }
    })?;
    let demo = config.demo_if_empty && !db.read_only;
    let state = AppState::new(db, config, clock)?;
    if demo && state.db.is_empty().await? {
        let summary = app::backend::demo::generate(&state, app::backend::demo::DEMO_SEED).await?;
        tracing::info!(
            customers = summary.customers,
            policies = summary.policies,
            "demo data created"
        );
    }
    Ok(state)
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("anxin")
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .hash_files(app::assets::Assets::get().hashed)
        .env(leptos::config::Env::PROD)
        .site_addr(
            config
                .addr
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 3000))),
        )
        .build()
}

#[derive(Clone)]
struct ServerState {
    leptos_options: LeptosOptions,
    app: AppState,
}

impl axum::extract::FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos_options.clone()
    }
}

impl axum::extract::FromRef<ServerState> for AppState {
    fn from_ref(s: &ServerState) -> Self {
        s.app.clone()
    }
}

/// Who a route outside Leptos is for. The access sweep (`server/tests/api/access.rs`)
/// reads `PLAIN_ROUTES`; server functions (`/api/…`) and pages are swept from their own
/// registries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, signed in or not; it shows nothing personal.
    Anyone,
    /// Our providers' servers: a POST whose body carries our HMAC signature.
    SignedWebhook,
    /// People signed in (or by a short link): the handler reads the request's `Caller`
    /// and refuses whoever may not. Multipart uploads, up to `body_limit::UPLOADS`.
    Caller,
    /// The signed-in customer (or staff viewing as them), for one of their own things
    /// (`{id}` in the path): anyone else's is a 404, nobody's the login page.
    Customer,
    /// Staff with this permission: staff without it get a 404, anyone else the staff
    /// sign-in page. Reads only.
    Staff(Permission),
}

pub struct PlainRoute {
    pub path: &'static str,
    pub audience: Audience,
}

/// Every route outside Leptos, and who it is for. The router is built from this table.
pub const PLAIN_ROUTES: &[PlainRoute] = &[
    PlainRoute {
        path: "/health",
        audience: Audience::Anyone,
    },
    PlainRoute {
        path: "/health/live",
        audience: Audience::Anyone,
    },
    PlainRoute {
        path: "/health/ready",
        audience: Audience::Anyone,
    },
    PlainRoute {
        path: "/webhooks/payments",
        audience: Audience::SignedWebhook,
    },
    PlainRoute {
        path: "/webhooks/sms",
        audience: Audience::SignedWebhook,
    },
    PlainRoute {
        path: "/claims/report",
        audience: Audience::Caller,
    },
    PlainRoute {
        path: "/claims/{claim}/documents/{document}",
        audience: Audience::Caller,
    },
    PlainRoute {
        path: "/claims/{claim}/files/{file}",
        audience: Audience::Caller,
    },
    PlainRoute {
        path: app::api::cases::OPEN_PATH,
        audience: Audience::Caller,
    },
    PlainRoute {
        path: "/cases/{case}/reply",
        audience: Audience::Caller,
    },
    PlainRoute {
        path: "/cases/{case}/files/{file}",
        audience: Audience::Caller,
    },
    PlainRoute {
        path: "/bookings/{id}/calendar.ics",
        audience: Audience::Customer,
    },
    PlainRoute {
        path: app::api::surveys::STAFF_SURVEYS_CSV,
        audience: Audience::Staff(Permission::SurveyResults),
    },
    PlainRoute {
        path: app::api::case_stats::STAFF_CASE_STATS_CSV,
        audience: Audience::Staff(Permission::CaseStatistics),
    },
];

fn plain_handler(path: &str) -> axum::routing::MethodRouter<ServerState> {
    match path {
        "/health" | "/health/ready" => get(outage::ready),
        "/health/live" => get(outage::live),
        "/webhooks/payments" => axum::routing::post(payment_webhook),
        "/webhooks/sms" => axum::routing::post(sms_webhook),
        "/claims/report" => axum::routing::post(claim_files::report),
        "/claims/{claim}/documents/{document}" => axum::routing::post(claim_files::upload),
        "/claims/{claim}/files/{file}" => get(claim_files::download),
        app::api::cases::OPEN_PATH => axum::routing::post(case_files::open),
        "/cases/{case}/reply" => axum::routing::post(case_files::reply),
        "/cases/{case}/files/{file}" => get(case_files::download),
        "/bookings/{id}/calendar.ics" => get(calendar::booking_ics),
        app::api::surveys::STAFF_SURVEYS_CSV => get(survey_export::answers_csv),
        app::api::case_stats::STAFF_CASE_STATS_CSV => get(case_stats_csv::cases_csv),
        // A table entry without a handler: caught by every test, at start.
        other => unreachable!("no handler for plain route {other}"),
    }
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let options = leptos_options(&state.config);
    // Server functions are served by our own `/api/…` route (with its body limit and
    // error pages), not by the one leptos_axum would add for each.
    let server_fn_paths = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    let routes = generate_route_list_with_exclusions(app::App, Some(server_fn_paths));
    let server_state = ServerState {
        leptos_options: options.clone(),
        app: state.clone(),
    };
    let ours = cross_site::OurOrigin::from_public_url(&state.config.public_url);
    let headers = security_headers::Settings {
        hsts: state.config.public_url.starts_with("https://"),
    };
    let hops = trust_proxy();
    let ctx_state = state.clone();
    let provide = move || {
        provide_context(ctx_state.clone());
        provide_request_nonce();
    };
    let api_provide = provide.clone();
    let api_origin = ours.clone();

    // Each group of routes has its own body limit.
    let server_fns = Router::new()
        .route(
            "/api/{*fn_name}",
            axum::routing::post(move |req: Request| {
                server_fns::handle(api_provide.clone(), api_origin.clone(), req)
            }),
        )
        .layer(axum::middleware::from_fn_with_state(
            body_limit::FORMS,
            body_limit::refuse_larger,
        ));
    let plain = |audience: Audience| {
        PLAIN_ROUTES
            .iter()
            .filter(move |r| r.audience == audience)
            .fold(Router::new(), |router, r| {
                router.route(r.path, plain_handler(r.path))
            })
    };
    let webhooks = plain(Audience::SignedWebhook).layer(axum::middleware::from_fn_with_state(
        body_limit::WEBHOOKS,
        body_limit::refuse_larger,
    ));

    // Several files a form; the default 2 MB multipart limit of axum gives way to ours.
    let uploads = plain(Audience::Caller)
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            body_limit::UPLOADS,
            body_limit::refuse_larger,
        ));

    let staff = PLAIN_ROUTES
        .iter()
        .filter(|r| matches!(r.audience, Audience::Staff(_)))
        .fold(Router::new(), |router, r| {
            router.route(r.path, plain_handler(r.path))
        });

    let site = static_files::router(std::path::Path::new(&state.config.site_root));
    let app_routes = plain(Audience::Anyone)
        .merge(plain(Audience::Customer))
        .merge(staff)
        .merge(webhooks)
        .merge(uploads)
        .merge(server_fns)
        .leptos_routes_with_context(&server_state, routes, provide.clone(), {
            let options = options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(
            provide,
            app::shell,
        ))
        .with_state(server_state)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard_viewing))
        .layer(axum::middleware::from_fn_with_state(state.clone(), resolve_caller))
        .layer(axum::middleware::from_fn_with_state(state.clone(), outage::explain))
        .layer(axum::middleware::from_fn_with_state(hops, request_context))
        .layer(axum::middleware::from_fn_with_state(
            ours,
            cross_site::refuse_foreign,
        ))
        // Pages are compressed as they go out, at level 4: brotli's default (11) is for
        // files compressed once at build time and cost a signed-in page a third of its
        // throughput (measured: /policies 1,359 req/s without compression, 931 with br 11);
        // at 4 brotli is about as fast as gzip and still smaller.
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Precise(4)))
        .layer(SetResponseHeaderLayer::if_not_present(
            http::header::X_CONTENT_TYPE_OPTIONS,
            http::HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            http::header::REFERRER_POLICY,
            http::HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            http::header::X_FRAME_OPTIONS,
            http::HeaderValue::from_static("DENY"),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let rid = req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %rid)
        }))
        .layer(CatchPanicLayer::custom(panic_page))
        // Outside the panic catcher, so that the panic page gets them too.
        .layer(axum::middleware::from_fn_with_state(
            headers,
            security_headers::set,
        ))
        .layer(axum::middleware::from_fn(assign_request_id));
    site.merge(app_routes)
}

/// Hands Leptos the nonce the security headers put into the request, so that the
/// hydration scripts carry the one the Content-Security-Policy names.
fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<leptos::nonce::Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

/// A webhook's JSON body, if it carries a valid signature (our shared webhook secret).
/// A bad signature or body is a 400 and changes nothing.
fn signed_json<T: serde::de::DeserializeOwned>(
    state: &AppState,
    headers: &http::HeaderMap,
    body: &[u8],
    what: &str,
) -> Result<T, http::StatusCode> {
    let signature = headers
        .get("x-anxin-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !app::backend::adapters::payments::verify(&state.config.webhook_secret, body, signature) {
        tracing::warn!("{what} webhook with a bad signature refused");
        return Err(http::StatusCode::BAD_REQUEST);
    }
    serde_json::from_slice(body).map_err(|_| http::StatusCode::BAD_REQUEST)
}

/// The payment provider's callback. Replays are accepted and change nothing.
async fn payment_webhook(
    State(state): State<AppState>,
    headers: http::HeaderMap,
    body: axum::body::Bytes,
) -> http::StatusCode {
    use app::backend::adapters::payments::WebhookEvent;
    use app::backend::services::payments::{settle_from_webhook, SettleError};
    let event: WebhookEvent = match signed_json(&state, &headers, &body, "payment") {
        Ok(e) => e,
        Err(status) => return status,
    };
    match settle_from_webhook(&state, &event).await {
        Ok(_) => http::StatusCode::OK,
        Err(SettleError::Unknown) => http::StatusCode::NOT_FOUND,
        Err(SettleError::Internal(e)) => {
            tracing::error!(error = %e, "payment webhook failed");
            http::StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// Texts sent to our number (BDCX, LLCX, TJ, JY, T …): recorded once per message id and
/// answered through the outbox (`services::sms_replies`).
async fn sms_webhook(
    State(state): State<AppState>,
    headers: http::HeaderMap,
    body: axum::body::Bytes,
) -> http::StatusCode {
    use app::backend::adapters::sms::InboundSms;
    let sms: InboundSms = match signed_json(&state, &headers, &body, "SMS") {
        Ok(s) => s,
        Err(status) => return status,
    };
    match app::backend::services::sms_replies::answer(&state, &sms).await {
        Ok(_) => http::StatusCode::OK,
        Err(e) => {
            tracing::error!(error = %e, "SMS webhook failed");
            http::StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// The sandbox payment provider, calling back at the address we actually listen on,
/// and delivering the callbacks it still owed when the server last stopped.
pub fn sandbox_gateway(
    state: &AppState,
    addr: SocketAddr,
) -> app::backend::adapters::payments::SandboxGateway {
    let gateway = app::backend::adapters::payments::SandboxGateway::new(
        format!("http://{addr}/webhooks/payments"),
        state.config.webhook_secret.clone(),
        state.db.clone(),
    );
    gateway.resume_callbacks();
    gateway
}

async fn assign_request_id(mut req: Request, next: Next) -> Response {
    let rid = app::backend::ids::short_code(12);
    req.extensions_mut().insert(RequestId(rid.clone()));
    let mut res = next.run(req).await;
    if let Ok(v) = http::HeaderValue::from_str(&rid) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// Puts the caller's address into the request for rate limits and the audit log.
/// Behind `ANXIN_TRUST_PROXY=N` proxies it is the address the outermost of them saw.
async fn request_context(State(hops): State<usize>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = (hops > 0)
        .then(|| {
            let values: Vec<&str> = req
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            client_ip::forwarded_client(&values.join(","), hops)
        })
        .flatten();
    let ip = forwarded
        .or(peer)
        .map_or_else(|| "unknown".into(), limit_key);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// The address as limits count it: an IPv4 address (also when IPv4-mapped), or an IPv6
/// address's /64 network, which one customer line gets whole (rotating within it must not
/// reset the per-address limits).
fn limit_key(ip: std::net::IpAddr) -> String {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Decides who is asking, once per request (`app::backend::auth::Caller`), from the
/// session cookie. Built assets carry no personal data and skip the lookup; so do the
/// health checks, which must answer within their own time limit.
async fn resolve_caller(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    use app::backend::auth::{caller, session};
    let path = req.uri().path();
    // Health checks answer for the process and the database, whoever asks.
    let needs_caller =
        !path.starts_with("/pkg/") && path != "/health" && !path.starts_with("/health/");
    if needs_caller {
        let token = app::backend::cookie_value(req.headers(), session::COOKIE);
        let who = match caller::resolve(&state, token.as_deref()).await {
            Ok(c) => c,
            // Our fault, not the person's: they are told so, never to sign in again.
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return outage::response(req.headers(), req.uri().path());
            }
        };
        req.extensions_mut().insert(who);
    }
    next.run(req).await
}

/// Staff viewing as a customer: every request is judged and written to the audit log
/// before it runs (`app::backend::auth::viewing`); a change is refused with a 403, and so
/// is a page outside a limited view. If the log cannot be written, nothing runs.
async fn guard_viewing(State(state): State<AppState>, req: Request, next: Next) -> Response {
    use app::backend::auth::viewing::{self, RequestInfo, Verdict};
    use app::backend::auth::Caller;
    let Some(caller @ Caller::Impersonating { customer_id, .. }) = req.extensions().get::<Caller>()
    else {
        return next.run(req).await;
    };
    let ip = req
        .extensions()
        .get::<ClientIp>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let rid = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let info = RequestInfo {
        ip: &ip,
        request_id: &rid,
    };
    let verdict = viewing::guard(&state, caller, req.method(), req.uri().path(), info).await;
    let status = http::StatusCode::FORBIDDEN;
    match verdict {
        Ok(Verdict::Go) => next.run(req).await,
        Ok(Verdict::ReadOnly) => refusal::page(
            status,
            req.headers(),
            "console.read_only_title",
            "console.read_only",
        ),
        Ok(Verdict::OutsideLimit) => refusal::page_with_link(
            status,
            req.headers(),
            "console.limited_title",
            "console.limited",
            &app::api::console::customer_path(customer_id),
            "console.back_to_customer",
        ),
        Err(e) => {
            tracing::error!(error = %e, "audit log unavailable: request refused");
            outage::response(req.headers(), req.uri().path())
        }
    }
}

/// `ANXIN_TRUST_PROXY`, read once when the router is built. A value that is not a number
/// trusts no proxy (and says so): the peer address is never spoofable.
fn trust_proxy() -> usize {
    let setting = std::env::var("ANXIN_TRUST_PROXY").ok();
    client_ip::trusted_hops(setting.as_deref()).unwrap_or_else(|e| {
        tracing::error!("{e}; using the peer address");
        0
    })
}

/// A panic never shows a stack trace: a plain page in both languages, made once.
fn panic_page(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    static PAGE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>服务暂时不可用 · Service unavailable</title>\
             <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
             <link rel=\"stylesheet\" href=\"{}\"></head><body><main class=\"container\">\
             <section class=\"card narrow center\"><h1>服务暂时不可用</h1>\
             <p>系统暂时出了点问题，我们已经记录下来。请稍后再试。</p>\
             <p lang=\"en\">Something went wrong on our side and we have logged it. Please try again later.</p>\
             <a class=\"btn btn-primary\" href=\"/\">返回首页 · Home</a></section></main></body></html>",
            app::assets::Assets::get().stylesheet_href()
        )
    });
    tracing::error!("handler panicked");
    (http::StatusCode::INTERNAL_SERVER_ERROR, Html(PAGE.as_str())).into_response()
}

/// Keeps memory bounded under a login flood. glibc raises its mmap threshold after the
/// first large block is freed, so later 19 MiB argon2 blocks come from per-thread arenas
/// and stay resident: measured, 20 wrong passwords took the server from 45 MB to 454 MB.
/// A fixed threshold makes every block over 1 MiB its own mapping, returned when freed.
/// (`GLIBC_TUNABLES=glibc.malloc.trim_threshold=…` measured the trim setting: 1,764 →
/// 2,086 req/s on the policy list, on a busy machine.)
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called once, at start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
        // Fixing the mmap threshold also left the trim threshold at 128 KiB: the heap was
        // given back to the kernel and taken again request after request (page faults and
        // malloc_consolidate were a quarter of a page's CPU). Below 64 MiB of free heap,
        // keep it.
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    }
}

/// Serves until Ctrl-C / SIGTERM, with the background jobs running beside.
pub async fn serve(mut state: AppState) -> anyhow::Result<()> {
    let listener = listen(&state.config.addr, state.config.reuse_port).await?;
    let addr = listener.local_addr()?;
    match state.config.payment_gateway {
        app::backend::config::GatewayKind::Sandbox => {
            tracing::warn!("payments go through the sandbox gateway: nothing is charged");
            state.payments = std::sync::Arc::new(sandbox_gateway(&state, addr));
        }
    }
    let holder: std::sync::Arc<str> = app::backend::ids::short_code(12).into();
    let jobs = jobs::spawn_as(state.clone(), holder.clone());
    tracing::info!("listening on http://{addr}");
    println!("Anxin is serving on http://{addr}");
    let stop = std::sync::Arc::new(tokio::sync::Notify::new());
    let (stop_accepting, accepting) = tokio::sync::watch::channel(true);
    // Every answer goes out at once: with Nagle's algorithm a file sent as headers then
    // body waited for the client's delayed ACK, 40 ms a request (measured: 38 req/s on one
    // connection, 1,700 on 64). Through `tap_io` axum also gives handlers the peer's
    // `SocketAddr`, as it does for a plain `TcpListener`.
    let listener = axum::serve::ListenerExt::tap_io(
        Closable {
            inner: Some(listener),
            addr,
            accepting: accepting.clone(),
        },
        |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set");
            }
        },
    );
    let server = axum::serve(
        listener,
        router(state.clone())
            .layer(axum::middleware::from_fn_with_state(
                accepting,
                close_when_draining,
            ))
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown({
        let stop = stop.clone();
        async move { stop.notified().await }
    });
    let mut server = std::pin::pin!(std::future::IntoFuture::into_future(server));
    tokio::select! {
        ended = &mut server => ended?,
        () = shutdown_signal() => {
            // First the listening socket goes (the kernel hands what it queued for us to
            // another instance on the port); connections still open get their next answer
            // with `Connection: close`, so their clients reconnect elsewhere rather than
            // race a close. Then the rest is closed, letting requests in flight finish.
            tracing::info!("stopping: finishing the requests in flight");
            let _ = stop_accepting.send(false);
            // The server must be polled meanwhile: its accept loop is what closes the
            // listening socket (a plain sleep here left it open, and the connections the
            // kernel queued for it were reset at the end). It cannot end by itself: only
            // `stop` ends it.
            if let Ok(ended) = tokio::time::timeout(LINGER, &mut server).await {
                ended?;
            }
            stop.notify_one();
            if tokio::time::timeout(DRAIN, &mut server).await.is_err() {
                tracing::warn!("requests still running after {DRAIN:?} were cut off");
            }
        }
    }
    jobs.abort();
    // Another instance takes the jobs over at once rather than when the leases run out.
    match app::backend::store::job_leases::release_all(&state.db.pool, &holder).await {
        Ok(n) => tracing::info!(leases = n, "job leases released"),
        Err(e) => tracing::warn!(error = %e, "job leases not released; they run out by themselves"),
    }
    state.db.pool.close().await;
    Ok(())
}

/// The listening socket. With `reuse_port` several instances share the address and the
/// kernel spreads new connections over them, so instances restart one at a time while the
/// others serve (a rolling restart without a load balancer).
async fn listen(addr: &str, reuse_port: bool) -> anyhow::Result<tokio::net::TcpListener> {
    use anyhow::Context as _;
    if !reuse_port {
        return Ok(tokio::net::TcpListener::bind(addr).await?);
    }
    #[cfg(unix)]
    {
        let at = tokio::net::lookup_host(addr)
            .await?
            .next()
            .with_context(|| format!("ANXIN_ADDR {addr} names no address"))?;
        let socket = if at.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        socket.set_reuseport(true)?;
        socket.bind(at)?;
        // Connections the kernel queued for an instance that stops are reset unless it
        // hands them to another instance sharing the port (Linux 5.14+).
        if std::fs::read_to_string("/proc/sys/net/ipv4/tcp_migrate_req")
            .is_ok_and(|v| v.trim() == "0")
        {
            tracing::warn!(
                "ANXIN_REUSEPORT: net.ipv4.tcp_migrate_req is 0, so a restart resets the \
                 connections queued for the stopping instance; set it to 1"
            );
        }
        Ok(socket.listen(1024)?)
    }
    #[cfg(not(unix))]
    anyhow::bail!("ANXIN_REUSEPORT needs SO_REUSEPORT, which this system lacks")
}

/// The listening socket, until a shutdown closes it while the connections already open
/// are still served.
struct Closable {
    inner: Option<tokio::net::TcpListener>,
    addr: SocketAddr,
    accepting: tokio::sync::watch::Receiver<bool>,
}

impl axum::serve::Listener for Closable {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Some(listener) = &self.inner else {
                return std::future::pending().await;
            };
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(conn) => return conn,
                    // Out of file descriptors and the like: as axum does, wait and retry.
                    Err(e) => {
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                },
                changed = self.accepting.changed() => {
                    if changed.is_err() || !*self.accepting.borrow() {
                        self.inner = None;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr)
    }
}

/// Once the listening socket is closed, every answer closes its connection.
async fn close_when_draining(
    State(accepting): State<tokio::sync::watch::Receiver<bool>>,
    req: Request,
    next: Next,
) -> Response {
    let mut res = next.run(req).await;
    if !*accepting.borrow() {
        res.headers_mut().insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
    }
    res
}

/// How long a stopping instance keeps serving the connections already open (each answer
/// closing its connection) before it closes the idle ones.
const LINGER: std::time::Duration = std::time::Duration::from_secs(1);

/// How long requests in flight may take to finish once a shutdown is asked for.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(10);

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::limit_key;

    #[test]
    fn addresses_are_counted_by_line_not_by_rotating_suffix() {
        assert_eq!(limit_key("203.0.113.7".parse().unwrap()), "203.0.113.7");
        assert_eq!(
            limit_key("::ffff:203.0.113.7".parse().unwrap()),
            "203.0.113.7"
        );
        assert_eq!(
            limit_key("2001:db8:1:2:aaaa::1".parse().unwrap()),
            limit_key("2001:db8:1:2:bbbb::9".parse().unwrap())
        );
        assert_ne!(
            limit_key("2001:db8:1:2::1".parse().unwrap()),
            limit_key("2001:db8:1:3::1".parse().unwrap())
        );
    }
}
