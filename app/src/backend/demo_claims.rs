//! Demo claims, through the claims store the product uses: a year of finished claims per
//! line (so the expected dates are real medians), open claims in every stage and line with
//! their checklists, a declined and a withdrawn one, and for customer 1 a claim waiting on
//! a document they must send again. Received and accepted documents have a small PDF in the
//! file store, so a demo can open them.

use super::domain::claims::{claim_no, standard_documents};
use super::store::claims::{self as store, NewClaim, NewEvent, Payout};
use super::AppState;
use crate::model::{ClaimEventKind, ClaimStage, DocumentState, Line};
use rand::rngs::StdRng;
use rand::Rng;
use sqlx::AnyConnection;

/// A policy the demo may put claims on.
pub struct DemoPolicy {
    pub id: String,
    pub customer_id: String,
    /// Demo customer number (1-based).
    pub customer_no: usize,
    pub line: Line,
}

const DAY: i64 = 86_400;

/// Typical days per stage (reported, survey, assessment, approval) for each line.
fn typical_days(line: Line) -> [i64; 4] {
    match line {
        Line::Auto => [1, 2, 3, 2],
        Line::Health => [1, 3, 4, 3],
        Line::Home => [2, 4, 5, 3],
        Line::Life => [2, 7, 10, 6],
    }
}

const STORIES: &[(Line, &str, &str)] = &[
    (
        Line::Auto,
        "车辆追尾，后保险杠受损",
        "上海市徐汇区漕溪北路与南丹路路口",
    ),
    (
        Line::Auto,
        "停车时被刮擦，左前门掉漆",
        "北京市朝阳区建国路88号地下车库",
    ),
    (
        Line::Auto,
        "倒车撞到立柱，后尾灯破裂",
        "广州市天河区天河路385号停车场",
    ),
    (
        Line::Health,
        "急性阑尾炎住院手术",
        "上海交通大学医学院附属瑞金医院",
    ),
    (
        Line::Health,
        "门诊手术（腕部骨折复位）",
        "杭州市第一人民医院",
    ),
    (
        Line::Home,
        "厨房水管爆裂，地板受损",
        "成都市武侯区人民南路四段",
    ),
    (Line::Home, "暴雨渗水，客厅墙面发霉", "上海市浦东新区张杨路"),
    (Line::Life, "被保险人因病身故", "上海市徐汇区"),
];

fn story(line: Line, k: usize) -> (&'static str, &'static str) {
    let of_line: Vec<_> = STORIES.iter().filter(|(l, _, _)| *l == line).collect();
    let (_, d, p) = of_line[k % of_line.len()];
    (d, p)
}

/// A one-page PDF naming the document: what a scanned form stands in for in a demo.
fn demo_pdf(title: &str) -> Vec<u8> {
    let text = format!("BT /F1 18 Tf 72 720 Td (Anxin demo document: {title}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

struct Ctx<'a> {
    state: &'a AppState,
    handlers: &'a [String],
    now: i64,
}

/// One claim walked from reporting to `until`, each step `days` apart (fuzzed).
#[allow(clippy::too_many_arguments)]
async fn claim(
    c: &mut AnyConnection,
    rng: &mut StdRng,
    cx: &Ctx<'_>,
    p: &DemoPolicy,
    reported: i64,
    until: ClaimStage,
    k: usize,
    documents: &[(usize, DocumentState, Option<&str>)],
) -> anyhow::Result<String> {
    let id = super::ids::new_id();
    let (description, place) = story(p.line, k);
    let handler = cx.handlers[k % cx.handlers.len()].clone();
    let year = chrono::Datelike::year(&super::clock::shanghai_date(reported));
    let n = store::next_claim_no(c, year).await?;
    let no = claim_no(year, n);
    let amount: i64 = match p.line {
        Line::Auto => rng.gen_range(150_000..1_200_000),
        Line::Health => rng.gen_range(80_000..4_000_000),
        Line::Home => rng.gen_range(200_000..2_500_000),
        Line::Life => 50_000_000,
    };
    let incident = super::clock::shanghai_date(reported - DAY)
        .format("%Y-%m-%d")
        .to_string();
    let account: String = format!("62258802{:08}", rng.gen_range(0..100_000_000u64));
    let masked = crate::backend::services::claims::mask_account("招商银行", &account);
    store::insert_claim(
        c,
        NewClaim {
            id: &id,
            customer_id: &p.customer_id,
            policy_id: &p.id,
            claim_no: &no,
            incident_date: &incident,
            incident_place: place,
            description,
            channel: ["portal", "phone", "agent"][k % 3],
            handler_staff_id: Some(&handler),
            amount_claimed_fen: Some(amount),
            payout: Payout::Bank {
                bank: "招商银行",
                account_no: &account,
                masked: &masked,
            },
            now: reported,
        },
    )
    .await?;
    let event = |kind, from, to, staff: Option<&str>, note: &'static str, at| NewEvent {
        claim_id: &id,
        customer_id: &p.customer_id,
        kind,
        from_stage: from,
        to_stage: to,
        actor_staff_id: None,
        actor_kind: if staff.is_some() { "staff" } else { "customer" },
        note,
        document_id: None,
        amount_fen: None,
        at,
    };
    store::insert_event(
        c,
        event(
            ClaimEventKind::Stage,
            None,
            ClaimStage::Reported,
            None,
            "",
            reported,
        ),
    )
    .await?;
    // The checklist, as the line asks.
    let standard = standard_documents(p.line);
    for (i, (kind, required)) in standard.iter().enumerate() {
        let (state, reason) = documents
            .iter()
            .find(|(j, _, _)| *j == i)
            .map(|(_, s, r)| (*s, *r))
            .unwrap_or((DocumentState::Accepted, None));
        if !required && state == DocumentState::Missing {
            continue;
        }
        let doc_id = store::request_document(
            c,
            &id,
            &p.customer_id,
            kind.as_str(),
            *required,
            DocumentState::Missing,
            None,
            reported,
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo document not created"))?;
        if state != DocumentState::Missing {
            let file_id = super::ids::new_id();
            let key = format!("claims/{id}/{file_id}.pdf");
            let bytes = demo_pdf(kind.as_str());
            let size = bytes.len() as i64;
            cx.state.files.put(&key, bytes).await?;
            let at = reported + DAY / 3;
            store::mark_received(c, &id, &doc_id, at).await?;
            store::insert_file(
                c,
                store::NewFile {
                    id: &file_id,
                    claim_id: &id,
                    customer_id: &p.customer_id,
                    document_id: &doc_id,
                    storage_key: &key,
                    kind: "pdf",
                    size_bytes: size,
                    name: &format!("{}.pdf", kind.as_str()),
                    now: at,
                },
            )
            .await?;
            if matches!(state, DocumentState::Accepted | DocumentState::Rejected) {
                store::review_document(
                    c,
                    &id,
                    &doc_id,
                    state == DocumentState::Accepted,
                    reason,
                    at + DAY / 3,
                )
                .await?;
            }
        }
    }
    // Walk the stages.
    let days = typical_days(p.line);
    let mut at = reported;
    let mut stage = ClaimStage::Reported;
    let path: Vec<ClaimStage> = match until {
        ClaimStage::Declined => vec![
            ClaimStage::Survey,
            ClaimStage::Assessment,
            ClaimStage::Declined,
        ],
        ClaimStage::Withdrawn => vec![ClaimStage::Withdrawn],
        s => ClaimStage::PATH
            .iter()
            .copied()
            .skip(1)
            .take_while(|x| {
                ClaimStage::PATH.iter().position(|p| p == x)
                    <= ClaimStage::PATH.iter().position(|p| *p == s)
            })
            .collect(),
    };
    for (i, to) in path.into_iter().enumerate() {
        let typical = days[i.min(3)];
        at += DAY * typical
            + rng.gen_range(-(DAY / 2)..(DAY / 2))
            + rng.gen_range(0..typical.max(1)) * DAY / 3;
        let at_ = at.min(cx.now - 3600);
        if stage == ClaimStage::Assessment && to == ClaimStage::Approval {
            store::set_amount(
                c,
                &id,
                ClaimEventKind::Assessed,
                amount * 9 / 10,
                at_ - 3600,
            )
            .await?;
            let mut e = event(
                ClaimEventKind::Assessed,
                None,
                stage,
                Some(&handler),
                "",
                at_ - 3600,
            );
            e.actor_staff_id = Some(&handler);
            e.amount_fen = Some(amount * 9 / 10);
            store::insert_event(c, e).await?;
        }
        if stage == ClaimStage::Approval && to == ClaimStage::Paid {
            store::set_amount(
                c,
                &id,
                ClaimEventKind::Approved,
                amount * 9 / 10,
                at_ - 3600,
            )
            .await?;
            let mut e = event(
                ClaimEventKind::Approved,
                None,
                stage,
                Some(&handler),
                "",
                at_ - 3600,
            );
            e.actor_staff_id = Some(&handler);
            e.amount_fen = Some(amount * 9 / 10);
            store::insert_event(c, e).await?;
        }
        let reason =
            (to == ClaimStage::Declined).then_some("事故发生在保险期间开始之前，不属于保险责任");
        let by_customer = to == ClaimStage::Withdrawn;
        let mover = (!by_customer).then_some(handler.as_str());
        store::move_stage(c, &id, stage, to, mover, reason, at_).await?;
        let mut e = event(
            ClaimEventKind::Stage,
            Some(stage),
            to,
            mover,
            reason.unwrap_or(""),
            at_,
        );
        e.actor_staff_id = mover;
        store::insert_event(c, e).await?;
        stage = to;
    }
    Ok(id)
}

/// Claims on `policies` (active ones of active customers); returns how many.
pub async fn generate(
    c: &mut AnyConnection,
    rng: &mut StdRng,
    state: &AppState,
    policies: &[DemoPolicy],
    handlers: &[String],
) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let cx = Ctx {
        state,
        handlers,
        now,
    };
    let mut count = 0;
    let mut k = 0;
    for line in Line::ALL {
        let of_line: Vec<&DemoPolicy> = policies.iter().filter(|p| p.line == line).collect();
        if of_line.is_empty() {
            continue;
        }
        // A year of history: finished claims, a declined and a withdrawn one.
        for h in 0..9 {
            let p = of_line[(h * 5 + 1) % of_line.len()];
            let reported = now - DAY * rng.gen_range(40..330);
            let until = match h {
                7 => ClaimStage::Declined,
                8 => ClaimStage::Withdrawn,
                _ => ClaimStage::Paid,
            };
            claim(c, rng, &cx, p, reported, until, k, &[]).await?;
            k += 1;
            count += 1;
        }
        // Open claims, one in each stage, and one paid this week.
        for (j, stage) in [
            ClaimStage::Reported,
            ClaimStage::Survey,
            ClaimStage::Assessment,
            ClaimStage::Approval,
            ClaimStage::Paid,
        ]
        .into_iter()
        .enumerate()
        {
            let p = of_line[(j * 3 + 2) % of_line.len()];
            if p.customer_no == 1 {
                continue;
            }
            let span: i64 = typical_days(line).iter().take(j).sum::<i64>();
            let reported = now - DAY * (span + 1) - rng.gen_range(0..DAY);
            // A claim just reported still waits on the customer for some documents.
            let docs: &[(usize, DocumentState, Option<&str>)] = match stage {
                ClaimStage::Reported => &[
                    (0, DocumentState::Received, None),
                    (1, DocumentState::Missing, None),
                ],
                ClaimStage::Survey => &[(2, DocumentState::Received, None)],
                _ => &[],
            };
            claim(c, rng, &cx, p, reported, stage, k, docs).await?;
            k += 1;
            count += 1;
        }
    }
    // Customer 1 (the demo login): a claim in survey that waits on them — a document not
    // accepted and one not sent yet.
    if let Some(p) = policies
        .iter()
        .find(|p| p.customer_no == 1 && p.line == Line::Auto)
        .or_else(|| policies.iter().find(|p| p.customer_no == 1))
    {
        let reported = now - 4 * DAY;
        claim(
            c,
            rng,
            &cx,
            p,
            reported,
            ClaimStage::Survey,
            0,
            &[
                (
                    1,
                    DocumentState::Rejected,
                    Some("照片模糊，看不清证件号码，请重新拍摄"),
                ),
                (2, DocumentState::Missing, None),
            ],
        )
        .await?;
        count += 1;
    }
    Ok(count)
}
