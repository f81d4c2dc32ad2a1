use crate::api::account::viewer;
use crate::api::auth::{
    LoginWithCode, RequestLoginCode, ResendLoginCode, CODE_PAGE, REMEMBERED_PHONE,
};
use crate::api::ctx;
use crate::backend::clock::shanghai_datetime;
use crate::components::{
    error_from_query, ErrorNotice, Layout, Password, PhoneField, SmsCodeField,
};
use crate::i18n::{t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A same-site `next` from the query string, for after login.
fn next_from_query() -> String {
    let next = use_query_map()
        .get_untracked()
        .get("next")
        .unwrap_or_default();
    ctx::safe_next(&next).to_owned()
}

/// The phone number typed before the form came back, if it was one.
fn remembered_phone() -> Option<String> {
    ctx::remembered(REMEMBERED_PHONE)
        .and_then(|p| crate::model::Phone::parse(&p))
        .map(|p| p.as_str().to_owned())
}

/// Phone + password.
#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let viewer = viewer().await;
                // Someone already signed in goes home. A short-link session is not signed
                // in: it can read its one renewal, claim or case, and asks for the form
                // when it wants more (sending it home would send it straight back here).
                if ctx::caller().reading_customer().is_ok() {
                    ctx::go_page("/");
                }
                let error = error_from_query();
                // Sent here from a page that needs a session (none yet, or it ended).
                let to_continue = (error.is_none() && next_from_query() != "/")
                    .then(|| view! { <p class="alert alert-info" role="status" data-testid="login-to-continue">{t("login.to_continue")}</p> });
                view! {
                    <Title text=t("login.title")/>
                    <Layout viewer>
                        <section class="card narrow">
                            <h1>{t("login.title")}</h1>
                            <p class="muted">{t("login.intro")}</p>
                            {to_continue}
                            <ErrorNotice error=error.clone()/>
                            <form method="post" action=crate::api::auth::Login::PATH class="form" data-testid="login-form">
                                <input type="hidden" name="next" value=next_from_query()/>
                                <PhoneField error=error.clone() value=remembered_phone()/>
                                <div class="field">
                                    <label for="password">{t("login.password")}</label>
                                    <Password id="password" autocomplete="current-password" error=error.clone()/>
                                </div>
                                <button type="submit" class="btn btn-primary btn-block">{t("login.submit")}</button>
                            </form>
                            <p class="alt-actions">
                                <a href=CODE_PAGE>{t("login.with_code")}</a>
                            </p>
                            <p class="alt-actions">
                                {t("login.first_time")} " " <a href="/activate">{t("login.activate")}</a>
                            </p>
                        </section>
                        <p class="center small"><a class="muted" href="/staff/login">{t("login.staff")}</a></p>
                    </Layout>
                }
            })}
        </Suspense>
    }
}

/// Phone → code sent → code entered. Without `?c=` it asks for the phone.
#[component]
pub fn CodePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let viewer = viewer().await;
                let error = error_from_query();
                let challenge_id = use_query_map().get_untracked().get("c").map(|c| crate::api::auth::urlsafe(&c));
                let state = ctx::state();
                let challenge = match &challenge_id {
                    Some(c) => crate::backend::auth::codes::challenge(&state, c).await.ok().flatten(),
                    None => None,
                };
                let body = match (challenge_id, challenge) {
                    (Some(c), Some(ch)) if !ch.expired && ch.purpose == "login" => {
                        let resend_time = shanghai_datetime(ch.resend_at)[11..].to_owned();
                        view! {
                            <p class="alert alert-info" role="status">{t_with("code.sent_to", &[("phone", &crate::i18n::phone(&ch.phone))])}</p>
                            <ErrorNotice error=error.clone()/>
                            <form method="post" action=LoginWithCode::PATH class="form" data-testid="code-form">
                                <input type="hidden" name="c" value=c.clone()/>
                                <input type="hidden" name="next" value=next_from_query()/>
                                <SmsCodeField id="code" label=t("code.code") error=error.clone() hint=t("code.code_hint")/>
                                <button type="submit" class="btn btn-primary btn-block">{t("code.submit")}</button>
                            </form>
                            <form method="post" action=ResendLoginCode::PATH class="form inline-form">
                                <input type="hidden" name="c" value=c/>
                                <button type="submit" class="btn btn-link">{t("code.resend")}</button>
                                <span class="hint">{t_with("code.resend_at", &[("time", &resend_time)])}</span>
                            </form>
                        }
                        .into_any()
                    }
                    (c, ch) => {
                        // The code form is gone (the code expired): an error about the code
                        // is said, and focused, by the "expired" notice instead.
                        let stale = c.is_some() && ch.is_some();
                        let about_code = error.as_ref().is_some_and(|e| e.about("code"));
                        let error = error.filter(|e| !(stale && e.about("code")));
                        let stale = stale.then(|| view! {
                            <p class="alert alert-info" role="status" tabindex=about_code.then_some("-1") autofocus=about_code>{t("code.expired")}</p>
                        });
                        view! {
                            {stale}
                            <ErrorNotice error=error.clone()/>
                            <form method="post" action=RequestLoginCode::PATH class="form" data-testid="request-code-form">
                                <PhoneField error=error.clone() value=remembered_phone()/>
                                <button type="submit" class="btn btn-primary btn-block">{t("code.send")}</button>
                            </form>
                        }
                        .into_any()
                    }
                };
                view! {
                    <Title text=t("code.title")/>
                    <Layout viewer>
                        <section class="card narrow">
                            <h1>{t("code.title")}</h1>
                            <p class="muted">{t("code.intro")}</p>
                            {body}
                            <p class="alt-actions"><a href="/login">{t("login.with_password")}</a></p>
                        </section>
                    </Layout>
                }
            })}
        </Suspense>
    }
}
