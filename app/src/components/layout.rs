use crate::api::account::Viewer;
use crate::api::{auth::Logout, locale::SetLocale};
use crate::i18n::{locale, t};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Header (brand, language switch, logout), main content and footer of every page.
#[component]
pub fn Layout(viewer: Viewer, children: Children) -> impl IntoView {
    let here = crate::api::ctx::parts()
        .map(|p| {
            p.uri
                .path_and_query()
                .map(|pq| pq.as_str().to_owned())
                .unwrap_or_default()
        })
        .unwrap_or_else(|| "/".into());
    let other = locale().other();
    let home = match viewer {
        Viewer::Staff => "/staff",
        _ => "/",
    };
    let logout = (!matches!(viewer, Viewer::Anonymous)).then(|| {
        view! {
            <form method="post" action=Logout::PATH class="inline">
                <button type="submit" class="btn btn-quiet" data-testid="logout">{t("nav.logout")}</button>
            </form>
        }
    });
    view! {
        <a class="skip-link" href="#main">{t("app.skip")}</a>
        <crate::pages::ViewingBanner/>
        <header class="site-header">
            <div class="container header-row">
                <a class="brand" href=home>
                    <span class="brand-mark" aria-hidden="true">"安"</span>
                    <span class="brand-name">{t("app.name")}</span>
                </a>
                <nav class="header-actions">
                    <form method="post" action=SetLocale::PATH class="inline">
                        <input type="hidden" name="lang" value=other.code()/>
                        <input type="hidden" name="next" value=here/>
                        <button type="submit" class="btn btn-quiet" lang=other.code() data-testid="lang-switch">
                            {t("nav.language")}
                        </button>
                    </form>
                    {logout}
                </nav>
            </div>
        </header>
        <main id="main" class="container">{children()}</main>
        <footer class="site-footer">
            <div class="container">{t("app.footer")}</div>
        </footer>
    }
}
