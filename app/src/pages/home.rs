use crate::api::account::{customer_home, CustomerHome, Viewer};
use crate::api::ctx::{self, PageError};
use crate::components::Layout;
use crate::i18n::{locale, t, t_with, Locale};
use crate::model::Money;
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
                    Ok(home) => view! { <Layout viewer=Viewer::Customer><Home home/></Layout> }.into_any(),
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
    let zh = locale() == Locale::ZhCn;
    let count = home.policies.len().to_string();
    let cards = home
        .policies
        .into_iter()
        .map(|p| {
            let due = p.open_offer_premium_fen.is_some() && p.status == "active";
            let (badge_class, badge) = match (p.status.as_str(), due) {
                ("active", true) => ("badge badge-due", t("status.due")),
                ("active", false) => ("badge badge-active", t("status.active")),
                ("lapsed", _) => ("badge badge-lapsed", t("status.lapsed")),
                (other, _) => ("badge", t(&format!("status.{other}"))),
            };
            let product = if zh { p.product_zh } else { p.product_en };
            let renew = p.open_offer_premium_fen.filter(|_| due).map(|fen| {
                view! {
                    <p class="renew-call">
                        <strong>{t_with("home.renew_by", &[("date", &p.end_date)])}</strong>
                        " · "
                        {t_with("home.new_premium", &[("amount", &Money(fen).display())])}
                    </p>
                }
            });
            view! {
                <li class="policy-card card" data-testid="policy-card">
                    <div class="policy-head">
                        <span class="line-tag">{t(&format!("line.{}", p.line))}</span>
                        <span class=badge_class>{badge}</span>
                    </div>
                    <h3 class="policy-product">{product}</h3>
                    <p class="policy-no mono">{CustomerHome::masked_no(&p.policy_no)}</p>
                    <p class="muted">{t_with("home.period", &[("start", &p.start_date), ("end", &p.end_date)])}</p>
                    <p class="muted">{t_with("home.premium", &[("amount", &Money(p.premium_fen).display())])}</p>
                    {renew}
                </li>
            }
        })
        .collect_view();
    let empty = (count == "0").then(|| view! { <p class="card">{t("home.empty")}</p> });
    view! {
        <Title text=t("home.title")/>
        <section class="welcome">
            <h1 data-testid="greeting">{t_with("home.greeting", &[("name", &home.name)])}</h1>
            <p class="muted">{t_with("home.phone", &[("phone", &home.phone_masked)])}</p>
        </section>
        <section aria-labelledby="policies-title">
            <h2 id="policies-title">{t("home.title")} <span class="muted small">{t_with("home.count", &[("count", &count)])}</span></h2>
            {empty}
            <ul class="policy-list">{cards}</ul>
        </section>
    }
}
