//! 变更续期扣款方式 / 变更收款账户 — the account's auto-debit method and payout account,
//! each changed by the customer after a fresh identity check, at once (no review), shown
//! masked only. Each change is a servicing request recorded as done (for the customer's
//! history), an audit row and an SMS to the phone on file — if it was not them, they
//! know at once — in one transaction. The two are separate; the customer may use one
//! card for both.

use super::servicing::{audit_row, record_done, Audit};
use crate::backend::adapters::payments::OneTimeMethod;
use crate::backend::auth::{step_up, Session};
use crate::backend::domain::accounts::{mask_account, Bank};
use crate::backend::store::customers::{self, PayoutAccount};
use crate::backend::store::outbox;
use crate::backend::store::payment_methods::{self, PaymentMethodRow};
use crate::backend::store::servicing::Payload;
use crate::backend::AppState;
use crate::i18n::{t_in_with, Locale};
use sqlx::AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("step-up check needed")]
    StepUpRequired,
    /// Not one of the customer's saved methods.
    #[error("method not found")]
    MethodNotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// The auto-debit method to use from now on.
pub enum DebitChoice {
    /// One of the customer's saved methods.
    Saved(String),
    /// A bank card typed in (checked digits): saved by the provider's token only.
    NewCard { bank: Bank, card_no: String },
}

/// The payout account to use from now on.
pub enum PayoutChoice {
    /// One of the customer's saved methods (the auto-debit card: one for both).
    Saved(String),
    /// A bank account typed in (checked digits).
    Bank { bank: Bank, account_no: String },
}

/// What the accounts page shows: the methods to choose from, the ones in use (masked).
pub struct AccountsView {
    pub methods: Vec<PaymentMethodRow>,
    pub debit: Option<PaymentMethodRow>,
    pub payout_masked: Option<String>,
    pub payout_method_id: Option<String>,
}

pub async fn view(state: &AppState, customer_id: &str) -> anyhow::Result<AccountsView> {
    let pool = &state.db.pool;
    let accounts = customers::accounts(pool, customer_id)
        .await?
        .unwrap_or_default();
    Ok(AccountsView {
        methods: payment_methods::for_customer(pool, customer_id).await?,
        debit: payment_methods::debit_method(pool, customer_id).await?,
        payout_masked: accounts.payout_masked,
        payout_method_id: accounts.payout_method_id,
    })
}

/// Whether a saved method can receive money (a bank card; not a wallet).
pub fn receives_payouts(m: &PaymentMethodRow) -> bool {
    matches!(m.kind.as_str(), "card" | "unionpay")
}

async fn saved(
    state: &AppState,
    customer_id: &str,
    id: &str,
) -> Result<PaymentMethodRow, AccountError> {
    payment_methods::get(&state.db.pool, customer_id, id)
        .await?
        .ok_or(AccountError::MethodNotFound)
}

/// Changes the auto-debit method (and, when `also_payout`, points the payout account at
/// it: one card for both). Returns the request's id.
pub async fn change_debit_method(
    state: &AppState,
    session: &Session,
    customer_id: &str,
    choice: DebitChoice,
    also_payout: bool,
    ip: &str,
) -> Result<String, AccountError> {
    let now = state.clock.now();
    if !step_up::is_fresh(session, now) {
        return Err(AccountError::StepUpRequired);
    }
    let old = payment_methods::debit_method(&state.db.pool, customer_id)
        .await?
        .map(|m| m.label)
        .unwrap_or_default();
    // A new card goes to the provider outside any transaction; only its token is kept.
    let (method_id, label, new_card) = match choice {
        DebitChoice::Saved(id) => {
            let m = saved(state, customer_id, &id).await?;
            if also_payout && !receives_payouts(&m) {
                return Err(AccountError::MethodNotFound);
            }
            (m.id, m.label, None)
        }
        DebitChoice::NewCard { bank, card_no } => {
            let token = state
                .payments
                .tokenize(OneTimeMethod::UnionPayCard(&card_no))
                .await
                .map_err(|e| anyhow::anyhow!("tokenize: {e}"))?;
            let id = crate::backend::ids::new_id();
            (id, mask_account(bank.name_zh(), &card_no), Some(token))
        }
    };
    let mut tx = state.db.pool.begin().await?;
    if let Some(token) = &new_card {
        payment_methods::insert(
            &mut *tx,
            &method_id,
            customer_id,
            "card",
            &label,
            token,
            now,
        )
        .await?;
    }
    customers::set_debit_method(&mut *tx, customer_id, &method_id).await?;
    let payload = Payload::DebitMethod {
        old,
        new: label.clone(),
    };
    let id = record(
        &mut tx,
        state,
        customer_id,
        &payload,
        "sms.debit_method_changed",
        ip,
    )
    .await?;
    if also_payout {
        let account = PayoutAccount::Method { id: method_id };
        set_payout(&mut tx, state, customer_id, &account, &label, ip).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Changes the payout account. Returns the request's id.
pub async fn change_payout_account(
    state: &AppState,
    session: &Session,
    customer_id: &str,
    choice: PayoutChoice,
    ip: &str,
) -> Result<String, AccountError> {
    let now = state.clock.now();
    if !step_up::is_fresh(session, now) {
        return Err(AccountError::StepUpRequired);
    }
    let (account, masked) = match choice {
        PayoutChoice::Saved(id) => {
            let m = saved(state, customer_id, &id).await?;
            if !receives_payouts(&m) {
                return Err(AccountError::MethodNotFound);
            }
            (PayoutAccount::Method { id: m.id }, m.label)
        }
        PayoutChoice::Bank { bank, account_no } => {
            let masked = mask_account(bank.name_zh(), &account_no);
            let bank = bank.name_zh().to_owned();
            (PayoutAccount::Bank { bank, account_no }, masked)
        }
    };
    let mut tx = state.db.pool.begin().await?;
    let id = set_payout(&mut tx, state, customer_id, &account, &masked, ip).await?;
    tx.commit().await?;
    Ok(id)
}

/// Inside a transaction: the payout account becomes `account`, recorded and told.
async fn set_payout(
    conn: &mut AnyConnection,
    state: &AppState,
    customer_id: &str,
    account: &PayoutAccount,
    masked: &str,
    ip: &str,
) -> anyhow::Result<String> {
    let old = customers::accounts(&mut *conn, customer_id)
        .await?
        .and_then(|a| a.payout_masked)
        .unwrap_or_default();
    customers::set_payout(&mut *conn, customer_id, account, masked).await?;
    let payload = Payload::PayoutAccount {
        old,
        new: masked.to_owned(),
    };
    record(conn, state, customer_id, &payload, "sms.payout_changed", ip).await
}

/// The request (done at once), its audit row and the SMS naming the new, masked account.
async fn record(
    conn: &mut AnyConnection,
    state: &AppState,
    customer_id: &str,
    payload: &Payload,
    sms_key: &str,
    ip: &str,
) -> anyhow::Result<String> {
    let now = state.clock.now();
    let id = record_done(conn, customer_id, payload, now).await?;
    let kind = payload.kind();
    audit_row(
        conn,
        Audit {
            actor_kind: "customer",
            actor_id: customer_id,
            customer_id,
            action: &format!("servicing.{kind}_changed"),
            request_id: &id,
            ip,
            now,
        },
    )
    .await?;
    let contact = customers::contact(&mut *conn, customer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("customer vanished"))?;
    let new = match payload {
        Payload::DebitMethod { new, .. } | Payload::PayoutAccount { new, .. } => new.as_str(),
        _ => "",
    };
    let locale = Locale::parse(&contact.locale).unwrap_or_default();
    let body = t_in_with(locale, sms_key, &[("new", new)]);
    outbox::enqueue(
        &mut *conn,
        outbox::NewMessage {
            customer_id: Some(customer_id),
            phone: &contact.phone,
            category: "servicing",
            body: &body,
            secret_body: None,
            dedupe_key: Some(&format!("servicing:{id}:{kind}")),
            now,
        },
    )
    .await?;
    Ok(id)
}
