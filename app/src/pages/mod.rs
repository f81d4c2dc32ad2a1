//! Server-rendered pages. Only the islands inside them hydrate.

mod activate;
mod case_stats;
mod cases;
mod claims;
mod console;
mod errors;
mod home;
mod links;
mod login;
mod policies;
mod providers;
mod renewal;
mod services;
mod servicing;
mod servicing_money;
mod settings;
mod staff;
mod surveys;

use crate::i18n::{locale, t};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub use console::ViewingBanner;
pub use errors::{NotFound, ServerErrorPage};

/// Pages that contain an island. Only these load the wasm: on every other page the
/// hydration script would fetch it for nothing (TOOLCHAIN.md).
const PAGES_WITH_ISLANDS: &[&str] = &["/login", "/activate/verify", "/staff/login"];

fn page_has_islands() -> bool {
    crate::api::ctx::parts().is_some_and(|p| PAGES_WITH_ISLANDS.contains(&p.uri.path()))
}

/// A path parameter of the current route, reduced to the characters our ids use.
pub(crate) fn route_param(name: &str) -> String {
    let value = leptos_router::hooks::use_params_map()
        .get_untracked()
        .get(name)
        .unwrap_or_default();
    crate::api::auth::urlsafe(&value)
}

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = locale().code();
    let islands = page_has_islands()
        .then(|| view! { <HydrationScripts options=options.clone() islands=true/> });
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#0a6c5a"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=crate::assets::Assets::get().stylesheet_href()/>
                {islands}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(locale());
    view! {
        <Title formatter=|page: String| format!("{page} · {}", t("app.name"))/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=login::LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/login/code") view=login::CodePage ssr=SsrMode::Async/>
                <Route path=path!("/activate") view=activate::ActivatePage ssr=SsrMode::Async/>
                <Route path=path!("/activate/verify") view=activate::VerifyPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/login") view=staff::StaffLoginPage ssr=SsrMode::Async/>
                <Route path=path!("/staff") view=staff::StaffHomePage ssr=SsrMode::Async/>
                <Route path=path!("/policies") view=policies::PoliciesPage ssr=SsrMode::Async/>
                <Route path=path!("/policies/:id") view=policies::PolicyPage ssr=SsrMode::Async/>
                <Route path=path!("/policies/:id/document") view=policies::EPolicyPage ssr=SsrMode::Async/>
                <Route path=path!("/policies/:id/renew") view=renewal::RenewalPage ssr=SsrMode::Async/>
                <Route path=path!("/payments/:id") view=renewal::PaymentPage ssr=SsrMode::Async/>
                <Route path=path!("/verify") view=policies::VerifyPage ssr=SsrMode::Async/>
                <Route path=path!("/s/:code") view=links::LinkPage ssr=SsrMode::Async/>
                <Route path=path!("/settings/notifications") view=settings::NotificationsPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/outbox") view=staff::OutboxPage ssr=SsrMode::Async/>
                <Route path=path!("/claims") view=claims::ClaimsPage ssr=SsrMode::Async/>
                <Route path=path!("/claims/new") view=claims::NewClaimPage ssr=SsrMode::Async/>
                <Route path=path!("/claims/:id") view=claims::ClaimPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/claims") view=claims::StaffClaimsPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/claims/:id") view=claims::StaffClaimPage ssr=SsrMode::Async/>
                <Route path=path!("/services") view=services::ServicesPage ssr=SsrMode::Async/>
                <Route path=path!("/services/book") view=services::BookPage ssr=SsrMode::Async/>
                <Route path=path!("/bookings") view=services::BookingsPage ssr=SsrMode::Async/>
                <Route path=path!("/bookings/:id") view=services::BookingPage ssr=SsrMode::Async/>
                <Route path=path!("/bookings/:id/reschedule") view=services::ReschedulePage ssr=SsrMode::Async/>
                <Route path=path!("/roadside") view=services::RoadsidePage ssr=SsrMode::Async/>
                <Route path=path!("/roadside/:id") view=services::RoadsideStatusPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/services") view=services::StaffServicesPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/roadside") view=services::StaffRoadsidePage ssr=SsrMode::Async/>
                <Route path=path!("/staff/customers") view=console::StaffCustomersPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/customers/:id") view=console::StaffCustomerPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/audit") view=console::StaffAuditPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/accounts") view=console::StaffAccountsPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/providers") view=providers::StaffProvidersPage ssr=SsrMode::Async/>
                <Route path=path!("/settings/access") view=console::AccessPage ssr=SsrMode::Async/>
                <Route path=path!("/surveys/:id") view=surveys::SurveyPage ssr=SsrMode::Async/>
                <Route path=path!("/requests") view=servicing::RequestsPage ssr=SsrMode::Async/>
                <Route path=path!("/requests/new/contact") view=servicing::ContactPage ssr=SsrMode::Async/>
                <Route path=path!("/requests/new/phone") view=servicing::PhonePage ssr=SsrMode::Async/>
                <Route path=path!("/requests/new/accounts") view=servicing_money::AccountsPage ssr=SsrMode::Async/>
                <Route path=path!("/requests/:id") view=servicing::RequestPage ssr=SsrMode::Async/>
                <Route path=path!("/policies/:id/beneficiaries") view=servicing::BeneficiariesPage ssr=SsrMode::Async/>
                <Route path=path!("/policies/:id/loan") view=servicing_money::LoanPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/requests") view=servicing::StaffRequestsPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/requests/:id") view=servicing::StaffRequestPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/surveys") view=surveys::StaffSurveysPage ssr=SsrMode::Async/>
                <Route path=path!("/cases") view=cases::CasesPage ssr=SsrMode::Async/>
                <Route path=path!("/cases/new") view=cases::NewCasePage ssr=SsrMode::Async/>
                <Route path=path!("/cases/:id") view=cases::CasePage ssr=SsrMode::Async/>
                <Route path=path!("/staff/cases") view=cases::StaffCasesPage ssr=SsrMode::Async/>
                <Route path=path!("/staff/cases/:id") view=cases::StaffCasePage ssr=SsrMode::Async/>
                <Route path=path!("/staff/case-stats") view=case_stats::StaffCaseStatsPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
