//! Small pages for requests the HTTP layer refuses before any page or server function
//! runs (another site's form, a body too large, a form that could not be read): in the
//! language the person chose, in the site's style, with a way home.

use app::i18n::{t_in, Locale};
use axum::response::{Html, IntoResponse, Response};
use http::{HeaderMap, StatusCode};

pub fn page(
    status: StatusCode,
    request: &HeaderMap,
    title_key: &str,
    message_key: &str,
) -> Response {
    page_with_link(
        status,
        request,
        title_key,
        message_key,
        "/",
        "error.back_home",
    )
}

/// The same, with the way on leading to `href` (one of our own paths).
pub fn page_with_link(
    status: StatusCode,
    request: &HeaderMap,
    title_key: &str,
    message_key: &str,
    href: &str,
    link_key: &str,
) -> Response {
    let locale = Locale::from_headers(request);
    let lang = locale.code();
    let title = escape(&t_in(locale, title_key));
    let message = escape(&t_in(locale, message_key));
    let app_name = escape(&t_in(locale, "app.name"));
    let home = escape(&t_in(locale, link_key));
    let href = escape(href);
    let css = app::assets::Assets::get().stylesheet_href();
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · {app_name}</title>\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"{css}\"></head><body><main class=\"container\">\
         <section class=\"card narrow center\" data-testid=\"refused\"><h1>{title}</h1>\
         <p>{message}</p><a class=\"btn btn-primary\" href=\"{href}\">{home}</a></section>\
         </main></body></html>"
    );
    (status, Html(html)).into_response()
}

/// Translations are ours, but a page is no place to trust that they hold no markup.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
