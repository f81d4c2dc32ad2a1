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

/// Delivers to nobody, but keeps what a phone would have received: the latest messages
/// in memory (tests read them) and, when configured, one JSON line per message in a
/// file (`ANXIN_SMS_SANDBOX_LOG`; a demo reads its login codes there). This is the only
/// place a one-time code can be read back: pages and the outbox show it starred out.
#[derive(Default)]
pub struct SandboxSms {
    log_path: Option<std::path::PathBuf>,
    delivered: std::sync::Mutex<std::collections::VecDeque<Delivered>>,
    /// Refuses every message, as a provider that is down does (`set_failing`).
    failing: std::sync::atomic::AtomicBool,
}

/// One message as the phone received it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Delivered {
    pub phone: String,
    pub body: String,
}

const KEPT: usize = 1000;

impl SandboxSms {
    pub fn new(log_path: Option<std::path::PathBuf>) -> Self {
        Self {
            log_path,
            delivered: Default::default(),
            failing: Default::default(),
        }
    }

    /// From now on refuse (or again accept) every message: the provider outage drill.
    pub fn set_failing(&self, failing: bool) {
        self.failing
            .store(failing, std::sync::atomic::Ordering::SeqCst);
    }

    /// What was delivered to `phone`, oldest first.
    pub fn delivered_to(&self, phone: &str) -> Vec<Delivered> {
        let kept = self.delivered.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter().filter(|d| d.phone == phone).cloned().collect()
    }

    fn keep(&self, d: Delivered) {
        if let Some(path) = &self.log_path {
            if let Err(e) = append_line(path, &d) {
                tracing::warn!(error = %e, "SMS sandbox log not written");
            }
        }
        let mut kept = self.delivered.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back(d);
    }
}

fn append_line(path: &std::path::Path, d: &Delivered) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_string(d)?;
    line.push('\n');
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(line.as_bytes())?;
    Ok(())
}

impl SmsSender for SandboxSms {
    fn send<'a>(
        &'a self,
        phone: &'a Phone,
        body: &'a str,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>> {
        Box::pin(async move {
            if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
                anyhow::bail!("sandbox provider: 503 service unavailable");
            }
            self.keep(Delivered {
                phone: phone.as_str().to_owned(),
                body: body.to_owned(),
            });
            tracing::info!(phone = %phone, chars = body.chars().count(), "sandbox SMS delivered");
            Ok(())
        })
    }
}

/// A text from a phone, as the SMS gateway forwards it to `/webhooks/sms` (signed like
/// the payment webhook): `{"message_id", "phone", "text"}`. Providers retry deliveries;
/// the message id makes a retry recognisable.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct InboundSms {
    pub message_id: MessageId,
    pub phone: String,
    pub text: String,
}

/// The provider's id of one inbound message: 1 to 64 letters, digits, `-`, `_`, `.` or
/// `:`. Anything else makes the webhook body bad (a 400 that changes nothing).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageId(String);

impl MessageId {
    pub fn parse(s: &str) -> Option<Self> {
        let ok = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        ok.then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MessageId {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or("bad message id")
    }
}

impl From<MessageId> for String {
    fn from(m: MessageId) -> String {
        m.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_webhook_body_needs_a_message_id() {
        let ok: InboundSms =
            serde_json::from_str(r#"{"message_id":"m-1","phone":"13900000001","text":"TJ"}"#)
                .unwrap();
        assert_eq!(ok.message_id.as_str(), "m-1");
        for bad in [
            r#"{"phone":"13900000001","text":"TJ"}"#,
            r#"{"message_id":"","phone":"13900000001","text":"TJ"}"#,
            r#"{"message_id":"a b","phone":"13900000001","text":"TJ"}"#,
            r#"{"message_id":7,"phone":"13900000001","text":"TJ"}"#,
        ] {
            assert!(serde_json::from_str::<InboundSms>(bad).is_err(), "{bad}");
        }
    }

    fn json_ish() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,120}",
            ("[a-zA-Z0-9_:.-]{0,70}", "\\PC{0,20}", "\\PC{0,80}").prop_map(|(m, p, t)| {
                serde_json::json!({"message_id": m, "phone": p, "text": t}).to_string()
            }),
            ("\\PC{0,70}", any::<i64>(), "\\PC{0,40}").prop_map(|(m, p, t)| {
                format!(r#"{{"message_id":{m:?},"phone":{p},"text":{t:?},"extra":[1,{{}}]}}"#)
            }),
        ]
    }

    proptest! {
        /// The webhook body, fuzzed: whatever arrives, parsing it (and understanding the
        /// text) never panics, and what parses carries a valid message id.
        #[test]
        fn any_webhook_body_parses_or_is_refused_without_panicking(body in json_ish()) {
            if let Ok(sms) = serde_json::from_str::<InboundSms>(&body) {
                prop_assert!(MessageId::parse(sms.message_id.as_str()).is_some());
                let q = crate::backend::domain::sms_query::SmsQuery::parse(&sms.text);
                let _ = q.redacted(&sms.text);
            }
        }

        #[test]
        fn any_bytes_are_refused_or_parsed(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = serde_json::from_slice::<InboundSms>(&bytes);
        }
    }
}
