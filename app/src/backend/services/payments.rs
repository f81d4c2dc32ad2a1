//! Paying a renewal offer, exactly once.
//!
//! 1. Claim the idempotency key: a `payments` row in state `created`, unique per
//!    (customer, key), with a fingerprint of what is paid. A second live payment for the
//!    same offer (another key: a second tab) is refused by a partial unique index.
//! 2. Call the gateway with the same key, outside any transaction.
//! 3. Record `pending`; the provider's signed webhook (or reconciliation) settles it. The
//!    settling transaction moves the payment out of `pending` with a guarded UPDATE, and
//!    only the caller that wins adds the next term, closes the offer and queues the SMS.

use crate::backend::adapters::payments::{
    ChargeRequest, GatewayError, GatewayStatus, OneTimeMethod, WebhookEvent,
};
use crate::backend::auth::{step_up, Session};
use crate::backend::domain::payment::{self, ProviderAnswer, Resolution};
use crate::backend::fault::{self, Fault};
use crate::backend::store::{
    audit, is_unique_violation, outbox, payment_methods, payments, policies, renewals,
};
use crate::backend::{ids, AppState};
use crate::model::{Money, OfferState, PaymentState, PolicyNo};

/// A pay click: the offer as the page showed it, the key rendered with the button,
/// and the chosen method.
#[derive(Clone, Debug)]
pub struct PayRequest {
    pub offer_id: String,
    pub version: i64,
    pub idempotency_key: String,
    pub method: Method,
    /// A short-link session may pay only its own policy's offer.
    pub only_policy: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    Saved(String),
    WeChat,
    Alipay,
    UnionPayCard(String),
}

/// The UnionPay test card the sandbox always declines (documented in the README).
pub use crate::backend::adapters::payments::DECLINED_TEST_CARD;

impl Method {
    /// `saved:<id>`, `wechat`, `alipay`, or `unionpay` with a card number.
    pub fn parse(kind: &str, card_no: &str) -> Option<Self> {
        match kind.split_once(':') {
            Some(("saved", id)) if !id.is_empty() => Some(Self::Saved(id.to_owned())),
            _ => match kind {
                "wechat" => Some(Self::WeChat),
                "alipay" => Some(Self::Alipay),
                "unionpay" => {
                    crate::backend::domain::accounts::parse_card_no(card_no).map(Self::UnionPayCard)
                }
                _ => None,
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PayError {
    /// Not this customer's offer (or no such offer): a 404, never another's row.
    #[error("not found")]
    NotFound,
    /// The offer has a newer version than the page showed.
    #[error("offer changed")]
    OfferChanged,
    /// Expired, superseded, or otherwise no longer payable.
    #[error("offer closed")]
    OfferClosed,
    #[error("step-up required")]
    StepUpRequired,
    /// The same key was used for something else.
    #[error("idempotency key reused")]
    KeyReused,
    #[error("bad payment method")]
    BadMethod,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for PayError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Pays (or finds the payment already made for) an offer; returns the payment id to show.
pub async fn pay_renewal(
    state: &AppState,
    session: &Session,
    customer_id: &str,
    req: PayRequest,
) -> Result<String, PayError> {
    let now = state.clock.now();
    let offer = renewals::get(&state.db.pool, customer_id, &req.offer_id)
        .await?
        .ok_or(PayError::NotFound)?;
    if req
        .only_policy
        .as_deref()
        .is_some_and(|p| p != offer.policy_id)
    {
        return Err(PayError::NotFound);
    }
    // A double tap after success, a refresh, a second tab: show what already happened.
    if let Some(existing) =
        payments::by_key(&state.db.pool, customer_id, &req.idempotency_key).await?
    {
        return same_payment_or_refuse(existing, &offer.id, &fingerprint(&offer));
    }
    if let Some(live) = payments::live_for_offer(&state.db.pool, customer_id, &offer.id).await? {
        return Ok(live.id);
    }
    if offer.version != req.version {
        return Err(PayError::OfferChanged);
    }
    if offer.state != OfferState::Open || offer.expires_at <= now {
        return Err(PayError::OfferClosed);
    }
    if !step_up::is_fresh(session, now) {
        return Err(PayError::StepUpRequired);
    }
    let (method_label, token) = resolve_method(state, customer_id, &req.method).await?;
    start_payment(
        state,
        customer_id,
        &offer,
        &req.idempotency_key,
        &method_label,
        &token,
    )
    .await
}

/// Claims the key and asks the gateway to charge: the part shared by a pay tap and an
/// auto-debit. Returns the payment to show (this one, or the one that won a race).
async fn start_payment(
    state: &AppState,
    customer_id: &str,
    offer: &renewals::OfferRow,
    key: &str,
    method_label: &str,
    token: &str,
) -> Result<String, PayError> {
    let payment_id = ids::new_id();
    let fp = fingerprint(offer);
    let claimed = payments::claim(
        &state.db.pool,
        payments::NewPayment {
            id: &payment_id,
            customer_id,
            offer_id: &offer.id,
            policy_id: &offer.policy_id,
            idempotency_key: key,
            fingerprint: &fp,
            amount_fen: offer.premium_fen,
            method: method_label,
            method_token: token,
            now: state.clock.now(),
        },
    )
    .await;
    match claimed {
        Ok(true) => {}
        Ok(false) => {
            // Lost a race for the same key.
            let existing = payments::by_key(&state.db.pool, customer_id, key)
                .await?
                .ok_or_else(|| anyhow::anyhow!("claimed key vanished"))?;
            return same_payment_or_refuse(existing, &offer.id, &fp);
        }
        Err(e) if is_unique_violation(&e) => {
            // Lost a race with another key for the same offer.
            let live = payments::live_for_offer(&state.db.pool, customer_id, &offer.id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("live payment vanished"))?;
            return Ok(live.id);
        }
        Err(e) => return Err(e.into()),
    }
    charge(
        state,
        customer_id,
        &payment_id,
        key,
        offer.premium_fen,
        token,
    )
    .await?;
    Ok(payment_id)
}

/// Auto-debit renewal charges this many days before cover ends (the notice says so).
pub const AUTO_DEBIT_DAYS_BEFORE: i64 = 3;

/// Pays the open offers of policies with an auto-debit mandate that are within
/// `AUTO_DEBIT_DAYS_BEFORE` days of their end, with the customer's auto-debit method (the
/// one they chose in servicing, else their default saved method).
/// The key is derived from the offer, so every run and every instance claims the same one.
pub async fn auto_debit_due(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let mut started = 0;
    for offer in
        renewals::auto_debit_due(&state.db.pool, now, now + AUTO_DEBIT_DAYS_BEFORE * 86_400).await?
    {
        let Some(method) =
            payment_methods::debit_method(&state.db.pool, &offer.customer_id).await?
        else {
            tracing::warn!(offer_id = %offer.offer.id, "auto-debit skipped: no auto-debit method");
            continue;
        };
        let key = format!("auto-debit-{}-v{}", offer.offer.id, offer.offer.version);
        match start_payment(
            state,
            &offer.customer_id,
            &offer.offer,
            &key,
            &method.label,
            &method.gateway_token,
        )
        .await
        {
            Ok(_) => started += 1,
            Err(PayError::Internal(e)) => return Err(e),
            Err(e) => {
                tracing::warn!(offer_id = %offer.offer.id, error = %e, "auto-debit not started")
            }
        }
    }
    Ok(started)
}

fn fingerprint(offer: &renewals::OfferRow) -> String {
    format!(
        "{}:{}:{}:{}",
        offer.policy_id, offer.term_start, offer.version, offer.premium_fen
    )
}

fn same_payment_or_refuse(
    existing: payments::PaymentRow,
    offer_id: &str,
    fp: &str,
) -> Result<String, PayError> {
    if existing.offer_id == offer_id && existing.fingerprint == fp {
        Ok(existing.id)
    } else {
        Err(PayError::KeyReused)
    }
}

/// The label stored on the payment (never a whole card number) and the gateway token.
async fn resolve_method(
    state: &AppState,
    customer_id: &str,
    m: &Method,
) -> Result<(String, String), PayError> {
    Ok(match m {
        Method::Saved(id) => {
            let pm = payment_methods::get(&state.db.pool, customer_id, id)
                .await?
                .ok_or(PayError::BadMethod)?;
            (pm.label, pm.gateway_token)
        }
        Method::WeChat => (
            "wechat".into(),
            tokenize(state, OneTimeMethod::WeChat).await?,
        ),
        Method::Alipay => (
            "alipay".into(),
            tokenize(state, OneTimeMethod::Alipay).await?,
        ),
        Method::UnionPayCard(no) => (
            format!("unionpay ****{}", &no[no.len() - 4..]),
            tokenize(state, OneTimeMethod::UnionPayCard(no)).await?,
        ),
    })
}

/// The provider's token for a method used once (a wallet, a card typed in): the card
/// number goes to the provider and never further into our system.
async fn tokenize(state: &AppState, m: OneTimeMethod<'_>) -> Result<String, PayError> {
    state
        .payments
        .tokenize(m)
        .await
        .map_err(|e| PayError::Internal(anyhow::anyhow!("tokenize: {e}")))
}

/// The provider's idempotency key: ours, made globally unique by the customer id.
fn provider_key(customer_id: &str, key: &str) -> String {
    format!("{customer_id}:{key}")
}

/// Asks the gateway to charge, then records `pending`. If the gateway cannot be
/// reached the payment stays `created` and reconciliation retries with the same key.
async fn charge(
    state: &AppState,
    customer_id: &str,
    payment_id: &str,
    key: &str,
    amount_fen: i64,
    token: &str,
) -> Result<(), PayError> {
    let req = ChargeRequest {
        idempotency_key: provider_key(customer_id, key),
        amount_fen,
        method_token: token.to_owned(),
        description: "renewal".into(),
    };
    fault::inject(state.config.fault, Fault::PayBeforeGateway);
    match state.payments.charge(req).await {
        Ok(gateway_ref) => {
            fault::inject(state.config.fault, Fault::PayAfterGateway);
            payments::mark_pending(&state.db.pool, payment_id, &gateway_ref, state.clock.now())
                .await?;
        }
        Err(e) => {
            tracing::warn!(error = %e, payment_id, "gateway unavailable; reconciliation will retry")
        }
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    #[error("unknown payment")]
    Unknown,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for SettleError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Applies a verified webhook. Replays and late duplicates change nothing.
pub async fn settle_from_webhook(state: &AppState, ev: &WebhookEvent) -> Result<bool, SettleError> {
    let (customer_id, key) = ev
        .idempotency_key
        .split_once(':')
        .ok_or(SettleError::Unknown)?;
    let p = payments::by_key(&state.db.pool, customer_id, key)
        .await?
        .ok_or(SettleError::Unknown)?;
    if p.gateway_ref
        .as_deref()
        .is_some_and(|r| r != ev.gateway_ref)
    {
        return Err(SettleError::Unknown);
    }
    if p.state == PaymentState::Expired && ev.succeeded() {
        // We gave up on it and the offer may have been paid since: a person must refund
        // or apply this charge.
        tracing::error!(payment_id = %p.id, "the provider reports a charge succeeded after it expired here");
    }
    settle(state, &p, ev.succeeded(), ev.failure_code.as_deref()).await
}

/// Moves the payment out of `pending` and, on success, renews the policy: all in one
/// transaction, all or nothing, once.
async fn settle(
    state: &AppState,
    p: &payments::PaymentRow,
    ok: bool,
    failure_code: Option<&str>,
) -> Result<bool, SettleError> {
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if !payments::settle(&mut *tx, &p.id, ok, failure_code, now).await? {
        return Ok(false);
    }
    if ok {
        let offer = renewals::get(&mut *tx, &p.customer_id, &p.offer_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("offer of a payment vanished"))?;
        renewals::mark_paid(&mut *tx, &offer.id).await?;
        let terms = policies::terms(&mut *tx, &p.customer_id, &p.policy_id).await?;
        let next_no = terms.first().map_or(1, |t| t.term_no + 1);
        policies::insert_term(
            &mut *tx,
            &p.policy_id,
            &p.customer_id,
            next_no,
            &offer.term_start,
            &offer.term_end,
            p.amount_fen,
            &p.id,
            now,
        )
        .await?;
        payment_sms(
            &mut tx,
            p,
            "sms.payment_confirmation",
            &[("start", &offer.term_start), ("end", &offer.term_end)],
            &format!("payment:{}", p.id),
            now,
        )
        .await?;
    }
    audit::record(
        &mut *tx,
        audit::AuditEntry {
            actor_kind: "system",
            actor_id: None,
            customer_id: Some(&p.customer_id),
            action: if ok {
                "payment.succeeded"
            } else {
                "payment.failed"
            },
            detail: &p.id,
            ip: None,
            now,
        },
    )
    .await?;
    fault::inject(state.config.fault, Fault::WebhookBeforeCommit);
    tx.commit().await?;
    Ok(true)
}

/// Settles payments the provider never told us about, re-submits ones that never
/// reached it, and gives up on ones still open past their deadline (`domain::payment`),
/// or that the provider does not know past the grace period (`ANXIN_PAYMENT_GRACE_SECS`):
/// those become `expired`, which frees their offer to be paid again and tells the
/// customer nothing was taken. Safe to run on every instance at once: every change is
/// guarded. Returns how many it settled.
pub async fn reconcile(state: &AppState, older_than_secs: i64) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let grace = state.config.payment_grace_secs;
    let mut settled = 0;
    for p in payments::stale(&state.db.pool, now - older_than_secs).await? {
        let answer = match (p.state, &p.gateway_ref) {
            (PaymentState::Pending, Some(r)) => provider_answer(state, &p.id, r).await,
            (PaymentState::Created, _) if payment::resubmit(p.created_at, now, grace) => {
                // Never reached the provider (or we never heard): submit again, same key.
                let _ = charge(
                    state,
                    &p.customer_id,
                    &p.id,
                    &p.idempotency_key,
                    p.amount_fen,
                    &p.method_token,
                )
                .await;
                continue;
            }
            // Past the grace period without a reference: closing it finds out whether
            // the provider took it after all.
            (PaymentState::Created, None) => (ProviderAnswer::Unknown, None),
            _ => (ProviderAnswer::NoAnswer, None),
        };
        let (answer, failure_code) = answer;
        let mut resolution = payment::resolve(answer, p.created_at, now, grace);
        let mut failure_code = failure_code;
        if resolution == Resolution::Close {
            // Closed at the provider first, so no money can move after we give up; what
            // it became (it may have just succeeded) decides.
            let key = provider_key(&p.customer_id, &p.idempotency_key);
            resolution = match state.payments.close(&key).await {
                Ok(closed) => payment::after_close(closed),
                Err(e) => {
                    tracing::warn!(error = %e, payment_id = %p.id, "reconciliation: could not close");
                    Resolution::Wait
                }
            };
            failure_code = Some("closed".into());
        }
        let done = match resolution {
            Resolution::Succeed => settle(state, &p, true, None).await?,
            Resolution::Fail => settle(state, &p, false, failure_code.as_deref()).await?,
            Resolution::Close => expire(state, &p).await?,
            Resolution::Wait => false,
        };
        settled += usize::from(done);
    }
    Ok(settled)
}

/// What the provider says about a pending charge, with its failure code.
async fn provider_answer(
    state: &AppState,
    payment_id: &str,
    gateway_ref: &str,
) -> (ProviderAnswer, Option<String>) {
    match state.payments.status(gateway_ref).await {
        Ok(GatewayStatus::Succeeded) => (ProviderAnswer::Succeeded, None),
        Ok(GatewayStatus::Failed { code }) => (ProviderAnswer::Failed, Some(code)),
        Ok(GatewayStatus::Pending) => (ProviderAnswer::NoAnswer, None),
        Err(GatewayError::Unknown) => {
            tracing::warn!(
                payment_id,
                "reconciliation: the provider does not know this charge"
            );
            (ProviderAnswer::Unknown, None)
        }
        Err(e) => {
            tracing::warn!(error = %e, payment_id, "reconciliation: status unknown");
            (ProviderAnswer::NoAnswer, None)
        }
    }
}

/// Queues the SMS about payment `p` (its amount and masked policy number, plus `extra`
/// fields for `key`), once per `dedupe_key`. In the payment-notice category: essential,
/// never capped.
async fn payment_sms(
    conn: &mut sqlx::AnyConnection,
    p: &payments::PaymentRow,
    key: &str,
    extra: &[(&str, &str)],
    dedupe_key: &str,
    now: i64,
) -> Result<(), SettleError> {
    let summary = policies::summary(&mut *conn, &p.customer_id, &p.policy_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("policy of a payment vanished"))?;
    let customer = crate::backend::store::customers::profile(&mut *conn, &p.customer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("customer vanished"))?;
    let masked = PolicyNo::parse(&summary.policy_no)
        .map(|n| n.masked())
        .unwrap_or_default();
    let amount = Money(p.amount_fen).display();
    let mut fields = vec![("amount", amount.as_str()), ("policy", masked.as_str())];
    fields.extend_from_slice(extra);
    let body = crate::i18n::t_in_with(crate::i18n::Locale::ZhCn, key, &fields);
    outbox::enqueue(
        &mut *conn,
        outbox::NewMessage {
            customer_id: Some(&p.customer_id),
            phone: &customer.phone,
            category: "payment_confirmation",
            body: &body,
            secret_body: None,
            dedupe_key: Some(dedupe_key),
            now,
        },
    )
    .await?;
    Ok(())
}

/// Gives up on a payment the provider never confirmed, with its audit row and an SMS
/// saying nothing was taken, all in one transaction. Only one caller wins; a payment
/// settled meanwhile is left as it is.
async fn expire(state: &AppState, p: &payments::PaymentRow) -> Result<bool, SettleError> {
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if !payments::expire(&mut *tx, &p.id, now).await? {
        return Ok(false);
    }
    payment_sms(
        &mut tx,
        p,
        "sms.payment_expired",
        &[],
        &format!("payment-expired:{}", p.id),
        now,
    )
    .await?;
    audit::record(
        &mut *tx,
        audit::AuditEntry {
            actor_kind: "system",
            actor_id: None,
            customer_id: Some(&p.customer_id),
            action: "payment.expired",
            detail: &p.id,
            ip: None,
            now,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(payment_id = %p.id, "payment expired unconfirmed; its offer can be paid again");
    Ok(true)
}

/// What the payment page shows.
pub struct PaymentView {
    pub payment: payments::PaymentRow,
    pub policy: policies::PolicySummary,
    pub offer: renewals::OfferRow,
}

/// A payment of this customer's, or `None` (a 404) for anyone else's.
pub async fn view(
    state: &AppState,
    customer_id: &str,
    payment_id: &str,
) -> anyhow::Result<Option<PaymentView>> {
    let Some(payment) = payments::get(&state.db.pool, customer_id, payment_id).await? else {
        return Ok(None);
    };
    let policy = policies::summary(&state.db.pool, customer_id, &payment.policy_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("policy of a payment vanished"))?;
    let offer = renewals::get(&state.db.pool, customer_id, &payment.offer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("offer of a payment vanished"))?;
    Ok(Some(PaymentView {
        payment,
        policy,
        offer,
    }))
}

/// The view of a payment, once settled: one made in the last 30 s is waited for, up to
/// `wait` (most settle within seconds), so that the person sees the receipt or the
/// refusal rather than "processing". An older open one is the reconciliation job's to
/// settle and is shown at once.
pub async fn view_when_settled(
    state: &AppState,
    customer_id: &str,
    payment_id: &str,
    wait: std::time::Duration,
) -> anyhow::Result<Option<PaymentView>> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let Some(p) = payments::get(&state.db.pool, customer_id, payment_id).await? else {
            return Ok(None);
        };
        let just_made = state.clock.now() - p.created_at < 30;
        if p.state.is_settled() || !just_made || tokio::time::Instant::now() >= deadline {
            return view(state, customer_id, payment_id).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_parse() {
        assert_eq!(Method::parse("wechat", ""), Some(Method::WeChat));
        assert_eq!(
            Method::parse("saved:abc", ""),
            Some(Method::Saved("abc".into()))
        );
        assert_eq!(Method::parse("saved:", ""), None);
        assert_eq!(
            Method::parse("unionpay", "6200 0000 0000 0005"),
            Some(Method::UnionPayCard(DECLINED_TEST_CARD.into()))
        );
        assert_eq!(
            Method::parse("unionpay", "6200000000000006"),
            None,
            "fails Luhn"
        );
        assert_eq!(Method::parse("bitcoin", ""), None);
    }
}
