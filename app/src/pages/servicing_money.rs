//! 保全 — the money side of servicing: the auto-debit method and payout account
//! (`/requests/new/accounts`) and a policy loan (`/policies/:id/loan`). Both forms wait
//! behind a fresh identity check and post plainly (Post/Redirect/Get); accounts show
//! masked only.

use super::policies::page_error;
use super::route_param as param;
use super::servicing::step_up_gate;
use crate::api::account::Viewer;
use crate::api::servicing::{
    self as api, loan_path, request_path, ChangeDebitMethod, ChangePayoutAccount, RequestLoan,
    ACCOUNTS_PATH, REQUESTS,
};
use crate::backend::domain::accounts::Bank;
use crate::backend::domain::loans;
use crate::backend::services::accounts::{receives_payouts, AccountsView};
use crate::components::{
    aria_invalid, described_by, error_from_query, policy_no_for, product_name, ErrorNotice,
    FormError, Layout,
};
use crate::i18n::{date, t, t_with};
use crate::model::Money;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

/// `5.00%` from basis points.
pub fn rate(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

fn bank_select(id: &str, error: &Option<FormError>) -> impl IntoView {
    let options = Bank::ALL
        .iter()
        .map(|b| view! { <option value=b.code()>{t(&format!("bank.{}", b.code()))}</option> })
        .collect_view();
    view! {
        <div class="field">
            <label for=id.to_owned()>{t("accounts.bank")}</label>
            <select id=id.to_owned() name="bank" aria-invalid=aria_invalid(error, "bank")>
                <option value="">{t("servicing.choose")}</option>
                {options}
            </select>
        </div>
    }
}

fn debit_form(v: &AccountsView, error: &Option<FormError>) -> impl IntoView {
    let current = v.debit.as_ref().map(|m| m.id.clone());
    let saved = v
        .methods
        .iter()
        .map(|m| {
            let (id, for_id) = (format!("debit-{}", m.id), format!("debit-{}", m.id));
            view! {
                <label class="check" for=for_id>
                    <input id=id type="radio" name="method" value=m.id.clone() checked=current.as_deref() == Some(m.id.as_str())/>
                    <span class="mono">{m.label.clone()}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <form method="post" action=ChangeDebitMethod::PATH class="form" data-testid="debit-form">
            <fieldset class="field">
                <legend>{t("accounts.debit_pick")}</legend>
                {saved}
                <label class="check" for="debit-new">
                    <input id="debit-new" type="radio" name="method" value="new" checked=current.is_none()/>
                    <span>{t("accounts.new_card")}</span>
                </label>
            </fieldset>
            {bank_select("debit-bank", error)}
            <div class="field">
                <label for="card_no">{t("accounts.card_no")}</label>
                <input id="card_no" name="card_no" type="text" inputmode="numeric" autocomplete="cc-number" maxlength="23"
                    aria-invalid=aria_invalid(error, "card_no") aria-describedby=described_by(error, "card_no", Some("card_no-hint"))/>
                <p class="hint" id="card_no-hint">{t("accounts.card_hint")}</p>
            </div>
            <label class="check" for="also_payout">
                <input id="also_payout" type="checkbox" name="also_payout" value="on"/>
                <span>{t("accounts.also_payout")}</span>
            </label>
            <button type="submit" class="btn btn-primary btn-block" data-testid="debit-submit">{t("accounts.save_debit")}</button>
        </form>
    }
}

fn payout_form(v: &AccountsView, error: &Option<FormError>) -> impl IntoView {
    let debit_id = v.debit.as_ref().map(|m| m.id.clone());
    let saved = v
        .methods
        .iter()
        .filter(|m| receives_payouts(m))
        .map(|m| {
            let (id, for_id) = (format!("payout-{}", m.id), format!("payout-{}", m.id));
            let both = (debit_id.as_deref() == Some(m.id.as_str()))
                .then(|| view! { <span class="small muted">{format!(" ({})", t("accounts.is_debit"))}</span> });
            view! {
                <label class="check" for=for_id>
                    <input id=id type="radio" name="payout" value=m.id.clone()
                        checked=v.payout_method_id.as_deref() == Some(m.id.as_str())/>
                    <span class="mono">{m.label.clone()}</span>{both}
                </label>
            }
        })
        .collect_view();
    let is_bank = v.payout_masked.is_some() && v.payout_method_id.is_none();
    view! {
        <form method="post" action=ChangePayoutAccount::PATH class="form" data-testid="payout-form">
            <fieldset class="field">
                <legend>{t("accounts.payout_pick")}</legend>
                {saved}
                <label class="check" for="payout-bank">
                    <input id="payout-bank" type="radio" name="payout" value="bank" checked=is_bank || v.payout_masked.is_none()/>
                    <span>{t("accounts.new_account")}</span>
                </label>
            </fieldset>
            {bank_select("payout-bank-name", error)}
            <div class="field">
                <label for="account_no">{t("accounts.account_no")}</label>
                <input id="account_no" name="account_no" type="text" inputmode="numeric" maxlength="36" autocomplete="off"
                    aria-invalid=aria_invalid(error, "account_no") aria-describedby=described_by(error, "account_no", None)/>
            </div>
            <button type="submit" class="btn btn-primary btn-block" data-testid="payout-submit">{t("accounts.save_payout")}</button>
        </form>
    }
}

/// `/requests/new/accounts`: what auto-debit charges and where payouts go, masked; after
/// a fresh identity check, a form for each.
#[component]
pub fn AccountsPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::accounts_page().await {
                    Err(e) => page_error(e),
                    Ok(page) => {
                        let v = page.view;
                        let error = error_from_query();
                        let none = || t("accounts.none");
                        let debit = v.debit.as_ref().map(|m| m.label.clone()).unwrap_or_else(none);
                        let payout = v.payout_masked.clone().unwrap_or_else(none);
                        let body = if page.read_only {
                            view! { <p class="alert alert-info">{t("servicing.read_only")}</p> }.into_any()
                        } else if !page.fresh {
                            step_up_gate(ACCOUNTS_PATH, "accounts.step_up_intro", &error)
                        } else {
                            view! {
                                <ErrorNotice error=error.clone()/>
                                <h2>{t("accounts.debit_title")}</h2>
                                {debit_form(&v, &error)}
                                <h2>{t("accounts.payout_title")}</h2>
                                {payout_form(&v, &error)}
                            }.into_any()
                        };
                        let title = t("accounts.title");
                        view! {
                            <Title text=title.clone()/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=REQUESTS>{t("servicing.back")}</a></p>
                                <section class="card narrow">
                                    <h1>{title}</h1>
                                    <p class="muted">{t("accounts.intro")}</p>
                                    <dl class="facts">
                                        <dt>{t("accounts.debit_now")}</dt><dd class="mono" data-testid="debit-now">{debit}</dd>
                                        <dt>{t("accounts.payout_now")}</dt><dd class="mono" data-testid="payout-now">{payout}</dd>
                                    </dl>
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

/// `/policies/:id/loan`: the cash value, what it lends and on which terms, the loan
/// outstanding; after a fresh identity check, the amount to ask for.
#[component]
pub fn LoanPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::loan_page(&id).await {
                    Err(e) => page_error(e),
                    Ok(page) => {
                        let q = page.view;
                        let here = loan_path(&q.policy.id);
                        let error = error_from_query();
                        let terms = q.cash.as_ref().map(|c| view! {
                            <dl class="facts" data-testid="loan-terms">
                                <dt>{t("loan.cash_value")}</dt>
                                <dd>{Money(c.cash_value_fen).display()} " " <span class="small muted">{t_with("loan.valued_on", &[("date", &date(&c.cash_value_on))])}</span></dd>
                                <dt>{t("loan.max")}</dt><dd data-testid="loan-max"><strong>{Money(q.max_fen).display()}</strong> " " <span class="small muted">{t_with("loan.max_rule", &[("pct", &loans::MAX_PCT.to_string())])}</span></dd>
                                <dt>{t("loan.rate")}</dt><dd>{rate(loans::RATE_BP)} " " <span class="small muted">{t("loan.rate_rule")}</span></dd>
                                <dt>{t("loan.term")}</dt><dd>{t_with("loan.term_days", &[("n", &loans::TERM_DAYS.to_string())])}</dd>
                                <dt>{t("loan.min")}</dt><dd>{Money(loans::MIN_FEN).display()}</dd>
                            </dl>
                        });
                        let outstanding = q.outstanding.as_ref().map(|l| view! {
                            <section class="card" data-testid="loan-outstanding">
                                <h2>{t("loan.outstanding")}</h2>
                                <dl class="facts">
                                    <dt>{t("loan.balance")}</dt><dd data-testid="loan-balance"><strong>{Money(l.balance_fen).display()}</strong></dd>
                                    <dt>{t("loan.principal")}</dt><dd>{Money(l.loan.principal_fen).display()}</dd>
                                    <dt>{t("loan.interest_so_far")}</dt><dd>{Money(l.interest_fen).display()}</dd>
                                    <dt>{t("loan.rate")}</dt><dd>{rate(l.loan.rate_bp)}</dd>
                                    <dt>{t("loan.started")}</dt><dd>{date(&l.loan.start_date)}</dd>
                                    <dt>{t("loan.due")}</dt><dd data-testid="loan-due"><strong>{date(&l.loan.due_date)}</strong></dd>
                                    <dt>{t("loan.paid_into")}</dt><dd class="mono">{l.loan.payout_masked.clone()}</dd>
                                </dl>
                                <p class="small muted">{t("loan.repay_hint")}</p>
                            </section>
                        });
                        let body = if !q.lends {
                            view! { <p class="alert alert-info" data-testid="loan-not-eligible">{t("servicing.error.loan_not_eligible")}</p> }.into_any()
                        } else if let Some(open) = &q.open {
                            view! {
                                <p class="alert alert-info" role="status" data-testid="open-request">
                                    {t("loan.open_already")} " " <a href=request_path(&open.id)>{t("servicing.follow")}</a>
                                </p>
                            }.into_any()
                        } else if q.outstanding.is_some() {
                            view! { <p class="muted">{t("servicing.error.loan_outstanding")}</p> }.into_any()
                        } else if page.read_only {
                            view! { <p class="alert alert-info">{t("servicing.read_only")}</p> }.into_any()
                        } else if q.payout_masked.is_none() {
                            view! {
                                <p class="alert alert-info" data-testid="no-payout">{t("servicing.error.no_payout_account")} " "
                                    <a href=ACCOUNTS_PATH>{t("loan.set_payout")}</a></p>
                            }.into_any()
                        } else if !page.fresh {
                            step_up_gate(&here, "loan.step_up_intro", &error)
                        } else {
                            let example = loans::term_interest(q.max_fen);
                            view! {
                                <form method="post" action=RequestLoan::PATH class="form" data-testid="loan-form">
                                    <ErrorNotice error=error.clone()/>
                                    <input type="hidden" name="policy_id" value=q.policy.id.clone()/>
                                    <div class="field">
                                        <label for="amount">{t("loan.amount_label")}</label>
                                        <input id="amount" name="amount" type="text" inputmode="decimal" required maxlength="16" autocomplete="off"
                                            aria-invalid=aria_invalid(&error, "amount") aria-describedby=described_by(&error, "amount", Some("amount-hint"))/>
                                        <p class="hint" id="amount-hint">{t_with("loan.amount_hint", &[
                                            ("min", &Money(loans::MIN_FEN).display()),
                                            ("max", &Money(q.max_fen).display()),
                                            ("interest", &Money(example).display()),
                                        ])}</p>
                                    </div>
                                    <p class="small">{t("loan.paid_into")} " " <span class="mono" data-testid="loan-payout">{q.payout_masked.clone()}</span>
                                        " · " <a href=ACCOUNTS_PATH>{t("loan.change_payout")}</a></p>
                                    <button type="submit" class="btn btn-primary btn-block" data-testid="loan-submit">{t("loan.submit")}</button>
                                </form>
                            }.into_any()
                        };
                        let title = t("loan.title");
                        view! {
                            <Title text=title.clone()/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=format!("/policies/{}", q.policy.id)>{t("loan.back")}</a></p>
                                <section class="card narrow">
                                    <h1>{title}</h1>
                                    <p class="muted">{product_name(&q.policy)} " · " <span class="mono">{policy_no_for(&q.policy.policy_no, false)}</span></p>
                                    {terms}
                                    {body}
                                </section>
                                {outstanding}
                            </Layout>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
