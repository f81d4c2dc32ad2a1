use crate::api::policies::{policy_path, renew_path};
use crate::backend::services::policies::Standing;
use crate::backend::store::policies::PolicySummary;
use crate::i18n::{locale, t, t_with, Locale};
use crate::model::{Money, PolicyNo};
use leptos::prelude::*;

/// A policy number as this session may see it: whole only after a step-up check.
pub fn policy_no_for(raw: &str, reveal: bool) -> String {
    match PolicyNo::parse(raw) {
        Some(p) if reveal => p.as_str().to_owned(),
        Some(p) => p.masked(),
        None => "****".into(),
    }
}

/// The insured object, masked where it is personal: people's names and addresses.
pub fn insured_for(line: &str, raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let keep = match line {
        "auto" => 4,
        "home" => 6,
        _ => 1,
    };
    if chars.len() <= keep {
        return raw.to_owned();
    }
    let stars = (chars.len() - keep).min(4);
    chars[..keep].iter().collect::<String>() + &"*".repeat(stars)
}

pub fn badge(standing: Standing) -> (&'static str, String) {
    let class = match standing {
        Standing::DueForRenewal => "badge badge-due",
        Standing::Active => "badge badge-active",
        Standing::Lapsed | Standing::Cancelled => "badge badge-lapsed",
        Standing::Expired => "badge",
    };
    (class, t(&format!("status.{}", standing.code())))
}

pub fn product_name(p: &PolicySummary) -> String {
    if locale() == Locale::ZhCn {
        p.product_zh.clone()
    } else {
        p.product_en.clone()
    }
}

/// One policy in a list, linking to its page, with a renewal call when renewal is open.
#[component]
pub fn PolicyCard(policy: PolicySummary, standing: Standing, reveal: bool) -> impl IntoView {
    let (badge_class, badge_text) = badge(standing);
    let renew = (standing == Standing::DueForRenewal).then(|| {
        let fen = policy.open_offer_premium_fen.unwrap_or_default();
        view! {
            <p class="renew-call">
                <strong>{t_with("home.renew_by", &[("date", &crate::i18n::date(&policy.end_date))])}</strong>
                <span>{t_with("home.new_premium", &[("amount", &Money(fen).display())])}</span>
                <a class="btn btn-primary" href=renew_path(&policy.id) data-testid="renew-link">{t("policy.renew_now")}</a>
            </p>
        }
    });
    view! {
        <li class="policy-card card" data-testid="policy-card">
            <div class="policy-head">
                <span class="line-tag">{t(&format!("line.{}", policy.line))}</span>
                <span class=badge_class>{badge_text}</span>
            </div>
            <h3 class="policy-product">
                <a href=policy_path(&policy.id)>{product_name(&policy)}</a>
            </h3>
            <p class="policy-no mono">{policy_no_for(&policy.policy_no, reveal)}</p>
            <p class="muted">{t_with("policy.insured", &[("object", &insured_for(&policy.line, &policy.insured_object))])}</p>
            <p class="muted">{t_with("home.period", &[("start", &crate::i18n::date(&policy.start_date)), ("end", &crate::i18n::date(&policy.end_date))])}</p>
            <p class="muted">{t_with("home.premium", &[("amount", &Money(policy.premium_fen).display())])}</p>
            {renew}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insured_objects_are_masked_where_personal() {
        assert_eq!(insured_for("health", "林晓燕"), "林**");
        assert_eq!(insured_for("auto", "沪A·D1234"), "沪A·D****");
        assert_eq!(
            insured_for("home", "上海市浦东新区张杨路100弄"),
            "上海市浦东新****"
        );
    }
}
