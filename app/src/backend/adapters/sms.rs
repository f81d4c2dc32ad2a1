use crate::model::Phone;
use std::future::Future;
use std::pin::Pin;

/// Delivers one text message. The real gateway is one more implementation of this.
pub trait SmsSender: Send + Sync {
    fn send<'a>(
        &'a self,
        phone: &'a Phone,
        body: &'a str,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;
}

/// Accepts every message and delivers none: the outbox table is what a demo (and
/// staff, at /staff/outbox) reads.
pub struct SandboxSms;

impl SmsSender for SandboxSms {
    fn send<'a>(
        &'a self,
        phone: &'a Phone,
        body: &'a str,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>> {
        Box::pin(async move {
            tracing::info!(phone = %phone, chars = body.chars().count(), "sandbox SMS delivered");
            Ok(())
        })
    }
}

/// A reply from a phone, as the SMS gateway forwards it to `/webhooks/sms` (signed like
/// the payment webhook).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct InboundSms {
    pub phone: String,
    pub text: String,
}
