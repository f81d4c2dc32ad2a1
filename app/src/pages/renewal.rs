use super::policies::page_error;
use super::route_param as param;
use crate::api::account::Viewer;
use crate::api::policies::{
    self as api, payment_path, policy_path, renew_path, PayRenewal, StepUp,
};
use crate::api::policies::{StepUpSendCode, StepUpWithCode};
use crate::components::IdentityCheck;
use crate::components::{
    aria_invalid, autofocus, described_by, error_from_query, insured_for, policy_no_for,
    product_name, ErrorNotice, Layout,
};
use crate::i18n::{t, t_with};
use crate::model::{Money, OfferState, PaymentState};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

fn signed(m: Money) -> String {
    if m.fen() > 0 {
        format!("+{}", m.display())
    } else {
        m.display()
    }
}

/// `/policies/:id/renew`: the offer, why the price changed, and the one-tap payment.
#[component]
pub fn RenewalPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::renewal(&id).await {
                    Err(e) => page_error(e),
                    Ok((fresh, v)) => {
                        let here = renew_path(&id);
                        let error = error_from_query();
                        let offer = v.offer.clone();
                        let p = v.policy.clone();
                        let premium = Money(offer.premium_fen);
                        let previous = Money(offer.previous_premium_fen);
                        let items = v.items.iter().map(|i| view! {
                            <li class="price-item">
                                <span>{t(&format!("renewal.item.{}", i.kind))} " " <span class="muted small">{i.detail.clone()}</span></span>
                                <span class="num">{signed(Money(i.amount_fen))}</span>
                            </li>
                        }).collect_view();
                        let no_change = v.items.is_empty().then(|| view! { <li class="price-item muted">{t("renewal.no_change")}</li> });
                        let action = match (&v.live_payment, offer.state) {
                            (Some(pay), _) if pay.state == PaymentState::Succeeded => view! {
                                <p class="alert alert-info" role="status">{t("renewal.already_paid")}</p>
                                <a class="btn btn-primary btn-block" href=payment_path(&pay.id)>{t("renewal.see_receipt")}</a>
                            }.into_any(),
                            (Some(pay), _) => view! {
                                <p class="alert alert-info" role="status">{t("renewal.in_progress")}</p>
                                <a class="btn btn-primary btn-block" href=payment_path(&pay.id)>{t("renewal.see_payment")}</a>
                            }.into_any(),
                            (None, OfferState::Open) if !fresh => view! {
                                <h2>{t("renewal.step_up_title")}</h2>
                                <p class="muted">{t("renewal.step_up_intro")}</p>
                                <IdentityCheck
                                    id_action=StepUp::PATH
                                    send_action=StepUpSendCode::PATH
                                    code_action=StepUpWithCode::PATH
                                    hidden=vec![("next", here.clone())]
                                    submit=t("renewal.step_up_submit")
                                    error=error.clone()
                                />
                            }.into_any(),
                            (None, OfferState::Open) => {
                                let key = crate::backend::ids::new_id();
                                // Back with a card number to correct: UnionPay stays chosen.
                                let card_retry = aria_invalid(&error, "card_no").is_some();
                                let saved = v.methods.iter().enumerate().map(|(i, m)| view! {
                                    <label class="method">
                                        <input type="radio" name="method" value=format!("saved:{}", m.id) checked=i == 0 && !card_retry/>
                                        <span>{m.label.clone()} " " <span class="badge">{t("renewal.saved")}</span></span>
                                    </label>
                                }).collect_view();
                                let first = v.methods.is_empty();
                                view! {
                                    <form method="post" action=PayRenewal::PATH class="form pay-form" data-testid="pay-form">
                                        <input type="hidden" name="policy_id" value=p.id.clone()/>
                                        <input type="hidden" name="offer_id" value=offer.id.clone()/>
                                        <input type="hidden" name="version" value=offer.version.to_string()/>
                                        <input type="hidden" name="key" value=key/>
                                        <fieldset>
                                            <legend>{t("renewal.method")}</legend>
                                            {saved}
                                            <label class="method"><input type="radio" name="method" value="wechat" checked=first && !card_retry/><span>{t("renewal.wechat")}</span></label>
                                            <label class="method"><input type="radio" name="method" value="alipay"/><span>{t("renewal.alipay")}</span></label>
                                            <label class="method"><input type="radio" name="method" value="unionpay" checked=card_retry/><span>{t("renewal.unionpay")}</span></label>
                                            <div class="field card-field">
                                                <label for="card_no">{t("renewal.card_no")}</label>
                                                <input id="card_no" name="card_no" type="text" inputmode="numeric" autocomplete="cc-number" maxlength="23"
                                                    aria-invalid=aria_invalid(&error, "card_no") aria-describedby=described_by(&error, "card_no", Some("card-hint"))
                                                    autofocus=autofocus(&error, "card_no")/>
                                                <p class="hint" id="card-hint">{t("renewal.card_hint")}</p>
                                            </div>
                                        </fieldset>
                                        <button type="submit" class="btn btn-primary btn-block btn-pay" data-testid="pay-button">
                                            {t_with("renewal.pay", &[("amount", &premium.display())])}
                                        </button>
                                    </form>
                                }.into_any()
                            }
                            _ => view! {
                                <p class="alert alert-error" role="alert">{t("renewal.closed")}</p>
                                <a class="btn btn-quiet" href=policy_path(&p.id)>{t("policy.back")}</a>
                            }.into_any(),
                        };
                        let diff = premium - previous;
                        let title = t_with("renewal.title", &[("product", &product_name(&p))]);
                        view! {
                            <Title text=title.clone()/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=policy_path(&p.id)>{t("policy.back")}</a></p>
                                <section class="card narrow">
                                    <h1>{title}</h1>
                                    <p class="policy-no mono">{policy_no_for(&p.policy_no, false)} " · " {insured_for(&p.line, &p.insured_object)}</p>
                                    <p class="muted">{t_with("renewal.new_period", &[("start", &crate::i18n::date(&offer.term_start)), ("end", &crate::i18n::date(&offer.term_end))])}</p>
                                    <div class="compare" data-testid="price-compare">
                                        <div><span class="muted small">{t("renewal.last_year")}</span><span class="amount">{previous.display()}</span></div>
                                        <div><span class="muted small">{t("renewal.this_year")}</span><span class="amount strong">{premium.display()}</span></div>
                                    </div>
                                    <h2>{t("renewal.why")}</h2>
                                    <ul class="price-items" data-testid="price-items">
                                        {items}
                                        {no_change}
                                        <li class="price-item total"><span>{t("renewal.difference")}</span><span class="num">{signed(diff)}</span></li>
                                    </ul>
                                    <p class="muted small">{t_with("renewal.valid_until", &[("time", &crate::i18n::datetime(offer.expires_at)), ("version", &offer.version.to_string())])}</p>
                                    <ErrorNotice error=error.clone()/>
                                    {action}
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

/// `/payments/:id`: pending (refreshes itself, no script needed), paid (the receipt) or failed.
#[component]
pub fn PaymentPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::payment(&id).await {
                    Err(e) => page_error(e),
                    Ok(v) => {
                        let pay = &v.payment;
                        let p = &v.policy;
                        let amount = Money(pay.amount_fen).display();
                        let body = match pay.state {
                            PaymentState::Succeeded => view! {
                                <div class="receipt" data-testid="receipt">
                                    <p class="eyebrow">{t("payment.receipt")}</p>
                                    <h1>{t("payment.paid_title")}</h1>
                                    <p class="amount strong">{amount.clone()}</p>
                                    <dl class="facts">
                                        <dt>{t("epolicy.product")}</dt><dd>{product_name(p)}</dd>
                                        <dt>{t("epolicy.number")}</dt><dd class="mono">{policy_no_for(&p.policy_no, false)}</dd>
                                        <dt>{t("payment.new_period")}</dt><dd data-testid="new-period">{format!("{} — {}", crate::i18n::date(&v.offer.term_start), crate::i18n::date(&v.offer.term_end))}</dd>
                                        <dt>{t("payment.method")}</dt><dd>{method_label(&pay.method)}</dd>
                                        <dt>{t("payment.paid_at")}</dt><dd>{pay.settled_at.map(crate::i18n::datetime).unwrap_or_default()}</dd>
                                        <dt>{t("payment.reference")}</dt><dd class="mono small">{pay.id.clone()}</dd>
                                    </dl>
                                    <p class="muted">{t("payment.sms_sent")}</p>
                                    <p>
                                        <a class="btn btn-primary" href=format!("/policies/{}/document", p.id)>{t("policy.e_policy")}</a>
                                        " "
                                        <a class="btn btn-quiet" href=policy_path(&p.id)>{t("policy.back")}</a>
                                    </p>
                                </div>
                            }.into_any(),
                            PaymentState::Failed | PaymentState::Expired => view! {
                                <div data-testid="payment-failed">
                                    <h1>{t("payment.failed_title")}</h1>
                                    <p class="alert alert-error" role="alert">{t(&failure_key(pay.failure_code.as_deref()))}</p>
                                    <p>{t("payment.failed_next")}</p>
                                    <a class="btn btn-primary btn-block" href=renew_path(&p.id) data-testid="try-again">{t("payment.try_another")}</a>
                                </div>
                            }.into_any(),
                            // Still open after the wait: no self-refreshing page (it would pull a
                            // screen reader back to the top); the person refreshes, and the
                            // confirmation comes by SMS too.
                            _ => view! {
                                <div data-testid="payment-pending" role="status">
                                    <h1>{t("payment.pending_title")}</h1>
                                    <p class="amount strong">{amount.clone()}</p>
                                    <p class="muted">{t("payment.pending_body")}</p>
                                    <a class="btn btn-quiet" href=payment_path(&pay.id)>{t("payment.refresh")}</a>
                                </div>
                            }.into_any(),
                        };
                        view! {
                            <Title text=t("payment.title")/>
                            <Layout viewer=Viewer::Customer>
                                <section class="card narrow">{body}</section>
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn method_label(stored: &str) -> String {
    match stored {
        "wechat" => t("renewal.wechat"),
        "alipay" => t("renewal.alipay"),
        other => other.replace("unionpay", &t("renewal.unionpay")),
    }
}

fn failure_key(code: Option<&str>) -> String {
    match code {
        Some("card_declined") => "payment.failure.card_declined".into(),
        Some("insufficient_funds") => "payment.failure.insufficient_funds".into(),
        _ => "payment.failure.other".into(),
    }
}
