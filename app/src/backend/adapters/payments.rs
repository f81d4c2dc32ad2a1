//! The payment gateway: a trait, and a sandbox that behaves like a real provider.
//!
//! The sandbox accepts a charge at once and answers later, by calling our webhook with
//! a body signed with HMAC-SHA256, exactly like the providers we will integrate. It is
//! told what to do by the payment method's token or the amount (see README):
//! - token `tok_decline` or an amount ending in ¥0.01 … declined (`card_declined`);
//! - token `tok_timeout` … never calls back (reconciliation must settle it);
//! - token `tok_pending` … never completes: stays pending, never calls back (the payment
//!   expires after its deadline);
//! - token `tok_twice` … calls back twice (replays must be no-ops);
//! - token `tok_late` … calls back after 5 seconds;
//! - anything else … succeeds after about 50 ms.
//!
//! A charge with an idempotency key it has seen returns the first charge: the provider
//! never charges one key twice, whatever we do. Its ledger lives in its own table, so it
//! remembers its charges and owed callbacks across a restart of our server.

use crate::backend::store::sandbox_ledger::{self, LedgerRow, LedgerStatus};
use crate::backend::store::Db;
use hmac::{Mac, SimpleHmac};
use secrecy::{ExposeSecret, SecretString};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Clone, Debug)]
pub struct ChargeRequest {
    pub idempotency_key: String,
    pub amount_fen: i64,
    pub method_token: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GatewayStatus {
    Pending,
    Succeeded,
    Failed { code: String },
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("gateway unavailable")]
    Unavailable,
    #[error("unknown charge")]
    Unknown,
}

/// A way to pay that is not saved with us: the provider turns it into a token.
#[derive(Clone, Copy, Debug)]
pub enum OneTimeMethod<'a> {
    WeChat,
    Alipay,
    /// A UnionPay card number (digits only, Luhn-checked).
    UnionPayCard(&'a str),
}

/// The card the sandbox always declines.
pub const DECLINED_TEST_CARD: &str = "6200000000000005";

pub trait PaymentGateway: Send + Sync {
    /// Closes the charge with this idempotency key for good: a pending one is cancelled,
    /// an unknown key is spent so a late request with it charges nothing. Says what the
    /// charge became (it may have succeeded or failed meanwhile).
    fn close<'a>(
        &'a self,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<crate::backend::domain::payment::Closed, GatewayError>>;
    /// The provider's token for a one-time method; charges carry the token only.
    fn tokenize<'a>(
        &'a self,
        method: OneTimeMethod<'a>,
    ) -> BoxFuture<'a, Result<String, GatewayError>>;
    /// Starts a charge; the result arrives later at our webhook. Returns the provider's reference.
    fn charge(&self, req: ChargeRequest) -> BoxFuture<'_, Result<String, GatewayError>>;
    /// Asks where a charge stands (for reconciliation).
    fn status<'a>(
        &'a self,
        gateway_ref: &'a str,
    ) -> BoxFuture<'a, Result<GatewayStatus, GatewayError>>;
}

/// The webhook body the provider sends.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct WebhookEvent {
    pub gateway_ref: String,
    pub idempotency_key: String,
    /// `succeeded` or `failed`.
    pub status: String,
    pub failure_code: Option<String>,
}

impl WebhookEvent {
    /// The provider's word that the charge went through; anything else is a failure.
    pub fn succeeded(&self) -> bool {
        self.status == "succeeded"
    }
}

/// `hex(HMAC-SHA256(secret, body))`, sent in the `X-Anxin-Signature` header.
pub fn sign(secret: &SecretString, body: &[u8]) -> String {
    let mut mac = SimpleHmac::<sha2::Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .expect("HMAC takes any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks a signature in constant time.
pub fn verify(secret: &SecretString, body: &[u8], signature_hex: &str) -> bool {
    let Ok(sig) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    let mut mac = SimpleHmac::<sha2::Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .expect("HMAC takes any key length");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// The sandbox provider. Its ledger is a table of its own (`store::sandbox_ledger`), as
/// a real provider's books are its own: a restart of our server changes nothing it knows,
/// and a callback a crash cut off is delivered after the restart (`resume_callbacks`).
#[derive(Clone)]
pub struct SandboxGateway {
    webhook_url: Arc<Mutex<String>>,
    secret: SecretString,
    db: Db,
    http: reqwest::Client,
    delay: Duration,
}

/// A callback that could not be delivered (our server down, a 5xx) is tried again this
/// many times, waiting twice as long each time from `FIRST_RETRY`.
const DELIVERY_ATTEMPTS: u32 = 8;
const FIRST_RETRY: Duration = Duration::from_millis(500);

/// The provider's own clock, in unix milliseconds: it is not ours to move in tests.
fn provider_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The provider's database failing is the provider being unreachable.
fn unavailable(e: sqlx::Error) -> GatewayError {
    tracing::warn!(error = %e, "sandbox ledger unavailable");
    GatewayError::Unavailable
}

fn gateway_status(row: &LedgerRow) -> GatewayStatus {
    match row.status {
        LedgerStatus::Pending => GatewayStatus::Pending,
        LedgerStatus::Succeeded => GatewayStatus::Succeeded,
        LedgerStatus::Failed => GatewayStatus::Failed {
            code: row.failure_code.clone().unwrap_or_default(),
        },
    }
}

/// What the callback says: what the charge is now (one closed meanwhile says `failed`).
fn event_of(row: &LedgerRow) -> WebhookEvent {
    let failed = row.status == LedgerStatus::Failed;
    WebhookEvent {
        gateway_ref: row.gateway_ref.clone(),
        idempotency_key: row.idempotency_key.clone(),
        status: if failed { "failed" } else { "succeeded" }.into(),
        failure_code: if failed {
            row.failure_code.clone()
        } else {
            None
        },
    }
}

/// Whether a callback reached us: a 2xx, or a 4xx (our refusal is final, as with real
/// providers). No connection or a 5xx is tried again.
enum Delivery {
    Done,
    Retry,
}

impl SandboxGateway {
    pub fn new(webhook_url: String, secret: SecretString, db: Db) -> Self {
        Self {
            webhook_url: Arc::new(Mutex::new(webhook_url)),
            secret,
            db,
            http: reqwest::Client::new(),
            delay: Duration::from_millis(50),
        }
    }

    /// Where to call back (tests learn their port after start).
    pub fn set_webhook_url(&self, url: String) {
        *self.webhook_url.lock().expect("lock") = url;
    }

    /// How many distinct charges the provider accepted, and their total: what the
    /// customer's statement would show.
    pub async fn charged(&self) -> sqlx::Result<(usize, i64)> {
        let (n, sum) = sandbox_ledger::charged(&self.db.pool).await?;
        Ok((usize::try_from(n).unwrap_or(0), sum))
    }

    /// Delivers the callbacks still owed after a restart: each when it falls due (at once
    /// if overdue). Call once when the server starts listening.
    pub fn resume_callbacks(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let owed = match sandbox_ledger::owed_callbacks(&this.db.pool).await {
                Ok(owed) => owed,
                Err(e) => {
                    tracing::warn!(error = %e, "sandbox: could not read the callbacks owed");
                    return;
                }
            };
            let now = provider_now_ms();
            for row in owed {
                let wait = row
                    .callback_due_ms
                    .unwrap_or(now)
                    .saturating_sub(now)
                    .max(0);
                tracing::info!(gateway_ref = %row.gateway_ref, "sandbox: delivering a callback owed since before the restart");
                this.deliver_later(
                    row.idempotency_key,
                    Duration::from_millis(u64::try_from(wait).unwrap_or(0)),
                );
            }
        });
    }

    fn behaviour(req: &ChargeRequest) -> (GatewayStatus, Option<Duration>, usize) {
        let decline = req.method_token == "tok_decline" || req.amount_fen % 100 == 1;
        let outcome = if decline {
            GatewayStatus::Failed {
                code: "card_declined".into(),
            }
        } else {
            GatewayStatus::Succeeded
        };
        match req.method_token.as_str() {
            "tok_timeout" => (outcome, None, 0),
            "tok_pending" => (GatewayStatus::Pending, None, 0),
            "tok_twice" => (outcome, Some(Duration::from_millis(50)), 2),
            "tok_late" => (outcome, Some(Duration::from_secs(5)), 1),
            _ => (outcome, Some(Duration::from_millis(50)), 1),
        }
    }

    /// Delivers the callbacks owed for `key` after `wait`, in a task of its own.
    fn deliver_later(&self, key: String, wait: Duration) {
        let this = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            this.deliver_owed(&key).await;
        });
    }

    /// Sends each callback still owed for `key`, counting it off in the ledger once
    /// delivered; a failed delivery is retried with a growing pause.
    async fn deliver_owed(&self, key: &str) {
        let mut pause = FIRST_RETRY;
        let mut attempts = 0;
        loop {
            let row = match sandbox_ledger::by_key(&self.db.pool, key).await {
                Ok(Some(row)) if row.callbacks_left > 0 => row,
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "sandbox: ledger unreadable; callback not sent");
                    return;
                }
            };
            match self.call_back(event_of(&row)).await {
                Delivery::Done => {
                    if let Err(e) = sandbox_ledger::callback_delivered(&self.db.pool, key).await {
                        tracing::warn!(error = %e, "sandbox: could not count a callback off");
                        return;
                    }
                }
                Delivery::Retry => {
                    attempts += 1;
                    if attempts >= DELIVERY_ATTEMPTS {
                        tracing::warn!(gateway_ref = %row.gateway_ref, "sandbox: callback given up; reconciliation will ask");
                        return;
                    }
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
            }
        }
    }

    async fn call_back(&self, event: WebhookEvent) -> Delivery {
        let body = serde_json::to_vec(&event).expect("serialisable");
        let url = self.webhook_url.lock().expect("lock").clone();
        let res = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("x-anxin-signature", sign(&self.secret, &body))
            .body(body)
            .send()
            .await;
        match res {
            Ok(r) if !r.status().is_server_error() => Delivery::Done,
            Ok(r) => {
                tracing::warn!(status = %r.status(), "sandbox webhook refused; will retry");
                Delivery::Retry
            }
            Err(e) => {
                tracing::warn!(error = %e, "sandbox webhook delivery failed; will retry");
                Delivery::Retry
            }
        }
    }

    /// The charge booked under `key`: the one just inserted, or the first one made with it.
    async fn book(&self, req: &ChargeRequest) -> Result<(LedgerRow, bool), GatewayError> {
        let (outcome, delay, deliveries) = Self::behaviour(req);
        let now_ms = provider_now_ms();
        let gateway_ref = format!("sbx_{}", crate::backend::ids::new_id());
        let wait = delay.map(|d| d.max(self.delay));
        let (status, failure_code) = match &outcome {
            GatewayStatus::Pending => (LedgerStatus::Pending, None),
            GatewayStatus::Succeeded => (LedgerStatus::Succeeded, None),
            GatewayStatus::Failed { code } => (LedgerStatus::Failed, Some(code.as_str())),
        };
        let new = sandbox_ledger::insert(
            &self.db.pool,
            sandbox_ledger::NewCharge {
                idempotency_key: &req.idempotency_key,
                gateway_ref: &gateway_ref,
                amount_fen: req.amount_fen,
                status,
                failure_code,
                callbacks: if wait.is_some() {
                    i64::try_from(deliveries).unwrap_or(1)
                } else {
                    0
                },
                callback_due_ms: wait
                    .map(|w| now_ms.saturating_add(i64::try_from(w.as_millis()).unwrap_or(0))),
                now: now_ms / 1000,
            },
        )
        .await
        .map_err(unavailable)?;
        let row = sandbox_ledger::by_key(&self.db.pool, &req.idempotency_key)
            .await
            .map_err(unavailable)?
            .ok_or(GatewayError::Unavailable)?;
        Ok((row, new))
    }
}

impl PaymentGateway for SandboxGateway {
    fn tokenize<'a>(
        &'a self,
        method: OneTimeMethod<'a>,
    ) -> BoxFuture<'a, Result<String, GatewayError>> {
        let token = match method {
            OneTimeMethod::WeChat => "tok_wechat".to_owned(),
            OneTimeMethod::Alipay => "tok_alipay".to_owned(),
            OneTimeMethod::UnionPayCard(no) if no == DECLINED_TEST_CARD => "tok_decline".into(),
            OneTimeMethod::UnionPayCard(no) => {
                format!("tok_card_{}", &no[no.len().saturating_sub(4)..])
            }
        };
        Box::pin(async move { Ok(token) })
    }

    fn charge(&self, req: ChargeRequest) -> BoxFuture<'_, Result<String, GatewayError>> {
        Box::pin(async move {
            let (row, new) = self.book(&req).await?;
            if let (true, Some(due)) = (new && row.callbacks_left > 0, row.callback_due_ms) {
                let wait = due.saturating_sub(provider_now_ms()).max(0);
                self.deliver_later(
                    row.idempotency_key.clone(),
                    Duration::from_millis(u64::try_from(wait).unwrap_or(0)),
                );
            }
            Ok(row.gateway_ref)
        })
    }

    fn close<'a>(
        &'a self,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<crate::backend::domain::payment::Closed, GatewayError>> {
        use crate::backend::domain::payment::Closed;
        Box::pin(async move {
            let pool = &self.db.pool;
            // An unknown key is spent: a late charge with it finds this row and charges nothing.
            let spent = sandbox_ledger::insert(
                pool,
                sandbox_ledger::NewCharge {
                    idempotency_key,
                    gateway_ref: &format!("sbx_{}", crate::backend::ids::new_id()),
                    amount_fen: 0,
                    status: LedgerStatus::Failed,
                    failure_code: Some("closed"),
                    callbacks: 0,
                    callback_due_ms: None,
                    now: provider_now_ms() / 1000,
                },
            )
            .await
            .map_err(unavailable)?;
            if spent {
                return Ok(Closed::NeverSeen);
            }
            if sandbox_ledger::cancel_pending(pool, idempotency_key)
                .await
                .map_err(unavailable)?
            {
                return Ok(Closed::Cancelled);
            }
            let row = sandbox_ledger::by_key(pool, idempotency_key)
                .await
                .map_err(unavailable)?
                .ok_or(GatewayError::Unavailable)?;
            Ok(match row.status {
                LedgerStatus::Succeeded => Closed::Succeeded,
                // Closed before (by another reconciler, a moment ago): closing again says
                // the same, so that both reach the one expiry rather than one a failure.
                LedgerStatus::Failed if row.failure_code.as_deref() == Some("closed") => {
                    Closed::NeverSeen
                }
                // Pending again cannot happen: nothing moves a charge back to pending.
                LedgerStatus::Failed | LedgerStatus::Pending => Closed::Failed,
            })
        })
    }

    fn status<'a>(
        &'a self,
        gateway_ref: &'a str,
    ) -> BoxFuture<'a, Result<GatewayStatus, GatewayError>> {
        Box::pin(async move {
            sandbox_ledger::by_ref(&self.db.pool, gateway_ref)
                .await
                .map_err(unavailable)?
                .map(|row| gateway_status(&row))
                .ok_or(GatewayError::Unknown)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_tampering_fails() {
        let secret = SecretString::from("k");
        let sig = sign(&secret, b"{\"a\":1}");
        assert!(verify(&secret, b"{\"a\":1}", &sig));
        assert!(!verify(&secret, b"{\"a\":2}", &sig));
        assert!(!verify(&SecretString::from("other"), b"{\"a\":1}", &sig));
        assert!(!verify(&secret, b"{\"a\":1}", "zz"));
    }
}
