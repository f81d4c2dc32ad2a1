use leptos::prelude::*;

/// A password field with a show/hide button (pages use `components::Password`, which
/// fills in the labels). Before the wasm arrives it is an ordinary
/// password field; the button works once the island hydrates. The button's name says
/// what it will do ("Show password" / "Hide password"), so it is not also a toggle
/// (`aria-pressed` with a changing name reads as a contradiction); a polite live region
/// says what happened.
#[island]
pub fn PasswordInput(
    id: String,
    name: String,
    autocomplete: String,
    show_label: String,
    hide_label: String,
    /// Announced after "show".
    shown_status: String,
    /// Announced after "hide".
    hidden_status: String,
    describedby: Option<String>,
    minlength: Option<u32>,
    /// `aria-invalid`, when the form came back with an error about this field.
    invalid: Option<String>,
    autofocus: bool,
) -> impl IntoView {
    let (shown, set_shown) = signal(false);
    let (touched, set_touched) = signal(false);
    let status = move || match (touched.get(), shown.get()) {
        (false, _) => String::new(),
        (true, true) => shown_status.clone(),
        (true, false) => hidden_status.clone(),
    };
    view! {
        <div class="password-field">
            <input
                id=id.clone()
                name=name
                type=move || if shown.get() { "text" } else { "password" }
                autocomplete=autocomplete
                aria-describedby=describedby
                aria-invalid=invalid
                autofocus=autofocus
                minlength=minlength
                autocapitalize="off"
                spellcheck="false"
                required
            />
            <button
                type="button"
                class="reveal"
                aria-controls=id
                on:click=move |_| {
                    set_touched.set(true);
                    set_shown.update(|s| *s = !*s);
                }
            >
                {move || if shown.get() { hide_label.clone() } else { show_label.clone() }}
            </button>
            <span class="sr-only" aria-live="polite">{status}</span>
        </div>
    }
}
