//! Password hashing (argon2id at OWASP's parameters) and the password policy.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::OnceLock;

pub const MIN_LENGTH: usize = 10;

fn hasher() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hashing slot stayed taken for `BUSY_AFTER`: "busy, try again".
    #[error("password hashing is busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// How long a request waits for a hashing slot before it is told to try again.
pub const BUSY_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// One argon2 run holds 19 MiB: at most one per core runs at once, so a flood of logins
/// costs a bounded amount of memory and waits briefly instead of queueing without end.
fn slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores.clamp(1, 8))
    })
}

/// Runs `f` (an argon2 computation) on a blocking thread once a slot is free.
async fn bounded<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, HashError> {
    let permit = tokio::time::timeout(BUSY_AFTER, slots().acquire())
        .await
        .map_err(|_| HashError::Busy)?
        .map_err(|e| anyhow::anyhow!("hashing slots closed: {e}"))?;
    let out = tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| anyhow::anyhow!("hashing task: {e}"))?;
    drop(permit);
    Ok(out?)
}

/// Hashes on a blocking thread: argon2 takes tens of milliseconds by design.
pub async fn hash(password: SecretString) -> Result<String, HashError> {
    bounded(move || hash_blocking(password.expose_secret())).await
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?
        .to_string())
}

/// Verifies against `stored`, or against a dummy hash when there is none, so that an
/// unknown account takes as long to refuse as a wrong password.
pub async fn verify(password: SecretString, stored: Option<String>) -> Result<bool, HashError> {
    bounded(move || {
        let has_real = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let ok = hasher()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(ok && has_real)
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("anxin-dummy-password-for-timing").expect("hashing works"))
}

/// Why a new password was refused. Each maps to a translated message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    Mismatch,
    /// zxcvbn scored it below 3; the reason is zxcvbn's warning, when it gives one.
    Guessable(Option<GuessReason>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuessReason {
    Common,
    Sequence,
    Repeat,
    Date,
    Name,
    Keyboard,
    ContainsPersonalInfo,
}

impl Weakness {
    /// A code for URLs and translation keys.
    pub fn code(self) -> &'static str {
        match self {
            Self::TooShort => "too_short",
            Self::Mismatch => "mismatch",
            Self::Guessable(None) => "guessable",
            Self::Guessable(Some(r)) => match r {
                GuessReason::Common => "common",
                GuessReason::Sequence => "sequence",
                GuessReason::Repeat => "repeat",
                GuessReason::Date => "date",
                GuessReason::Name => "name",
                GuessReason::Keyboard => "keyboard",
                GuessReason::ContainsPersonalInfo => "personal",
            },
        }
    }
}

/// At least 10 characters and a zxcvbn score of 3 or more, judged with the person's own
/// details (phone, name) as known words so a password built from them is refused.
pub fn check_policy(password: &str, confirm: &str, personal: &[&str]) -> Result<(), Weakness> {
    if password.chars().count() < MIN_LENGTH {
        return Err(Weakness::TooShort);
    }
    if password != confirm {
        return Err(Weakness::Mismatch);
    }
    let lower = password.to_lowercase();
    if personal
        .iter()
        .any(|p| p.chars().count() >= 4 && lower.contains(&p.to_lowercase()))
    {
        return Err(Weakness::Guessable(Some(GuessReason::ContainsPersonalInfo)));
    }
    let estimate = zxcvbn::zxcvbn(password, personal);
    if (estimate.score() as u8) >= 3 {
        return Ok(());
    }
    use zxcvbn::feedback::Warning as W;
    let reason = estimate
        .feedback()
        .and_then(|f| f.warning())
        .map(|w| match w {
            W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess => {
                GuessReason::Keyboard
            }
            W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
                GuessReason::Repeat
            }
            W::SequencesLikeAbcAreEasyToGuess => GuessReason::Sequence,
            W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess => GuessReason::Date,
            W::NamesAndSurnamesByThemselvesAreEasyToGuess
            | W::CommonNamesAndSurnamesAreEasyToGuess => GuessReason::Name,
            _ => GuessReason::Common,
        });
    Err(Weakness::Guessable(reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_refuses_short_weak_and_personal_passwords() {
        assert_eq!(check_policy("abc", "abc", &[]), Err(Weakness::TooShort));
        assert!(
            check_policy("password123", "password123", &[])
                .unwrap_err()
                .code()
                != ""
        );
        assert!(matches!(
            check_policy("1234567890", "1234567890", &[]),
            Err(Weakness::Guessable(_))
        ));
        assert_eq!(
            check_policy("x13812345678y", "x13812345678y", &["13812345678"]),
            Err(Weakness::Guessable(Some(GuessReason::ContainsPersonalInfo)))
        );
        assert_eq!(
            check_policy("Teal-Piano-Orbit-42", "Teal-Piano-Orbit-4", &[]),
            Err(Weakness::Mismatch)
        );
        assert_eq!(
            check_policy("Teal-Piano-Orbit-42", "Teal-Piano-Orbit-42", &[]),
            Ok(())
        );
    }

    #[test]
    fn hash_verifies_and_rejects() {
        let h = hash_blocking("Teal-Piano-Orbit-42").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            assert!(
                verify(SecretString::from("Teal-Piano-Orbit-42"), Some(h.clone()))
                    .await
                    .unwrap()
            );
            assert!(!verify(SecretString::from("wrong-password"), Some(h))
                .await
                .unwrap());
            assert!(
                !verify(SecretString::from("anxin-dummy-password-for-timing"), None)
                    .await
                    .unwrap()
            );
        });
    }
}
