use crate::backend::clock::shanghai_datetime;
use crate::i18n::{t, t_with};
use crate::model::ErrorCode;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

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
    // An unknown code shows nothing rather than a raw key.
    let code = ErrorCode::parse(&q.get("error")?)?;
    let time = || {
        q.get("until")
            .and_then(|u| u.parse::<i64>().ok())
            .map(|u| {
                // The time alone when it is today; with the date when it is not (the
                // daily code limit ends tomorrow).
                let today =
                    crate::backend::clock::shanghai_date(crate::api::ctx::state().clock.now());
                let at = shanghai_datetime(u);
                if crate::backend::clock::shanghai_date(u) == today {
                    at[11..].to_owned()
                } else {
                    at
                }
            })
            .unwrap_or_default()
    };
    let mut reason = None;
    let message = match code {
        c if c.until() => t_with(&c.key(), &[("time", &time())]),
        ErrorCode::Weak => {
            let given = q.get("reason").unwrap_or_default();
            let r = WEAK_REASONS
                .iter()
                .find(|r| **r == given)
                .copied()
                .unwrap_or("guessable");
            reason = Some(r);
            t(&format!("error.weak.{r}"))
        }
        ErrorCode::Internal => {
            let rid: String = q
                .get("rid")
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(32)
                .collect();
            t_with("error.internal", &[("rid", &rid)])
        }
        other => t(&other.key()),
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

/// An error a form was sent back with: its code and its message in the
/// page's language. It knows which fields it is about, so those fields can be marked
/// invalid, point at the message and take the focus.
#[derive(Clone, Debug)]
pub struct FormError {
    code: ErrorCode,
    reason: Option<&'static str>,
    pub message: String,
}

impl FormError {
    /// The input ids this error is about, the one to correct first first.
    fn fields(&self) -> &'static [&'static str] {
        match (self.code, self.reason) {
            (ErrorCode::Weak, Some("mismatch")) => &["confirm"],
            (code, _) => code.fields(),
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
/// field's description). `ErrorCode::focus` says which of the fields it marks.
pub fn autofocus(error: &Option<FormError>, id: &str) -> bool {
    error.as_ref().is_some_and(|e| match (e.code, e.reason) {
        (ErrorCode::Weak, _) => e.fields().contains(&id),
        (code, _) => code.focus().contains(&id),
    })
}

/// "Saved" after a settings form came back with `?saved=1`; nothing otherwise.
#[component]
pub fn SavedNotice() -> impl IntoView {
    use_query_map()
        .get_untracked()
        .get("saved")
        .is_some()
        .then(|| {
            view! { <p class="alert alert-info" role="status">{t("settings.saved")}</p> }
        })
}
