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

/// A reply from a phone, as the SMS gateway forwards it to `/webhooks/sms` (signed like
/// the payment webhook).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct InboundSms {
    pub phone: String,
    pub text: String,
}
