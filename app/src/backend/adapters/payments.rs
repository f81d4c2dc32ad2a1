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
//! never charges one key twice, whatever we do.

use hmac::{Mac, SimpleHmac};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
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

#[derive(Clone, Debug)]
struct SandboxCharge {
    gateway_ref: String,
    amount_fen: i64,
    status: GatewayStatus,
}

/// The sandbox provider. Clones share one ledger.
#[derive(Clone)]
pub struct SandboxGateway {
    webhook_url: Arc<Mutex<String>>,
    secret: SecretString,
    ledger: Arc<Mutex<HashMap<String, SandboxCharge>>>,
    http: reqwest::Client,
    delay: Duration,
}

impl SandboxGateway {
    pub fn new(webhook_url: String, secret: SecretString) -> Self {
        Self {
            webhook_url: Arc::new(Mutex::new(webhook_url)),
            secret,
            ledger: Arc::default(),
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
    pub fn charged(&self) -> (usize, i64) {
        let ledger = self.ledger.lock().expect("lock");
        let settled = ledger
            .values()
            .filter(|c| c.status == GatewayStatus::Succeeded);
        let (n, sum) = settled.fold((0, 0), |(n, s), c| (n + 1, s + c.amount_fen));
        (n, sum)
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

    async fn call_back(&self, event: WebhookEvent) {
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
        if let Err(e) = res {
            tracing::warn!(error = %e, "sandbox webhook delivery failed");
        }
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
            let (outcome, delay, deliveries) = Self::behaviour(&req);
            let (gateway_ref, new) = {
                let mut ledger = self.ledger.lock().expect("lock");
                match ledger.get(&req.idempotency_key) {
                    Some(c) => (c.gateway_ref.clone(), false),
                    None => {
                        let r = format!("sbx_{}", crate::backend::ids::new_id());
                        ledger.insert(
                            req.idempotency_key.clone(),
                            SandboxCharge {
                                gateway_ref: r.clone(),
                                amount_fen: req.amount_fen,
                                status: outcome.clone(),
                            },
                        );
                        (r, true)
                    }
                }
            };
            if let (true, Some(wait)) = (new, delay.map(|d| d.max(self.delay))) {
                let this = self.clone();
                let event = WebhookEvent {
                    gateway_ref: gateway_ref.clone(),
                    idempotency_key: req.idempotency_key.clone(),
                    status: match &outcome {
                        GatewayStatus::Failed { .. } => "failed".into(),
                        _ => "succeeded".into(),
                    },
                    failure_code: match &outcome {
                        GatewayStatus::Failed { code } => Some(code.clone()),
                        _ => None,
                    },
                };
                tokio::spawn(async move {
                    tokio::time::sleep(wait).await;
                    // A charge closed meanwhile reports what it became, as a provider would.
                    let mut event = event;
                    let now = this
                        .ledger
                        .lock()
                        .expect("lock")
                        .get(&event.idempotency_key)
                        .map(|c| c.status.clone());
                    if let Some(GatewayStatus::Failed { code }) = now {
                        event.status = "failed".into();
                        event.failure_code = Some(code);
                    }
                    for _ in 0..deliveries {
                        this.call_back(event.clone()).await;
                    }
                });
            }
            Ok(gateway_ref)
        })
    }

    fn close<'a>(
        &'a self,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<crate::backend::domain::payment::Closed, GatewayError>> {
        use crate::backend::domain::payment::Closed;
        Box::pin(async move {
            let mut ledger = self.ledger.lock().expect("lock");
            let closed = GatewayStatus::Failed {
                code: "closed".into(),
            };
            Ok(match ledger.get_mut(idempotency_key) {
                None => {
                    ledger.insert(
                        idempotency_key.to_owned(),
                        SandboxCharge {
                            gateway_ref: format!("sbx_{}", crate::backend::ids::new_id()),
                            amount_fen: 0,
                            status: closed,
                        },
                    );
                    Closed::NeverSeen
                }
                Some(c) => match c.status {
                    GatewayStatus::Pending => {
                        c.status = closed;
                        Closed::Cancelled
                    }
                    GatewayStatus::Succeeded => Closed::Succeeded,
                    GatewayStatus::Failed { .. } => Closed::Failed,
                },
            })
        })
    }

    fn status<'a>(
        &'a self,
        gateway_ref: &'a str,
    ) -> BoxFuture<'a, Result<GatewayStatus, GatewayError>> {
        Box::pin(async move {
            let ledger = self.ledger.lock().expect("lock");
            ledger
                .values()
                .find(|c| c.gateway_ref == gateway_ref)
                .map(|c| c.status.clone())
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
