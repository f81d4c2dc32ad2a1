use leptos::prelude::*;

/// A password field with a show/hide button. Before the wasm arrives it is an ordinary
/// password field; the button works once the island hydrates.
#[island]
pub fn PasswordInput(
    id: String,
    name: String,
    autocomplete: String,
    show_label: String,
    hide_label: String,
    #[prop(optional)] describedby: Option<String>,
    #[prop(optional)] minlength: Option<u32>,
) -> impl IntoView {
    let (shown, set_shown) = signal(false);
    view! {
        <div class="password-field">
            <input
                id=id
                name=name
                type=move || if shown.get() { "text" } else { "password" }
                autocomplete=autocomplete
                aria-describedby=describedby
                minlength=minlength
                autocapitalize="off"
                spellcheck="false"
                required
            />
            <button
                type="button"
                class="reveal"
                aria-pressed=move || shown.get().to_string()
                on:click=move |_| set_shown.update(|s| *s = !*s)
            >
                {move || if shown.get() { hide_label.clone() } else { show_label.clone() }}
            </button>
        </div>
    }
}
