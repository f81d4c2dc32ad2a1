//! 满意度调查 — satisfaction surveys. An invitation is made in the transaction that
//! completes a booking or roadside request or pays a claim, with its SMS (category
//! `survey`, a short link) in the outbox: the outbox holds it for the customer's window,
//! so an invitation made at night goes out in the morning. Opening never consumes it;
//! answering is one guarded UPDATE.

use super::short_links::{self, Purpose};
use crate::backend::clock::{shanghai_date, shanghai_day_start};
use crate::backend::domain::surveys::{
    self as rules, csv_line, Month, Score, Standing, Tally, ANSWER_SECS,
};
use crate::backend::store::surveys::{self as store, AnswerRow, Filter, InvitationRow};
use crate::backend::store::{audit, customers, outbox};
use crate::backend::{ids, AppState};
use crate::i18n::{t_in, t_in_with, Locale};
use crate::model::SurveySubject;
use sqlx::AnyConnection;

/// The service kind code a claim's invitation is counted under.
pub const CLAIM_SERVICE: &str = "claim";

/// What was completed, as an invitation names it.
pub struct Completed<'a> {
    pub customer_id: &'a str,
    pub subject: SurveySubject,
    pub subject_id: &'a str,
    /// The service kind code, or `CLAIM_SERVICE`.
    pub service: &'a str,
    /// The service's name in the SMS (Chinese): 健康体检, 道路救援, 理赔.
    pub service_zh: &'a str,
}

/// In the caller's transaction: invites the customer to rate `done`, unless they opted
/// out of surveys or were invited in the last 30 days. Returns the invitation's id.
pub async fn invite(
    conn: &mut AnyConnection,
    state: &AppState,
    done: Completed<'_>,
    now: i64,
) -> sqlx::Result<Option<String>> {
    // Opted out, or invited in the last 30 days: nothing. Claimed first: the subject
    // itself completes once (a guarded move), so the insert below cannot meet an
    // earlier invitation for it.
    if !store::claim_turn(
        &mut *conn,
        done.customer_id,
        now,
        rules::fatigue_cutoff(now),
    )
    .await?
    {
        return Ok(None);
    }
    let Some(customer) = customers::profile(&mut *conn, done.customer_id).await? else {
        return Ok(None);
    };
    let id = ids::new_id();
    let expires_at = now + ANSWER_SECS;
    if !store::insert(
        &mut *conn,
        store::NewInvitation {
            id: &id,
            customer_id: done.customer_id,
            subject: done.subject,
            subject_id: done.subject_id,
            service: done.service,
            now,
            expires_at,
        },
    )
    .await?
    {
        return Ok(None);
    }
    let link = short_links::create_url(
        state,
        conn,
        done.customer_id,
        Purpose::Survey,
        &id,
        now,
        expires_at,
    )
    .await?;
    let body = t_in_with(
        Locale::ZhCn,
        "survey.sms",
        &[("service", done.service_zh), ("link", &link)],
    );
    outbox::enqueue(
        &mut *conn,
        outbox::NewMessage {
            customer_id: Some(done.customer_id),
            phone: &customer.phone,
            category: "survey",
            body: &body,
            secret_body: None,
            dedupe_key: Some(&format!("survey:{id}")),
            now,
        },
    )
    .await?;
    Ok(Some(id))
}

/// An invitation as its page shows it.
#[derive(Debug, Clone)]
pub struct SurveyView {
    pub invitation: InvitationRow,
    pub standing: Standing,
}

impl SurveyView {
    fn new(invitation: InvitationRow, now: i64) -> Self {
        let standing =
            rules::standing(invitation.answered_at.is_some(), invitation.expires_at, now);
        Self {
            invitation,
            standing,
        }
    }
}

/// One of the customer's invitations, or `None` (a 404) for anyone else's. Changes
/// nothing: link previewers open links.
pub async fn view(
    state: &AppState,
    customer_id: &str,
    id: &str,
) -> sqlx::Result<Option<SurveyView>> {
    let now = state.clock.now();
    Ok(store::get(&state.db.pool, customer_id, id)
        .await?
        .map(|i| SurveyView::new(i, now)))
}

/// The customer's invitation about this booking, request or claim, if any.
pub async fn for_subject(
    state: &AppState,
    customer_id: &str,
    subject: SurveySubject,
    subject_id: &str,
) -> sqlx::Result<Option<SurveyView>> {
    let now = state.clock.now();
    Ok(
        store::for_subject(&state.db.pool, customer_id, subject, subject_id)
            .await?
            .map(|i| SurveyView::new(i, now)),
    )
}

/// The customer's invitations still open, newest first.
pub async fn open_for_customer(
    state: &AppState,
    customer_id: &str,
) -> sqlx::Result<Vec<InvitationRow>> {
    store::open_for_customer(&state.db.pool, customer_id, state.clock.now()).await
}

#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error("not found")]
    NotFound,
    #[error("already answered")]
    Answered,
    #[error("expired")]
    Expired,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AnswerError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Answers once: the guarded UPDATE takes the invitation from `sent` only while it has
/// not expired, and the response goes in with it. Of many submissions at once, one wins.
pub async fn answer(
    state: &AppState,
    customer_id: &str,
    id: &str,
    score: Score,
    comment: &str,
) -> Result<(), AnswerError> {
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if store::answer(&mut tx, customer_id, id, score.get(), comment, now).await? {
        audit::record(
            &mut *tx,
            audit::AuditEntry {
                actor_kind: "customer",
                actor_id: Some(customer_id),
                customer_id: Some(customer_id),
                action: "survey.answered",
                detail: id,
                ip: None,
                now,
            },
        )
        .await?;
        tx.commit().await?;
        return Ok(());
    }
    tx.rollback().await?;
    // Why not: read after the fact, only to say so.
    match view(state, customer_id, id).await? {
        None => Err(AnswerError::NotFound),
        Some(v) if v.standing == Standing::Answered => Err(AnswerError::Answered),
        Some(_) => Err(AnswerError::Expired),
    }
}

/// What staff filter results by: months (inclusive) and one service, or all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultsQuery {
    pub from: Month,
    pub to: Month,
    pub service: Option<String>,
}

impl ResultsQuery {
    /// From the GET form's fields; anything unreadable falls back to the last 6 months
    /// and every service. A range the wrong way round is turned round.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        service: Option<&str>,
        today: chrono::NaiveDate,
    ) -> Self {
        let this = Month::of(today);
        let to = to.and_then(Month::parse).unwrap_or(this);
        let from = from.and_then(Month::parse).unwrap_or(to.back(5));
        let (from, to) = if from <= to { (from, to) } else { (to, from) };
        let months = rules::months(from, to);
        let service = service
            .map(|s| {
                s.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .take(40)
                    .collect::<String>()
            })
            .filter(|s| !s.is_empty() && s != "all");
        Self {
            from: months[0],
            to,
            service,
        }
    }

    fn filter(&self) -> Filter<'_> {
        Filter {
            from: shanghai_day_start(self.from.first_day()),
            to: shanghai_day_start(self.to.next().first_day()),
            service: self.service.as_deref(),
        }
    }
}

/// The figures staff read at `/staff/surveys`.
#[derive(Debug, Clone)]
pub struct Results {
    pub total: Tally,
    /// Per service kind code, in the order of `services`.
    pub by_service: Vec<(String, Tally)>,
    /// Per month of the range, oldest first.
    pub by_month: Vec<(Month, Tally)>,
    /// The latest answers with a comment.
    pub comments: Vec<AnswerRow>,
    /// Every service kind that can be surveyed: (code, Chinese name, English name).
    pub services: Vec<(String, String, String)>,
}

/// How many of the latest comments the page shows.
pub const LATEST_COMMENTS: i64 = 20;

pub async fn results(state: &AppState, q: &ResultsQuery) -> sqlx::Result<Results> {
    let pool = &state.db.pool;
    let f = q.filter();
    let mut services: Vec<(String, String, String)> = store::service_kinds(pool)
        .await?
        .into_iter()
        .map(|k| (k.code, k.name_zh, k.name_en))
        .collect();
    services.push((
        CLAIM_SERVICE.to_owned(),
        t_in(Locale::ZhCn, "survey.service.claim"),
        t_in(Locale::En, "survey.service.claim"),
    ));
    let mut total = Tally::default();
    let mut by_service: Vec<(String, Tally)> = services
        .iter()
        .map(|(code, ..)| (code.clone(), Tally::default()))
        .collect();
    let mut by_month: Vec<(Month, Tally)> = rules::months(q.from, q.to)
        .into_iter()
        .map(|m| (m, Tally::default()))
        .collect();
    for row in store::results(pool, &f).await? {
        let score = row.score.and_then(Score::new);
        let month = Month::of(shanghai_date(row.sent_at));
        let service = by_service.iter_mut().find(|(c, _)| *c == row.service);
        let month = by_month.iter_mut().find(|(m, _)| *m == month);
        for t in [
            Some(&mut total),
            service.map(|s| &mut s.1),
            month.map(|m| &mut m.1),
        ]
        .into_iter()
        .flatten()
        {
            t.sent += 1;
            if let Some(s) = score {
                t.add(s);
            }
        }
    }
    let comments = store::answers(pool, &f, true, LATEST_COMMENTS).await?;
    Ok(Results {
        total,
        by_service,
        by_month,
        comments,
        services,
    })
}

/// Every answer matching the query as a CSV file (UTF-8 with a BOM, so spreadsheets
/// read the Chinese), comments neutralised against formula injection. The export is
/// audited under the member of staff's name: it carries customers' words.
pub async fn csv(
    state: &AppState,
    staff_id: &str,
    q: &ResultsQuery,
    locale: Locale,
) -> sqlx::Result<String> {
    let pool = &state.db.pool;
    let f = q.filter();
    audit::record(
        pool,
        audit::AuditEntry {
            actor_kind: "staff",
            actor_id: Some(staff_id),
            customer_id: None,
            action: "survey.exported",
            detail: &format!(
                "{}..{}:{}",
                q.from,
                q.to,
                q.service.as_deref().unwrap_or("all")
            ),
            ip: None,
            now: state.clock.now(),
        },
    )
    .await?;
    let names: Vec<(String, String)> = store::service_kinds(pool)
        .await?
        .into_iter()
        .map(|k| {
            let name = match locale {
                Locale::ZhCn => k.name_zh,
                Locale::En => k.name_en,
            };
            (k.code, name)
        })
        .collect();
    let mut out = String::from("\u{feff}");
    let header = ["sent", "answered", "service", "score", "comment"]
        .map(|h| t_in(locale, &format!("survey.csv.{h}")));
    out.push_str(&csv_line(&header));
    for a in store::answers(pool, &f, false, 100_000).await? {
        let service = if a.service == CLAIM_SERVICE {
            t_in(locale, "survey.service.claim")
        } else {
            names
                .iter()
                .find(|(c, _)| *c == a.service)
                .map(|(_, n)| n.clone())
                .unwrap_or(a.service.clone())
        };
        out.push_str(&csv_line(&[
            shanghai_date(a.sent_at).to_string(),
            crate::backend::clock::shanghai_datetime(a.answered_at),
            service,
            a.score.to_string(),
            a.comment,
        ]));
    }
    Ok(out)
}
