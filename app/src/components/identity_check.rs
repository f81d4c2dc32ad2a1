use super::fields::{IdLast4Field, SmsCodeField};
use super::notice::FormError;
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
                <SmsCodeField id="sms" label=t("check.code") error=error.clone()/>
                <button type="submit" class="btn btn-primary btn-block">{submit}</button>
            </form>
        }
        .into_any(),
        None => view! {
            <form method="post" action=id_action class="form" data-testid="id-check-form">
                {fields()}
                <IdLast4Field error=error.clone()/>
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
