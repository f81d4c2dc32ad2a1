use crate::api::account::viewer;
use crate::components::Layout;
use crate::i18n::t;
use leptos::prelude::*;
use leptos_meta::Title;

/// 404, in the site's style, with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    crate::api::ctx::set_status(http::StatusCode::NOT_FOUND);
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                view! {
                    <Title text=t("error.not_found_title")/>
                    <Layout viewer=viewer().await>
                        <section class="card narrow center" data-testid="not-found">
                            <p class="big-code" aria-hidden="true">"404"</p>
                            <h1>{t("error.not_found_title")}</h1>
                            <p>{t("error.not_found")}</p>
                            <a class="btn btn-primary" href="/">{t("error.back_home")}</a>
                        </section>
                    </Layout>
                }
            })}
        </Suspense>
    }
}

/// Shown when a page could not be built; carries the reference from the log.
#[component]
pub fn ServerErrorPage(rid: String) -> impl IntoView {
    crate::api::ctx::set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
    view! {
        <Title text=t("error.server_title")/>
        <section class="card narrow center" data-testid="server-error">
            <h1>{t("error.server_title")}</h1>
            <p>{crate::i18n::t_with("error.internal", &[("rid", &rid)])}</p>
            <a class="btn btn-primary" href="/">{t("error.back_home")}</a>
        </section>
    }
}
