use crate::backend::clock::shanghai_datetime;
use crate::i18n::{t, t_with};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Error codes a page may be sent back with, and nothing else: an unknown code shows
/// nothing rather than a raw key.
const CODES: &[&str] = &[
    "invalid_phone",
    "invalid_code",
    "invalid_policy_no",
    "invalid_id_last4",
    "missing_password",
    "bad_credentials",
    "staff_bad_credentials",
    "bad_code",
    "code_expired",
    "too_soon",
    "locked",
    "throttled",
    "codes_limited",
    "busy",
    "read_only",
    "forbidden",
    "no_match",
    "already_active",
    "weak",
    "internal",
    "step_up_wrong",
    "step_up_required",
    "offer_changed",
    "offer_closed",
    "key_reused",
    "bad_method",
    "link_wrong",
    "link_locked",
    // A form the server could not read (a field missing): sent back by the HTTP layer.
    "missing_field",
];
const WEAK_REASONS: &[&str] = &[
    "too_short",
    "mismatch",
    "guessable",
    "common",
    "sequence",
    "repeat",
    "date",
    "name",
    "keyboard",
    "personal",
];

/// The message for the `error` in the page's query string, in the page's language.
pub fn error_from_query() -> Option<FormError> {
    let q = use_query_map().get_untracked();
    let code = q.get("error")?;
    let code = CODES.iter().find(|c| **c == code)?;
    let time = || {
        q.get("until")
            .and_then(|u| u.parse::<i64>().ok())
            .map(|u| shanghai_datetime(u)[11..].to_owned())
            .unwrap_or_default()
    };
    let mut reason = None;
    let message = match *code {
        "locked" | "throttled" | "codes_limited" | "too_soon" | "link_locked" => {
            t_with(&format!("error.{code}"), &[("time", &time())])
        }
        "weak" => {
            let given = q.get("reason").unwrap_or_default();
            let r = WEAK_REASONS
                .iter()
                .find(|r| **r == given)
                .copied()
                .unwrap_or("guessable");
            reason = Some(r);
            t(&format!("error.weak.{r}"))
        }
        "internal" => {
            let rid: String = q
                .get("rid")
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(32)
                .collect();
            t_with("error.internal", &[("rid", &rid)])
        }
        other => t(&format!("error.{other}")),
    };
    Some(FormError {
        code,
        reason,
        message,
    })
}

const ERROR_ID: &str = "form-error";

/// The error, announced to screen readers, with an id fields point at. An error about no
/// field in particular (locked, throttled, internal) takes the focus itself.
#[component]
pub fn ErrorNotice(error: Option<FormError>) -> impl IntoView {
    error.map(|e| {
        let own_focus = e.fields().is_empty();
        view! {
            <div class="alert alert-error" role="alert" id=ERROR_ID data-testid="form-error"
                tabindex=own_focus.then_some("-1") autofocus=own_focus>{e.message}</div>
        }
    })
}

/// An error a form was sent back with: its code (one of `CODES`) and its message in the
/// page's language. It knows which fields it is about, so those fields can be marked
/// invalid, point at the message and take the focus.
#[derive(Clone, Debug)]
pub struct FormError {
    code: &'static str,
    reason: Option<&'static str>,
    pub message: String,
}

impl FormError {
    /// The input ids this error is about, the one to correct first first.
    fn fields(&self) -> &'static [&'static str] {
        match (self.code, self.reason) {
            ("invalid_phone", _) => &["phone"],
            ("invalid_code" | "bad_code", _) => &["code", "sms"],
            ("invalid_policy_no", _) => &["policy_no"],
            ("invalid_id_last4", _) => &["id_last4"],
            ("no_match", _) => &["policy_no", "id_last4"],
            ("missing_password" | "bad_credentials" | "staff_bad_credentials", _) => &["password"],
            ("weak", Some("mismatch")) => &["confirm"],
            ("weak", _) => &["password"],
            ("step_up_wrong" | "link_wrong", _) => &["id_last4", "sms"],
            ("bad_method", _) => &["card_no"],
            _ => &[],
        }
    }

    pub fn about(&self, field: &str) -> bool {
        self.fields().contains(&field)
    }

    /// Adds a sentence after the message (e.g. how many tries are left).
    pub fn and_then(mut self, more: &str) -> Self {
        self.message = format!("{} {more}", self.message);
        self
    }
}

/// `aria-invalid` for the field `id`.
pub fn aria_invalid(error: &Option<FormError>, id: &str) -> Option<&'static str> {
    error.as_ref().filter(|e| e.about(id)).map(|_| "true")
}

/// `aria-describedby` for the field `id`: its hint, and the error when it is about it.
pub fn described_by(error: &Option<FormError>, id: &str, hint: Option<&str>) -> Option<String> {
    let error = error.as_ref().filter(|e| e.about(id)).map(|_| ERROR_ID);
    match (hint, error) {
        (Some(h), Some(e)) => Some(format!("{h} {e}")),
        (h, e) => h.or(e).map(str::to_owned),
    }
}

/// Whether the field `id` takes the focus when the page loads: without script,
/// `autofocus` is how a screen reader lands on the problem (its message is in the
/// field's description). The ids an error lists are alternatives on different forms
/// ("code" or "sms"), except a mismatch of two fields on one form, where the first
/// takes the focus.
pub fn autofocus(error: &Option<FormError>, id: &str) -> bool {
    error.as_ref().is_some_and(|e| match e.fields() {
        ["policy_no", "id_last4"] => id == "policy_no",
        fields => fields.contains(&id),
    })
}
