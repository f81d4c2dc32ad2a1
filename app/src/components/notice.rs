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
    "too_soon",
    "locked",
    "throttled",
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
pub fn error_from_query() -> Option<String> {
    let q = use_query_map().get_untracked();
    let code = q.get("error")?;
    let code = CODES.iter().find(|c| **c == code)?;
    let time = || {
        q.get("until")
            .and_then(|u| u.parse::<i64>().ok())
            .map(|u| shanghai_datetime(u)[11..].to_owned())
            .unwrap_or_default()
    };
    Some(match *code {
        "locked" | "throttled" | "too_soon" | "link_locked" => {
            t_with(&format!("error.{code}"), &[("time", &time())])
        }
        "weak" => {
            let reason = q.get("reason").unwrap_or_default();
            let reason = WEAK_REASONS
                .iter()
                .find(|r| **r == reason)
                .copied()
                .unwrap_or("guessable");
            t(&format!("error.weak.{reason}"))
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
    })
}

/// An alert announced to screen readers, with an id fields can point at.
#[component]
pub fn ErrorNotice(message: Option<String>) -> impl IntoView {
    message.map(|m| {
        view! {
            <div class="alert alert-error" role="alert" id="form-error" data-testid="form-error">{m}</div>
        }
    })
}
