use super::policies::page_error;
use crate::api::account::viewer;
use crate::api::links::{self as api, CheckLink, CheckLinkCode, SendLinkCode};
use crate::backend::clock::shanghai_datetime;
use crate::components::IdentityCheck;
use crate::components::{
    error_from_query, insured_for, policy_no_for, product_name, ErrorNotice, Layout,
};
use crate::i18n::{t, t_with};
use crate::model::Money;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/s/:code`: where an SMS link lands. Opening it changes nothing.
#[component]
pub fn LinkPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let code = super::route_param("code");
                let viewer = viewer().await;
                match api::landing(&code).await {
                    Err(e) => page_error(e),
                    Ok(None) => {
                        crate::api::ctx::set_status(http::StatusCode::NOT_FOUND);
                        view! {
                            <Title text=t("link.gone_title")/>
                            <Layout viewer>
                                <section class="card narrow center" data-testid="link-gone">
                                    <h1>{t("link.gone_title")}</h1>
                                    <p>{t("link.gone")}</p>
                                    <a class="btn btn-primary" href="/login">{t("login.submit")}</a>
                                </section>
                            </Layout>
                        }.into_any()
                    }
                    Ok(Some(l)) => {
                        let summary = l.renewal.map(|(p, o)| view! {
                            <dl class="facts">
                                <dt>{t("epolicy.product")}</dt><dd>{product_name(&p)}</dd>
                                <dt>{t("epolicy.number")}</dt><dd class="mono">{policy_no_for(&p.policy_no, false)}</dd>
                                <dt>{t("policy.insured_label")}</dt><dd>{insured_for(&p.line, &p.insured_object)}</dd>
                                <dt>{t("renewal.this_year")}</dt><dd class="strong">{Money(o.premium_fen).display()}</dd>
                                <dt>{t("link.deadline")}</dt><dd>{crate::i18n::datetime(o.expires_at)}</dd>
                            </dl>
                        });
                        let locked = l.locked_until.map(|u| view! {
                            <p class="alert alert-error" role="alert">{t_with("error.link_locked", &[("time", &shanghai_datetime(u)[11..])])}</p>
                        });
                        let left = use_query_map().get_untracked().get("left").and_then(|n| n.parse::<u8>().ok());
                        let error = error_from_query().map(|e| match left {
                            Some(n) => e.and_then(&t_with("link.left", &[("count", &n.to_string())])),
                            None => e,
                        });
                        let form = l.locked_until.is_none().then(|| view! {
                            <IdentityCheck
                                id_action=CheckLink::PATH
                                send_action=SendLinkCode::PATH
                                code_action=CheckLinkCode::PATH
                                hidden=vec![("code", l.code.clone())]
                                submit=t("link.continue")
                                error=error.clone()
                            />
                        });
                        view! {
                            <Title text=t(&format!("link.title.{}", l.purpose.as_str()))/>
                            <Layout viewer>
                                <section class="card narrow">
                                    <p class="eyebrow">{t("app.name")}</p>
                                    <h1>{t(&format!("link.title.{}", l.purpose.as_str()))}</h1>
                                    {summary}
                                    <p class="muted">{t(&format!("link.check_intro_for.{}", l.purpose.as_str()))}</p>
                                    <ErrorNotice error=error/>
                                    {locked}
                                    {form}
                                    <p class="alt-actions"><a href="/login">{t("link.login_instead")}</a></p>
                                </section>
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
