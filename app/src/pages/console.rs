//! The staff console's customer pages (search, the 360° view, the audit log), the banner
//! shown while staff view as a customer, and the customer's own `/settings/access`.

use super::policies::page_error;
use super::staff::staff_page_error;
use crate::api::account::Viewer;
use crate::api::console::{
    access_page, accounts_page, audit_page, customer_page, customer_path, customer_search,
    AuditQuery, CreateStaff, DisableStaff, EndViewAs, ResetStaffPassword, SetStaffViewing,
    StartViewAs, AUDIT, CUSTOMERS,
};
use crate::backend::auth::viewing::{MAX_REASON_CHARS, MAX_TICKET_CHARS, MIN_REASON_CHARS};
use crate::backend::domain::customer_profile::{Points, Tag};
use crate::components::{error_from_query, ErrorNotice, Layout, SavedNotice};
use crate::i18n::{date, datetime, t, t_with};
use crate::model::{Money, Phone};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn query(name: &str) -> String {
    use_query_map()
        .get_untracked()
        .get(name)
        .unwrap_or_default()
}

/// `mm:ss`
fn mm_ss(secs: i64) -> String {
    let s = secs.max(0);
    format!("{:02}:{:02}", s / 60, s % 60)
}

/// How long, in words: "12 分钟", "45 秒".
fn duration(secs: i64) -> String {
    if secs < 60 {
        t_with("console.seconds", &[("n", &secs.max(0).to_string())])
    } else {
        t_with(
            "console.minutes",
            &[("n", &(secs.div_euclid(60)).to_string())],
        )
    }
}

/// The fixed banner over every page while staff view as a customer: whose account, who is
/// looking, the time left, and End. A colour no customer page uses.
#[component]
pub fn ViewingBanner() -> impl IntoView {
    use crate::backend::auth::Caller;
    let Caller::Impersonating {
        customer_name,
        staff_name,
        until,
        limited,
        ..
    } = crate::api::ctx::caller()
    else {
        return ().into_any();
    };
    let left = until - crate::api::ctx::state().clock.now();
    let note = if limited {
        t("console.banner_limited")
    } else {
        t("console.banner_read_only")
    };
    view! {
        <div class="viewing-banner" role="region" aria-label=t("console.banner_label") data-testid="viewing-banner">
            <div class="container viewing-row">
                <p>
                    <strong>{t_with("console.banner", &[("customer", &customer_name), ("staff", &staff_name)])}</strong>
                    " — "
                    <span>{t_with("console.banner_left", &[("left", &mm_ss(left))])}</span>
                    <br/>
                    <span class="small">{note}</span>
                </p>
                <form method="post" action=EndViewAs::PATH class="inline">
                    <button type="submit" class="btn btn-light" data-testid="end-viewing">{t("console.end")}</button>
                </form>
            </div>
        </div>
    }
    .into_any()
}

/// `/staff/customers?q=`: find a customer by name, phone, policy or claim number.
#[component]
pub fn StaffCustomersPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match customer_search(query("q")).await {
                    Err(e) => staff_page_error(e),
                    Ok(page) => {
                        let searched = !page.q.is_empty();
                        let bad = (searched && page.found.is_none()).then(|| view! {
                            <p class="alert alert-error" role="alert" data-testid="form-error">{t("console.error.bad_search")}</p>
                        });
                        let results = page.found.map(|found| {
                            if found.is_empty() {
                                return view! { <p class="muted" data-testid="no-results">{t("console.no_results")}</p> }.into_any();
                            }
                            let rows = found.into_iter().map(|f| view! {
                                <tr data-testid="customer-row">
                                    <td><a href=customer_path(&f.id) data-testid="customer-link">{f.name_masked}</a></td>
                                    <td class="mono">{f.phone_masked}</td>
                                    <td class="mono">{f.matched_no_masked.unwrap_or_default()}</td>
                                    <td class="num">{f.policies}</td>
                                </tr>
                            }).collect_view();
                            view! {
                                <div class="card table-wrap">
                                    <table>
                                        <caption class="sr-only">{t("console.results")}</caption>
                                        <thead><tr>
                                            <th scope="col">{t("console.name")}</th>
                                            <th scope="col">{t("console.phone")}</th>
                                            <th scope="col">{t("console.matched")}</th>
                                            <th scope="col" class="num">{t("console.policies")}</th>
                                        </tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }.into_any()
                        });
                        view! {
                            <Title text=t("console.search_title")/>
                            <Layout viewer=Viewer::Staff>
                                <p><a href="/staff">{t("console.back_home")}</a></p>
                                <h1>{t("console.search_title")}</h1>
                                <form method="get" action=CUSTOMERS class="card form search-form" role="search" data-testid="customer-search">
                                    <div class="field">
                                        <label for="q">{t("console.search_label")}</label>
                                        <input id="q" name="q" type="search" maxlength="40" value=page.q autocomplete="off"
                                            aria-describedby="q-hint" enterkeyhint="search"/>
                                        <p class="hint" id="q-hint">{t("console.search_hint")}</p>
                                    </div>
                                    <button type="submit" class="btn btn-primary">{t("console.search")}</button>
                                </form>
                                {bad}
                                {results}
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// An audit action in words (`viewing.read` → "代客查看：浏览"); one with no words yet is
/// shown as its code, made readable.
fn action_label(action: &str) -> String {
    let key = format!("console.audit_actions.{}", action.replace('.', "_"));
    let label = t(&key);
    if label.ends_with(&key) {
        action.replace('.', " › ")
    } else {
        label
    }
}

fn tag_reason(tag: &Tag) -> String {
    match tag {
        Tag::CarOwner { policy } => t_with("console.tag_reason.car_owner", &[("policy", policy)]),
        Tag::OpenClaims { count } => t_with(
            "console.tag_reason.open_claims",
            &[("n", &count.to_string())],
        ),
        Tag::AutoDebit { count } => t_with(
            "console.tag_reason.auto_debit",
            &[("n", &count.to_string())],
        ),
        Tag::RenewalSoon { policy, end, days } => t_with(
            "console.tag_reason.renewal_soon",
            &[
                ("policy", policy),
                ("date", &date(&end.to_string())),
                ("n", &days.to_string()),
            ],
        ),
        Tag::MultiLine { lines } => t_with(
            "console.tag_reason.multi_line",
            &[("n", &lines.to_string())],
        ),
        Tag::Lapsed { count } => t_with("console.tag_reason.lapsed", &[("n", &count.to_string())]),
    }
}

fn points_reason(p: &Points) -> String {
    let n = p.points().to_string();
    match p {
        Points::Premium { annual_fen, .. } => t_with(
            "console.tier_reason.premium",
            &[("amount", &Money(*annual_fen).display()), ("n", &n)],
        ),
        Points::Tenure { years, .. } => t_with(
            "console.tier_reason.tenure",
            &[("years", &years.to_string()), ("n", &n)],
        ),
        Points::Lines { lines, .. } => t_with(
            "console.tier_reason.lines",
            &[("lines", &lines.to_string()), ("n", &n)],
        ),
    }
}

/// A panel of the 360° view: a heading and its rows, or a line saying there are none.
fn panel(id: &'static str, title: String, empty: bool, body: AnyView) -> impl IntoView {
    view! {
        <section class="card panel" id=id aria-labelledby=format!("{id}-h") data-testid=format!("panel-{id}")>
            <h2 id=format!("{id}-h")>{title}</h2>
            {if empty { view! { <p class="muted">{t("console.none")}</p> }.into_any() } else { body }}
        </section>
    }
}

/// `/staff/customers/{id}`: the customer's 360° view.
#[component]
pub fn StaffCustomerPage() -> impl IntoView {
    let id = super::route_param("id");
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match customer_page(id).await {
                    Err(e) => staff_page_error(e),
                    Ok(page) => customer_view(page).into_any(),
                }
            })}
        </Suspense>
    }
}

fn customer_view(page: crate::api::console::CustomerPage) -> impl IntoView {
    let v = page.view;
    let now = page.now;
    let c = v.card.clone();
    let notice = match query("viewing").as_str() {
        "ended" => Some(view! { <p class="alert alert-info" role="status" data-testid="viewing-ended">{t("console.viewing_ended")}</p> }.into_any()),
        "limited" => Some(view! { <p class="alert alert-info" role="status" data-testid="viewing-limited">{t("console.viewing_limited")}</p> }.into_any()),
        _ => None,
    };
    let tags = v.tags.iter().map(|tag| view! {
        <li class="tag" data-testid="customer-tag">
            <span class="badge badge-active">{t(&format!("console.tags.{}", tag.key()))}</span>
            " "<span class="small muted">{tag_reason(tag)}</span>
        </li>
    }).collect_view();
    let tier_parts = v
        .tier
        .parts
        .iter()
        .map(|p| view! { <li class="small">{points_reason(p)}</li> })
        .collect_view();
    let tier = t(&format!("console.tier.{}", v.tier.level.as_str()));

    let view_as = if v.own_record {
        view! { <p class="alert alert-info" role="note" data-testid="own-record">{t("console.error.own_record")}</p> }.into_any()
    } else if page.may_view_as {
        let limited = (c.staff_view == 0).then(|| view! {
            <p class="alert alert-info" role="note" data-testid="opted-out">{t("console.opted_out")}</p>
        });
        view! {
            {limited}
            <ErrorNotice error=error_from_query()/>
            <form method="post" action=StartViewAs::PATH class="form" data-testid="view-as-form">
                <input type="hidden" name="customer_id" value=c.id.clone()/>
                <div class="field">
                    <label for="reason">{t("console.reason")}</label>
                    <textarea id="reason" name="reason" rows="2" required minlength=MIN_REASON_CHARS.to_string()
                        maxlength=MAX_REASON_CHARS.to_string() aria-describedby="reason-hint"></textarea>
                    <p class="hint" id="reason-hint">{t("console.reason_hint")}</p>
                </div>
                <div class="field">
                    <label for="ticket">{t("console.ticket")}</label>
                    <input id="ticket" name="ticket" type="text" maxlength=MAX_TICKET_CHARS.to_string()
                        autocapitalize="characters" spellcheck="false" autocomplete="off"/>
                </div>
                <p class="hint">{t("console.view_as_rules")}</p>
                <button type="submit" class="btn btn-primary" data-testid="start-viewing">{t("console.start")}</button>
            </form>
        }.into_any()
    } else {
        ().into_any()
    };

    let policies = v.policies.iter().map(|p| {
        let no = crate::model::PolicyNo::parse(&p.policy_no).map(|n| n.masked()).unwrap_or_default();
        view! {
            <tr>
                <td class="mono">{no}</td>
                <td>{if crate::i18n::locale().code() == "en" { p.product_en.clone() } else { p.product_zh.clone() }}</td>
                <td>{t(&format!("status.{}", p.status))}</td>
                <td>{date(&p.end_date)}</td>
                <td class="num">{Money(p.premium_fen).display()}</td>
                <td>{if p.auto_debit != 0 { t("console.yes") } else { t("console.no") }}</td>
            </tr>
        }
    }).collect_view();
    let payments = v
        .payments
        .iter()
        .map(|p| {
            let no = crate::model::PolicyNo::parse(&p.policy_no)
                .map(|n| n.masked())
                .unwrap_or_default();
            view! {
                <tr>
                    <td>{datetime(p.created_at)}</td>
                    <td class="mono">{no}</td>
                    <td class="num">{Money(p.amount_fen).display()}</td>
                    <td>{t(&format!("console.payment_state.{}", p.state))}</td>
                </tr>
            }
        })
        .collect_view();
    let claims = v.claims.iter().map(|cl| view! {
        <tr>
            <td class="mono"><a href=crate::api::claims::staff_claim_path(&cl.id)>{cl.claim_no.clone()}</a></td>
            <td>{date(&cl.incident_date)}</td>
            <td>{t(&format!("claim.stage.{}", cl.stage))}</td>
            <td class="num">{cl.amount_paid_fen.map(|f| Money(f).display()).unwrap_or_default()}</td>
        </tr>
    }).collect_view();
    let bookings = v.bookings.iter().map(|b| view! {
        <tr>
            <td>{if crate::i18n::locale().code() == "en" { b.kind_en.clone() } else { b.kind_zh.clone() }}</td>
            <td>{b.provider_name.clone()}</td>
            <td>{datetime(b.starts_at)}</td>
            <td>{t(&format!("services.state.{}", b.state))}</td>
        </tr>
    }).collect_view();
    let roadside = v
        .roadside
        .iter()
        .map(|r| {
            view! {
                <tr>
                    <td class="mono">{r.request_no.clone()}</td>
                    <td>{datetime(r.created_at)}</td>
                    <td>{r.location.clone()}</td>
                    <td>{t(&format!("roadside.state.{}", r.state))}</td>
                </tr>
            }
        })
        .collect_view();
    let surveys = v
        .surveys
        .iter()
        .map(|s| {
            view! {
                <tr>
                    <td>{datetime(s.answered_at)}</td>
                    <td>{t(&format!("console.survey_subject.{}", s.subject_kind))}</td>
                    <td class="num">{s.score}</td>
                    <td>{s.comment.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let sms = v
        .sms
        .iter()
        .map(|m| {
            view! {
                <tr>
                    <td>{datetime(m.created_at)}</td>
                    <td>{t(&format!("outbox.category.{}", m.category))}</td>
                    <td>{t(&format!("outbox.state.{}", m.state))}</td>
                    <td class="sms-body">{m.body.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let visits = v.visits.iter().map(|x| view! {
        <tr data-testid="visit-row">
            <td>{datetime(x.started_at)}</td>
            <td>{x.staff_name.clone()}" · "{t(&format!("staff.roles.{}", x.staff_role))}</td>
            <td>{duration(x.seconds(now))}</td>
            <td>{x.reason.clone()}{x.ticket.clone().map(|tk| format!(" ({tk})"))}</td>
            <td class="num">{x.requests}</td>
        </tr>
    }).collect_view();
    let on_off = |v: i64| {
        if v != 0 {
            t("console.on")
        } else {
            t("console.off")
        }
    };
    let prefs = v.prefs.clone();
    let pref_rows = view! {
        <dl class="facts">
            <dt>{t("settings.category.renewal")}</dt><dd>{on_off(prefs.renewal)}</dd>
            <dt>{t("settings.category.claims")}</dt><dd>{on_off(prefs.claims)}</dd>
            <dt>{t("settings.category.service_notice")}</dt><dd>{on_off(prefs.service_notice)}</dd>
            <dt>{t("settings.category.survey")}</dt><dd>{on_off(prefs.survey)}</dd>
            <dt>{t("settings.category.marketing")}</dt><dd>{on_off(prefs.marketing)}</dd>
            <dt>{t("settings.window_label")}</dt><dd>{t(&format!("settings.window.{}", prefs.time_window))}</dd>
            <dt>{t("console.staff_view")}</dt><dd>{if c.staff_view != 0 { t("console.staff_view_on") } else { t("console.staff_view_off") }}</dd>
        </dl>
    };
    let table = |label: &str, heads: &[&str], rows: AnyView| {
        let heads = heads
            .iter()
            .map(|h| view! { <th scope="col">{t(h)}</th> })
            .collect_view();
        view! { <div class="table-wrap" tabindex="0" role="region" aria-label=t(label)><table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table></div> }.into_any()
    };
    let since = datetime(c.created_at);
    view! {
        <Title text=t_with("console.customer_title", &[("name", &c.name)])/>
        <Layout viewer=Viewer::Staff>
            <p><a href=CUSTOMERS>{t("console.back_to_search")}</a></p>
            {notice}
            <section class="card" data-testid="customer-card">
                <p class="eyebrow">{t("console.customer_eyebrow")}</p>
                <h1 data-testid="customer-name">{c.name.clone()}</h1>
                <dl class="facts">
                    <dt>{t("console.phone")}</dt><dd class="mono">{v.phone_masked.clone()}</dd>
                    <dt>{t("console.id_number")}</dt><dd class="mono">{c.id_number_masked.clone()}</dd>
                    <dt>{t("console.since")}</dt><dd>{since}</dd>
                    <dt>{t("console.tier_label")}</dt>
                    <dd data-testid="customer-tier"><strong>{tier}</strong>" · "{t_with("console.points", &[("n", &v.tier.points.to_string())])}</dd>
                </dl>
                <ul class="plain small">{tier_parts}</ul>
                <h2 class="sr-only">{t("console.tags_label")}</h2>
                <ul class="plain tags">{tags}</ul>
            </section>
            <section class="card" id="view-as" aria-labelledby="view-as-h">
                <h2 id="view-as-h">{t("console.view_as_title")}</h2>
                {view_as}
            </section>
            <div class="panels">
                {panel("policies", t("console.panel.policies"), v.policies.is_empty(),
                    table("console.panel.policies", &["console.policy_no", "console.product", "console.status", "console.ends", "console.premium", "console.auto_debit"], policies.into_any()))}
                {panel("payments", t("console.panel.payments"), v.payments.is_empty(),
                    table("console.panel.payments", &["console.when", "console.policy_no", "console.amount", "console.status"], payments.into_any()))}
                {panel("claims", t("console.panel.claims"), v.claims.is_empty(),
                    table("console.panel.claims", &["console.claim_no", "console.incident", "console.stage", "console.paid"], claims.into_any()))}
                {panel("bookings", t("console.panel.bookings"), v.bookings.is_empty(),
                    table("console.panel.bookings", &["console.service", "console.provider", "console.when", "console.status"], bookings.into_any()))}
                {panel("roadside", t("console.panel.roadside"), v.roadside.is_empty(),
                    table("console.panel.roadside", &["console.request_no", "console.when", "console.location", "console.status"], roadside.into_any()))}
                {panel("surveys", t("console.panel.surveys"), v.surveys.is_empty(),
                    table("console.panel.surveys", &["console.when", "console.subject", "console.score", "console.comment"], surveys.into_any()))}
                {panel("sms", t("console.panel.sms"), v.sms.is_empty(),
                    table("console.panel.sms", &["console.when", "console.category", "console.status", "console.body"], sms.into_any()))}
                {panel("prefs", t("console.panel.prefs"), false, pref_rows.into_any())}
                {panel("access", t("console.panel.access"), v.visits.is_empty(),
                    table("console.panel.access", &["console.when", "console.who", "console.how_long", "console.why", "console.requests"], visits.into_any()))}
            </div>
        </Layout>
    }
}

/// `/staff/audit`: every request made while viewing as a customer, and the other audited
/// events; supervisors and admins.
#[component]
pub fn StaffAuditPage() -> impl IntoView {
    let q = AuditQuery {
        staff: query("staff"),
        phone: query("phone"),
        action: query("action"),
        from: query("from"),
        until: query("until"),
    };
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match audit_page(&q).await {
                    Err(e) => staff_page_error(e),
                    Ok(rows) => {
                        let empty = rows.is_empty().then(|| view! { <p class="muted">{t("console.none")}</p> });
                        let rows = rows.into_iter().map(|r| {
                            let who = r.staff_name.clone().map(|n| format!("{n} ({})", r.staff_username.clone().unwrap_or_default()))
                                .unwrap_or_else(|| t(&format!("console.actor.{}", r.actor_kind)));
                            let customer = match (&r.customer_name, &r.customer_phone) {
                                (Some(n), Some(p)) => format!("{} {}", crate::backend::services::console::mask_name(n),
                                    Phone::parse(p).map(|p| p.masked()).unwrap_or_default()),
                                _ => String::new(),
                            };
                            view! {
                                <tr data-testid="audit-row">
                                    <td class="small">{datetime(r.at)}</td>
                                    <td class="small">{who}</td>
                                    <td class="small mono">{customer}</td>
                                    <td class="small" title=r.action.clone()>{action_label(&r.action)}</td>
                                    <td class="small mono">{r.target.clone().unwrap_or_default()}" "{r.detail.clone()}</td>
                                    <td class="small mono">{r.ip.clone().unwrap_or_default()}</td>
                                    <td class="small">{r.reason.clone().unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <Title text=t("console.audit_title")/>
                            <Layout viewer=Viewer::Staff>
                                <p><a href="/staff">{t("console.back_home")}</a></p>
                                <h1>{t("console.audit_title")}</h1>
                                <p class="muted">{t("console.audit_intro")}</p>
                                <form method="get" action=AUDIT class="card form filters" data-testid="audit-filter">
                                    <div class="field"><label for="staff">{t("console.filter_staff")}</label>
                                        <input id="staff" name="staff" type="text" maxlength="32" value=q.staff.clone() autocomplete="off"/></div>
                                    <div class="field"><label for="phone">{t("console.filter_phone")}</label>
                                        <input id="phone" name="phone" type="tel" inputmode="numeric" maxlength="11" value=q.phone.clone() autocomplete="off"/></div>
                                    <div class="field"><label for="action">{t("console.filter_action")}</label>
                                        <input id="action" name="action" type="text" maxlength="40" value=q.action.clone() placeholder="viewing." autocomplete="off"/></div>
                                    <div class="field"><label for="from">{t("console.filter_from")}</label>
                                        <input id="from" name="from" type="date" value=q.from.clone()/></div>
                                    <div class="field"><label for="until">{t("console.filter_until")}</label>
                                        <input id="until" name="until" type="date" value=q.until.clone()/></div>
                                    <button type="submit" class="btn btn-primary">{t("console.filter")}</button>
                                </form>
                                {empty}
                                <div class="card table-wrap" tabindex="0" role="region" aria-label=t("console.audit_title")>
                                    <table class="audit">
                                        <caption class="sr-only">{t("console.audit_title")}</caption>
                                        <thead><tr>
                                            <th scope="col">{t("console.when")}</th>
                                            <th scope="col">{t("console.who")}</th>
                                            <th scope="col">{t("console.customer")}</th>
                                            <th scope="col">{t("console.action")}</th>
                                            <th scope="col">{t("console.target")}</th>
                                            <th scope="col">{t("console.address")}</th>
                                            <th scope="col">{t("console.why")}</th>
                                        </tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/settings/access`: each time staff viewed the customer's account — who, when, how
/// long, why — and whether they may.
#[component]
pub fn AccessPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match access_page().await {
                    Err(e) => page_error(e),
                    Ok(p) => {
                        let empty = p.visits.is_empty().then(|| view! { <p class="muted" data-testid="no-visits">{t("access.none")}</p> });
                        let now = p.now;
                        let visits = p.visits.iter().map(|x| view! {
                            <li class="visit" data-testid="visit">
                                <p><strong>{x.staff_name.clone()}</strong>" · "{t(&format!("staff.roles.{}", x.staff_role))}</p>
                                <p class="small muted">{datetime(x.started_at)}" · "{t_with("access.lasted", &[("d", &duration(x.seconds(now)))])}</p>
                                <p>{t_with("access.why", &[("reason", &x.reason)])}</p>
                            </li>
                        }).collect_view();
                        view! {
                            <Title text=t("access.title")/>
                            <Layout viewer=Viewer::Customer>
                                <section class="card narrow">
                                    <h1>{t("access.title")}</h1>
                                    <p class="muted">{t("access.intro")}</p>
                                    <SavedNotice/>
                                    <ErrorNotice error=error_from_query()/>
                                    <form method="post" action=SetStaffViewing::PATH class="form" data-testid="access-form">
                                        <label class="check">
                                            <input type="checkbox" name="allowed" value="on" checked=p.allowed/>
                                            <span>
                                                <strong>{t("access.allow")}</strong><br/>
                                                <span class="muted small">{t("access.allow_hint")}</span>
                                            </span>
                                        </label>
                                        <button type="submit" class="btn btn-primary btn-block">{t("settings.save")}</button>
                                    </form>
                                </section>
                                <section class="card narrow">
                                    <h2>{t("access.visits")}</h2>
                                    {empty}
                                    <ul class="plain" data-testid="visits">{visits}</ul>
                                </section>
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/staff/accounts`: admins create, disable and reset staff accounts. A new or reset
/// password is shown once, here, to hand over.
#[component]
pub fn StaffAccountsPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match accounts_page().await {
                    Err(e) => staff_page_error(e),
                    Ok(p) => {
                        let done = query("done");
                        let handed = p.handed_over.map(|(u, pw)| view! {
                            <div class="alert alert-info" role="status" data-testid="temp-password">
                                <p>{t_with(if done == "reset" { "console.accounts.reset_done" } else { "console.accounts.created_done" }, &[("username", &u)])}</p>
                                <p class="mono big" data-testid="temp-password-value">{pw}</p>
                                <p class="small">{t("console.accounts.hand_over")}</p>
                            </div>
                        });
                        let disabled_note = (done == "disabled").then(|| view! {
                            <p class="alert alert-info" role="status">{t("console.accounts.disabled_done")}</p>
                        });
                        let roles = crate::model::StaffRole::ALL.map(|r| view! {
                            <option value=r.as_str()>{t(&format!("staff.roles.{}", r.as_str()))}</option>
                        });
                        let me = p.me.clone();
                        let rows = p.staff.into_iter().map(|s| {
                            let mine = s.id == me;
                            let phone = s.phone.as_deref().and_then(Phone::parse).map(|p| p.masked()).unwrap_or_default();
                            let active = s.disabled == 0;
                            let actions = (active && !mine).then(|| {
                                let (u1, u2) = (s.username.clone(), s.username.clone());
                                view! {
                                    <form method="post" action=ResetStaffPassword::PATH class="inline">
                                        <input type="hidden" name="username" value=u1/>
                                        <button type="submit" class="btn btn-quiet">{t("console.accounts.reset")}</button>
                                    </form>
                                    <form method="post" action=DisableStaff::PATH class="inline">
                                        <input type="hidden" name="username" value=u2/>
                                        <button type="submit" class="btn btn-quiet" data-testid="disable-staff">{t("console.accounts.disable")}</button>
                                    </form>
                                }
                            });
                            view! {
                                <tr data-testid="staff-row">
                                    <td class="mono">{s.username.clone()}</td>
                                    <td>{s.display_name.clone()}</td>
                                    <td>{t(&format!("staff.roles.{}", s.role))}</td>
                                    <td class="mono">{phone}</td>
                                    <td>{if active { t("console.accounts.active") } else { t("console.accounts.disabled") }}</td>
                                    <td>{actions}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <Title text=t("console.accounts.title")/>
                            <Layout viewer=Viewer::Staff>
                                <p><a href="/staff">{t("console.back_home")}</a></p>
                                <h1>{t("console.accounts.title")}</h1>
                                {handed}
                                {disabled_note}
                                <ErrorNotice error=error_from_query()/>
                                <div class="card table-wrap">
                                    <table>
                                        <caption class="sr-only">{t("console.accounts.title")}</caption>
                                        <thead><tr>
                                            <th scope="col">{t("staff.username")}</th>
                                            <th scope="col">{t("console.name")}</th>
                                            <th scope="col">{t("console.accounts.role")}</th>
                                            <th scope="col">{t("console.phone")}</th>
                                            <th scope="col">{t("console.status")}</th>
                                            <th scope="col">{t("console.action")}</th>
                                        </tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                                <section class="card narrow" aria-labelledby="new-staff-h">
                                    <h2 id="new-staff-h">{t("console.accounts.new")}</h2>
                                    <form method="post" action=CreateStaff::PATH class="form" data-testid="create-staff">
                                        <div class="field">
                                            <label for="username">{t("staff.username")}</label>
                                            <input id="username" name="username" type="text" required maxlength="32" autocapitalize="off"
                                                spellcheck="false" autocomplete="off" aria-describedby="username-hint"/>
                                            <p class="hint" id="username-hint">{t("console.accounts.username_hint")}</p>
                                        </div>
                                        <div class="field">
                                            <label for="display_name">{t("console.name")}</label>
                                            <input id="display_name" name="display_name" type="text" required maxlength="40" autocomplete="off"/>
                                        </div>
                                        <div class="field">
                                            <label for="role">{t("console.accounts.role")}</label>
                                            <select id="role" name="role">{roles}</select>
                                        </div>
                                        <div class="field">
                                            <label for="phone">{t("console.accounts.own_phone")}</label>
                                            <input id="phone" name="phone" type="tel" inputmode="numeric" maxlength="11" autocomplete="off"
                                                aria-describedby="phone-hint"/>
                                            <p class="hint" id="phone-hint">{t("console.accounts.own_phone_hint")}</p>
                                        </div>
                                        <button type="submit" class="btn btn-primary">{t("console.accounts.create")}</button>
                                    </form>
                                </section>
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
