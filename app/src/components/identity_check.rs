use super::notice::{aria_invalid, autofocus, described_by, FormError};
use crate::i18n::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The light identity check, two ways: the last 4 of the ID number, or a code texted to
/// the phone on file (after "use a text message code instead", the page carries `?sc=`).
#[component]
pub fn IdentityCheck(
    /// Checks the ID digits.
    id_action: &'static str,
    /// Texts a code.
    send_action: &'static str,
    /// Checks the texted code.
    code_action: &'static str,
    /// Fields every form carries (where to go next, which link).
    hidden: Vec<(&'static str, String)>,
    submit: String,
    /// The error the page came back with, to mark the field it is about.
    error: Option<FormError>,
) -> impl IntoView {
    let fields = move || {
        hidden
            .iter()
            .map(|(name, value)| view! { <input type="hidden" name=*name value=value.clone()/> })
            .collect_view()
    };
    let sc = use_query_map()
        .get_untracked()
        .get("sc")
        .map(|c| crate::api::auth::urlsafe(&c));
    match sc {
        Some(sc) => view! {
            <p class="alert alert-info" role="status">{t("check.sent")}</p>
            <form method="post" action=code_action class="form" data-testid="sms-check-form">
                {fields()}
                <input type="hidden" name="sc" value=sc/>
                <div class="field">
                    <label for="sms">{t("check.code")}</label>
                    <input id="sms" name="sms" type="text" inputmode="numeric" autocomplete="one-time-code"
                        pattern="[0-9]{6}" maxlength="6" required class="code-input" aria-invalid=aria_invalid(&error, "sms")
                        aria-describedby=described_by(&error, "sms", None) autofocus=autofocus(&error, "sms")/>
                </div>
                <button type="submit" class="btn btn-primary btn-block">{submit}</button>
            </form>
        }
        .into_any(),
        None => view! {
            <form method="post" action=id_action class="form" data-testid="id-check-form">
                {fields()}
                <div class="field">
                    <label for="id_last4">{t("activate.id_last4")}</label>
                    <input id="id_last4" name="id_last4" type="text" autocomplete="off" maxlength="4"
                        pattern="[0-9]{3}[0-9Xx]" required class="code-input" aria-invalid=aria_invalid(&error, "id_last4")
                        aria-describedby=described_by(&error, "id_last4", Some("id-hint")) autofocus=autofocus(&error, "id_last4")/>
                    <p class="hint" id="id-hint">{t("activate.id_last4_hint")}</p>
                </div>
                <button type="submit" class="btn btn-primary btn-block">{submit}</button>
            </form>
            <form method="post" action=send_action class="inline-form">
                {fields()}
                <button type="submit" class="btn btn-link" data-testid="use-sms">{t("check.use_sms")}</button>
            </form>
        }
        .into_any(),
    }
}
