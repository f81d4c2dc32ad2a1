use crate::api::account::{staff_home, viewer, Viewer};
use crate::api::auth::StaffLogin;
use crate::api::ctx::{self, PageError};
use crate::components::{error_from_query, ErrorNotice, Layout, Password};
use crate::i18n::{t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn StaffLoginPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let viewer = viewer().await;
                if matches!(viewer, Viewer::Staff) {
                    ctx::go_page("/staff");
                }
                let error = error_from_query();
                view! {
                    <Title text=t("staff.login_title")/>
                    <Layout viewer>
                        <section class="card narrow staff">
                            <h1>{t("staff.login_title")}</h1>
                            <p class="muted">{t("staff.login_intro")}</p>
                            <ErrorNotice error=error.clone()/>
                            <form method="post" action=StaffLogin::PATH class="form" data-testid="staff-login-form">
                                <div class="field">
                                    <label for="username">{t("staff.username")}</label>
                                    <input id="username" name="username" type="text" autocomplete="username"
                                        autocapitalize="off" spellcheck="false" maxlength="32" required
                                        value=ctx::remembered(crate::api::auth::REMEMBERED_STAFF).filter(|u| crate::backend::auth::staff::valid_username(u))/>
                                </div>
                                <div class="field">
                                    <label for="password">{t("staff.password")}</label>
                                    <Password id="password" autocomplete="current-password" error=error.clone()/>
                                </div>
                                <button type="submit" class="btn btn-primary btn-block">{t("staff.submit")}</button>
                            </form>
                        </section>
                    </Layout>
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn StaffHomePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match staff_home().await {
                    Ok(home) => {
                        let role = t(&format!("staff.roles.{}", home.role.as_str()));
                        view! {
                            <Title text=t("staff.home_title")/>
                            <Layout viewer=Viewer::Staff>
                                <section class="card">
                                    <p class="eyebrow">{t("staff.home_title")}</p>
                                    <h1 data-testid="staff-greeting">{t_with("staff.welcome", &[("name", &home.display_name)])}</h1>
                                    <p><span class="badge badge-active">{t_with("staff.role", &[("role", &role)])}</span></p>
                                    <p class="muted">{t("staff.coming")}</p>
                                    {home.role.can(crate::model::Permission::SearchCustomers).then(|| view! {
                                        <p><a class="btn btn-primary" href=crate::api::console::CUSTOMERS data-testid="customers-link">{t("console.search_title")}</a></p>
                                    })}
                                    {home.role.can(crate::model::Permission::AuditLog).then(|| view! {
                                        <p><a class="btn btn-quiet" href=crate::api::console::AUDIT>{t("console.audit_title")}</a></p>
                                    })}
                                    {home.role.can(crate::model::Permission::ManageStaff).then(|| view! {
                                        <p><a class="btn btn-quiet" href=crate::api::console::ACCOUNTS>{t("console.accounts.title")}</a></p>
                                    })}
                                    {home.role.can(crate::model::Permission::ManageProviders).then(|| view! {
                                        <p><a class="btn btn-quiet" href=crate::api::providers::PROVIDERS data-testid="providers-link">{t("providers.title")}</a></p>
                                    })}
                                    {home.role.can(crate::model::Permission::ClaimsQueue).then(|| view! {
                                        <p><a class="btn btn-primary" href="/staff/claims" data-testid="claims-queue-link">{t("staff_claims.open_queue")}</a></p>
                                    })}
                                    {home.role.can(crate::model::Permission::ReviewServicing).then(|| view! {
                                        <p><a class="btn btn-primary" href=crate::api::servicing::STAFF_REQUESTS data-testid="requests-queue-link">{t("servicing.staff.open_queue")}</a></p>
                                    })}
                                    {home.role.can(crate::model::Permission::HandleCases).then(|| view! {
                                        <p><a class="btn btn-primary" href=crate::api::cases::STAFF_CASES data-testid="cases-queue-link">{t("cases.staff.open_queue")}</a></p>
                                    })}
                                    {home.role.can(crate::model::Permission::ReadOutbox).then(|| view! {
                                        <p><a class="btn btn-primary" href="/staff/outbox">{t("outbox.title")}</a></p>
                                    })}
                                    {home.role.can(crate::model::Permission::SlotCalendars).then(|| view! {
                                        <p><a class="btn btn-quiet" href="/staff/services">{t("services.staff.link")}</a></p>
                                        <p><a class="btn btn-quiet" href="/staff/roadside">{t("roadside.staff.link")}</a></p>
                                    })}
                                    {home.role.can(crate::model::Permission::SurveyResults).then(|| view! {
                                        <p><a class="btn btn-quiet" href=crate::api::surveys::STAFF_SURVEYS data-testid="survey-results-link">{t("survey.staff.link")}</a></p>
                                    })}
                                    {home.role.can(crate::model::Permission::CaseStatistics).then(|| view! {
                                        <p><a class="btn btn-quiet" href=crate::api::case_stats::STAFF_CASE_STATS data-testid="case-stats-link">{t("case_stats.link")}</a></p>
                                    })}
                                </section>
                            </Layout>
                        }
                        .into_any()
                    }
                    Err(PageError::Login) | Err(PageError::NotFound) => {
                        ctx::go_page("/staff/login");
                        ().into_any()
                    }
                    Err(PageError::Internal(rid)) => {
                        view! { <Layout viewer=Viewer::Staff><super::ServerErrorPage rid/></Layout> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/staff/outbox`: every message and its state, links clickable so a demo can follow an
/// SMS to the phone page. Supervisors and admins only.
#[component]
pub fn OutboxPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match crate::api::staff::staff_outbox().await {
                    Ok((rows, inbound)) => {
                        let inbound = inbound_table(inbound);
                        let rows = rows.into_iter().map(|m| {
                            use crate::model::OutboxState;
                            let state = match (m.state, m.defer_until, &m.suppressed_reason) {
                                (OutboxState::Deferred, Some(u), _) if m.attempts > 0 => crate::i18n::t_with("outbox.retrying", &[("n", &m.attempts.to_string()), ("time", &crate::i18n::datetime(u))]),
                                (OutboxState::Deferred, Some(u), _) => crate::i18n::t_with("outbox.deferred_until", &[("time", &crate::i18n::datetime(u))]),
                                (OutboxState::Suppressed, _, Some(r)) => format!("{} ({})", t("outbox.state.suppressed"), t(&format!("outbox.reason.{r}"))),
                                (s, _, _) => t(&format!("outbox.state.{s}")),
                            };
                            let phone = crate::model::Phone::parse(&m.phone).map(|p| crate::i18n::phone(&p)).unwrap_or_default();
                            let (before, link, after) = split_link(&m.body);
                            view! {
                                <tr data-testid="outbox-row">
                                    <td class="small">{crate::i18n::datetime(m.created_at)}</td>
                                    <td class="mono small">{phone}</td>
                                    <td class="small">{t(&format!("outbox.category.{}", m.category))}</td>
                                    <td class="small">{state}{m.last_error.map(|e| view! {
                                        <br/><span class="muted outbox-error" data-testid="outbox-error">{crate::i18n::t_with("outbox.last_error", &[("error", &e)])}</span>
                                    })}</td>
                                    <td>{before}{link.map(|l| {
                                        let href = l.clone();
                                        view! { <a href=href data-testid="outbox-link">{l}</a> }
                                    })}{after}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <Title text=t("outbox.title")/>
                            <Layout viewer=Viewer::Staff>
                                <h1>{t("outbox.title")}</h1>
                                {inbound}
                                <div class="card table-wrap">
                                    <table class="outbox">
                                        <thead><tr>
                                            <th scope="col">{t("outbox.created")}</th>
                                            <th scope="col">{t("outbox.phone")}</th>
                                            <th scope="col">{t("outbox.category_label")}</th>
                                            <th scope="col">{t("outbox.state_label")}</th>
                                            <th scope="col">{t("outbox.body")}</th>
                                        </tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            </Layout>
                        }
                        .into_any()
                    }
                    Err(PageError::NotFound) => view! { <super::NotFound/> }.into_any(),
                    Err(PageError::Login) => {
                        ctx::go_page("/staff/login");
                        ().into_any()
                    }
                    Err(PageError::Internal(rid)) => {
                        view! { <Layout viewer=Viewer::Staff><super::ServerErrorPage rid/></Layout> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The texts people sent us, each beside the answer it got (ID digits starred out).
fn inbound_table(rows: Vec<crate::backend::store::sms_inbound::InboundRow>) -> impl IntoView {
    let body = if rows.is_empty() {
        view! { <p class="muted">{t("outbox.no_inbound")}</p> }.into_any()
    } else {
        let rows = rows
            .into_iter()
            .map(|m| {
                let phone = crate::model::Phone::parse(&m.phone)
                    .map(|p| crate::i18n::phone(&p))
                    .unwrap_or_default();
                let reply = match (m.reply_body, m.reply_state.0) {
                    (Some(body), Some(state)) => {
                        let (before, link, after) = split_link(&body);
                        view! {
                            <span class="small muted">{t(&format!("outbox.state.{state}"))}</span><br/>
                            {before}{link.map(|l| {
                                let href = l.clone();
                                view! { <a href=href data-testid="inbound-reply-link">{l}</a> }
                            })}{after}
                        }
                        .into_any()
                    }
                    _ => view! { <span class="muted">{t("outbox.no_reply")}</span> }.into_any(),
                };
                view! {
                    <tr data-testid="inbound-row">
                        <td class="small">{crate::i18n::datetime(m.received_at)}</td>
                        <td class="mono small">{phone}</td>
                        <td class="text" data-testid="inbound-text">{m.body}</td>
                        <td class="small">{t(&format!("outbox.query.{}", m.query))}<br/>
                            <span class="muted">{t(&format!("outbox.outcome.{}", m.outcome))}</span></td>
                        <td class="wide" data-testid="inbound-reply">{reply}</td>
                    </tr>
                }
            })
            .collect_view();
        // Scrolls sideways on a phone rather than squeezing the answer into a sliver;
        // focusable, so that a keyboard can scroll it too.
        view! {
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="inbound-title">
                <table class="outbox">
                    <thead><tr>
                        <th scope="col">{t("outbox.received")}</th>
                        <th scope="col">{t("outbox.phone")}</th>
                        <th scope="col">{t("outbox.text")}</th>
                        <th scope="col">{t("outbox.understood")}</th>
                        <th scope="col">{t("outbox.reply")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="inbound-title" data-testid="inbound">
            <h2 id="inbound-title">{t("outbox.inbound_title")}</h2>
            {body}
        </section>
    }
}

/// A staff page that cannot be shown: the 404 page (no such thing, or not for this role),
/// the staff login, or the error page with its reference.
pub(crate) fn staff_page_error(e: PageError) -> AnyView {
    match e {
        PageError::NotFound => view! { <super::NotFound/> }.into_any(),
        PageError::Login => {
            ctx::go_page("/staff/login");
            ().into_any()
        }
        PageError::Internal(rid) => {
            view! { <Layout viewer=Viewer::Staff><super::ServerErrorPage rid/></Layout> }.into_any()
        }
    }
}

/// The text before a link in an SMS, the link, and the text after.
fn split_link(body: &str) -> (String, Option<String>, String) {
    match body.find("http://").or_else(|| body.find("https://")) {
        Some(i) => {
            let end = body[i..]
                .find(char::is_whitespace)
                .map_or(body.len(), |e| i + e);
            (
                body[..i].to_owned(),
                Some(body[i..end].to_owned()),
                body[end..].to_owned(),
            )
        }
        None => (body.to_owned(), None, String::new()),
    }
}
