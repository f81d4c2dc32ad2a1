//! The staff console's reads about one customer: finding them, and their 360° view. Every
//! opening of a 360° view is written to the audit log under the staff member's name.

use crate::backend::domain::customer_profile::{self as profile, Facts, Holding, Tag, Tier};
use crate::backend::store::{
    audit, bookings, claims, console, outbox, policies, preferences, roadside, staff,
};
use crate::backend::AppState;
use crate::model::{Line, Phone, PolicyNo};

/// At most this many customers per search: a search is for finding one person.
pub const SEARCH_LIMIT: i64 = 20;

/// What staff may search by: a name, a phone (or its last 4+ digits), a policy or claim
/// number. `None` for nothing worth searching (empty, one character, too long).
pub fn search_query(input: &str) -> Option<String> {
    let q: String = input
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(40)
        .collect();
    let q = q.trim().to_owned();
    (q.chars().count() >= 2 && input.trim().chars().count() <= 40).then_some(q)
}

/// A search result, masked: the surname, the last four digits of the phone.
pub struct Found {
    pub id: String,
    pub name_masked: String,
    pub phone_masked: String,
    pub matched_no_masked: Option<String>,
    pub policies: i64,
}

/// 王伟 → 王*, 欧阳娜娜 → 欧***.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

fn mask_phone(phone: &str) -> String {
    Phone::parse(phone)
        .map(|p| p.masked())
        .unwrap_or_else(|| "***".into())
}

/// A policy or claim number with only its last four characters showing.
fn mask_no(no: &str) -> String {
    PolicyNo::parse(no).map(|p| p.masked()).unwrap_or_else(|| {
        let n = no.chars().count();
        let tail: String = no.chars().skip(n.saturating_sub(4)).collect();
        format!("****{tail}")
    })
}

pub async fn search(state: &AppState, q: &str) -> sqlx::Result<Vec<Found>> {
    let rows = console::search(&state.db.pool, q, SEARCH_LIMIT).await?;
    Ok(rows
        .into_iter()
        .map(|r| Found {
            name_masked: mask_name(&r.name),
            phone_masked: mask_phone(&r.phone),
            matched_no_masked: r.matched_no.as_deref().map(mask_no),
            policies: r.policies,
            id: r.id,
        })
        .collect())
}

/// Everything the console shows about one customer.
pub struct Customer360 {
    pub card: console::CustomerCard,
    pub phone_masked: String,
    pub tags: Vec<Tag>,
    pub tier: Tier,
    pub policies: Vec<policies::PolicySummary>,
    pub payments: Vec<console::PaymentLine>,
    pub claims: Vec<claims::ClaimLine>,
    pub bookings: Vec<bookings::BookingRow>,
    pub roadside: Vec<roadside::RoadsideRow>,
    pub surveys: Vec<console::SurveyLine>,
    /// The last 90 days of texts; login codes were never stored readable.
    pub sms: Vec<outbox::OutboxRow>,
    pub prefs: preferences::Preferences,
    pub visits: Vec<console::Visit>,
    /// The record has the staff member's own phone: no "view as customer".
    pub own_record: bool,
}

/// The 360° view of `customer_id`, for `staff_id`; `None` for no such customer. The
/// opening is audited.
pub async fn customer_360(
    state: &AppState,
    staff_id: &str,
    customer_id: &str,
    ip: &str,
    request_id: &str,
) -> sqlx::Result<Option<Customer360>> {
    let pool = &state.db.pool;
    let Some(card) = console::card(pool, customer_id).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    audit::record(
        pool,
        audit::AuditEntry {
            actor_kind: "staff",
            actor_id: Some(staff_id),
            customer_id: Some(customer_id),
            action: "customer.viewed",
            detail: request_id,
            ip: Some(ip),
            now,
        },
    )
    .await?;
    let policies = policies::list_for_customer(pool, customer_id).await?;
    let claims = claims::lines_for_customer(pool, customer_id).await?;
    let first_cover = console::first_cover(pool, customer_id)
        .await?
        .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    let facts = Facts {
        holdings: policies
            .iter()
            .filter_map(|p| {
                Some(Holding {
                    line: Line::parse(&p.line)?,
                    status: p.status,
                    auto_debit: p.auto_debit != 0,
                    premium_fen: p.premium_fen,
                    end_date: chrono::NaiveDate::parse_from_str(&p.end_date, "%Y-%m-%d").ok()?,
                    policy_no_masked: mask_no(&p.policy_no),
                })
            })
            .collect(),
        open_claims: claims.iter().filter(|c| !c.stage.is_closed()).count(),
        first_cover,
        today: state.clock.today_shanghai(),
    };
    let own_record = staff::is_own_record(pool, staff_id, &card.phone).await?;
    Ok(Some(Customer360 {
        phone_masked: mask_phone(&card.phone),
        tags: profile::tags(&facts),
        tier: profile::tier(&facts),
        payments: console::payments_of_customer(pool, customer_id, 20).await?,
        bookings: bookings::for_customer(pool, customer_id).await?,
        roadside: roadside::for_customer(pool, customer_id).await?,
        surveys: console::survey_answers_of_customer(pool, customer_id, 20).await?,
        sms: outbox::for_customer(pool, customer_id, now - 90 * 86_400).await?,
        prefs: preferences::get(pool, customer_id).await?,
        visits: console::visits_of_customer(pool, customer_id, 20).await?,
        own_record,
        policies,
        claims,
        card,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_show_the_surname_only() {
        assert_eq!(mask_name("王伟"), "王*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn searches_are_for_something() {
        assert_eq!(search_query("  王 "), None);
        assert_eq!(search_query(" 王伟 ").as_deref(), Some("王伟"));
        assert_eq!(search_query("0802").as_deref(), Some("0802"));
        assert_eq!(search_query(&"9".repeat(41)), None);
        assert_eq!(search_query("a\u{0}b").as_deref(), Some("ab"));
    }
}
