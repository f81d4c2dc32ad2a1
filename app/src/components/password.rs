use super::notice::{aria_invalid, autofocus, described_by, FormError};
use crate::i18n::t;
use crate::islands::PasswordInput;
use leptos::prelude::*;

/// The password field (an island) with its labels in the page's language; marked invalid
/// and focused when the form came back with an error about it. `id` is also its name.
#[component]
pub fn Password(
    id: &'static str,
    autocomplete: &'static str,
    error: Option<FormError>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] minlength: Option<u32>,
) -> impl IntoView {
    view! {
        <PasswordInput
            id=id.to_owned()
            name=id.to_owned()
            autocomplete=autocomplete.to_owned()
            show_label=t("password.show")
            hide_label=t("password.hide")
            shown_status=t("password.shown")
            hidden_status=t("password.hidden")
            describedby=described_by(&error, id, hint)
            minlength=minlength
            invalid=aria_invalid(&error, id).map(str::to_owned)
            autofocus=autofocus(&error, id)
        />
    }
}
