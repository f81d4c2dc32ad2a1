//! 保全 — servicing: the customer's hall (`/requests`: what may be changed on each policy,
//! every request made), a request's timeline, the beneficiaries and contact forms; and the
//! reviewers' queue and request page. Every change is a plain form posting to a server
//! function, which redirects (Post/Redirect/Get).

use super::policies::page_error;
use super::route_param as param;
use crate::api::account::Viewer;
use crate::api::policies::{StepUp, StepUpSendCode, StepUpWithCode};
use crate::api::servicing::{
    self as api, beneficiaries_path, request_path, staff_request_path, ApproveServiceRequest,
    ChangeContact, ConfirmPhoneChange, RejectServiceRequest, RequestBeneficiaryChange,
    ReviewServiceRequest, StartPhoneChange, CONTACT_PATH, FORM_ROWS, PHONE_PATH, REQUESTS,
    STAFF_REQUESTS,
};
use crate::backend::domain::servicing::{needs_review, Relation};
use crate::backend::services::servicing::kind_key;
use crate::backend::store::policies::BeneficiaryRow;
use crate::backend::store::servicing::{EventRow, Payload, RequestRow};
use crate::components::{
    aria_invalid, described_by, error_from_query, insured_for, policy_no_for, product_name,
    ErrorNotice, FormError, IdentityCheck, Layout, PhoneField,
};
use crate::i18n::{datetime, locale, t, t_with, Locale};
use crate::model::{ServiceRequestKind as Kind, ServiceRequestState as State};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn state_badge(s: State) -> impl IntoView {
    let class = match s {
        State::Done => "badge badge-active",
        State::Rejected => "badge badge-muted",
        _ => "badge badge-due",
    };
    view! { <span class=class data-testid="request-state">{t(&format!("servicing.state.{s}"))}</span> }
}

/// The product and masked number of the request's policy, or "your account".
fn subject(r: &RequestRow) -> String {
    match (&r.product_zh, &r.product_en, &r.policy_no) {
        (Some(zh), Some(en), Some(no)) => {
            let name = if locale() == Locale::ZhCn { zh } else { en };
            format!("{name} · {}", policy_no_for(no, false))
        }
        _ => t("servicing.account"),
    }
}

fn relation(r: &str) -> String {
    t(&format!("policy.relation.{r}"))
}

/// An error about one row of the beneficiaries form says which.
fn with_row(error: Option<FormError>) -> Option<FormError> {
    let row = use_query_map()
        .get_untracked()
        .get("row")
        .and_then(|r| r.parse::<usize>().ok())
        .filter(|r| (1..=FORM_ROWS).contains(r));
    match (error, row) {
        (Some(e), Some(r)) => {
            Some(e.and_then(&t_with("servicing.on_row", &[("n", &r.to_string())])))
        }
        (e, _) => e,
    }
}

/// `/requests`: the servicing hall (线上保全大厅).
#[component]
pub fn RequestsPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::hall().await {
                    Err(e) => page_error(e),
                    Ok(hall) => {
                        let policies = hall.policies.into_iter().map(|(p, changeable)| {
                            let loan = (p.line == "life").then(|| view! {
                                <a class="btn btn-quiet" href=crate::api::servicing::loan_path(&p.id) data-testid="policy-loan">{t("loan.title")}</a>
                            });
                            let action = if changeable {
                                view! { <a class="btn btn-quiet" href=beneficiaries_path(&p.id) data-testid="change-beneficiaries">{t("servicing.change_beneficiaries")}</a> {loan} }.into_any()
                            } else {
                                view! { <span class="small muted">{t("servicing.nothing_online")}</span> }.into_any()
                            };
                            view! {
                                <li class="card" data-testid="servicing-policy">
                                    <div class="policy-head"><span class="line-tag">{t(&format!("line.{}", p.line))}</span></div>
                                    <p><strong>{product_name(&p)}</strong> " " <span class="mono small">{policy_no_for(&p.policy_no, false)}</span></p>
                                    {action}
                                </li>
                            }
                        }).collect_view();
                        let empty = hall.requests.is_empty().then(|| view! { <p class="card muted">{t("servicing.none")}</p> });
                        let requests = hall.requests.iter().map(|r| view! {
                            <li class="card policy-card" data-testid="request-card">
                                <div class="policy-head">
                                    <span class="line-tag">{t(&kind_key(r.kind))}</span>
                                    {state_badge(r.state)}
                                </div>
                                <h3><a href=request_path(&r.id)>{t(&kind_key(r.kind))}</a></h3>
                                <p class="muted small">{subject(r)} " · " {datetime(r.created_at)}</p>
                            </li>
                        }).collect_view();
                        view! {
                            <Title text=t("servicing.title")/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href="/">{t("claim.back_home")}</a></p>
                                <h1>{t("servicing.title")}</h1>
                                <p class="muted">{t("servicing.intro")}</p>
                                <section aria-labelledby="can-change">
                                    <h2 id="can-change">{t("servicing.what_title")}</h2>
                                    <ul class="plain choices">
                                        <li class="card">
                                            <p><strong>{t("servicing.kind.contact")}</strong></p>
                                            <p class="small muted">{t("servicing.contact_hint")}</p>
                                            <a class="btn btn-quiet" href=CONTACT_PATH data-testid="change-contact">{t("servicing.change_contact")}</a>
                                        </li>
                                        <li class="card">
                                            <p><strong>{t("servicing.kind.phone")}</strong></p>
                                            <p class="small muted">{t("servicing.phone_hint")}</p>
                                            <a class="btn btn-quiet" href=PHONE_PATH data-testid="change-phone">{t("servicing.change_phone")}</a>
                                        </li>
                                        <li class="card">
                                            <p><strong>{t("accounts.title")}</strong></p>
                                            <p class="small muted">{t("accounts.hint")}</p>
                                            <a class="btn btn-quiet" href=crate::api::servicing::ACCOUNTS_PATH data-testid="change-accounts">{t("accounts.change")}</a>
                                        </li>
                                        {policies}
                                    </ul>
                                </section>
                                <section aria-labelledby="my-requests">
                                    <h2 id="my-requests">{t("servicing.history_title")}</h2>
                                    {empty}
                                    <ul class="policy-list" data-testid="request-list">{requests}</ul>
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

/// The timeline of a request: each state on its path, when it was reached and by whom.
fn timeline(r: &RequestRow, events: &[EventRow]) -> AnyView {
    let path: Vec<State> = match (r.kind, r.state) {
        (k, _) if !needs_review(k) => vec![State::Submitted, State::Done],
        (_, State::Rejected) => vec![State::Submitted, State::InReview, State::Rejected],
        _ => vec![State::Submitted, State::InReview, State::Done],
    };
    let rows = path
        .into_iter()
        .map(|s| {
            let reached = events.iter().find(|e| e.to_state == s);
            let is_current = s == r.state && !s.is_closed();
            let step = if is_current {
                "current"
            } else if reached.is_some() {
                "done"
            } else {
                "todo"
            };
            let when = reached.map(|e| {
                let who = match (&e.actor_name, e.actor_kind.as_str()) {
                    (Some(name), _) => name.clone(),
                    (None, "staff") => t("servicing.by_staff"),
                    _ => t("servicing.you"),
                };
                let note = (!e.note.is_empty()).then(|| view! { <p class="small">{e.note.clone()}</p> });
                view! {
                    <p class="small muted">{datetime(e.at)} " · " {who}</p>
                    {note}
                }
            });
            view! {
                <li class=format!("step step-{step}") aria-current=is_current.then_some("step") data-testid=format!("step-{s}")>
                    <span class="step-dot" aria-hidden="true"></span>
                    <div>
                        <p class="step-name"><strong>{t(&format!("servicing.state.{s}"))}</strong>
                            <span class="sr-only">{format!(" ({})", t(&format!("claim.step_state.{step}")))}</span></p>
                        {when}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{t("servicing.timeline")}</h2>
            <ol class="timeline" data-testid="timeline">{rows}</ol>
        </section>
    }
    .into_any()
}

/// What the request asks for. Names are shown to the customer as on the policy page;
/// ID numbers only masked, to everyone.
fn asked_for(p: &Payload, reviewer: bool) -> AnyView {
    match p {
        Payload::Beneficiaries(list) => {
            let rows = list
                .iter()
                .map(|b| {
                    let name = if reviewer {
                        b.name.clone()
                    } else {
                        insured_for("life", &b.name)
                    };
                    view! {
                        <tr data-testid="asked-beneficiary">
                            <td>{name}</td>
                            <td>{relation(&b.relation)}</td>
                            <td class="mono">{b.id_number_masked.clone()}</td>
                            <td class="num">{format!("{}%", b.share_pct)}</td>
                        </tr>
                    }
                })
                .collect_view();
            // The table scrolls sideways on a phone; focusable, so a keyboard can scroll it too.
            view! {
                <section class="card">
                    <h2 id="asked-title">{t("servicing.asked_beneficiaries")}</h2>
                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="asked-title"><table class="asked">
                        <thead><tr>
                            <th scope="col">{t("servicing.name")}</th>
                            <th scope="col">{t("servicing.relation")}</th>
                            <th scope="col">{t("servicing.id_number")}</th>
                            <th scope="col" class="num">{t("servicing.share")}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table></div>
                </section>
            }
            .into_any()
        }
        Payload::Phone { old, new } => view! {
            <section class="card">
                <h2>{t("servicing.asked_phone")}</h2>
                <p class="mono">{old.clone()} " → " {new.clone()}</p>
            </section>
        }
        .into_any(),
        Payload::DebitMethod { old, new } | Payload::PayoutAccount { old, new } => {
            let key = if matches!(p, Payload::DebitMethod { .. }) {
                "servicing.asked_debit"
            } else {
                "servicing.asked_payout"
            };
            let old = if old.is_empty() {
                t("servicing.none_given")
            } else {
                old.clone()
            };
            view! {
                <section class="card">
                    <h2>{t(key)}</h2>
                    <p><span class="mono">{old}</span> " → " <strong class="mono" data-testid="asked-account">{new.clone()}</strong></p>
                </section>
            }
            .into_any()
        }
        Payload::Loan {
            amount_fen,
            cash_value_fen,
            max_fen,
            rate_bp,
            term_days,
            payout_masked,
        } => {
            let money = |f: &i64| crate::model::Money(*f).display();
            view! {
                <section class="card">
                    <h2>{t("servicing.asked_loan")}</h2>
                    <dl class="facts">
                        <dt>{t("loan.amount")}</dt><dd data-testid="asked-amount"><strong>{money(amount_fen)}</strong></dd>
                        <dt>{t("loan.cash_value")}</dt><dd>{money(cash_value_fen)}</dd>
                        <dt>{t("loan.max")}</dt><dd>{money(max_fen)}</dd>
                        <dt>{t("loan.rate")}</dt><dd>{super::servicing_money::rate(*rate_bp)}</dd>
                        <dt>{t("loan.term")}</dt><dd>{t_with("loan.term_days", &[("n", &term_days.to_string())])}</dd>
                        <dt>{t("loan.paid_into")}</dt><dd class="mono">{payout_masked.clone()}</dd>
                    </dl>
                </section>
            }
            .into_any()
        }
        Payload::Contact { address, email, .. } => {
            let none = || t("servicing.none_given");
            view! {
                <section class="card">
                    <h2>{t("servicing.asked_contact")}</h2>
                    <dl class="facts">
                        <dt>{t("servicing.address")}</dt><dd>{if address.is_empty() { none() } else { address.clone() }}</dd>
                        <dt>{t("servicing.email")}</dt><dd>{if email.is_empty() { none() } else { email.clone() }}</dd>
                    </dl>
                </section>
            }
            .into_any()
        }
    }
}

fn request_head(r: &RequestRow) -> AnyView {
    let rejected = r.reason.clone().filter(|_| r.state == State::Rejected).map(|why| view! {
        <p class="alert alert-error" data-testid="reject-reason">{t("servicing.reject_reason")} " " {why}</p>
    });
    view! {
        <section class="card">
            <div class="policy-head">{state_badge(r.state)}</div>
            <h1>{t(&kind_key(r.kind))}</h1>
            <p class="muted">{subject(r)}</p>
            <p class="small muted">{t("servicing.submitted_at")} " " {datetime(r.created_at)}</p>
            {rejected}
        </section>
    }
    .into_any()
}

/// `/requests/:id`: one request, its state and timeline.
#[component]
pub fn RequestPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::detail(&id).await {
                    Err(e) => page_error(e),
                    Ok(v) => {
                        let done = use_query_map().get_untracked().get("done")
                            .filter(|d| ["submitted", "contact", "phone", "debit_method", "payout_account"].contains(&d.as_str()))
                            .map(|d| view! { <p class="alert alert-info" role="status" data-testid="request-done">{t(&format!("servicing.done.{d}"))}</p> });
                        let r = &v.request;
                        let (title, head, tl, asked) = (t(&kind_key(r.kind)), request_head(r), timeline(r, &v.events), asked_for(&r.payload, false));
                        view! {
                            <Title text=title/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=REQUESTS>{t("servicing.back")}</a></p>
                                {done}
                                {head}
                                {tl}
                                {asked}
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn current_list(current: &[BeneficiaryRow], reviewer: bool) -> AnyView {
    if current.is_empty() {
        return view! { <p class="muted">{t("servicing.no_beneficiaries")}</p> }.into_any();
    }
    let rows = current
        .iter()
        .map(|b| {
            let name = if reviewer { b.name.clone() } else { insured_for("life", &b.name) };
            let id = if b.id_number_masked.is_empty() { "—".to_owned() } else { b.id_number_masked.clone() };
            view! {
                <li data-testid="current-beneficiary">{name} " · " {relation(&b.relation)} " · " <span class="mono">{id}</span> " · " {format!("{}%", b.share_pct)}</li>
            }
        })
        .collect_view();
    view! { <ul class="plain">{rows}</ul> }.into_any()
}

/// The five rows of the beneficiaries form, the first ones filled with who is named now
/// (ID numbers are kept masked, so they are typed again).
fn beneficiary_rows(current: &[BeneficiaryRow], error: &Option<FormError>) -> AnyView {
    (1..=FORM_ROWS)
        .map(|n| {
            let now = current.get(n - 1);
            let f = |field: &str| format!("{field}_{n}");
            let (name_id, rel_id, idn_id, share_id) = (f("name"), f("relation"), f("id_number"), f("share"));
            let chosen = now.map(|b| b.relation.clone()).unwrap_or_default();
            let options = Relation::ALL
                .iter()
                .map(|r| view! { <option value=r.as_str() selected=chosen == r.as_str()>{relation(r.as_str())}</option> })
                .collect_view();
            let legend = t_with("servicing.row", &[("n", &n.to_string())]);
            view! {
                <fieldset class="field beneficiary-row" data-testid="beneficiary-row">
                    <legend>{legend}</legend>
                    <div class="field">
                        <label for=name_id.clone()>{t("servicing.name")}</label>
                        <input id=name_id.clone() name=name_id.clone() type="text" maxlength="30" autocomplete="off"
                            value=now.map(|b| b.name.clone()) aria-invalid=aria_invalid(error, &name_id)
                            aria-describedby=described_by(error, &name_id, None)/>
                    </div>
                    <div class="field">
                        <label for=rel_id.clone()>{t("servicing.relation")}</label>
                        <select id=rel_id.clone() name=rel_id.clone()>
                            <option value="">{t("servicing.choose")}</option>
                            {options}
                        </select>
                    </div>
                    <div class="field">
                        <label for=idn_id.clone()>{t("servicing.id_number")}</label>
                        <input id=idn_id.clone() name=idn_id.clone() type="text" maxlength="22" autocomplete="off"
                            inputmode="text" aria-describedby=format!("{idn_id}-hint")/>
                        <p class="hint" id=format!("{idn_id}-hint")>{t("servicing.id_hint")}</p>
                    </div>
                    <div class="field">
                        <label for=share_id.clone()>{t("servicing.share")}</label>
                        <input id=share_id.clone() name=share_id.clone() type="text" inputmode="numeric" maxlength="4"
                            value=now.map(|b| b.share_pct.to_string())/>
                    </div>
                </fieldset>
            }
        })
        .collect_view()
        .into_any()
}

/// The identity check a form waits behind (10 minutes fresh), returning to `here`.
pub(super) fn step_up_gate(here: &str, intro_key: &str, error: &Option<FormError>) -> AnyView {
    view! {
        <ErrorNotice error=error.clone()/>
        <h2>{t("servicing.step_up_title")}</h2>
        <p class="muted">{t(intro_key)}</p>
        <IdentityCheck
            id_action=StepUp::PATH
            send_action=StepUpSendCode::PATH
            code_action=StepUpWithCode::PATH
            hidden=vec![("next", here.to_owned())]
            submit=t("servicing.step_up_submit")
            error=error.clone()
        />
    }
    .into_any()
}

/// `/policies/:id/beneficiaries`: who is named now; after a fresh identity check, the
/// form to change them (five rows, shares adding up to 100 %).
#[component]
pub fn BeneficiariesPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::beneficiaries_page(&id).await {
                    Err(e) => page_error(e),
                    Ok(page) => {
                        let v = page.view;
                        let here = beneficiaries_path(&v.policy.id);
                        let error = with_row(error_from_query());
                        let body = if !v.changeable {
                            view! { <p class="alert alert-info" data-testid="not-eligible">{t("servicing.error.not_eligible")}</p> }.into_any()
                        } else if let Some(open) = &v.open {
                            view! {
                                <p class="alert alert-info" role="status" data-testid="open-request">
                                    {t("servicing.open_already")} " " <a href=request_path(&open.id)>{t("servicing.follow")}</a>
                                </p>
                            }.into_any()
                        } else if page.read_only {
                            view! { <p class="alert alert-info">{t("servicing.read_only")}</p> }.into_any()
                        } else if !page.fresh {
                            step_up_gate(&here, "servicing.step_up_intro", &error)
                        } else {
                            view! {
                                <form method="post" action=RequestBeneficiaryChange::PATH class="form" data-testid="beneficiaries-form">
                                    <ErrorNotice error=error.clone()/>
                                    <p class="muted">{t("servicing.beneficiaries_intro")}</p>
                                    <input type="hidden" name="policy_id" value=v.policy.id.clone()/>
                                    {beneficiary_rows(&v.current, &error)}
                                    <button type="submit" class="btn btn-primary btn-block" data-testid="beneficiaries-submit">{t("servicing.submit_beneficiaries")}</button>
                                </form>
                            }.into_any()
                        };
                        let title = t("servicing.change_beneficiaries");
                        view! {
                            <Title text=title.clone()/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=REQUESTS>{t("servicing.back")}</a></p>
                                <section class="card narrow">
                                    <h1>{title}</h1>
                                    <p class="muted">{product_name(&v.policy)} " · " <span class="mono">{policy_no_for(&v.policy.policy_no, false)}</span></p>
                                    <h2>{t("servicing.current")}</h2>
                                    {current_list(&v.current, false)}
                                    {body}
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

/// `/requests/new/contact`: the address and email, changed at once.
#[component]
pub fn ContactPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::contact_page().await {
                    Err(e) => page_error(e),
                    Ok((c, read_only)) => {
                        let error = error_from_query();
                        let title = t("servicing.change_contact");
                        view! {
                            <Title text=title.clone()/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=REQUESTS>{t("servicing.back")}</a></p>
                                <section class="card narrow">
                                    <h1>{title}</h1>
                                    {read_only.then(|| view! { <p class="alert alert-info">{t("servicing.read_only")}</p> })}
                                    <form method="post" action=ChangeContact::PATH class="form" data-testid="contact-form">
                                        <ErrorNotice error=error.clone()/>
                                        <div class="field">
                                            <label for="address">{t("servicing.address")}</label>
                                            <input id="address" name="address" type="text" required minlength="5" maxlength="120" autocomplete="street-address"
                                                value=c.address.clone() aria-invalid=aria_invalid(&error, "address") aria-describedby=described_by(&error, "address", None)/>
                                        </div>
                                        <div class="field">
                                            <label for="email">{t("servicing.email")} <span class="muted">{format!(" ({})", t("claim.optional"))}</span></label>
                                            <input id="email" name="email" type="email" maxlength="254" autocomplete="email"
                                                value=c.email.clone() aria-invalid=aria_invalid(&error, "email") aria-describedby=described_by(&error, "email", None)/>
                                        </div>
                                        <button type="submit" class="btn btn-primary btn-block" data-testid="contact-submit">{t("servicing.save_contact")}</button>
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

/// `/staff/requests`: the review queue, the longest waiting first.
#[component]
pub fn StaffRequestsPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::queue().await {
                    Err(e) => super::staff::staff_page_error(e),
                    Ok(items) => {
                        let count = items.len().to_string();
                        let rows = items.iter().map(|r| view! {
                            <tr data-testid="request-row">
                                <td><a href=staff_request_path(&r.id)>{t(&kind_key(r.kind))}</a></td>
                                <td>{r.customer_name.clone()}</td>
                                <td class="small">{subject(r)}</td>
                                <td>{t(&format!("servicing.state.{}", r.state))}</td>
                                <td class="small">{datetime(r.created_at)}</td>
                            </tr>
                        }).collect_view();
                        view! {
                            <Title text=t("servicing.staff.title")/>
                            <Layout viewer=Viewer::Staff>
                                <p><a href="/staff">{t("staff_claims.back")}</a></p>
                                <h1>{t("servicing.staff.title")}</h1>
                                <p class="muted small" data-testid="request-count">{t_with("servicing.staff.count", &[("n", &count)])}</p>
                                <div class="card table-wrap">
                                    <table>
                                        <thead><tr>
                                            <th scope="col">{t("servicing.staff.kind")}</th>
                                            <th scope="col">{t("servicing.staff.customer")}</th>
                                            <th scope="col">{t("servicing.staff.policy")}</th>
                                            <th scope="col">{t("servicing.staff.state")}</th>
                                            <th scope="col">{t("servicing.staff.submitted")}</th>
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

/// `/staff/requests/:id`: the request, the policy's beneficiaries as they are, the
/// customer's other recent requests, and the reviewer's actions.
#[component]
pub fn StaffRequestPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::review(&id).await {
                    Err(e) => super::staff::staff_page_error(e),
                    Ok(v) => {
                        let error = error_from_query();
                        let done = use_query_map().get_untracked().get("done")
                            .filter(|d| ["in_review", "done", "rejected"].contains(&d.as_str()))
                            .map(|d| view! { <p class="alert alert-info" role="status" data-testid="staff-done">{t(&format!("servicing.state.{d}"))}</p> });
                        let r = &v.request;
                        let actions = match r.state {
                            State::Submitted => view! {
                                <form method="post" action=ReviewServiceRequest::PATH class="form">
                                    <input type="hidden" name="request_id" value=r.id.clone()/>
                                    <button type="submit" class="btn btn-primary" data-testid="take-review">{t("servicing.staff.take")}</button>
                                </form>
                            }.into_any(),
                            State::InReview => view! {
                                <form method="post" action=ApproveServiceRequest::PATH class="form">
                                    <input type="hidden" name="request_id" value=r.id.clone()/>
                                    <button type="submit" class="btn btn-primary" data-testid="approve">{t("servicing.staff.approve")}</button>
                                </form>
                                <form method="post" action=RejectServiceRequest::PATH class="form">
                                    <input type="hidden" name="request_id" value=r.id.clone()/>
                                    <label for="reason">{t("servicing.staff.reason")}</label>
                                    <input id="reason" name="reason" type="text" required minlength="4" maxlength="300"
                                        aria-invalid=aria_invalid(&error, "reason") aria-describedby=described_by(&error, "reason", None)/>
                                    <button type="submit" class="btn btn-danger" data-testid="reject">{t("servicing.staff.reject")}</button>
                                </form>
                            }.into_any(),
                            _ => view! { <p class="muted">{t("servicing.staff.closed")}</p> }.into_any(),
                        };
                        let history = if v.history.is_empty() {
                            view! { <p class="muted">{t("servicing.none")}</p> }.into_any()
                        } else {
                            let rows = v.history.iter().map(|h| view! {
                                <li data-testid="history-row"><a href=staff_request_path(&h.id)>{t(&kind_key(h.kind))}</a> " · " {t(&format!("servicing.state.{}", h.state))} " · " {datetime(h.created_at)}</li>
                            }).collect_view();
                            view! { <ul class="plain">{rows}</ul> }.into_any()
                        };
                        let current = (r.kind == Kind::Beneficiaries).then(|| view! {
                            <section class="card" data-testid="current-beneficiaries">
                                <h2>{t("servicing.current")}</h2>
                                {current_list(&v.current, true)}
                            </section>
                        });
                        let (title, customer, head, tl, asked) = (t(&kind_key(r.kind)), r.customer_name.clone(), request_head(r), timeline(r, &v.events), asked_for(&r.payload, true));
                        view! {
                            <Title text=title/>
                            <Layout viewer=Viewer::Staff>
                                <p><a href=STAFF_REQUESTS>{t("servicing.staff.back")}</a></p>
                                <ErrorNotice error=error.clone()/>
                                {done}
                                <p class="muted">{t("servicing.staff.customer")} " " {customer}</p>
                                {head}
                                <section class="card staff-actions" data-testid="staff-actions">
                                    <h2>{t("staff_claims.actions")}</h2>
                                    {actions}
                                </section>
                                {asked}
                                {current}
                                {tl}
                                <section class="card">
                                    <h2>{t("servicing.staff.history")}</h2>
                                    {history}
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

/// `/requests/new/phone`: the new number; then (`?a=…&b=…`) the two codes, one texted to
/// the number on file and one to the new number.
#[component]
pub fn PhonePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::phone_page().await {
                    Err(e) => page_error(e),
                    Ok((phone, read_only)) => {
                        let error = error_from_query();
                        let q = use_query_map().get_untracked();
                        let codes = q.get("a").zip(q.get("b")).map(|(a, b)| (crate::api::auth::urlsafe(&a), crate::api::auth::urlsafe(&b)));
                        let now = phone.map(|p| crate::i18n::phone(&p)).unwrap_or_default();
                        let body = match codes {
                            Some((a, b)) => view! {
                                <p class="alert alert-info" role="status">{t("servicing.phone_codes_sent")}</p>
                                <form method="post" action=ConfirmPhoneChange::PATH class="form" data-testid="phone-codes-form">
                                    <ErrorNotice error=error.clone()/>
                                    <input type="hidden" name="a" value=a/>
                                    <input type="hidden" name="b" value=b/>
                                    <div class="field">
                                        <label for="code_old">{t_with("servicing.code_old", &[("phone", &now)])}</label>
                                        <input id="code_old" name="code_old" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="6"/>
                                    </div>
                                    <div class="field">
                                        <label for="code_new">{t("servicing.code_new")}</label>
                                        <input id="code_new" name="code_new" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="6"/>
                                    </div>
                                    <button type="submit" class="btn btn-primary btn-block" data-testid="phone-confirm">{t("servicing.confirm_phone")}</button>
                                </form>
                                <p><a href=PHONE_PATH>{t("servicing.phone_again")}</a></p>
                            }.into_any(),
                            None => view! {
                                <p class="muted">{t_with("servicing.phone_now", &[("phone", &now)])}</p>
                                <p class="small muted">{t("servicing.phone_explain")}</p>
                                <form method="post" action=StartPhoneChange::PATH class="form" data-testid="phone-form">
                                    <ErrorNotice error=error.clone()/>
                                    <PhoneField error=error.clone() value=None/>
                                    <button type="submit" class="btn btn-primary btn-block" data-testid="phone-send">{t("servicing.send_codes")}</button>
                                </form>
                            }.into_any(),
                        };
                        let title = t("servicing.change_phone");
                        view! {
                            <Title text=title.clone()/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=REQUESTS>{t("servicing.back")}</a></p>
                                <section class="card narrow">
                                    <h1>{title}</h1>
                                    {read_only.then(|| view! { <p class="alert alert-info">{t("servicing.read_only")}</p> })}
                                    {body}
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
