use crate::api::account::viewer;
use crate::api::auth::{urlsafe, CompleteActivation, ResendActivationCode, StartActivation};
use crate::api::ctx;
use crate::components::{
    aria_invalid, autofocus, described_by, error_from_query, ErrorNotice, IdLast4Field, Layout,
    Password, SmsCodeField,
};
use crate::i18n::{t, t_with};
use crate::model::ErrorCode;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Step 1: policy number + last 4 of the ID number.
#[component]
pub fn ActivatePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let viewer = viewer().await;
                let error = error_from_query();
                view! {
                    <Title text=t("activate.title")/>
                    <Layout viewer>
                        <section class="card narrow">
                            <h1>{t("activate.title")}</h1>
                            <p class="muted">{t("activate.intro")}</p>
                            <ErrorNotice error=error.clone()/>
                            <form method="post" action=StartActivation::PATH class="form" data-testid="activate-form">
                                <div class="field">
                                    <label for="policy_no">{t("activate.policy_no")}</label>
                                    <input id="policy_no" name="policy_no" type="text" autocomplete="off" autocapitalize="characters"
                                        spellcheck="false" maxlength="30" required aria-invalid=aria_invalid(&error, "policy_no")
                                        aria-describedby=described_by(&error, "policy_no", Some("policy-hint")) autofocus=autofocus(&error, "policy_no")/>
                                    <p class="hint" id="policy-hint">{t("activate.policy_no_hint")}</p>
                                </div>
                                <IdLast4Field error=error.clone()/>
                                <button type="submit" class="btn btn-primary btn-block">{t("activate.submit")}</button>
                            </form>
                            <p class="alt-actions"><a href="/login">{t("login.with_password")}</a></p>
                        </section>
                    </Layout>
                }
            })}
        </Suspense>
    }
}

/// Step 2: the code and a new password.
#[component]
pub fn VerifyPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let viewer = viewer().await;
                let error = error_from_query();
                let c = use_query_map().get_untracked().get("c").map(|c| urlsafe(&c)).unwrap_or_default();
                let challenge = crate::backend::auth::codes::challenge(&ctx::state(), &c).await.ok().flatten();
                let Some(ch) = challenge.filter(|ch| ch.purpose == "activate" && !ch.expired) else {
                    ctx::go_page(&ctx::error_url("/activate", ErrorCode::CodeExpired, &[]));
                    return ().into_any();
                };
                view! {
                    <Title text=t("activate.verify_title")/>
                    <Layout viewer>
                        <section class="card narrow">
                            <h1>{t("activate.verify_title")}</h1>
                            <p class="muted">{t_with("activate.verify_intro", &[("phone", &crate::i18n::phone(&ch.phone))])}</p>
                            <ErrorNotice error=error.clone()/>
                            <form method="post" action=CompleteActivation::PATH class="form" data-testid="verify-form">
                                <input type="hidden" name="c" value=c.clone()/>
                                <SmsCodeField id="code" label=t("activate.code") error=error.clone()/>
                                <div class="field">
                                    <label for="password">{t("activate.password")}</label>
                                    <Password id="password" autocomplete="new-password" error=error.clone() hint="password-rules" minlength=10/>
                                    <p class="hint" id="password-rules">{t("activate.password_rules")}</p>
                                </div>
                                <div class="field">
                                    <label for="confirm">{t("activate.confirm")}</label>
                                    <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" required
                                        aria-invalid=aria_invalid(&error, "confirm") aria-describedby=described_by(&error, "confirm", None)
                                        autofocus=autofocus(&error, "confirm")/>
                                </div>
                                <button type="submit" class="btn btn-primary btn-block">{t("activate.finish")}</button>
                            </form>
                            <form method="post" action=ResendActivationCode::PATH class="form inline-form">
                                <input type="hidden" name="c" value=c/>
                                <button type="submit" class="btn btn-link">{t("activate.resend")}</button>
                            </form>
                        </section>
                    </Layout>
                }
                .into_any()
            })}
        </Suspense>
    }
}
