//! Claims: the customer's list, the report form, the timeline with its checklist; and the
//! claims staff's queue and claim page. Everything is a plain form: the report and the
//! uploads post multipart to the server's plain routes, the rest to server functions.

use crate::api::account::Viewer;
use crate::api::claims::{
    self as api, file_path, staff_claim_path, upload_path, Access, AddClaimNote, AdvanceClaim,
    DeclineClaim, RequestClaimDocument, ReviewClaimDocument, SetClaimAmount, WithdrawClaim,
    REPORT_PATH,
};
use crate::api::ctx;
use crate::backend::domain::claims::{DocKind, Estimate, FastTrack};
use crate::backend::services::claims::{ClaimListItem, ClaimView, StageRow};
use crate::backend::store::claims::{DocumentRow, EventRow, FileRow, QueueFilter};
use crate::components::{
    aria_invalid, described_by, error_from_query, policy_no_for, ErrorNotice, Layout,
};
use crate::i18n::{datetime, locale, t, t_with, Locale};
use crate::model::{ClaimEventKind, ClaimStage, DocumentState, Line, Money};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::policies::page_error;
use super::route_param as param;

fn day(unix: i64) -> String {
    crate::i18n::date(
        &crate::backend::clock::shanghai_date(unix)
            .format("%Y-%m-%d")
            .to_string(),
    )
}

fn estimate(e: Estimate) -> String {
    match e {
        Estimate::By(at) => t_with("claim.expected_by", &[("date", &day(at))]),
        Estimate::Overdue(at) => t_with("claim.overdue_since", &[("date", &day(at))]),
        Estimate::Unknown => t("claim.too_little_history"),
        Estimate::Done => String::new(),
    }
}

fn money(fen: Option<i64>) -> String {
    fen.map(|f| Money(f).display())
        .unwrap_or_else(|| "—".to_owned())
}

fn product(c: &crate::backend::store::claims::ClaimRow) -> String {
    match locale() {
        Locale::ZhCn => c.product_zh.clone(),
        Locale::En => c.product_en.clone(),
    }
}

fn stage_badge(s: ClaimStage) -> impl IntoView {
    let class = match s {
        ClaimStage::Paid => "badge badge-active",
        ClaimStage::Declined | ClaimStage::Withdrawn => "badge badge-muted",
        _ => "badge badge-due",
    };
    view! { <span class=class data-testid="claim-stage">{t(&format!("claim.stage.{s}"))}</span> }
}

fn doc_name(kind: &str) -> String {
    t(&format!("claim.doc.{kind}"))
}

/// `/claims`: every claim of the customer's, however it was filed.
#[component]
pub fn ClaimsPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::list().await {
                    Err(e) => page_error(e),
                    Ok(items) => {
                        let empty = items.is_empty().then(|| view! { <p class="card muted">{t("claim.none")}</p> });
                        let rows = items.into_iter().map(|i| view! { <ClaimCard item=i href_base="/claims"/> }).collect_view();
                        view! {
                            <Title text=t("claim.list_title")/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href="/">{t("claim.back_home")}</a></p>
                                <div class="title-row">
                                    <h1>{t("claim.list_title")}</h1>
                                    <a class="btn btn-primary" href="/claims/new" data-testid="report-claim">{t("claim.report")}</a>
                                </div>
                                {empty}
                                <ul class="policy-list" data-testid="claim-list">{rows}</ul>
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ClaimCard(item: ClaimListItem, href_base: &'static str) -> impl IntoView {
    let c = item.claim;
    let waiting = (c.wanted > 0 && !c.stage.is_closed()).then(|| {
        view! { <p class="alert alert-warn small">{t_with("claim.waiting_count", &[("n", &c.wanted.to_string())])}</p> }
    });
    let next = (!c.stage.is_closed())
        .then(|| view! { <p class="small muted">{estimate(item.next_expected)}</p> });
    let href = format!("{href_base}/{}", c.id);
    view! {
        <li class="card policy-card" data-testid="claim-card">
            <div class="policy-head">
                <span class="line-tag">{t(&format!("line.{}", c.line))}</span>
                {stage_badge(c.stage)}
            </div>
            <h2><a href=href>{c.claim_no.clone()}</a></h2>
            <p class="muted small">{product(&c)} " · " {crate::i18n::date(&c.incident_date)} " · " {t(&format!("claim.channel.{}", c.channel))}</p>
            <p class="small">{c.description.chars().take(60).collect::<String>()}</p>
            {waiting}
            {next}
        </li>
    }
}

/// `/claims/new`: choose the policy, then say what happened and send photos.
#[component]
pub fn NewClaimPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::new_claim().await {
                    Err(e) => page_error(e),
                    Ok((policies, methods, on_file, read_only)) => {
                        let error = error_from_query();
                        let q = use_query_map().get_untracked();
                        let chosen = q.get("policy").map(|p| crate::api::auth::urlsafe(&p));
                        let chosen = chosen.and_then(|id| policies.iter().find(|p| p.id == id).cloned())
                            .or_else(|| (policies.len() == 1).then(|| policies[0].clone()));
                        let body = if policies.is_empty() {
                            view! { <p class="card muted">{t("claim.no_active_policy")}</p> }.into_any()
                        } else if let Some(p) = chosen {
                            view! { <ReportForm policy=p methods on_file error=error.clone() read_only/> }.into_any()
                        } else {
                            let choices = policies.into_iter().map(|p| {
                                let name = crate::components::product_name(&p);
                                view! {
                                    <li><a class="card choice" href=format!("/claims/new?policy={}", p.id) data-testid="claim-policy">
                                        <span class="line-tag">{t(&format!("line.{}", p.line))}</span>
                                        <strong>{name}</strong>
                                        <span class="mono small">{policy_no_for(&p.policy_no, false)}</span>
                                    </a></li>
                                }
                            }).collect_view();
                            view! {
                                <ErrorNotice error=error.clone()/>
                                <p>{t("claim.choose_policy")}</p>
                                <ul class="plain choices">{choices}</ul>
                            }.into_any()
                        };
                        view! {
                            <Title text=t("claim.report")/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href="/claims">{t("claim.back_to_list")}</a></p>
                                <h1>{t("claim.report")}</h1>
                                {body}
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportForm(
    policy: crate::backend::store::policies::PolicySummary,
    methods: Vec<crate::backend::store::payment_methods::PaymentMethodRow>,
    /// The account's payout account (masked), offered first when there is one.
    on_file: Option<String>,
    error: Option<crate::components::FormError>,
    read_only: bool,
) -> impl IntoView {
    let line = Line::parse(&policy.line).unwrap_or(Line::Auto);
    let today = ctx::state().clock.today_iso();
    let docs = crate::backend::domain::claims::standard_documents(line)
        .iter()
        .map(|(k, required)| {
            let id = format!("doc_{}", k.as_str());
            let label = doc_name(k.as_str());
            let why = t(&format!("claim.doc_why.{}", k.as_str()));
            let hint = format!("{id}-hint");
            view! {
                <div class="field">
                    <label for=id.clone()>{label} {(!required).then(|| view! { <span class="muted">{format!(" ({})", t("claim.optional"))}</span> })}</label>
                    <p class="hint" id=hint.clone()>{why}</p>
                    <input id=id.clone() name=id type="file" multiple accept="image/jpeg,image/png,application/pdf"
                        capture=k.is_photo().then_some("environment") aria-describedby=hint/>
                </div>
            }
        })
        .collect_view();
    let has_on_file = on_file.is_some();
    let on_file_view = on_file.map(|masked| {
        view! {
            <label class="check" for="payout-on-file">
                <input id="payout-on-file" type="radio" name="payout" value="on_file" checked=true/>
                <span>{t("claim.payout_on_file")} " " <span class="mono">{masked}</span></span>
            </label>
        }
    });
    let methods_view = methods.iter().enumerate().map(|(i, m)| {
        let id = format!("payout-{}", m.id);
        view! {
            <label class="check" for=id.clone()>
                <input id=id.clone() type="radio" name="payout" value=m.id.clone() checked=i == 0 && !has_on_file/>
                <span>{m.label.clone()}</span>
            </label>
        }
    }).collect_view();
    let no_methods = methods.is_empty() && !has_on_file;
    let err = error.clone();
    view! {
        <form method="post" action=REPORT_PATH enctype="multipart/form-data" class="card form" data-testid="claim-form">
            <ErrorNotice error=error.clone()/>
            {read_only.then(|| view! { <p class="alert alert-info">{t("claim.read_only")}</p> })}
            <p class="muted">{t_with("claim.on_policy", &[("product", &crate::components::product_name(&policy)), ("no", &policy_no_for(&policy.policy_no, false))])}</p>
            <input type="hidden" name="policy_id" value=policy.id.clone()/>
            <div class="field">
                <label for="incident_date">{t("claim.incident_date")}</label>
                <input id="incident_date" name="incident_date" type="date" required max=today.clone() value=today
                    aria-invalid=aria_invalid(&err, "incident_date") aria-describedby=described_by(&err, "incident_date", None)/>
            </div>
            <div class="field">
                <label for="place">{t("claim.place")}</label>
                <input id="place" name="place" type="text" required maxlength="200" autocomplete="street-address"
                    aria-invalid=aria_invalid(&err, "place") aria-describedby=described_by(&err, "place", None)/>
            </div>
            <div class="field">
                <label for="description">{t("claim.description")}</label>
                <textarea id="description" name="description" required minlength="4" maxlength="2000" rows="4"
                    aria-invalid=aria_invalid(&err, "description") aria-describedby=described_by(&err, "description", Some("description-hint"))></textarea>
                <p class="hint" id="description-hint">{t("claim.description_hint")}</p>
            </div>
            <div class="field">
                <label for="amount">{t("claim.amount")}</label>
                <input id="amount" name="amount" type="text" inputmode="decimal" maxlength="12"
                    aria-invalid=aria_invalid(&err, "amount") aria-describedby=described_by(&err, "amount", Some("amount-hint"))/>
                <p class="hint" id="amount-hint">{t("claim.amount_hint")}</p>
            </div>
            <fieldset class="field">
                <legend>{t("claim.documents")}</legend>
                <p class="hint">{t("claim.files_hint")}</p>
                {docs}
            </fieldset>
            <fieldset class="field">
                <legend>{t("claim.payout")}</legend>
                {on_file_view}
                {methods_view}
                <label class="check" for="payout-bank">
                    <input id="payout-bank" type="radio" name="payout" value="bank" checked=no_methods/>
                    <span>{t("claim.payout_bank")}</span>
                </label>
                <div class="field">
                    <label for="bank">{t("claim.bank")}</label>
                    <input id="bank" name="bank" type="text" maxlength="40"/>
                </div>
                <div class="field">
                    <label for="account_no">{t("claim.account_no")}</label>
                    <input id="account_no" name="account_no" type="text" inputmode="numeric" maxlength="40" autocomplete="off"
                        aria-invalid=aria_invalid(&err, "account_no") aria-describedby=described_by(&err, "account_no", None)/>
                </div>
            </fieldset>
            <button type="submit" class="btn btn-primary btn-block" data-testid="claim-submit">{t("claim.submit")}</button>
        </form>
    }
}

/// `/claims/:id`: the timeline, what is missing first.
#[component]
pub fn ClaimPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::detail(&id).await {
                    Err(e) => page_error(e),
                    Ok((v, access)) => {
                        let error = error_from_query();
                        let done = use_query_map().get_untracked().get("done")
                            .filter(|d| ["reported", "uploaded", "withdrawn"].contains(&d.as_str()))
                            .map(|d| view! { <p class="alert alert-info" role="status" data-testid="claim-done">{t(&format!("claim.done.{d}"))}</p> });
                        let c = &v.claim;
                        let wanted: Vec<_> = if c.stage.is_closed() { vec![] } else { v.wanted().cloned().collect() };
                        let waiting = (!wanted.is_empty()).then(|| {
                            let items = wanted.iter().map(|(d, _)| view! { <li>{doc_name(&d.kind)}</li> }).collect_view();
                            view! {
                                <section class="card waiting" data-testid="claim-waiting">
                                    <h2>{t("claim.waiting_title")}</h2>
                                    <p>{t("claim.waiting_intro")}</p>
                                    <ul>{items}</ul>
                                    <p><a href="#documents">{t("claim.waiting_go")}</a></p>
                                </section>
                            }
                        });
                        let withdraw = (access.may_withdraw() && matches!(c.stage, ClaimStage::Reported | ClaimStage::Survey | ClaimStage::Assessment)).then(|| view! {
                            <form method="post" action=WithdrawClaim::PATH class="card form">
                                <h2>{t("claim.withdraw_title")}</h2>
                                <p class="muted small">{t("claim.withdraw_explain")}</p>
                                <input type="hidden" name="claim_id" value=c.id.clone()/>
                                <button type="submit" class="btn btn-quiet" data-testid="withdraw">{t("claim.withdraw")}</button>
                            </form>
                        });
                        let back = match access {
                            Access::Link => None,
                            _ => Some(view! { <p><a href="/claims">{t("claim.back_to_list")}</a></p> }),
                        };
                        let title = c.claim_no.clone();
                        let survey = crate::api::surveys::survey_about(crate::model::SurveySubject::Claim, &c.id).await;
                        view! {
                            <Title text=t_with("claim.title", &[("no", &title)])/>
                            <Layout viewer=Viewer::Customer>
                                {back}
                                <ErrorNotice error=error/>
                                {done}
                                <super::surveys::SurveyNotice survey/>
                                {claim_head(&v)}
                                {waiting}
                                {timeline(&v)}
                                {checklist(&v, access.may_upload(), false)}
                                {amounts(&v)}
                                <Events events=v.events.clone() staff=false/>
                                {withdraw}
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn claim_head(v: &ClaimView) -> AnyView {
    let c = &v.claim;
    let fast = fast_track_text(v.fast_track);
    let claim_end = (!c.stage.is_closed()).then(|| {
        view! { <p data-testid="claim-eta"><strong>{t("claim.claim_end")}</strong> " " {estimate(v.forecast.claim)}</p> }
    });
    let declined = c.decline_reason.clone().map(|r| view! {
        <p class="alert alert-error" data-testid="decline-reason">{t("claim.decline_reason")} " " {r}</p>
    });
    view! {
        <section class="card">
            <div class="policy-head">
                <span class="line-tag">{t(&format!("line.{}", c.line))}</span>
                {stage_badge(c.stage)}
            </div>
            <h1 class="mono" data-testid="claim-no">{c.claim_no.clone()}</h1>
            <p class="muted">{product(c)} " · " <span class="mono">{policy_no_for(&c.policy_no, false)}</span></p>
            <dl class="facts">
                <dt>{t("claim.incident_date")}</dt><dd>{crate::i18n::date(&c.incident_date)}</dd>
                <dt>{t("claim.place")}</dt><dd>{if c.incident_place.is_empty() { "—".to_owned() } else { c.incident_place.clone() }}</dd>
                <dt>{t("claim.description")}</dt><dd>{c.description.clone()}</dd>
                <dt>{t("claim.reported_at")}</dt><dd>{datetime(c.reported_at)} " · " {t(&format!("claim.channel.{}", c.channel))}</dd>
            </dl>
            {claim_end}
            {declined}
            <p class="small muted" data-testid="fast-track">{fast}</p>
        </section>
    }
    .into_any()
}

fn fast_track_text(f: FastTrack) -> String {
    match f {
        FastTrack::Yes { limit } => t_with("claim.fast.yes", &[("limit", &limit.display())]),
        FastTrack::NotForLine => t("claim.fast.not_for_line"),
        FastTrack::NoAmount => t("claim.fast.no_amount"),
        FastTrack::OverLimit { limit } => t_with("claim.fast.over", &[("limit", &limit.display())]),
        FastTrack::DocumentsPending { limit, left } => t_with(
            "claim.fast.documents",
            &[("limit", &limit.display()), ("n", &left.to_string())],
        ),
    }
}

fn timeline(v: &ClaimView) -> AnyView {
    let current = v.claim.stage;
    let rows = v.stages.iter().map(|s: &StageRow| {
        let is_current = s.stage == current && !current.is_closed();
        let state = if s.skipped {
            "skipped"
        } else if is_current {
            "current"
        } else if s.started.is_some() {
            "done"
        } else {
            "todo"
        };
        let when = match (s.started, s.ended) {
            _ if s.skipped => t("claim.skipped"),
            (Some(a), Some(b)) if s.stage.is_closed() => datetime(b.max(a)),
            (Some(a), Some(b)) => format!("{} → {}", datetime(a), datetime(b)),
            (Some(a), None) => t_with("claim.since", &[("time", &datetime(a))]),
            (None, _) => String::new(),
        };
        let handler = s.handler.clone().map(|(name, phone)| {
            let phone = phone.map(|p| {
                let tel = format!("tel:{}", p.replace(['-', ' '], ""));
                view! { " · " <a href=tel>{p}</a> }
            });
            view! { <p class="small">{t("claim.handler")} " " {name} {phone}</p> }
        });
        let expected = is_current.then(|| view! {
            <p class="small"><strong>{t("claim.stage_end")}</strong> " " {estimate(v.forecast.stage)}</p>
        });
        view! {
            <li class=format!("step step-{state}") aria-current=is_current.then_some("step") data-testid=format!("step-{}", s.stage)>
                <span class="step-dot" aria-hidden="true"></span>
                <div>
                    <p class="step-name"><strong>{t(&format!("claim.stage_name.{}", s.stage))}</strong>
                        <span class="sr-only">{format!(" ({})", t(&format!("claim.step_state.{state}")))}</span></p>
                    <p class="small muted">{when}</p>
                    {handler}
                    {expected}
                </div>
            </li>
        }
    }).collect_view();
    view! {
        <section class="card">
            <h2>{t("claim.timeline")}</h2>
            <ol class="timeline" data-testid="timeline">{rows}</ol>
            <p class="small muted">{t_with("claim.eta_explain", &[("days", &v.history_days.to_string())])}</p>
        </section>
    }
    .into_any()
}

fn checklist(v: &ClaimView, upload: bool, staff: bool) -> AnyView {
    let claim_id = v.claim.id.clone();
    let closed = v.claim.stage.is_closed();
    let rows = v.documents.iter().map(|(d, files): &(DocumentRow, Vec<FileRow>)| {
        let state = t(&format!("claim.doc_state.{}", d.state));
        let badge = match d.state {
            DocumentState::Accepted => "badge badge-active",
            DocumentState::Received => "badge badge-due",
            _ => "badge badge-warn",
        };
        let reason = d.reject_reason.clone().filter(|_| d.state == DocumentState::Rejected)
            .map(|r| view! { <p class="small alert alert-error">{t("claim.rejected_because")} " " {r}</p> });
        let file_list = (!files.is_empty()).then(|| {
            let items = files.iter().map(|f| {
                let name = if f.name.is_empty() { t("claim.file") } else { f.name.clone() };
                let size = format!("{:.1} MB", f.size_bytes as f64 / 1_048_576.0);
                view! { <li><a href=file_path(&claim_id, &f.id) data-testid="claim-file">{name}</a> <span class="muted small">{size}</span></li> }
            }).collect_view();
            view! { <ul class="plain small">{items}</ul> }
        });
        let can_upload = upload && !closed && d.state != DocumentState::Accepted;
        let form = can_upload.then(|| {
            let input_id = format!("file-{}", d.id);
            let photo = DocKind::parse(&d.kind).is_some_and(DocKind::is_photo);
            view! {
                <form method="post" action=upload_path(&claim_id, &d.id) enctype="multipart/form-data" class="upload-form" data-testid="upload-form">
                    <label for=input_id.clone() class="small">{t("claim.choose_file")}</label>
                    <input id=input_id name="file" type="file" multiple required accept="image/jpeg,image/png,application/pdf"
                        capture=photo.then_some("environment")/>
                    <button type="submit" class="btn btn-quiet">{t("claim.upload")}</button>
                </form>
            }
        });
        let review = (staff && d.state == DocumentState::Received && !closed).then(|| view! {
            <form method="post" action=ReviewClaimDocument::PATH class="inline-form">
                <input type="hidden" name="claim_id" value=claim_id.clone()/>
                <input type="hidden" name="document_id" value=d.id.clone()/>
                <label class="small" for=format!("reason-{}", d.id)>{t("staff_claims.reject_reason")}</label>
                <input id=format!("reason-{}", d.id) name="reason" type="text" maxlength="500"/>
                <button type="submit" name="decision" value="accept" class="btn btn-primary" data-testid="accept-doc">{t("staff_claims.accept")}</button>
                <button type="submit" name="decision" value="reject" class="btn btn-quiet" data-testid="reject-doc">{t("staff_claims.reject")}</button>
            </form>
        });
        view! {
            <li class="doc" data-testid="doc" data-state=d.state.as_str()>
                <div class="doc-head">
                    <strong>{doc_name(&d.kind)}</strong>
                    {(d.required == 0).then(|| view! { <span class="muted small">{format!(" ({})", t("claim.optional"))}</span> })}
                    <span class=badge>{state}</span>
                </div>
                <p class="small muted">{t(&format!("claim.doc_why.{}", d.kind))}</p>
                {reason}
                {file_list}
                {form}
                {review}
            </li>
        }
    }).collect_view();
    view! {
        <section class="card" id="documents">
            <h2>{t("claim.documents")}</h2>
            {(upload && !closed).then(|| view! { <p class="small muted">{t("claim.files_hint")}</p> })}
            <ul class="plain docs" data-testid="checklist">{rows}</ul>
        </section>
    }
    .into_any()
}

fn amounts(v: &ClaimView) -> AnyView {
    let c = &v.claim;
    view! {
        <section class="card">
            <h2>{t("claim.amounts")}</h2>
            <dl class="facts">
                <dt>{t("claim.amount_claimed")}</dt><dd class="num">{money(c.amount_claimed_fen)}</dd>
                <dt>{t("claim.amount_assessed")}</dt><dd class="num" data-testid="amount-assessed">{money(c.amount_assessed_fen)}</dd>
                <dt>{t("claim.amount_approved")}</dt><dd class="num">{money(c.amount_approved_fen)}</dd>
                <dt>{t("claim.amount_paid")}</dt><dd class="num" data-testid="amount-paid">{money(c.amount_paid_fen)}</dd>
                <dt>{t("claim.payout_to")}</dt><dd data-testid="payout">{c.payout_masked.clone().unwrap_or_else(|| "—".into())}</dd>
            </dl>
        </section>
    }
    .into_any()
}

#[component]
fn Events(events: Vec<EventRow>, staff: bool) -> impl IntoView {
    let rows = events.into_iter().rev().map(|e| {
        let who = match (e.actor_kind.as_str(), e.actor_name.clone()) {
            ("staff", Some(n)) => n,
            ("customer", _) => t("claim.actor.customer"),
            _ => t("claim.actor.system"),
        };
        let what = match e.kind {
            ClaimEventKind::Stage => t_with("claim.event.stage", &[("stage", &t(&format!("claim.stage_name.{}", e.to_stage)))]),
            ClaimEventKind::Assessed | ClaimEventKind::Approved => t_with(&format!("claim.event.{}", e.kind), &[("amount", &money(e.amount_fen))]),
            k => t(&format!("claim.event.{k}")),
        };
        // An upload's note is the document's kind; every other note is a handler's words.
        let detail = if e.kind == ClaimEventKind::DocumentReceived { doc_name(&e.note) } else { e.note.clone() };
        view! {
            <li data-testid="claim-event">
                <p class="small muted">{datetime(e.at)} " · " {who}</p>
                <p>{what} {(!detail.is_empty()).then(|| view! { <span>{format!(" — {detail}")}</span> })}</p>
            </li>
        }
    }).collect_view();
    view! {
        <section class="card">
            <h2>{if staff { t("staff_claims.history") } else { t("claim.history") }}</h2>
            <ol class="plain events">{rows}</ol>
        </section>
    }
}

/// `/staff/claims`: the claims queue, oldest waiting first.
#[component]
pub fn StaffClaimsPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let q = use_query_map().get_untracked();
                let filter = QueueFilter {
                    stage: q.get("stage").and_then(|s| ClaimStage::parse(&s)),
                    line: q.get("line").and_then(|l| Line::parse(&l)),
                    waiting_on_customer: q.get("waiting").is_some_and(|w| w == "1"),
                    include_closed: false,
                };
                let overdue = q.get("overdue").is_some_and(|o| o == "1");
                match api::queue(&filter, overdue).await {
                    Err(e) => super::staff::staff_page_error(e),
                    Ok(items) => {
                        let stages = ClaimStage::ALL.iter().filter(|s| !s.is_closed()).map(|s| {
                            view! { <option value=s.as_str() selected=filter.stage == Some(*s)>{t(&format!("claim.stage.{s}"))}</option> }
                        }).collect_view();
                        let lines = Line::ALL.iter().map(|l| {
                            view! { <option value=l.as_str() selected=filter.line == Some(*l)>{t(&format!("line.{}", l.as_str()))}</option> }
                        }).collect_view();
                        let count = items.len();
                        let rows = items.into_iter().map(|i| {
                            let c = i.claim;
                            let late = matches!(i.next_expected, Estimate::Overdue(_));
                            view! {
                                <tr data-testid="queue-row" class=late.then_some("late")>
                                    <td><a class="mono" href=staff_claim_path(&c.id)>{c.claim_no.clone()}</a></td>
                                    <td>{t(&format!("line.{}", c.line))}</td>
                                    <td>{t(&format!("claim.stage.{}", c.stage))}</td>
                                    <td class="small">{datetime(c.stage_since)}</td>
                                    <td class="small">{estimate(i.next_expected)}</td>
                                    <td class="num">{c.wanted}</td>
                                    <td class="small">{c.handler_name.clone().unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <Title text=t("staff_claims.title")/>
                            <Layout viewer=Viewer::Staff>
                                <p><a href="/staff">{t("staff_claims.back")}</a></p>
                                <h1>{t("staff_claims.title")}</h1>
                                <form method="get" action="/staff/claims" class="card filters">
                                    <label for="f-stage">{t("staff_claims.stage")}</label>
                                    <select id="f-stage" name="stage"><option value="">{t("staff_claims.any")}</option>{stages}</select>
                                    <label for="f-line">{t("staff_claims.line")}</label>
                                    <select id="f-line" name="line"><option value="">{t("staff_claims.any")}</option>{lines}</select>
                                    <label class="check"><input type="checkbox" name="waiting" value="1" checked=filter.waiting_on_customer/><span>{t("staff_claims.waiting")}</span></label>
                                    <label class="check"><input type="checkbox" name="overdue" value="1" checked=overdue/><span>{t("staff_claims.overdue")}</span></label>
                                    <button type="submit" class="btn btn-quiet">{t("staff_claims.filter")}</button>
                                </form>
                                <p class="muted small" data-testid="queue-count">{t_with("staff_claims.count", &[("n", &count.to_string())])}</p>
                                <div class="card table-wrap">
                                    <table>
                                        <thead><tr>
                                            <th scope="col">{t("staff_claims.claim_no")}</th>
                                            <th scope="col">{t("staff_claims.line")}</th>
                                            <th scope="col">{t("staff_claims.stage")}</th>
                                            <th scope="col">{t("staff_claims.since")}</th>
                                            <th scope="col">{t("staff_claims.expected")}</th>
                                            <th scope="col" class="num">{t("staff_claims.wanted")}</th>
                                            <th scope="col">{t("staff_claims.handler")}</th>
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

/// `/staff/claims/:id`: the claim as the customer sees it, and the handler's actions.
#[component]
pub fn StaffClaimPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::staff_detail(&id).await {
                    Err(e) => super::staff::staff_page_error(e),
                    Ok(v) => {
                        let error = error_from_query();
                        let done = use_query_map().get_untracked().get("done").map(|d| {
                            let d: String = d.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(24).collect();
                            view! { <p class="alert alert-info" role="status" data-testid="staff-done">{t("staff_claims.saved")} " (" {d} ")"</p> }
                        });
                        let c = &v.claim;
                        let stage = c.stage;
                        let next = crate::backend::domain::claims::next(stage, v.fast_track.applies());
                        let advance = next.map(|n| view! {
                            <form method="post" action=AdvanceClaim::PATH class="form">
                                <input type="hidden" name="claim_id" value=c.id.clone()/>
                                <input type="hidden" name="from" value=stage.as_str()/>
                                <label for="advance-note">{t("staff_claims.note")}</label>
                                <input id="advance-note" name="note" type="text" maxlength="500"/>
                                <button type="submit" class="btn btn-primary" data-testid="advance">
                                    {t_with("staff_claims.advance_to", &[("stage", &t(&format!("claim.stage_name.{n}")))])}
                                </button>
                            </form>
                        });
                        let amount_form = match stage {
                            ClaimStage::Assessment => Some("assessed"),
                            ClaimStage::Approval if c.amount_paid_fen.is_none() => Some("approved"),
                            _ => None,
                        }.map(|kind| view! {
                            <form method="post" action=SetClaimAmount::PATH class="form">
                                <input type="hidden" name="claim_id" value=c.id.clone()/>
                                <input type="hidden" name="kind" value=kind/>
                                <label for="amount">{t(&format!("staff_claims.amount_{kind}"))}</label>
                                <input id="amount" name="amount" type="text" inputmode="decimal" required maxlength="12"/>
                                <button type="submit" class="btn btn-quiet" data-testid="set-amount">{t("staff_claims.save_amount")}</button>
                            </form>
                        });
                        let open = !stage.is_closed();
                        let kinds = DocKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{doc_name(k.as_str())}</option> }).collect_view();
                        let request = open.then(|| view! {
                            <form method="post" action=RequestClaimDocument::PATH class="form">
                                <input type="hidden" name="claim_id" value=c.id.clone()/>
                                <label for="doc-kind">{t("staff_claims.request_doc")}</label>
                                <select id="doc-kind" name="kind">{kinds}</select>
                                <label for="doc-note">{t("staff_claims.why")}</label>
                                <input id="doc-note" name="note" type="text" maxlength="500"/>
                                <button type="submit" class="btn btn-quiet" data-testid="request-doc">{t("staff_claims.request")}</button>
                            </form>
                        });
                        let decline = (open && stage != ClaimStage::Paid).then(|| view! {
                            <form method="post" action=DeclineClaim::PATH class="form">
                                <input type="hidden" name="claim_id" value=c.id.clone()/>
                                <input type="hidden" name="from" value=stage.as_str()/>
                                <label for="decline-reason">{t("staff_claims.decline_reason")}</label>
                                <input id="decline-reason" name="reason" type="text" required minlength="4" maxlength="500"/>
                                <button type="submit" class="btn btn-danger" data-testid="decline">{t("staff_claims.decline")}</button>
                            </form>
                        });
                        let note = view! {
                            <form method="post" action=AddClaimNote::PATH class="form">
                                <input type="hidden" name="claim_id" value=c.id.clone()/>
                                <label for="note">{t("staff_claims.add_note")}</label>
                                <input id="note" name="note" type="text" required maxlength="500"/>
                                <button type="submit" class="btn btn-quiet">{t("staff_claims.save_note")}</button>
                            </form>
                        };
                        let title = t_with("claim.title", &[("no", &c.claim_no)]);
                        let customer = c.customer_name.clone();
                        let (head, tl, docs, sums, events) = (claim_head(&v), timeline(&v), checklist(&v, false, true), amounts(&v), v.events.clone());
                        view! {
                            <Title text=title/>
                            <Layout viewer=Viewer::Staff>
                                <p><a href="/staff/claims">{t("staff_claims.back_to_queue")}</a></p>
                                <ErrorNotice error=error/>
                                {done}
                                <p class="muted">{t("staff_claims.customer")} " " {customer}</p>
                                {head}
                                <section class="card staff-actions" data-testid="staff-actions">
                                    <h2>{t("staff_claims.actions")}</h2>
                                    {advance}
                                    {amount_form}
                                    {request}
                                    {decline}
                                    {note}
                                </section>
                                {tl}
                                {docs}
                                {sums}
                                <Events events staff=true/>
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
