use crate::api::account::Viewer;
use crate::api::ctx::{self, PageError};
use crate::api::policies::{self as api, renew_path, SetAutoDebit};
use crate::backend::services::policies::Standing;
use crate::backend::store::policies::PolicySummary;
use crate::components::{
    badge, error_from_query, insured_for, policy_no_for, product_name, ErrorNotice, IdentityCheck,
    Layout, PolicyCard,
};
use crate::i18n::{locale, t, t_with, Locale};
use crate::model::Money;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{route_param as param, NotFound, ServerErrorPage};

/// What every signed-in customer page does when it cannot show its content.
pub fn page_error(e: PageError) -> AnyView {
    match e {
        PageError::Login => {
            let here = ctx::parts()
                .map(|p| p.uri.path().to_owned())
                .unwrap_or_else(|| "/".into());
            ctx::go_page(&format!(
                "/login?next={}",
                crate::api::auth::urlsafe_path(&here)
            ));
            ().into_any()
        }
        PageError::NotFound => view! { <NotFound/> }.into_any(),
        PageError::Internal(rid) => {
            view! { <Layout viewer=Viewer::Customer><ServerErrorPage rid/></Layout> }.into_any()
        }
    }
}

fn zh() -> bool {
    locale() == Locale::ZhCn
}

/// `/policies`: every policy, grouped by standing.
#[component]
pub fn PoliciesPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::list().await {
                    Err(e) => page_error(e),
                    Ok((reveal, groups)) => {
                        let empty = groups.is_empty().then(|| view! { <p class="card">{t("home.empty")}</p> });
                        let sections = groups
                            .into_iter()
                            .map(|(standing, policies)| {
                                let cards = policies
                                    .into_iter()
                                    .map(|p| view! { <PolicyCard policy=p standing reveal/> })
                                    .collect_view();
                                view! {
                                    <section class="policy-group" data-testid=format!("group-{}", standing.code())>
                                        <h2>{t(&format!("policy.group.{}", standing.code()))}</h2>
                                        <ul class="policy-list">{cards}</ul>
                                    </section>
                                }
                            })
                            .collect_view();
                        view! {
                            <Title text=t("home.title")/>
                            <Layout viewer=Viewer::Customer>
                                <h1>{t("home.title")}</h1>
                                {empty}
                                {sections}
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/policies/:id`: everything about one policy.
#[component]
pub fn PolicyPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::detail(&id).await {
                    Err(e) => page_error(e),
                    Ok((reveal, d)) => {
                        let zh = zh();
                        let p = d.summary.clone();
                        let has_payments = !d.payments.is_empty();
                        let (badge_class, badge_text) = badge(d.standing);
                        let done = use_query_map().get_untracked().get("done").filter(|d| d == "auto_debit_on" || d == "auto_debit_off");
                        let done = done.map(|d| view! { <p class="alert alert-info" role="status">{t(&format!("policy.{d}"))}</p> });
                        let renew = (d.standing == Standing::DueForRenewal).then(|| view! {
                            <p class="renew-call">
                                <strong>{t_with("home.renew_by", &[("date", &crate::i18n::date(&p.end_date))])}</strong>
                                <span>{t_with("home.new_premium", &[("amount", &Money(p.open_offer_premium_fen.unwrap_or_default()).display())])}</span>
                                <a class="btn btn-primary" href=renew_path(&p.id) data-testid="renew-link">{t("policy.renew_now")}</a>
                            </p>
                        });
                        let beneficiaries = (!d.beneficiaries.is_empty()).then(|| {
                            let rows = d.beneficiaries.iter().map(|b| view! {
                                <li>{insured_for("life", &b.name)} " · " {t(&format!("policy.relation.{}", b.relation))} " · " {format!("{}%", b.share_pct)}</li>
                            }).collect_view();
                            let change = crate::api::servicing::beneficiaries_path(&p.id);
                            view! { <section class="card"><h2>{t("policy.beneficiaries")}</h2><ul class="plain">{rows}</ul>
                                <p><a href=change data-testid="change-beneficiaries">{t("servicing.change_beneficiaries")}</a></p></section> }
                        });
                        let entitlements = (!d.entitlements.is_empty()).then(|| {
                            let rows = d.entitlements.iter().map(|e| {
                                let name = if zh { e.name_zh.clone() } else { e.name_en.clone() };
                                let left = (e.per_year - e.used).max(0).to_string();
                                view! { <li>{t_with("policy.entitlement", &[("name", &name), ("per_year", &e.per_year.to_string()), ("left", &left)])}</li> }
                            }).collect_view();
                            view! { <section class="card"><h2>{t("policy.entitlements")}</h2><ul class="plain">{rows}</ul></section> }
                        });
                        let loan_link = crate::api::servicing::loan_path(&p.id);
                        let loan = match (&d.loan, d.lends) {
                            (Some(l), _) => Some(view! {
                                <section class="card" data-testid="policy-loan">
                                    <h2>{t("loan.title")}</h2>
                                    <p>{t_with("loan.owed", &[("amount", &Money(l.balance_fen).display()), ("date", &crate::i18n::date(&l.loan.due_date))])}</p>
                                    <p><a href=loan_link>{t("loan.details")}</a></p>
                                </section>
                            }.into_any()),
                            (None, true) => Some(view! {
                                <section class="card" data-testid="policy-loan">
                                    <h2>{t("loan.title")}</h2>
                                    <p class="muted">{t("loan.can_borrow")}</p>
                                    <p><a href=loan_link>{t("loan.see_terms")}</a></p>
                                </section>
                            }.into_any()),
                            (None, false) => None,
                        };
                        let debit_label = d.debit_label.clone().map(|label| view! {
                            <p class="small muted" data-testid="debit-label">{t("accounts.debit_now")} " " <span class="mono">{label}</span>
                                " · " <a href=crate::api::servicing::ACCOUNTS_PATH>{t("accounts.change")}</a></p>
                        });
                        let terms = d.terms.iter().map(|term| view! {
                            <tr>
                                <td>{format!("{} — {}", crate::i18n::date(&term.start_date), crate::i18n::date(&term.end_date))}</td>
                                <td class="num">{Money(term.premium_fen).display()}</td>
                            </tr>
                        }).collect_view();
                        let payments = d.payments.iter().map(|pay| view! {
                            <tr>
                                <td><a href=api::payment_path(&pay.id)>{crate::i18n::datetime(pay.created_at)}</a></td>
                                <td class="num">{Money(pay.amount_fen).display()}</td>
                                <td>{t(&format!("payment.state.{}", pay.state))}</td>
                            </tr>
                        }).collect_view();
                        let claims = if d.claims.is_empty() {
                            view! { <p class="muted">{t("policy.no_claims")}</p> }.into_any()
                        } else {
                            let rows = d.claims.iter().map(|c| view! {
                                <li><span class="mono">{c.claim_no.clone()}</span> " · " {c.incident_date.clone()} " · " <span class="badge">{t(&format!("claim.stage.{}", c.stage))}</span></li>
                            }).collect_view();
                            view! { <ul class="plain">{rows}</ul> }.into_any()
                        };
                        let auto_on = p.auto_debit == 1;
                        let can_toggle = p.status == crate::model::PolicyStatus::Active;
                        let auto_debit = can_toggle.then(|| if auto_on {
                            view! {
                                <form method="post" action=SetAutoDebit::PATH class="inline-form">
                                    <input type="hidden" name="policy_id" value=p.id.clone()/>
                                    <input type="hidden" name="enable" value="off"/>
                                    <p><span class="badge badge-active" data-testid="auto-debit-on">{t("policy.auto_debit_is_on")}</span></p>
                                    <button type="submit" class="btn btn-quiet">{t("policy.auto_debit_turn_off")}</button>
                                </form>
                            }.into_any()
                        } else {
                            view! {
                                <form method="post" action=SetAutoDebit::PATH class="form">
                                    <input type="hidden" name="policy_id" value=p.id.clone()/>
                                    <p class="muted">{t("policy.auto_debit_explain")}</p>
                                    <label class="check">
                                        <input type="checkbox" name="enable" value="on" required/>
                                        <span>{t("policy.auto_debit_consent")}</span>
                                    </label>
                                    <button type="submit" class="btn btn-quiet">{t("policy.auto_debit_turn_on")}</button>
                                </form>
                            }.into_any()
                        });
                        let title = product_name(&p);
                        view! {
                            <Title text=title.clone()/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href="/policies">{t("policy.back_to_list")}</a></p>
                                <section class="card">
                                    <div class="policy-head">
                                        <span class="line-tag">{t(&format!("line.{}", p.line))}</span>
                                        <span class=badge_class>{badge_text}</span>
                                    </div>
                                    <h1>{title}</h1>
                                    <p class="policy-no mono" data-testid="policy-no">{policy_no_for(&p.policy_no, reveal)}</p>
                                    <PolicyFacts p=p.clone() reveal document=false/>
                                    {done}
                                    {renew}
                                    <p><a href=format!("/policies/{}/document", p.id)>{t("policy.e_policy")}</a></p>
                                </section>
                                <section class="card">
                                    <h2>{t("policy.coverages")}</h2>
                                    {coverage_table(&d.coverages, zh)}
                                </section>
                                {beneficiaries}
                                {entitlements}
                                {loan}
                                <section class="card">
                                    <h2>{t("policy.auto_debit")}</h2>
                                    {auto_debit}
                                    {debit_label}
                                </section>
                                <section class="card">
                                    <h2>{t("policy.history")}</h2>
                                    <div class="table-wrap">
                                        <table>
                                            <thead><tr><th scope="col">{t("policy.term")}</th><th scope="col" class="num">{t("policy.premium")}</th></tr></thead>
                                            <tbody>{terms}</tbody>
                                        </table>
                                    </div>
                                    {has_payments.then(|| view! {
                                        <h3>{t("policy.payments")}</h3>
                                        <div class="table-wrap">
                                            <table>
                                                <tbody>{payments}</tbody>
                                            </table>
                                        </div>
                                    })}
                                </section>
                                <section class="card">
                                    <h2>{t("policy.claims")}</h2>
                                    {claims}
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

/// `/policies/:id/document`: the printable e-policy with its verification code.
#[component]
pub fn EPolicyPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::document(&id).await {
                    Err(e) => page_error(e),
                    Ok((reveal, d)) => {
                        let zh = zh();
                        let code = d.summary.verification_code.clone();
                        view! {
                            <Title text=t("epolicy.title")/>
                            <Layout viewer=Viewer::Customer>
                                // Left out of the printout (print stylesheet: `main > p:first-child`).
                                <p><a href=format!("/policies/{id}")>{t("policy.back")}</a></p>
                                <article class="card document" data-testid="e-policy">
                                    <p class="eyebrow">{t("app.name")}</p>
                                    <h1>{t("epolicy.title")}</h1>
                                    <PolicyFacts p=d.summary reveal document=true/>
                                    {coverage_table(&d.coverages, zh)}
                                    <p class="verify-box">
                                        {t("epolicy.verify_with")} " "
                                        <strong class="mono" data-testid="verification-code">{code.clone()}</strong>
                                        <br/>
                                        <a href=format!("/verify?code={code}")>{t("epolicy.verify_link")}</a>
                                    </p>
                                    <div class="qr" role="img" aria-label=t("epolicy.qr_label") data-testid="verify-qr"
                                        inner_html=verify_qr(&code)></div>
                                    <p class="muted small">{t("epolicy.qr_hint")}
                                    </p>
                                    <p class="muted small no-print">{t("epolicy.print_hint")}</p>
                                </article>
                                {(!reveal).then(|| view! { <RevealNumber here=format!("/policies/{id}/document")/> })}
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/verify`: anyone checks a document's code; nothing personal is shown.
#[component]
pub fn VerifyPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let viewer = crate::api::account::viewer().await;
                let code = use_query_map().get_untracked().get("code").unwrap_or_default();
                let result = if code.trim().is_empty() {
                    None
                } else {
                    Some(crate::backend::services::policies::verify(&ctx::state(), &code).await)
                };
                let zh = zh();
                let answer = match result {
                    None => None,
                    Some(Err(e)) => Some(page_error(PageError::internal(&e))),
                    Some(Ok(None)) => Some(view! { <p class="alert alert-error" role="alert" data-testid="verify-result">{t("verify.unknown")}</p> }.into_any()),
                    Some(Ok(Some((v, current)))) => {
                        let product = if zh { v.product_zh } else { v.product_en };
                        let (class, key) = if current { ("alert alert-info", "verify.genuine_current") } else { ("alert alert-error", "verify.genuine_not_current") };
                        Some(view! {
                            <div class=class role="status" data-testid="verify-result">
                                <p><strong>{t(key)}</strong></p>
                                <p>{t_with("verify.details", &[("product", &product), ("start", &crate::i18n::date(&v.start_date)), ("end", &crate::i18n::date(&v.end_date))])}</p>
                            </div>
                        }.into_any())
                    }
                };
                view! {
                    <Title text=t("verify.title")/>
                    <Layout viewer>
                        <section class="card narrow">
                            <h1>{t("verify.title")}</h1>
                            <p class="muted">{t("verify.intro")}</p>
                            <form method="get" action="/verify" class="form">
                                <div class="field">
                                    <label for="code">{t("verify.code")}</label>
                                    <input id="code" name="code" type="text" autocapitalize="characters" spellcheck="false" maxlength="32" required value=code.clone()/>
                                </div>
                                <button type="submit" class="btn btn-primary btn-block">{t("verify.submit")}</button>
                            </form>
                            {answer}
                        </section>
                    </Layout>
                }
                .into_any()
            })}
        </Suspense>
    }
}

/// On the e-policy: confirm it is you (as before paying) to show the whole policy number.
#[component]
fn RevealNumber(here: String) -> impl IntoView {
    use crate::api::policies::{StepUp, StepUpSendCode, StepUpWithCode};
    let error = error_from_query();
    view! {
        <section class="card narrow no-print" data-testid="reveal-number">
            <h2>{t("epolicy.reveal_title")}</h2>
            <p class="muted">{t("epolicy.reveal_intro")}</p>
            <ErrorNotice error=error.clone()/>
            <IdentityCheck
                id_action=StepUp::PATH
                send_action=StepUpSendCode::PATH
                code_action=StepUpWithCode::PATH
                hidden=vec![("next", here)]
                submit=t("epolicy.reveal_submit")
                error
            />
        </section>
    }
}

/// The facts of a policy, the same on its page and on its e-policy. The e-policy, a
/// document on its own, also names the product and number and gives the hours cover runs.
#[component]
fn PolicyFacts(p: PolicySummary, reveal: bool, document: bool) -> impl IntoView {
    let (start, end) = (
        crate::i18n::date(&p.start_date),
        crate::i18n::date(&p.end_date),
    );
    let period = if document {
        format!("{start} 00:00 — {end} 24:00")
    } else {
        format!("{start} — {end}")
    };
    view! {
        <dl class="facts">
            {document.then(|| view! {
                <dt>{t("epolicy.product")}</dt><dd>{product_name(&p)}</dd>
                <dt>{t("epolicy.number")}</dt><dd class="mono">{policy_no_for(&p.policy_no, reveal)}</dd>
            })}
            <dt>{t("policy.insured_label")}</dt><dd>{insured_for(&p.line, &p.insured_object)}</dd>
            <dt>{t("policy.period")}</dt><dd data-testid="cover-period">{period}</dd>
            <dt>{t("policy.premium")}</dt><dd>{Money(p.premium_fen).display()}</dd>
        </dl>
    }
}

/// What a policy covers: the same table on the policy page and on the e-policy.
fn coverage_table(
    coverages: &[crate::backend::store::policies::CoverageRow],
    zh: bool,
) -> impl IntoView {
    let rows = coverages
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row">{if zh { c.name_zh.clone() } else { c.name_en.clone() }}</th>
                    <td class="num">{Money(c.sum_insured_fen).display()}</td>
                    <td class="num">{Money(c.deductible_fen).display()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{t("policy.coverage")}</th>
                        <th scope="col" class="num">{t("policy.sum_insured")}</th>
                        <th scope="col" class="num">{t("policy.deductible")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The verification page's address as a QR code (SVG), for the printed e-policy.
fn verify_qr(code: &str) -> String {
    let url = format!(
        "{}/verify?code={code}",
        crate::api::ctx::state()
            .config
            .public_url
            .trim_end_matches('/')
    );
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(qr) => {
            let svg = qr
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(144, 144)
                .build();
            // Inline in HTML: drop the XML declaration.
            svg.find("<svg")
                .map(|i| svg[i..].to_owned())
                .unwrap_or_default()
        }
        Err(_) => String::new(),
    }
}
