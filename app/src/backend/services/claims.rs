//! Claims as people use them: a customer reports one and sends documents, follows its
//! timeline, withdraws it; claims staff move it along. Every change appends a claim event
//! and, when the customer should hear of it, queues an SMS (category `claim_progress`)
//! in the same transaction. Files are written to the file store before the transaction
//! and removed again if it fails: the database never names a file that is not there.

use super::short_links::{self, Purpose};
use crate::backend::domain::claims::{
    self as rules, DocKind, Estimate, Facts, FastTrack, Forecast, MoveError, Mover, StageMedians,
};
use crate::backend::domain::uploads::FileKind;
use crate::backend::store::claims::{self as store, ClaimRow, DocumentRow, EventRow, FileRow};
use crate::backend::store::{customers, outbox, payment_methods, policies};
use crate::backend::AppState;
use crate::i18n::{t_in_with, Locale};
use crate::model::{
    ClaimEventKind, ClaimStage, DocumentState, Line, Money, PolicyStatus, SurveySubject,
};
use chrono::NaiveDate;
use sqlx::AnyConnection;

/// The claim short link lasts as long as a claim usually does, and then some.
const LINK_DAYS: i64 = 90;
/// Stage history used for expected dates: claims reported in the last year.
const HISTORY_SECS: i64 = 365 * 86_400;
pub const MAX_DESCRIPTION: usize = 2_000;
pub const MAX_PLACE: usize = 200;
pub const MAX_NOTE: usize = 500;
/// Files one report or one upload may carry.
pub const MAX_FILES: usize = 8;

pub use super::uploads::Upload;
use super::uploads::{remove_files, store_files, Stored};

pub enum PayoutChoice {
    /// The account's payout account (set in servicing).
    OnFile,
    /// One of the customer's saved methods.
    Method(String),
    Bank {
        bank: String,
        account_no: String,
    },
}

pub struct Report {
    pub policy_id: String,
    pub incident_date: NaiveDate,
    pub place: String,
    pub description: String,
    pub amount_claimed: Option<Money>,
    pub payout: PayoutChoice,
    /// Files sent with the report, each for one of the line's documents.
    pub files: Vec<(DocKind, Upload)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("policy not found")]
    PolicyNotFound,
    #[error("policy not in force")]
    PolicyNotActive,
    #[error("incident date out of range")]
    BadDate,
    #[error("payout method not found")]
    PayoutNotFound,
    #[error("document not for this line")]
    WrongDocument,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ReportError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

pub use crate::backend::domain::accounts::mask_account;

/// Reports a claim on one of the customer's active policies: a claim number, the line's
/// document checklist (ticking off what came with the report), a handler, and an SMS with
/// a short link to the claim. Returns (claim id, claim number).
pub async fn report(
    state: &AppState,
    customer_id: &str,
    r: Report,
) -> Result<(String, String), ReportError> {
    let pool = &state.db.pool;
    let now = state.clock.now();
    let today = state.clock.today_shanghai();
    let policy = policies::summary(pool, customer_id, &r.policy_id)
        .await?
        .ok_or(ReportError::PolicyNotFound)?;
    if policy.status != PolicyStatus::Active {
        return Err(ReportError::PolicyNotActive);
    }
    let line = Line::parse(&policy.line).ok_or(ReportError::PolicyNotFound)?;
    // Not in the future, and not older than the two years a claim may be made in (保险法 §26).
    if r.incident_date > today || (today - r.incident_date).num_days() > 2 * 365 {
        return Err(ReportError::BadDate);
    }
    let standard = rules::standard_documents(line);
    if r.files
        .iter()
        .any(|(k, _)| !standard.iter().any(|(s, _)| s == k))
    {
        return Err(ReportError::WrongDocument);
    }
    let payout_masked;
    let on_file;
    let payout = match &r.payout {
        PayoutChoice::OnFile => {
            on_file = customers::payout_details(pool, customer_id)
                .await?
                .ok_or(ReportError::PayoutNotFound)?;
            match (
                &on_file.payout_method_id,
                &on_file.payout_bank,
                &on_file.payout_account_no,
            ) {
                (Some(id), _, _) => store::Payout::Method {
                    id,
                    masked: &on_file.payout_masked,
                },
                (None, Some(bank), Some(account_no)) => store::Payout::Bank {
                    bank,
                    account_no,
                    masked: &on_file.payout_masked,
                },
                _ => return Err(ReportError::PayoutNotFound),
            }
        }
        PayoutChoice::Method(id) => {
            let m = payment_methods::get(pool, customer_id, id)
                .await?
                .ok_or(ReportError::PayoutNotFound)?;
            payout_masked = m.label;
            store::Payout::Method {
                id,
                masked: &payout_masked,
            }
        }
        PayoutChoice::Bank { bank, account_no } => {
            payout_masked = mask_account(bank, account_no);
            store::Payout::Bank {
                bank,
                account_no,
                masked: &payout_masked,
            }
        }
    };
    let customer = customers::profile(pool, customer_id)
        .await?
        .ok_or(ReportError::PolicyNotFound)?;
    let claim_id = crate::backend::ids::new_id();
    let (kinds, uploads): (Vec<DocKind>, Vec<Upload>) = r.files.into_iter().unzip();
    let written = store_files(state, &format!("claims/{claim_id}"), uploads).await?;
    let result: Result<String, ReportError> = async {
        let handler = store::least_busy_handler(pool).await?;
        let mut tx = pool.begin().await?;
        let year = chrono::Datelike::year(&today);
        let n = store::next_claim_no(&mut tx, year).await?;
        let claim_no = rules::claim_no(year, n);
        store::insert_claim(
            &mut tx,
            store::NewClaim {
                id: &claim_id,
                customer_id,
                policy_id: &r.policy_id,
                claim_no: &claim_no,
                incident_date: &r.incident_date.format("%Y-%m-%d").to_string(),
                incident_place: &r.place,
                description: &r.description,
                channel: "portal",
                handler_staff_id: handler.as_deref(),
                amount_claimed_fen: r.amount_claimed.map(Money::fen),
                payout,
                now,
            },
        )
        .await?;
        store::insert_event(
            &mut tx,
            store::NewEvent {
                claim_id: &claim_id,
                customer_id,
                kind: ClaimEventKind::Stage,
                from_stage: None,
                to_stage: ClaimStage::Reported,
                actor_staff_id: None,
                actor_kind: "customer",
                note: "",
                document_id: None,
                amount_fen: None,
                at: now,
            },
        )
        .await?;
        for (kind, required) in standard {
            let sent = kinds.contains(kind);
            let state = if sent {
                DocumentState::Received
            } else {
                DocumentState::Missing
            };
            let doc_id = store::request_document(
                &mut tx,
                &claim_id,
                customer_id,
                kind.as_str(),
                *required,
                state,
                None,
                now,
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("document row not created"))?;
            for (f, k) in written.iter().zip(&kinds) {
                if k == kind {
                    insert_file(&mut tx, &claim_id, customer_id, &doc_id, f, now).await?;
                }
            }
        }
        let link = short_links::create_url(
            state,
            &mut tx,
            customer_id,
            Purpose::Claim,
            &claim_id,
            now,
            now + LINK_DAYS * 86_400,
        )
        .await?;
        let body = t_in_with(
            Locale::ZhCn,
            "sms.claim_reported",
            &[("claim_no", claim_no.as_str()), ("link", link.as_str())],
        );
        outbox::enqueue(
            &mut *tx,
            outbox::NewMessage {
                customer_id: Some(customer_id),
                phone: &customer.phone,
                category: "claim_progress",
                body: &body,
                secret_body: None,
                dedupe_key: Some(&format!("claim:{claim_id}:reported")),
                now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(claim_no)
    }
    .await;
    match result {
        Ok(no) => Ok((claim_id, no)),
        Err(e) => {
            remove_files(state, &written).await;
            Err(e)
        }
    }
}

async fn insert_file(
    conn: &mut AnyConnection,
    claim_id: &str,
    customer_id: &str,
    doc_id: &str,
    f: &Stored,
    now: i64,
) -> sqlx::Result<()> {
    store::insert_file(
        conn,
        store::NewFile {
            id: &f.id,
            claim_id,
            customer_id,
            document_id: doc_id,
            storage_key: &f.key,
            kind: f.kind.as_str(),
            size_bytes: f.size,
            name: &f.name,
            now,
        },
    )
    .await
}

/// One stage of the timeline.
#[derive(Clone, Debug)]
pub struct StageRow {
    pub stage: ClaimStage,
    pub started: Option<i64>,
    pub ended: Option<i64>,
    /// Who handled it: for a finished stage, whoever finished it; for the current one, the
    /// claim's handler.
    pub handler: Option<(String, Option<String>)>,
    /// Skipped on the fast track.
    pub skipped: bool,
}

/// Everything the claim page shows.
pub struct ClaimView {
    pub claim: ClaimRow,
    pub line: Line,
    pub stages: Vec<StageRow>,
    pub events: Vec<EventRow>,
    pub documents: Vec<(DocumentRow, Vec<FileRow>)>,
    pub forecast: Forecast,
    pub fast_track: FastTrack,
    pub history_days: i64,
}

impl ClaimView {
    /// Documents the customer still has to send.
    pub fn wanted(&self) -> impl Iterator<Item = &(DocumentRow, Vec<FileRow>)> {
        self.documents.iter().filter(|(d, _)| d.state.wanted())
    }
}

/// How long a line's medians are reused. They are medians of a year of claims: a few
/// minutes change them by nothing a customer could see, and computing them reads every
/// stage entry of the line's last year (about 60,000 rows per line at a million policies,
/// where a claim page otherwise spent most of its time).
const MEDIANS_TTL_SECS: i64 = 300;

/// Each line's stage medians, from the claims of the last year; computed at most once per
/// `MEDIANS_TTL_SECS` of the app's clock per line and instance (concurrent requests wait
/// for the one computing instead of each reading the history).
/// `ex` is the caller's own connection when it holds one: waiting for a second one while
/// holding the first could starve the pool.
async fn medians<'e>(
    state: &AppState,
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    line: Line,
) -> sqlx::Result<StageMedians> {
    let now = state.clock.now();
    let mut cache = state.claim_medians.lock().await;
    if let Some((at, m)) = cache.get(&line) {
        if (*at..*at + MEDIANS_TTL_SECS).contains(&now) {
            return Ok(m.clone());
        }
    }
    let entries = store::history(ex, line.as_str(), now - HISTORY_SECS).await?;
    let m = StageMedians::from_history(&entries);
    cache.insert(line, (now, m.clone()));
    Ok(m)
}

async fn build_view(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    claim: ClaimRow,
) -> anyhow::Result<ClaimView> {
    let line = Line::parse(&claim.line).unwrap_or(Line::Auto);
    let events = store::events(&mut *conn, &claim.id).await?;
    let docs = store::documents(&mut *conn, &claim.id).await?;
    let files = store::files(&mut *conn, &claim.id).await?;
    let required: Vec<DocumentState> = docs
        .iter()
        .filter(|d| d.required == 1)
        .map(|d| d.state)
        .collect();
    let fast_track = rules::fast_track(
        &state.config.fast_track,
        line,
        claim.amount_claimed_fen.map(Money),
        &required,
    );
    let m = medians(state, &mut *conn, line).await?;
    let forecast = rules::forecast(
        claim.stage,
        claim.stage_since,
        state.clock.now(),
        &m,
        fast_track.applies(),
    );
    let stages = timeline(&claim, &events);
    let documents = docs
        .into_iter()
        .map(|d| {
            let fs = files
                .iter()
                .filter(|f| f.document_id == d.id)
                .cloned()
                .collect();
            (d, fs)
        })
        .collect();
    Ok(ClaimView {
        claim,
        line,
        stages,
        events,
        documents,
        forecast,
        fast_track,
        history_days: HISTORY_SECS / 86_400,
    })
}

/// The stage rows, drawn from the stage events only.
fn timeline(claim: &ClaimRow, events: &[EventRow]) -> Vec<StageRow> {
    let moves: Vec<&EventRow> = events
        .iter()
        .filter(|e| e.kind == ClaimEventKind::Stage)
        .collect();
    let entered = |s: ClaimStage| moves.iter().position(|e| e.to_stage == s);
    let mut rows: Vec<StageRow> = Vec::new();
    let mut path: Vec<ClaimStage> = ClaimStage::PATH.to_vec();
    if matches!(claim.stage, ClaimStage::Declined | ClaimStage::Withdrawn) {
        // The path as far as it went, then the exit.
        path.retain(|s| entered(*s).is_some());
        path.push(claim.stage);
    }
    for s in path {
        let i = entered(s);
        let started = i.map(|i| moves[i].at);
        let next = i.and_then(|i| moves.get(i + 1));
        let ended = next.map(|e| e.at).or_else(|| {
            (s == claim.stage && s.is_closed())
                .then_some(started)
                .flatten()
        });
        let handler = if s == claim.stage && !s.is_closed() {
            claim
                .handler_name
                .clone()
                .map(|n| (n, claim.handler_phone.clone()))
        } else {
            next.and_then(|e| e.actor_name.clone().map(|n| (n, e.actor_phone.clone())))
        };
        let pos = |x: ClaimStage| ClaimStage::PATH.iter().position(|p| *p == x);
        let skipped =
            s == ClaimStage::Survey && i.is_none() && pos(claim.stage).is_some_and(|c| c > 1);
        rows.push(StageRow {
            stage: s,
            started,
            ended,
            handler,
            skipped,
        });
    }
    rows
}

/// One of the customer's claims, with its timeline; `None` when it is not theirs.
pub async fn view(
    state: &AppState,
    customer_id: &str,
    claim_id: &str,
) -> anyhow::Result<Option<ClaimView>> {
    // The claim and its timeline on one connection (see `Db::connect`).
    let mut conn = state.db.pool.acquire().await?;
    match store::get(&mut *conn, customer_id, claim_id).await? {
        Some(c) => Ok(Some(build_view(state, &mut conn, c).await?)),
        None => Ok(None),
    }
}

/// Any claim, for claims staff.
pub async fn view_any(state: &AppState, claim_id: &str) -> anyhow::Result<Option<ClaimView>> {
    let mut conn = state.db.pool.acquire().await?;
    match store::get_any(&mut *conn, claim_id).await? {
        Some(c) => Ok(Some(build_view(state, &mut conn, c).await?)),
        None => Ok(None),
    }
}

/// A line of the claims list: the claim, and when its current stage should end.
pub struct ClaimListItem {
    pub claim: ClaimRow,
    pub next_expected: Estimate,
}

pub async fn list(state: &AppState, customer_id: &str) -> anyhow::Result<Vec<ClaimListItem>> {
    let rows = store::list_for_customer(&state.db.pool, customer_id).await?;
    with_forecasts(state, rows).await
}

async fn with_forecasts(
    state: &AppState,
    rows: Vec<ClaimRow>,
) -> anyhow::Result<Vec<ClaimListItem>> {
    let mut by_line: std::collections::HashMap<Line, StageMedians> = Default::default();
    let now = state.clock.now();
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        let line = Line::parse(&c.line).unwrap_or(Line::Auto);
        if let std::collections::hash_map::Entry::Vacant(e) = by_line.entry(line) {
            e.insert(medians(state, &state.db.pool, line).await?);
        }
        let f = rules::forecast(c.stage, c.stage_since, now, &by_line[&line], false);
        out.push(ClaimListItem {
            claim: c,
            next_expected: f.stage,
        });
    }
    Ok(out)
}

/// The claims queue for staff, with each claim's expected stage end (overdue ones show).
pub async fn queue(
    state: &AppState,
    filter: &store::QueueFilter,
    overdue_only: bool,
) -> anyhow::Result<Vec<ClaimListItem>> {
    let rows = store::queue(&state.db.pool, filter, 300).await?;
    let mut items = with_forecasts(state, rows).await?;
    if overdue_only {
        items.retain(|i| matches!(i.next_expected, Estimate::Overdue(_)));
    }
    Ok(items)
}

/// A file of a claim the caller may see (the claim lookup did the scoping), with its bytes.
pub async fn file(
    state: &AppState,
    claim_id: &str,
    file_id: &str,
) -> anyhow::Result<Option<(FileKind, Vec<u8>)>> {
    let Some(f) = store::file(&state.db.pool, claim_id, file_id).await? else {
        return Ok(None);
    };
    super::uploads::read(state, &f.kind, &f.storage_key).await
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("not found")]
    NotFound,
    /// The claim moved meanwhile, or the move is not in the stage machine.
    #[error(transparent)]
    Move(#[from] MoveError),
    /// Someone else changed it first (or the document is not awaiting that).
    #[error("conflict")]
    Conflict,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ChangeError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Sends files for one document of the customer's claim (from the checklist).
pub async fn upload(
    state: &AppState,
    customer_id: &str,
    claim_id: &str,
    document_id: &str,
    files: Vec<Upload>,
) -> Result<(), ChangeError> {
    let pool = &state.db.pool;
    let claim = store::get(pool, customer_id, claim_id)
        .await?
        .ok_or(ChangeError::NotFound)?;
    if claim.stage.is_closed() {
        return Err(ChangeError::Move(MoveError::Illegal));
    }
    let docs = store::documents(pool, claim_id).await?;
    let doc = docs
        .iter()
        .find(|d| d.id == document_id)
        .ok_or(ChangeError::NotFound)?;
    if doc.state == DocumentState::Accepted {
        return Err(ChangeError::Conflict);
    }
    let now = state.clock.now();
    let written = store_files(state, &format!("claims/{claim_id}"), files).await?;
    let result: Result<(), ChangeError> = async {
        let mut tx = pool.begin().await?;
        if !store::mark_received(&mut tx, claim_id, document_id, now).await? {
            return Err(ChangeError::Conflict);
        }
        for f in &written {
            insert_file(&mut tx, claim_id, customer_id, document_id, f, now).await?;
        }
        store::insert_event(
            &mut tx,
            store::NewEvent {
                claim_id,
                customer_id,
                kind: ClaimEventKind::DocumentReceived,
                from_stage: None,
                to_stage: claim.stage,
                actor_staff_id: None,
                actor_kind: "customer",
                note: &doc.kind,
                document_id: Some(document_id),
                amount_fen: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if result.is_err() {
        remove_files(state, &written).await;
    }
    result
}

/// The customer withdraws their claim (撤案), while it is before approval.
pub async fn withdraw(
    state: &AppState,
    customer_id: &str,
    claim_id: &str,
) -> Result<(), ChangeError> {
    let claim = store::get(&state.db.pool, customer_id, claim_id)
        .await?
        .ok_or(ChangeError::NotFound)?;
    change_stage(
        state,
        &claim,
        ClaimStage::Withdrawn,
        Actor::Customer,
        None,
        "",
    )
    .await
}

/// Who changes a claim.
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    Customer,
    Staff(&'a str),
}

impl Actor<'_> {
    fn kind(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Staff(_) => "staff",
        }
    }
}

fn staff_of<'a>(a: Actor<'a>) -> Option<&'a str> {
    match a {
        Actor::Staff(s) => Some(s),
        Actor::Customer => None,
    }
}

/// The SMS a customer gets about a change, if any: (dedupe suffix, translation key, args).
async fn notify(
    conn: &mut AnyConnection,
    state: &AppState,
    claim: &ClaimRow,
    event_id: &str,
    key: &str,
    extra: &[(&str, &str)],
    now: i64,
) -> sqlx::Result<()> {
    let Some(customer) = customers::profile(&mut *conn, &claim.customer_id).await? else {
        return Ok(());
    };
    let link = short_links::create_url(
        state,
        conn,
        &claim.customer_id,
        Purpose::Claim,
        &claim.id,
        now,
        now + LINK_DAYS * 86_400,
    )
    .await?;
    let mut args = vec![
        ("claim_no", claim.claim_no.as_str()),
        ("link", link.as_str()),
    ];
    args.extend_from_slice(extra);
    let body = t_in_with(Locale::ZhCn, key, &args);
    outbox::enqueue(
        &mut *conn,
        outbox::NewMessage {
            customer_id: Some(&claim.customer_id),
            phone: &customer.phone,
            category: "claim_progress",
            body: &body,
            secret_body: None,
            dedupe_key: Some(&format!("claim:{}:{event_id}", claim.id)),
            now,
        },
    )
    .await?;
    Ok(())
}

async fn facts(state: &AppState, claim: &ClaimRow) -> sqlx::Result<Facts> {
    let docs = store::documents(&state.db.pool, &claim.id).await?;
    let required: Vec<DocumentState> = docs
        .iter()
        .filter(|d| d.required == 1)
        .map(|d| d.state)
        .collect();
    let line = Line::parse(&claim.line).unwrap_or(Line::Auto);
    Ok(Facts {
        assessed: claim.amount_assessed_fen.map(Money),
        approved: claim.amount_approved_fen.map(Money),
        fast_track: rules::fast_track(
            &state.config.fast_track,
            line,
            claim.amount_claimed_fen.map(Money),
            &required,
        )
        .applies(),
    })
}

/// Moves `claim` (as last read) to `to`: the domain allows it, then one guarded UPDATE
/// from the stage we read, the event and the SMS, in one transaction.
async fn change_stage(
    state: &AppState,
    claim: &ClaimRow,
    to: ClaimStage,
    actor: Actor<'_>,
    reason: Option<&str>,
    note: &str,
) -> Result<(), ChangeError> {
    let by = match actor {
        Actor::Customer => Mover::Customer,
        Actor::Staff(_) => Mover::Staff,
    };
    rules::check_move(claim.stage, to, by, facts(state, claim).await?)?;
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if !store::move_stage(
        &mut tx,
        &claim.id,
        claim.stage,
        to,
        staff_of(actor),
        reason,
        now,
    )
    .await?
    {
        return Err(ChangeError::Conflict);
    }
    let note = reason.unwrap_or(note);
    let event = match store::insert_event(
        &mut tx,
        store::NewEvent {
            claim_id: &claim.id,
            customer_id: &claim.customer_id,
            kind: ClaimEventKind::Stage,
            from_stage: Some(claim.stage),
            to_stage: to,
            actor_staff_id: staff_of(actor),
            actor_kind: actor.kind(),
            note,
            document_id: None,
            amount_fen: (to == ClaimStage::Paid)
                .then_some(claim.amount_approved_fen)
                .flatten(),
            at: now,
        },
    )
    .await
    {
        Ok(id) => id,
        // The one-payout index: a second payment of the claim is refused here too.
        Err(e) if crate::backend::store::is_unique_violation(&e) => {
            return Err(ChangeError::Conflict)
        }
        Err(e) => return Err(e.into()),
    };
    let stage_name = t_in_with(Locale::ZhCn, &format!("claim.stage.{to}"), &[]);
    let paid = claim
        .amount_approved_fen
        .map(|f| Money(f).display())
        .unwrap_or_default();
    let (key, extra): (&str, Vec<(&str, &str)>) = match to {
        ClaimStage::Paid => ("sms.claim_paid", vec![("amount", paid.as_str())]),
        ClaimStage::Declined => ("sms.claim_declined", vec![]),
        ClaimStage::Withdrawn => ("sms.claim_withdrawn", vec![]),
        _ => ("sms.claim_stage", vec![("stage", stage_name.as_str())]),
    };
    notify(&mut tx, state, claim, &event, key, &extra, now).await?;
    if to == ClaimStage::Paid {
        super::surveys::invite(
            &mut tx,
            state,
            super::surveys::Completed {
                customer_id: &claim.customer_id,
                subject: SurveySubject::Claim,
                subject_id: &claim.id,
                service: super::surveys::CLAIM_SERVICE,
                service_zh: &t_in_with(Locale::ZhCn, "survey.service.claim", &[]),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Claims staff: move the claim on to its next stage (the survey skipped on the fast
/// track), from the stage the handler saw (`from`), with a note.
pub async fn advance(
    state: &AppState,
    staff_id: &str,
    claim_id: &str,
    from: ClaimStage,
    note: &str,
) -> Result<ClaimStage, ChangeError> {
    let claim = store::get_any(&state.db.pool, claim_id)
        .await?
        .ok_or(ChangeError::NotFound)?;
    if claim.stage != from {
        return Err(ChangeError::Conflict);
    }
    let f = facts(state, &claim).await?;
    let to = rules::next(claim.stage, f.fast_track).ok_or(MoveError::Illegal)?;
    change_stage(state, &claim, to, Actor::Staff(staff_id), None, note).await?;
    Ok(to)
}

/// Claims staff: decline (拒赔) with a reason the customer reads.
pub async fn decline(
    state: &AppState,
    staff_id: &str,
    claim_id: &str,
    from: ClaimStage,
    reason: &str,
) -> Result<(), ChangeError> {
    let claim = store::get_any(&state.db.pool, claim_id)
        .await?
        .ok_or(ChangeError::NotFound)?;
    if claim.stage != from {
        return Err(ChangeError::Conflict);
    }
    change_stage(
        state,
        &claim,
        ClaimStage::Declined,
        Actor::Staff(staff_id),
        Some(reason),
        "",
    )
    .await
}

/// Claims staff: the assessed (定损) or approved (核赔) amount.
pub async fn set_amount(
    state: &AppState,
    staff_id: &str,
    claim_id: &str,
    kind: ClaimEventKind,
    amount: Money,
) -> Result<(), ChangeError> {
    let claim = store::get_any(&state.db.pool, claim_id)
        .await?
        .ok_or(ChangeError::NotFound)?;
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if !store::set_amount(&mut tx, claim_id, kind, amount.fen(), now).await? {
        return Err(ChangeError::Move(MoveError::Illegal));
    }
    let event = store::insert_event(
        &mut tx,
        store::NewEvent {
            claim_id,
            customer_id: &claim.customer_id,
            kind,
            from_stage: None,
            to_stage: claim.stage,
            actor_staff_id: Some(staff_id),
            actor_kind: "staff",
            note: "",
            document_id: None,
            amount_fen: Some(amount.fen()),
            at: now,
        },
    )
    .await?;
    let shown = amount.display();
    let key = if kind == ClaimEventKind::Assessed {
        "sms.claim_assessed"
    } else {
        "sms.claim_approved"
    };
    notify(
        &mut tx,
        state,
        &claim,
        &event,
        key,
        &[("amount", shown.as_str())],
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Claims staff: ask the customer for a document (again), saying why in `note`.
pub async fn request_document(
    state: &AppState,
    staff_id: &str,
    claim_id: &str,
    kind: DocKind,
    note: &str,
) -> Result<(), ChangeError> {
    let claim = store::get_any(&state.db.pool, claim_id)
        .await?
        .ok_or(ChangeError::NotFound)?;
    if claim.stage.is_closed() {
        return Err(ChangeError::Move(MoveError::Illegal));
    }
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    let Some(doc_id) = store::request_document(
        &mut tx,
        claim_id,
        &claim.customer_id,
        kind.as_str(),
        true,
        DocumentState::Missing,
        Some(staff_id),
        now,
    )
    .await?
    else {
        // Already on the list and not yet answered.
        return Err(ChangeError::Conflict);
    };
    let event = store::insert_event(
        &mut tx,
        store::NewEvent {
            claim_id,
            customer_id: &claim.customer_id,
            kind: ClaimEventKind::DocumentRequested,
            from_stage: None,
            to_stage: claim.stage,
            actor_staff_id: Some(staff_id),
            actor_kind: "staff",
            note,
            document_id: Some(&doc_id),
            amount_fen: None,
            at: now,
        },
    )
    .await?;
    let doc = t_in_with(Locale::ZhCn, &format!("claim.doc.{}", kind.as_str()), &[]);
    notify(
        &mut tx,
        state,
        &claim,
        &event,
        "sms.claim_document",
        &[("doc", doc.as_str())],
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Claims staff: accept a received document, or reject it with a reason (the customer is
/// told and sends another).
pub async fn review_document(
    state: &AppState,
    staff_id: &str,
    claim_id: &str,
    document_id: &str,
    accept: bool,
    reason: &str,
) -> Result<(), ChangeError> {
    let claim = store::get_any(&state.db.pool, claim_id)
        .await?
        .ok_or(ChangeError::NotFound)?;
    let docs = store::documents(&state.db.pool, claim_id).await?;
    let doc = docs
        .iter()
        .find(|d| d.id == document_id)
        .ok_or(ChangeError::NotFound)?;
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    let reason = (!accept).then_some(reason);
    if !store::review_document(&mut tx, claim_id, document_id, accept, reason, now).await? {
        return Err(ChangeError::Conflict);
    }
    let event = store::insert_event(
        &mut tx,
        store::NewEvent {
            claim_id,
            customer_id: &claim.customer_id,
            kind: if accept {
                ClaimEventKind::DocumentAccepted
            } else {
                ClaimEventKind::DocumentRejected
            },
            from_stage: None,
            to_stage: claim.stage,
            actor_staff_id: Some(staff_id),
            actor_kind: "staff",
            note: reason.unwrap_or(""),
            document_id: Some(document_id),
            amount_fen: None,
            at: now,
        },
    )
    .await?;
    if !accept {
        let name = t_in_with(Locale::ZhCn, &format!("claim.doc.{}", doc.kind), &[]);
        notify(
            &mut tx,
            state,
            &claim,
            &event,
            "sms.claim_document_rejected",
            &[("doc", name.as_str()), ("reason", reason.unwrap_or(""))],
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Claims staff: a note on the timeline (the customer reads it too).
pub async fn add_note(
    state: &AppState,
    staff_id: &str,
    claim_id: &str,
    note: &str,
) -> Result<(), ChangeError> {
    let claim = store::get_any(&state.db.pool, claim_id)
        .await?
        .ok_or(ChangeError::NotFound)?;
    let mut tx = state.db.pool.begin().await?;
    store::insert_event(
        &mut tx,
        store::NewEvent {
            claim_id,
            customer_id: &claim.customer_id,
            kind: ClaimEventKind::Note,
            from_stage: None,
            to_stage: claim.stage,
            actor_staff_id: Some(staff_id),
            actor_kind: "staff",
            note,
            document_id: None,
            amount_fen: None,
            at: state.clock.now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
