//! Demo data for two-way SMS, called from `demo::generate` inside its transaction, after
//! claims and services: a few texts people sent in the last days (a TJ and a BDCX from the
//! demo login, an LLCX about a claim, wrong ID digits, a stranger's "你好", a 退订), each
//! recorded as the webhook records it and answered in the outbox with the product's own
//! words and links, so `/staff/outbox` shows them side by side.

use super::domain::booking::ServiceMode;
use super::domain::claims::Estimate;
use super::domain::links::Purpose;
use super::domain::sms_query::SmsQuery;
use super::services::short_links;
use super::services::sms_replies::{self as replies, ClaimAnswer, LINK_DAYS};
use super::store::{bookings, claims, customers, outbox, policies, preferences, sms_inbound};
use super::{ids, AppState};
use crate::i18n::{t_in, Locale};
use sqlx::AnyConnection;

const HOUR: i64 = 3600;

pub async fn generate(c: &mut AnyConnection, state: &AppState, now: i64) -> anyhow::Result<()> {
    let today = state.clock.today_iso();
    let phone = super::demo::customer_phone;
    let link = |code: String| format!("{}/s/{code}", state.config.public_url.trim_end_matches('/'));
    let mut texts: Vec<(String, String, i64, &'static str, String)> = Vec::new();

    // The demo login asks for its check-ups, then its policies.
    if let Some(owner) = customers::owner_of_phone(&mut *c, &phone(1)).await? {
        let at = now - 50 * HOUR;
        let e = bookings::entitlements(&mut *c, &owner.id, &today)
            .await?
            .into_iter()
            .find(|e| ServiceMode::of(&e.kind_code) == ServiceMode::Appointment);
        let url = match &e {
            Some(e) if e.left() > 0 => {
                let code = short_links::create(
                    c,
                    &owner.id,
                    Purpose::Booking,
                    &e.policy_id,
                    at,
                    at + LINK_DAYS * 86_400,
                )
                .await?;
                Some(link(code))
            }
            _ => None,
        };
        let answer = replies::checkups_text(Locale::ZhCn, e.as_ref(), url.as_deref());
        texts.push((phone(1), "TJ".into(), at, "answered", answer));

        let at = now - 26 * HOUR;
        let in_force = crate::backend::services::policies::in_force(
            policies::list_for_customer(&mut *c, &owner.id).await?,
            &today,
        );
        let renew = match in_force.iter().find(|p| p.open_offer_premium_fen.is_some()) {
            Some(p) => {
                let code = short_links::create(
                    c,
                    &owner.id,
                    Purpose::Renewal,
                    &p.id,
                    at,
                    at + LINK_DAYS * 86_400,
                )
                .await?;
                Some(link(code))
            }
            None => None,
        };
        let answer = replies::policies_text(Locale::ZhCn, &in_force, renew.as_deref());
        let text = format!("bdcx {}", super::demo::demo_id_last4(1));
        texts.push((phone(1), text, at, "answered", answer));
    }

    // Someone follows their claim by text.
    for n in 2..=12 {
        let Some(owner) = customers::owner_of_phone(&mut *c, &phone(n)).await? else {
            continue;
        };
        let Some(claim) = claims::list_for_customer(&mut *c, &owner.id)
            .await?
            .into_iter()
            .find(|cl| !cl.stage.is_closed())
        else {
            continue;
        };
        let at = now - 5 * HOUR;
        let missing = claims::documents(&mut *c, &claim.id)
            .await?
            .into_iter()
            .filter(|d| d.state.wanted())
            .map(|d| d.kind)
            .collect();
        let code = short_links::create(
            c,
            &owner.id,
            Purpose::Claim,
            &claim.id,
            at,
            at + LINK_DAYS * 86_400,
        )
        .await?;
        let answer = replies::claim_text(
            Locale::ZhCn,
            &ClaimAnswer {
                claim_id: claim.id.clone(),
                claim_no: claim.claim_no.clone(),
                stage: claim.stage,
                missing,
                expected: Estimate::Unknown,
            },
            &link(code),
        );
        texts.push((
            phone(n),
            format!("LLCX {}", claim.claim_no),
            at,
            "answered",
            answer,
        ));
        break;
    }

    // Wrong ID digits, a stranger, and a stop.
    let not_found = t_in(Locale::ZhCn, "sms_reply.not_found");
    texts.push((
        phone(3),
        "BDCX 0000".into(),
        now - 3 * HOUR,
        "not_found",
        not_found,
    ));
    texts.push((
        "13700001234".into(),
        "你好，怎么查保单？".into(),
        now - 2 * HOUR,
        "answered",
        replies::help_text(Locale::ZhCn),
    ));
    let stop_at = now - HOUR;
    preferences::unsubscribe_phone(&mut *c, &phone(4), stop_at).await?;
    texts.push((
        phone(4),
        "退订".into(),
        stop_at,
        "answered",
        t_in(Locale::ZhCn, "sms_reply.stopped"),
    ));

    for (i, (from, text, at, outcome, answer)) in texts.into_iter().enumerate() {
        let owner = customers::owner_of_phone(&mut *c, &from)
            .await?
            .map(|o| o.id);
        let query = SmsQuery::parse(&text);
        let reply_id = ids::new_id();
        let message_id = format!("demo-{i}");
        outbox::enqueue_as(
            &mut *c,
            &reply_id,
            outbox::NewMessage {
                customer_id: owner.as_deref(),
                phone: &from,
                category: "sms_reply",
                body: &answer,
                secret_body: None,
                dedupe_key: Some(&format!("sms_reply:{message_id}")),
                now: at,
            },
        )
        .await?;
        sms_inbound::insert(
            &mut *c,
            sms_inbound::NewInbound {
                id: &ids::new_id(),
                message_id: &message_id,
                phone: &from,
                customer_id: owner.as_deref(),
                body: &query.redacted(&text),
                query: query.as_str(),
                outcome,
                reply_id: Some(&reply_id),
                now: at,
            },
        )
        .await?;
    }
    Ok(())
}
