//! Demo data for surveys, called from `demo::generate` inside its transaction, after
//! services and claims: every completed appointment and roadside request and every paid
//! claim is invited as the product would have been (at most once per customer in 30
//! days), and about 60 % of the older ones answered, mostly kindly. Those still within
//! their 7 days go through the product's own `invite` (short link, SMS in the outbox) and
//! stay unanswered, for the demo and the browser tests to answer; customer 1 (the demo
//! login) has one of them, on their latest appointment.

use super::domain::surveys::{fatigue_cutoff, Score, ANSWER_SECS};
use super::services::surveys::{invite, Completed};
use super::store::surveys::{self as store, NewInvitation};
use super::AppState;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::AnyConnection;

/// How often each score 1–10 is given, in percent: most people are content.
const SCORE_WEIGHTS: [u32; 10] = [4, 3, 4, 4, 6, 7, 12, 18, 20, 22];

const PRAISE: &[&str] = &[
    "工作人员很耐心，流程也清楚，点赞！",
    "比预想的快很多，短信通知也很及时。",
    "服务专业，下次还会选择安心。",
    "整体满意，希望能再多几个可选时段。",
    "Very smooth, thank you.",
];
const SO_SO: &[&str] = &[
    "还可以，就是等的时间有点长。",
    "地址不太好找，希望短信里附上导航链接。",
    "电话沟通了两次才说清楚，希望一次到位。",
];
const COMPLAINTS: &[&str] = &[
    "等了一个多小时才有人来，体验很差。",
    "材料要求反复变化，跑了好几趟。",
    "客服态度一般，问题没有解决。",
];

fn score(rng: &mut StdRng) -> Score {
    let mut pick = rng.gen_range(0..SCORE_WEIGHTS.iter().sum::<u32>());
    for (i, w) in SCORE_WEIGHTS.iter().enumerate() {
        if pick < *w {
            return Score::new(i as i64 + 1).expect("1 to 10");
        }
        pick -= w;
    }
    Score::new(10).expect("10")
}

fn comment(rng: &mut StdRng, s: Score) -> &'static str {
    if rng.gen_bool(0.45) {
        return "";
    }
    let from = match s.get() {
        9..=10 => PRAISE,
        7..=8 => SO_SO,
        _ => COMPLAINTS,
    };
    from[rng.gen_range(0..from.len())]
}

pub async fn generate(c: &mut AnyConnection, state: &AppState, seed: u64) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5a7e_5c0e);
    let now = state.clock.now();
    let first = super::demo::customer_phone(1);
    let subjects = store::completed_subjects(&mut *c).await?;
    // Customer 1 is asked about their latest only: the one the demo shows them.
    let latest_of_first = subjects
        .iter()
        .filter(|s| s.phone == first)
        .map(|s| s.subject_id.clone())
        .next_back();
    for s in &subjects {
        if s.phone == first && latest_of_first.as_deref() != Some(&s.subject_id) {
            continue;
        }
        let service_zh = s.service_zh.clone().unwrap_or_else(|| {
            crate::i18n::t_in(crate::i18n::Locale::ZhCn, "survey.service.claim")
        });
        if now - s.done_at < ANSWER_SECS {
            invite(
                c,
                state,
                Completed {
                    customer_id: &s.customer_id,
                    subject: s.subject,
                    subject_id: &s.subject_id,
                    service: &s.service,
                    service_zh: &service_zh,
                },
                s.done_at,
            )
            .await?;
            continue;
        }
        // Long past: the invitation as it was made then (its SMS long sent).
        if !store::claim_turn(
            &mut *c,
            &s.customer_id,
            s.done_at,
            fatigue_cutoff(s.done_at),
        )
        .await?
        {
            continue;
        }
        let id = super::ids::new_id();
        store::insert(
            &mut *c,
            NewInvitation {
                id: &id,
                customer_id: &s.customer_id,
                subject: s.subject,
                subject_id: &s.subject_id,
                service: &s.service,
                now: s.done_at,
                expires_at: s.done_at + ANSWER_SECS,
            },
        )
        .await?;
        if rng.gen_bool(0.6) {
            let sc = score(&mut rng);
            let at = s.done_at + rng.gen_range(600..3 * 86_400);
            store::answer(c, &s.customer_id, &id, sc.get(), comment(&mut rng, sc), at).await?;
        }
    }
    Ok(())
}
