use super::policies::page_error;
use crate::api::account::Viewer;
use crate::api::settings::{notification_settings, SaveNotificationPreferences};
use crate::components::{error_from_query, ErrorNotice, Layout, SavedNotice};
use crate::i18n::t;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

/// `/settings/notifications`: what to hear about, when, and what was sent.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match notification_settings().await {
                    Err(e) => page_error(e),
                    Ok(s) => {
                        let check = |name: &'static str, on: i64| view! {
                            <label class="check">
                                <input type="checkbox" name=name value="on" checked=on == 1/>
                                <span>
                                    <strong>{t(&format!("settings.category.{name}"))}</strong>
                                    <br/>
                                    <span class="muted small">{t(&format!("settings.category_hint.{name}"))}</span>
                                </span>
                            </label>
                        };
                        let windows = ["any", "lunchtime", "evening", "working_hours"].map(|w| {
                            let selected = s.prefs.time_window == w;
                            view! { <option value=w selected=selected>{t(&format!("settings.window.{w}"))}</option> }
                        });
                        let rows = s.sent.iter().map(|m| view! {
                            <li>
                                <p class="muted small">
                                    {crate::i18n::datetime(m.sent_at.unwrap_or(m.created_at))} " · "
                                    {t(&format!("outbox.state.{}", m.state))}
                                </p>
                                <p class="sms-body">{m.body.clone()}</p>
                            </li>
                        }).collect_view();
                        let empty = s.sent.is_empty().then(|| view! { <p class="muted">{t("settings.none_sent")}</p> });
                        view! {
                            <Title text=t("settings.title")/>
                            <Layout viewer=Viewer::Customer>
                                <section class="card narrow">
                                    <h1>{t("settings.title")}</h1>
                                    <SavedNotice/>
                                    <ErrorNotice error=error_from_query()/>
                                    <form method="post" action=SaveNotificationPreferences::PATH class="form" data-testid="prefs-form">
                                        <fieldset>
                                            <legend>{t("settings.categories")}</legend>
                                            {check("renewal", s.prefs.renewal)}
                                            {check("claims", s.prefs.claims)}
                                            {check("service_notice", s.prefs.service_notice)}
                                            {check("survey", s.prefs.survey)}
                                            {check("marketing", s.prefs.marketing)}
                                        </fieldset>
                                        <div class="field">
                                            <label for="time_window">{t("settings.window_label")}</label>
                                            <select id="time_window" name="time_window">{windows}</select>
                                            <p class="hint">{t("settings.window_hint")}</p>
                                        </div>
                                        <button type="submit" class="btn btn-primary btn-block">{t("settings.save")}</button>
                                    </form>
                                </section>
                                <section class="card narrow">
                                    <h2>{t("settings.devices")}</h2>
                                    <p class="muted">{t("settings.devices_hint")}</p>
                                    <form method="post" action=crate::api::auth::LogoutEverywhere::PATH>
                                        <button type="submit" class="btn btn-quiet" data-testid="logout-everywhere">{t("settings.logout_everywhere")}</button>
                                    </form>
                                </section>
                                <section class="card narrow">
                                    <h2>{t("settings.sent_title")}</h2>
                                    {empty}
                                    <ul class="plain" data-testid="sent-messages">{rows}</ul>
                                </section>
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
