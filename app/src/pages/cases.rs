//! Complaint and question cases: the customer's list (`/cases`), the form to open one
//! (`/cases/new`) and a case's page (`/cases/{id}`: its state, owner, deadline and why,
//! every reply, the answer and where to turn if they disagree); the handlers' queue
//! (`/staff/cases`) and case page. Every change is a plain form posting to a server
//! function, which redirects (Post/Redirect/Get).

use super::policies::page_error;
use super::route_param as param;
use crate::api::account::Viewer;
use crate::api::cases::{
    self as api, case_path, file_path, reply_path, staff_case_path, AcceptCase, AnswerCase,
    CaseAccess, ExtendCase, HandOverCase, LinkCaseDocument, MoveCase, ReopenCase, ResolveCase,
    TakeCase, WithdrawCase, CASES, NEW_CASE, OPEN_PATH, STAFF_CASES,
};
use crate::backend::domain::cases::{self as rules, RootCause, Warning};
use crate::backend::services::cases::CaseView;
use crate::backend::services::cases::MAX_FILES;
use crate::backend::services::console::mask_name;
use crate::backend::store::cases::{CaseFileRow, CaseRow, SubjectRow};
use crate::components::{
    aria_invalid, described_by, error_from_query, policy_no_for, ErrorNotice, FormError, Layout,
};
use crate::i18n::{datetime, locale, t, t_with, Locale};
use crate::model::CaseState as State;
use crate::model::{CaseCategory as Category, CaseEventKind as EventKind, CaseKind as Kind};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn state_badge(s: State) -> impl IntoView {
    let class = match s {
        State::Resolved | State::Closed => "badge badge-active",
        State::Withdrawn => "badge badge-muted",
        _ => "badge badge-due",
    };
    view! { <span class=class data-testid="case-state">{t(&format!("cases.state.{s}"))}</span> }
}

fn warning_of(c: &CaseRow) -> Warning {
    let now = crate::api::ctx::state().clock.now();
    rules::warning(c.state, c.clock_start_at, c.due_at, now)
}

fn warning_badge(c: &CaseRow) -> Option<AnyView> {
    let w = warning_of(c);
    let class = match w {
        Warning::None => return None,
        Warning::Half => "badge badge-due",
        Warning::Late | Warning::Overdue => "badge badge-warn",
    };
    Some(view! { <span class=class data-testid=format!("warning-{}", w.as_str())>{t(&format!("cases.warning.{}", w.as_str()))}</span> }.into_any())
}

/// A member of staff as the customer sees them: their role and masked name.
fn staff_for_customer(name: &str, role: Option<&str>) -> String {
    let role = role
        .map(|r| t(&format!("staff.roles.{r}")))
        .unwrap_or_default();
    format!("{role} {}", mask_name(name)).trim().to_owned()
}

fn kind_and_category(c: &CaseRow) -> String {
    format!(
        "{} · {}",
        t(&format!("cases.kind.{}", c.kind)),
        t(&format!("cases.category.{}", c.category))
    )
}

fn done_notice() -> Option<AnyView> {
    const DONE: &[&str] = &[
        "opened",
        "replied",
        "withdrawn",
        "reopened",
        "taken",
        "acknowledged",
        "in_progress",
        "closed",
        "resolved",
        "extended",
        "handover_offered",
        "handover_accepted",
        "linked",
    ];
    use_query_map()
        .get_untracked()
        .get("done")
        .filter(|d| DONE.contains(&d.as_str()))
        .map(|d| view! { <p class="alert alert-info" role="status" data-testid="case-done">{t(&format!("cases.done.{d}"))}</p> }.into_any())
}

/// `/cases`: the customer's complaints and questions, each with its state and deadline.
#[component]
pub fn CasesPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::list().await {
                    Err(e) => page_error(e),
                    Ok(cases) => {
                        let empty = cases.is_empty().then(|| view! { <p class="card muted">{t("cases.none")}</p> });
                        let rows = cases.iter().map(|c| {
                            let due = c.state.is_open().then(|| view! { <span>{t_with("cases.due_by", &[("when", &datetime(c.due_at))])}</span> });
                            view! {
                                <li class="card policy-card" data-testid="case-card">
                                    <div class="policy-head">
                                        <span class="line-tag">{kind_and_category(c)}</span>
                                        {state_badge(c.state)}
                                    </div>
                                    <h3><a href=case_path(&c.id)>{c.case_no.clone()}</a></h3>
                                    <p class="muted small">{t("cases.received_at")} " " {datetime(c.received_at)} " · " {due}</p>
                                </li>
                            }
                        }).collect_view();
                        view! {
                            <Title text=t("cases.title")/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href="/">{t("claim.back_home")}</a></p>
                                <h1>{t("cases.title")}</h1>
                                <p class="muted">{t("cases.intro")}</p>
                                <p><a class="btn btn-primary" href=NEW_CASE data-testid="new-case">{t("cases.new")}</a></p>
                                {empty}
                                <ul class="policy-list" data-testid="case-list">{rows}</ul>
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// One option of the "what is it about" list: `category:id`.
fn subject_option(s: &SubjectRow, chosen: &str) -> impl IntoView {
    let name = if locale() == Locale::ZhCn {
        &s.name_zh
    } else {
        &s.name_en
    };
    let label = match s.category.as_str() {
        "policy" | "payment" => format!("{name} · {}", policy_no_for(&s.label, false)),
        "claim" => format!("{} · {name}", s.label),
        _ => name.clone(),
    };
    let label = format!(
        "{label} · {}",
        crate::i18n::date(&crate::backend::clock::shanghai_date(s.at).to_string())
    );
    let value = format!("{}:{}", s.category, s.id);
    let selected = value == chosen;
    view! { <option value=value selected=selected>{label}</option> }
}

fn about_select(subjects: &[SubjectRow], chosen: &str, error: &Option<FormError>) -> AnyView {
    let groups = Category::ALL
        .iter()
        .map(|c| {
            let mine = subjects
                .iter()
                .filter(|s| s.category == c.as_str())
                .map(|s| subject_option(s, chosen))
                .collect_view();
            let general = format!("{c}:");
            let selected = general == chosen;
            view! {
                <optgroup label=t(&format!("cases.category.{c}"))>
                    <option value=general selected=selected>{t(&format!("cases.about_general.{c}"))}</option>
                    {mine}
                </optgroup>
            }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for="about">{t("cases.about")}</label>
            <select id="about" name="about" required aria-invalid=aria_invalid(error, "about") aria-describedby=described_by(error, "about", None)>
                {groups}
            </select>
        </div>
    }
    .into_any()
}

/// `/cases/new`: a complaint or a question, what it is about, and what happened.
#[component]
pub fn NewCasePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::new_case_form().await {
                    Err(e) => page_error(e),
                    Ok((form, draft, read_only)) => {
                        let error = error_from_query();
                        let staff = form.staff.iter().map(|s| {
                            let selected = draft.about_staff == s.id;
                            view! { <option value=s.id.clone() selected=selected>{staff_for_customer(&s.display_name, Some(s.role.as_str()))}</option> }
                        }).collect_view();
                        let kinds = Kind::ALL.iter().enumerate().map(|(i, k)| {
                            let checked = if draft.kind.is_empty() { i == 0 } else { draft.kind == k.as_str() };
                            view! {
                                <label class="check"><input type="radio" name="kind" value=k.as_str() checked=checked/><span>{t(&format!("cases.kind.{k}"))}</span></label>
                            }
                        }).collect_view();
                        let title = t("cases.new");
                        let kept = (error.is_some() && !draft.body.is_empty()).then(|| view! { <p class="small muted" data-testid="draft-kept">{t("cases.draft_kept")}</p> });
                        view! {
                            <Title text=title.clone()/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=CASES>{t("cases.back")}</a></p>
                                <section class="card narrow">
                                    <h1>{title}</h1>
                                    <p class="muted small">{t("cases.new_intro")}</p>
                                    {read_only.then(|| view! { <p class="alert alert-info">{t("cases.read_only")}</p> })}
                                    <form method="post" action=OPEN_PATH enctype="multipart/form-data" class="form" data-testid="case-form">
                                        <ErrorNotice error=error.clone()/>
                                        {kept}
                                        <fieldset class="field">
                                            <legend>{t("cases.kind_label")}</legend>
                                            {kinds}
                                        </fieldset>
                                        {about_select(&form.subjects, &draft.about, &error)}
                                        <fieldset class="field">
                                            <legend>{t("cases.about_staff_label")}</legend>
                                            <p class="small muted">{t("cases.about_staff_hint")}</p>
                                            <label for="about_staff">{t("cases.about_staff")}</label>
                                            <select id="about_staff" name="about_staff" aria-invalid=aria_invalid(&error, "about_staff")>
                                                <option value="">{t("cases.about_staff_none")}</option>
                                                {staff}
                                            </select>
                                            <label for="about_name">{t("cases.about_name")}</label>
                                            <input id="about_name" name="about_name" type="text" maxlength="30" value=draft.about_name.clone() aria-invalid=aria_invalid(&error, "about_name")/>
                                        </fieldset>
                                        <div class="field">
                                            <label for="text">{t("cases.text")}</label>
                                            <textarea id="text" name="body" required minlength="5" maxlength="2000" rows="6"
                                                aria-invalid=aria_invalid(&error, "text") aria-describedby=described_by(&error, "text", None)>{draft.body.clone()}</textarea>
                                        </div>
                                        {file_field("case-files", &error)}
                                        <p class="small muted">{t("cases.clock_promise")}</p>
                                        <button type="submit" class="btn btn-primary btn-block" data-testid="case-submit">{t("cases.submit")}</button>
                                    </form>
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

/// The attachments input of a case message: up to `MAX_FILES`, the claims upload rules.
fn file_field(id: &'static str, error: &Option<FormError>) -> AnyView {
    let max = MAX_FILES.to_string();
    view! {
        <div class="field">
            <label for=id>{t("cases.files")}</label>
            <input id=id name="file" type="file" multiple accept="image/jpeg,image/png,application/pdf"
                aria-invalid=aria_invalid(error, "file") aria-describedby=format!("{id}-hint")/>
            <p class="small muted" id=format!("{id}-hint")>{t_with("cases.files_hint", &[("max", &max)])}</p>
        </div>
    }
    .into_any()
}

/// The files that came with one timeline entry.
fn event_files(files: &[CaseFileRow], event_id: &str, case_id: &str) -> Option<AnyView> {
    let mine: Vec<&CaseFileRow> = files.iter().filter(|f| f.event_id == event_id).collect();
    if mine.is_empty() {
        return None;
    }
    let items = mine
        .into_iter()
        .map(|f| {
            let label = match (&f.claim_no, &f.document) {
                (Some(no), Some(doc)) => format!("{} · {no}", t(&format!("claim.doc.{doc}"))),
                _ if f.name.is_empty() => t("cases.file"),
                _ => f.name.clone(),
            };
            let size = format!("{} KB", (f.size_bytes + 1023) / 1024);
            view! {
                <li><a href=file_path(case_id, &f.id) data-testid="case-file">{label}</a> " " <span class="small muted">{size}</span></li>
            }
        })
        .collect_view();
    Some(view! { <ul class="case-files">{items}</ul> }.into_any())
}

/// The deadline and why it is what it is.
fn deadline(v: &CaseView) -> AnyView {
    let c = &v.case;
    if !c.state.is_open() {
        return ().into_any();
    }
    let why = match v.extensions.last() {
        None => t("cases.due_why.base"),
        Some(e) if e.step == 1 => t_with("cases.due_why.extended", &[("reason", &e.reason)]),
        Some(e) => t_with("cases.due_why.approved", &[("reason", &e.reason)]),
    };
    view! {
        <section class="card" data-testid="case-deadline">
            <h2>{t("cases.deadline")}</h2>
            <p><strong data-testid="case-due">{datetime(c.due_at)}</strong> " " {warning_badge(c)}</p>
            <p class="small muted" data-testid="case-due-why">{why}</p>
        </section>
    }
    .into_any()
}

/// Every entry of the timeline, oldest first: state changes, replies, ownership, extensions.
fn timeline(v: &CaseView, for_staff: bool) -> AnyView {
    let rows = v
        .events
        .iter()
        .map(|e| {
            let who = match (&e.actor_name, e.actor_kind.as_str()) {
                _ if e.kind == EventKind::Warned => t("cases.event.by_schedule"),
                (Some(name), _) if for_staff => name.clone(),
                (Some(name), _) => staff_for_customer(name, e.actor_role.as_deref()),
                (None, "staff") => t("servicing.by_staff"),
                _ => t("servicing.you"),
            };
            let what = match (e.kind, e.to_state()) {
                (EventKind::State, Some(s)) => t(&format!("cases.state.{s}")),
                (EventKind::Warned, _) => t(&format!("cases.warning.{}", e.body)),
                (kind, _) => t(&format!("cases.event.{kind}")),
            };
            // A warning's body is its level, a link's the claim number: said above.
            let body = (!e.body.is_empty()
                && !matches!(e.kind, EventKind::Warned | EventKind::Linked))
            .then(|| view! { <p class="case-text">{e.body.clone()}</p> });
            let files = event_files(&v.files, &e.id, &v.case.id);
            let step = if e.kind == EventKind::Reply {
                "todo"
            } else {
                "done"
            };
            view! {
                <li class=format!("step step-{step}") data-testid=format!("event-{}", e.kind)>
                    <span class="step-dot" aria-hidden="true"></span>
                    <div>
                        <p class="step-name"><strong>{what}</strong></p>
                        <p class="small muted">{datetime(e.at)} " · " {who}</p>
                        {body}
                        {files}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{t("cases.timeline")}</h2>
            <ol class="timeline" data-testid="timeline">{rows}</ol>
        </section>
    }
    .into_any()
}

/// The head of a case: number, what it is, state, owner, what the customer wrote.
fn case_head(c: &CaseRow, for_staff: bool) -> AnyView {
    let owner = match (&c.owner_name, for_staff) {
        (Some(name), true) => name.clone(),
        (Some(name), false) => staff_for_customer(name, c.owner_role.as_deref()),
        (None, _) => t("cases.no_owner"),
    };
    let about = (!c.about_staff_name.is_empty()).then(|| {
        let name = if for_staff {
            c.about_staff_name.clone()
        } else {
            mask_name(&c.about_staff_name)
        };
        view! { <dt>{t("cases.about_staff")}</dt><dd data-testid="case-about-staff">{name}</dd> }
    });
    view! {
        <section class="card">
            <div class="policy-head"><span class="line-tag">{kind_and_category(c)}</span>{state_badge(c.state)}</div>
            <h1 data-testid="case-no">{c.case_no.clone()}</h1>
            <dl class="facts">
                <dt>{t("cases.received_at")}</dt><dd>{datetime(c.received_at)}</dd>
                <dt>{t("cases.owner")}</dt><dd data-testid="case-owner">{owner}</dd>
                {about}
            </dl>
            <p class="case-text">{c.body.clone()}</p>
        </section>
    }
    .into_any()
}

/// The final answer and, for the customer, where to turn if they disagree.
fn answer(c: &CaseRow, for_staff: bool) -> Option<AnyView> {
    let text = c
        .final_answer
        .clone()
        .filter(|_| matches!(c.state, State::Resolved | State::Closed))?;
    let cause = c
        .root_cause
        .as_deref()
        .and_then(RootCause::parse)
        .filter(|_| for_staff)
        .map(|r| view! { <p class="small muted">{t("cases.root_cause")} ": " {t(&format!("cases.cause.{}", r.as_str()))}</p> });
    let routes = (!for_staff).then(|| {
        let items = ["review", "mediation", "arbitration", "litigation"]
            .map(|r| view! { <li>{t(&format!("cases.routes.{r}"))}</li> });
        view! {
            <h3>{t("cases.routes.title")}</h3>
            <ul data-testid="case-routes">{items.into_iter().collect_view()}</ul>
        }
    });
    Some(
        view! {
            <section class="card" data-testid="case-answer">
                <h2>{t("cases.answer")}</h2>
                <p class="case-text">{text}</p>
                {cause}
                {routes}
            </section>
        }
        .into_any(),
    )
}

fn hidden_id(id: &str) -> impl IntoView {
    view! { <input type="hidden" name="case_id" value=id.to_owned()/> }
}

/// A text box and a button posting to `path`.
fn text_form(
    path: &'static str,
    id: &str,
    label: &str,
    button: &str,
    testid: &'static str,
    error: &Option<FormError>,
) -> AnyView {
    let field = format!("{testid}-text");
    view! {
        <form method="post" action=path class="form" data-testid=testid>
            {hidden_id(id)}
            <div class="field">
                <label for=field.clone()>{label.to_owned()}</label>
                <textarea id=field name="text" required minlength="5" maxlength="2000" rows="4" aria-invalid=aria_invalid(error, "text")></textarea>
            </div>
            <button type="submit" class="btn btn-primary">{button.to_owned()}</button>
        </form>
    }
    .into_any()
}

/// What the customer may do on their case now: reply (with files), reopen an answer,
/// withdraw; by the case's short link, reply only.
fn customer_actions(c: &CaseRow, access: CaseAccess, error: &Option<FormError>) -> AnyView {
    let now = crate::api::ctx::state().clock.now();
    let reply = c.state.is_open().then(|| {
        view! {
            <form method="post" action=reply_path(&c.id) enctype="multipart/form-data" class="form" data-testid="reply-form">
                <div class="field">
                    <label for="reply-text">{t("cases.reply_label")}</label>
                    <textarea id="reply-text" name="text" required minlength="5" maxlength="2000" rows="4" aria-invalid=aria_invalid(error, "text")></textarea>
                </div>
                {file_field("reply-files", error)}
                <button type="submit" class="btn btn-primary">{t("cases.reply")}</button>
            </form>
        }
    });
    if access == CaseAccess::Link {
        let login = format!(
            "/login?next={}",
            crate::api::auth::urlsafe_path(&case_path(&c.id))
        );
        return view! {
            <section class="card">
                {reply}
                <p class="small muted" data-testid="link-only">{t("cases.link_only")} " " <a href=login>{t("cases.link_login")}</a></p>
            </section>
        }
        .into_any();
    }
    let withdraw = c.state.is_open().then(|| {
        view! {
            <form method="post" action=WithdrawCase::PATH class="form" data-testid="withdraw-form">
                {hidden_id(&c.id)}
                <button type="submit" class="btn btn-danger">{t("cases.withdraw")}</button>
            </form>
        }
    });
    let reopen = rules::may_reopen(c.state, c.resolved_at, now).then(|| {
        let until = c.resolved_at.map(|r| datetime(r + rules::REOPEN_DAYS * rules::DAY)).unwrap_or_default();
        view! {
            <p class="small muted">{t_with("cases.reopen_until", &[("when", &until)])}</p>
            {text_form(ReopenCase::PATH, &c.id, &t("cases.reopen_label"), &t("cases.reopen"), "reopen-form", error)}
        }
    });
    // A case closed for good offers nothing: no empty card.
    if reply.is_none() && reopen.is_none() && withdraw.is_none() {
        return ().into_any();
    }
    view! { <section class="card">{reply}{reopen}{withdraw}</section> }.into_any()
}

/// `/cases/:id`: one of the customer's cases.
#[component]
pub fn CasePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::detail(&id).await {
                    Err(e) => page_error(e),
                    Ok((v, access)) => {
                        let error = error_from_query();
                        let c = &v.case;
                        let actions = if access.may_reply() {
                            customer_actions(c, access, &error)
                        } else {
                            view! { <p class="alert alert-info">{t("cases.read_only")}</p> }.into_any()
                        };
                        // By the case's link the page is this case only: no way back to a list.
                        let back = (access != CaseAccess::Link).then(|| view! { <p><a href=CASES>{t("cases.back")}</a></p> });
                        let (title, head, due, ans, tl) = (c.case_no.clone(), case_head(c, false), deadline(&v), answer(c, false), timeline(&v, false));
                        view! {
                            <Title text=title/>
                            <Layout viewer=Viewer::Customer>
                                {back}
                                <ErrorNotice error=error.clone()/>
                                {done_notice()}
                                {head}
                                {due}
                                {ans}
                                {tl}
                                {actions}
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/staff/cases`: open cases (or those of one state), of one category or all, the
/// soonest due first, with their warnings.
#[component]
pub fn StaffCasesPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let q = use_query_map().get_untracked();
                let (state, category) = (q.get("state"), q.get("category"));
                match api::queue(state.clone(), category.clone()).await {
                    Err(e) => super::staff::staff_page_error(e),
                    Ok(items) => {
                        let count = items.len().to_string();
                        let may_stats = crate::api::ctx::caller()
                            .staff_with(crate::model::Permission::CaseStatistics)
                            .is_ok();
                        let stats_link = may_stats.then(|| view! {
                            <p><a href=crate::api::case_stats::STAFF_CASE_STATS data-testid="case-stats-link">{t("case_stats.link")}</a></p>
                        });
                        let states = State::ALL.iter().map(|s| view! {
                            <option value=s.as_str() selected={state.as_deref() == Some(s.as_str())}>{t(&format!("cases.state.{s}"))}</option>
                        }).collect_view();
                        let categories = Category::ALL.iter().map(|c| view! {
                            <option value=c.as_str() selected={category.as_deref() == Some(c.as_str())}>{t(&format!("cases.category.{c}"))}</option>
                        }).collect_view();
                        let rows = items.iter().map(|c| view! {
                            <tr data-testid="case-row">
                                <td><a href=staff_case_path(&c.id)>{c.case_no.clone()}</a></td>
                                <td>{kind_and_category(c)}</td>
                                <td>{c.customer_name.clone()}</td>
                                <td>{t(&format!("cases.state.{}", c.state))}</td>
                                <td>{c.owner_name.clone().unwrap_or_else(|| t("cases.no_owner"))}</td>
                                <td class="small">{datetime(c.due_at)} " " {warning_badge(c)}</td>
                            </tr>
                        }).collect_view();
                        view! {
                            <Title text=t("cases.staff.title")/>
                            <Layout viewer=Viewer::Staff>
                                <p><a href="/staff">{t("staff_claims.back")}</a></p>
                                <h1>{t("cases.staff.title")}</h1>
                                {stats_link}
                                <form method="get" action=STAFF_CASES class="card filters">
                                    <label for="f-state">{t("cases.staff.state")}</label>
                                    <select id="f-state" name="state"><option value="">{t("cases.staff.open")}</option>{states}</select>
                                    <label for="f-category">{t("cases.staff.category")}</label>
                                    <select id="f-category" name="category"><option value="">{t("staff_claims.any")}</option>{categories}</select>
                                    <button type="submit" class="btn btn-quiet">{t("staff_claims.filter")}</button>
                                </form>
                                <p class="muted small" data-testid="case-count">{t_with("cases.staff.count", &[("n", &count)])}</p>
                                <div class="card table-wrap">
                                    <table>
                                        <thead><tr>
                                            <th scope="col">{t("cases.staff.no")}</th>
                                            <th scope="col">{t("cases.staff.what")}</th>
                                            <th scope="col">{t("cases.staff.customer")}</th>
                                            <th scope="col">{t("cases.staff.state")}</th>
                                            <th scope="col">{t("cases.owner")}</th>
                                            <th scope="col">{t("cases.deadline")}</th>
                                        </tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A form with just a button posting to `path` (plus `to`, when given).
fn button_form(
    path: &'static str,
    id: &str,
    to: Option<&'static str>,
    label: String,
    testid: &'static str,
) -> AnyView {
    view! {
        <form method="post" action=path class="form">
            {hidden_id(id)}
            {to.map(|to| view! { <input type="hidden" name="to" value=to/> })}
            <button type="submit" class="btn btn-primary" data-testid=testid>{label}</button>
        </form>
    }
    .into_any()
}

/// What the handler reading the case may do on it now.
fn staff_actions(v: &CaseView, me: &str, approver: bool, error: &Option<FormError>) -> AnyView {
    let c = &v.case;
    let owner = c.owner_staff_id.as_deref() == Some(me);
    let complained_about = c.about_staff_id.as_deref() == Some(me);
    let mut out: Vec<AnyView> = vec![];
    if complained_about {
        out.push(view! { <p class="alert alert-warn">{t("cases.staff.about_you")}</p> }.into_any());
    } else if c.owner_staff_id.is_none() && !matches!(c.state, State::Closed | State::Withdrawn) {
        out.push(button_form(
            TakeCase::PATH,
            &c.id,
            None,
            t("cases.staff.take"),
            "take",
        ));
    }
    if c.handover_to_staff_id.as_deref() == Some(me) {
        out.push(button_form(
            AcceptCase::PATH,
            &c.id,
            None,
            t("cases.staff.accept"),
            "accept",
        ));
    }
    if owner {
        let next = match c.state {
            State::Received => Some(("acknowledged", "cases.staff.acknowledge")),
            State::Acknowledged | State::Reopened => Some(("in_progress", "cases.staff.start")),
            State::Resolved => Some(("closed", "cases.staff.close")),
            _ => None,
        };
        if let Some((to, label)) = next {
            out.push(button_form(
                MoveCase::PATH,
                &c.id,
                Some(to),
                t(label),
                "move",
            ));
        }
        if c.state.is_open() {
            out.push(text_form(
                AnswerCase::PATH,
                &c.id,
                &t("cases.staff.reply_label"),
                &t("cases.reply"),
                "answer-form",
                error,
            ));
        }
        if c.state == State::InProgress {
            let causes = RootCause::ALL.iter().map(|r| view! {
                <option value=r.as_str()>{t(&format!("cases.cause.{}", r.as_str()))}</option>
            }).collect_view();
            out.push(view! {
                <form method="post" action=ResolveCase::PATH class="form" data-testid="resolve-form">
                    {hidden_id(&c.id)}
                    <div class="field">
                        <label for="answer-text">{t("cases.staff.answer_label")}</label>
                        <textarea id="answer-text" name="text" required minlength="5" maxlength="2000" rows="5"></textarea>
                    </div>
                    <div class="field">
                        <label for="root_cause">{t("cases.root_cause")}</label>
                        <select id="root_cause" name="root_cause" required aria-invalid=aria_invalid(error, "root_cause")>
                            <option value="">{t("servicing.choose")}</option>
                            {causes}
                        </select>
                    </div>
                    <button type="submit" class="btn btn-primary">{t("cases.staff.resolve")}</button>
                </form>
            }.into_any());
        }
        if c.state.is_open() {
            let handlers = v.handlers.iter().map(|s| view! {
                <option value=s.id.clone()>{format!("{} · {}", s.display_name, t(&format!("staff.roles.{}", s.role)))}</option>
            }).collect_view();
            out.push(view! {
                <form method="post" action=HandOverCase::PATH class="form" data-testid="handover-form">
                    {hidden_id(&c.id)}
                    <label for="to_staff">{t("cases.staff.handover_to")}</label>
                    <select id="to_staff" name="to_staff" required aria-invalid=aria_invalid(error, "to_staff")>
                        <option value="">{t("servicing.choose")}</option>
                        {handlers}
                    </select>
                    <button type="submit" class="btn btn-quiet">{t("cases.staff.handover")}</button>
                </form>
            }.into_any());
        }
    }
    if owner && c.state.is_open() && !v.on_record.is_empty() {
        let files = v.on_record.iter().map(|f| view! {
            <option value=f.id.clone()>{format!("{} · {} · {}", f.claim_no, t(&format!("claim.doc.{}", f.document)), if f.name.is_empty() { f.kind.clone() } else { f.name.clone() })}</option>
        }).collect_view();
        out.push(view! {
            <form method="post" action=LinkCaseDocument::PATH class="form" data-testid="link-form">
                {hidden_id(&c.id)}
                <label for="file_id">{t("cases.staff.link_label")}</label>
                <p class="small muted">{t("cases.staff.link_hint")}</p>
                <select id="file_id" name="file_id" required aria-invalid=aria_invalid(error, "file_id")>
                    <option value="">{t("servicing.choose")}</option>
                    {files}
                </select>
                <button type="submit" class="btn btn-quiet">{t("cases.staff.link")}</button>
            </form>
        }.into_any());
    }
    let may_extend =
        c.state.is_open() && ((owner && c.extensions == 0) || (approver && c.extensions == 1));
    if may_extend {
        let label = if c.extensions == 0 {
            t("cases.staff.extend")
        } else {
            t("cases.staff.approve_extension")
        };
        out.push(view! {
            <form method="post" action=ExtendCase::PATH class="form" data-testid="extend-form">
                {hidden_id(&c.id)}
                <label for="reason">{t("cases.staff.extend_reason")}</label>
                <input id="reason" name="reason" type="text" required minlength="4" maxlength="300"
                    aria-invalid=aria_invalid(error, "reason") aria-describedby=described_by(error, "reason", None)/>
                <button type="submit" class="btn btn-quiet">{label}</button>
            </form>
        }.into_any());
    }
    if out.is_empty() {
        out.push(view! { <p class="muted">{t("cases.staff.nothing")}</p> }.into_any());
    }
    view! {
        <section class="card staff-actions" data-testid="staff-actions">
            <h2>{t("staff_claims.actions")}</h2>
            {out}
        </section>
    }
    .into_any()
}

/// `/staff/cases/:id`: the case, its deadline, the handler's actions and the timeline.
#[component]
pub fn StaffCasePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::staff_detail(&id).await {
                    Err(e) => super::staff::staff_page_error(e),
                    Ok((v, me, approver)) => {
                        let error = error_from_query();
                        let c = &v.case;
                        let handover = c.handover_to_name.clone().map(|n| view! {
                            <p class="alert alert-info" data-testid="handover-pending">{t_with("cases.staff.handover_pending", &[("name", &n)])}</p>
                        });
                        let (title, customer, head, due, ans, actions, tl) = (
                            c.case_no.clone(),
                            c.customer_name.clone(),
                            case_head(c, true),
                            deadline(&v),
                            answer(c, true),
                            staff_actions(&v, &me, approver, &error),
                            timeline(&v, true),
                        );
                        view! {
                            <Title text=title/>
                            <Layout viewer=Viewer::Staff>
                                <p><a href=STAFF_CASES>{t("cases.staff.back")}</a></p>
                                <ErrorNotice error=error.clone()/>
                                {done_notice()}
                                <p class="muted">{t("cases.staff.customer")} " " {customer}</p>
                                {handover}
                                {head}
                                {due}
                                {actions}
                                {ans}
                                {tl}
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
