//! The form fields several forms share. Each marks itself invalid, points at the error
//! and takes the focus when the form came back with an error about it (`FormError`).

use super::notice::{aria_invalid, autofocus, described_by, FormError};
use crate::i18n::t;
use leptos::prelude::*;

/// A mainland mobile number (`phone`), filled in with `value` when given.
#[component]
pub fn PhoneField(error: Option<FormError>, value: Option<String>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="phone">{t("login.phone")}</label>
            <input id="phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel-national"
                maxlength="20" required value=value aria-invalid=aria_invalid(&error, "phone")
                aria-describedby=described_by(&error, "phone", Some("phone-hint")) autofocus=autofocus(&error, "phone")/>
            <p class="hint" id="phone-hint">{t("login.phone_hint")}</p>
        </div>
    }
}

/// A 6-digit code from a text message; `id` is also its name.
#[component]
pub fn SmsCodeField(
    id: &'static str,
    label: String,
    error: Option<FormError>,
    #[prop(optional)] hint: Option<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described = described_by(&error, id, hint.is_some().then_some(hint_id.as_str()));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=id type="text" inputmode="numeric" autocomplete="one-time-code"
                pattern="[0-9]{6}" maxlength="6" required class="code-input" aria-invalid=aria_invalid(&error, id)
                aria-describedby=described autofocus=autofocus(&error, id)/>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
        </div>
    }
}

/// The last 4 characters of the ID number (`id_last4`).
#[component]
pub fn IdLast4Field(error: Option<FormError>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="id_last4">{t("activate.id_last4")}</label>
            <input id="id_last4" name="id_last4" type="text" autocomplete="off" maxlength="4"
                pattern="[0-9]{3}[0-9Xx]" required class="code-input" aria-invalid=aria_invalid(&error, "id_last4")
                aria-describedby=described_by(&error, "id_last4", Some("id-hint")) autofocus=autofocus(&error, "id_last4")/>
            <p class="hint" id="id-hint">{t("activate.id_last4_hint")}</p>
        </div>
    }
}
