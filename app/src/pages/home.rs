use crate::api::account::{customer_home, CustomerHome, Viewer};
use crate::api::ctx::{self, PageError};
use crate::backend::services::policies::Standing;
use crate::components::Layout;
use crate::components::PolicyCard;
use crate::i18n::{t, t_with};
use leptos::prelude::*;
use leptos_meta::Title;

use super::ServerErrorPage;

/// The signed-in customer's home: who they are and their policies.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match customer_home().await {
                    Ok(home) => {
                        let open = crate::api::surveys::open_surveys().await;
                        view! { <Layout viewer=Viewer::Customer><Home home/><super::surveys::OpenSurveys open/></Layout> }.into_any()
                    }
                    Err(PageError::Login) => {
                        ctx::go_page("/login");
                        ().into_any()
                    }
                    Err(PageError::NotFound) => view! { <super::NotFound/> }.into_any(),
                    Err(PageError::Internal(rid)) => {
                        view! { <Layout viewer=Viewer::Customer><ServerErrorPage rid/></Layout> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Home(home: CustomerHome) -> impl IntoView {
    let count = home
        .groups
        .iter()
        .map(|(_, ps)| ps.len())
        .sum::<usize>()
        .to_string();
    let due = home
        .groups
        .iter()
        .find(|(s, _)| *s == Standing::DueForRenewal)
        .map_or(0, |(_, ps)| ps.len());
    // One list, in the groups' order: the most pressing standing first.
    let cards = home
        .groups
        .into_iter()
        .flat_map(|(standing, ps)| ps.into_iter().map(move |p| (standing, p)))
        .map(|(standing, p)| view! { <PolicyCard policy=p standing reveal=home.reveal/> })
        .collect_view();
    let empty = (count == "0").then(|| view! { <p class="card">{t("home.empty")}</p> });
    let due_note = (due > 0).then(|| view! {
        <p class="alert alert-info" role="status">{t_with("home.due_count", &[("count", &due.to_string())])}</p>
    });
    view! {
        <Title text=t("home.title")/>
        <section class="welcome">
            <h1 data-testid="greeting">{t_with("home.greeting", &[("name", &home.name)])}</h1>
            <p class="muted">{t_with("home.phone", &[("phone", &home.phone_masked)])}</p>
        </section>
        {due_note}
        <section aria-labelledby="policies-title">
            <h2 id="policies-title">
                {t("home.title")} " " <span class="muted small">{t_with("home.count", &[("count", &count)])}</span>
            </h2>
            {empty}
            <ul class="policy-list">{cards}</ul>
            <p><a href="/policies">{t("home.all_policies")}</a></p>
            <p><a href="/claims" data-testid="claims-link">{t("home.claims")}</a></p>
            <p><a href=crate::api::servicing::REQUESTS data-testid="requests-link">{t("servicing.home_link")}</a></p>
            <p><a href=crate::api::cases::CASES data-testid="cases-link">{t("cases.home_link")}</a></p>
            <p><a href="/services" data-testid="services-link">{t("services.home_link")}</a></p>
            <p><a href="/roadside">{t("services.roadside_link")}</a></p>
            <p><a href="/settings/notifications">{t("settings.title")}</a></p>
            <p><a href="/settings/access" data-testid="access-link">{t("access.title")}</a></p>
        </section>
    }
}
