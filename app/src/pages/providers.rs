//! `/staff/providers`: admins see every service provider by service, with what is booked
//! there from now on, add one, edit one, and deactivate or reactivate it.

use super::staff::staff_page_error;
use crate::api::account::Viewer;
use crate::api::providers::{
    edit_path, providers_page, CreateProvider, DeactivateProvider, Kind, ProvidersPage,
    ReactivateProvider, UpdateProvider, PROVIDERS,
};
use crate::backend::domain::providers::ProviderForm;
use crate::backend::store::bookings::ProviderAdminRow;
use crate::components::{
    aria_invalid, autofocus, described_by, error_from_query, ErrorNotice, FormError, Layout,
};
use crate::i18n::{locale, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn query(name: &str) -> String {
    use_query_map()
        .get_untracked()
        .get(name)
        .unwrap_or_default()
}

fn kind_label(zh: &str, en: &str) -> String {
    if locale().code() == "en" {
        en.to_owned()
    } else {
        zh.to_owned()
    }
}

/// What the last change did, from `?done=` (and `?affected=`, the upcoming appointments
/// a deactivation left standing).
fn done_notice() -> Option<impl IntoView> {
    let done = query("done");
    let n: i64 = query("affected").parse().unwrap_or(0);
    let key = match done.as_str() {
        "created" | "updated" | "reactivated" => format!("providers.done.{done}"),
        "deactivated" if n > 0 => "providers.done.deactivated_with_bookings".to_owned(),
        "deactivated" => "providers.done.deactivated".to_owned(),
        _ => return None,
    };
    Some(view! {
        <p class="alert alert-info" role="status" data-testid="providers-done">{t_with(&key, &[("n", &n.to_string())])}</p>
    })
}

/// `/staff/providers` (admins; the 404 page for other staff).
#[component]
pub fn StaffProvidersPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match providers_page(&query("edit")).await {
                    Err(e) => staff_page_error(e),
                    Ok(page) => providers_view(page).into_any(),
                }
            })}
        </Suspense>
    }
}

fn providers_view(page: ProvidersPage) -> impl IntoView {
    let error = error_from_query();
    let groups = groups(&page.providers);
    let empty = page
        .providers
        .is_empty()
        .then(|| view! { <p class="muted">{t("providers.none")}</p> });
    let form = match &page.editing {
        Some(p) => provider_form(&page.kinds, Some(p), &error).into_any(),
        None => provider_form(&page.kinds, None, &error).into_any(),
    };
    view! {
        <Title text=t("providers.title")/>
        <Layout viewer=Viewer::Staff>
            <p><a href="/staff">{t("console.back_home")}</a></p>
            <h1>{t("providers.title")}</h1>
            <p class="muted">{t("providers.intro")}</p>
            {done_notice()}
            <ErrorNotice error=error.clone()/>
            {empty}
            {groups.into_iter().map(group_view).collect_view()}
            {form}
        </Layout>
    }
}

/// The providers of one service, in the order the store gave them (active first).
fn groups(rows: &[ProviderAdminRow]) -> Vec<Vec<ProviderAdminRow>> {
    let mut out: Vec<Vec<ProviderAdminRow>> = Vec::new();
    for r in rows {
        match out.last_mut() {
            Some(g) if g[0].kind_code == r.kind_code => g.push(r.clone()),
            _ => out.push(vec![r.clone()]),
        }
    }
    out
}

fn group_view(rows: Vec<ProviderAdminRow>) -> impl IntoView {
    let first = &rows[0];
    let heading = kind_label(&first.kind_zh, &first.kind_en);
    let id = format!("kind-{}", first.kind_code);
    let labelled_by = id.clone();
    let rows = rows.iter().map(row_view).collect_view();
    view! {
        <section class="card table-wrap" tabindex="0" role="region" aria-labelledby=labelled_by data-testid="provider-group">
            <h2 id=id>{heading}</h2>
            <table>
                <thead><tr>
                    <th scope="col">{t("providers.name")}</th>
                    <th scope="col">{t("providers.city")}</th>
                    <th scope="col">{t("providers.address")}</th>
                    <th scope="col">{t("providers.phone")}</th>
                    <th scope="col">{t("providers.status")}</th>
                    <th scope="col" class="num">{t("providers.upcoming_slots")}</th>
                    <th scope="col" class="num">{t("providers.booked_places")}</th>
                    <th scope="col">{t("providers.actions")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

fn row_view(p: &ProviderAdminRow) -> impl IntoView {
    let active = p.is_active();
    let status = if active {
        view! { <span class="badge badge-active" data-testid="provider-active">{t("providers.active")}</span> }.into_any()
    } else {
        view! { <span class="badge" data-testid="provider-inactive">{t("providers.inactive")}</span> }.into_any()
    };
    view! {
        <tr data-testid="provider-row" data-provider=p.id.clone()>
            <td>{p.name.clone()}</td>
            <td>{p.city.clone()}</td>
            <td>{p.address.clone()}</td>
            <td class="mono">{p.phone.clone().unwrap_or_default()}</td>
            <td>{status}</td>
            <td class="num" data-testid="upcoming-slots">{p.upcoming_slots}</td>
            <td class="num" data-testid="booked-places">{p.booked_places}</td>
            <td>
                <a class="btn btn-quiet" href=edit_path(&p.id) data-testid="edit-provider">{t("providers.edit")}{named(&p.name)}</a>
                {active_form(p)}
            </td>
        </tr>
    }
}

/// The provider's name after a button's verb, for screen readers only: each row's
/// "Edit" and "Deactivate" then say which provider they are about.
fn named(name: &str) -> impl IntoView {
    view! { <span class="sr-only">{format!(" {name}")}</span> }
}

/// Deactivate (saying how many upcoming appointments stay valid) or reactivate.
fn active_form(p: &ProviderAdminRow) -> impl IntoView {
    let hint_id = format!("affected-{}", p.id);
    if !p.is_active() {
        return view! {
            <form method="post" action=ReactivateProvider::PATH class="inline">
                <input type="hidden" name="provider_id" value=p.id.clone()/>
                <button type="submit" class="btn btn-quiet" data-testid="reactivate-provider">{t("providers.reactivate")}{named(&p.name)}</button>
            </form>
        }
        .into_any();
    }
    let affected = (p.upcoming_bookings > 0).then(|| {
        view! {
            <p class="hint small" id=hint_id.clone() data-testid="affected-bookings">
                {t_with("providers.affected", &[("n", &p.upcoming_bookings.to_string())])}
            </p>
        }
    });
    let described = (p.upcoming_bookings > 0).then_some(hint_id);
    view! {
        <form method="post" action=DeactivateProvider::PATH class="inline">
            <input type="hidden" name="provider_id" value=p.id.clone()/>
            <button type="submit" class="btn btn-quiet" aria-describedby=described data-testid="deactivate-provider">{t("providers.deactivate")}{named(&p.name)}</button>
            {affected}
        </form>
    }
    .into_any()
}

/// The form to add a provider, or to edit `editing`: the same fields either way.
fn provider_form(
    kinds: &[Kind],
    editing: Option<&ProviderAdminRow>,
    error: &Option<FormError>,
) -> impl IntoView {
    let (title, action, submit) = match editing {
        Some(_) => (
            t("providers.edit_title"),
            UpdateProvider::PATH,
            t("providers.save"),
        ),
        None => (
            t("providers.new_title"),
            CreateProvider::PATH,
            t("providers.create"),
        ),
    };
    let value = |f: fn(&ProviderAdminRow) -> String| editing.map(f).unwrap_or_default();
    let chosen = editing.map(|p| p.service_kind_id.clone());
    let options = kinds
        .iter()
        .map(|(id, _, zh, en)| {
            let selected = chosen.as_deref() == Some(id.as_str());
            view! { <option value=id.clone() selected=selected>{kind_label(zh, en)}</option> }
        })
        .collect_view();
    let field = |id: &'static str, label: String, limits: (usize, usize), v: String, hint: bool| {
        let hint_id = format!("{id}-hint");
        let hint_text = t_with(
            "providers.length_hint",
            &[
                ("min", &limits.0.to_string()),
                ("max", &limits.1.to_string()),
            ],
        );
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id name=id type="text" required minlength=limits.0.to_string() maxlength=limits.1.to_string()
                    value=v autocomplete="off" aria-invalid=aria_invalid(error, id) autofocus=autofocus(error, id)
                    aria-describedby=described_by(error, id, hint.then_some(hint_id.as_str()))/>
                {hint.then(|| view! { <p class="hint" id=hint_id.clone()>{hint_text}</p> })}
            </div>
        }
    };
    let cancel =
        editing.map(|_| view! { <p><a href=PROVIDERS>{t("providers.cancel_edit")}</a></p> });
    view! {
        <section class="card narrow" id=if editing.is_some() { "edit" } else { "new" } aria-labelledby="provider-form-h">
            <h2 id="provider-form-h">{title}</h2>
            <form method="post" action=action class="form" data-testid="provider-form">
                {editing.map(|p| view! { <input type="hidden" name="provider_id" value=p.id.clone()/> })}
                <div class="field">
                    <label for="service_kind">{t("providers.service")}</label>
                    <select id="service_kind" name="service_kind" required aria-invalid=aria_invalid(error, "service_kind")
                        aria-describedby=described_by(error, "service_kind", None)>{options}</select>
                </div>
                {field("name", t("providers.name"), ProviderForm::NAME, value(|p| p.name.clone()), true)}
                {field("city", t("providers.city"), ProviderForm::CITY, value(|p| p.city.clone()), true)}
                {field("address", t("providers.address"), ProviderForm::ADDRESS, value(|p| p.address.clone()), true)}
                <div class="field">
                    <label for="phone">{t("providers.phone_optional")}</label>
                    <input id="phone" name="phone" type="tel" maxlength="20" value=value(|p| p.phone.clone().unwrap_or_default())
                        autocomplete="off" aria-invalid=aria_invalid(error, "phone") autofocus=autofocus(error, "phone")
                        aria-describedby=described_by(error, "phone", Some("phone-hint"))/>
                    <p class="hint" id="phone-hint">{t("providers.phone_hint")}</p>
                </div>
                <button type="submit" class="btn btn-primary" data-testid="save-provider">{submit}</button>
            </form>
            {cancel}
        </section>
    }
}
