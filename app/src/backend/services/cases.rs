//! Complaint and question cases as people use them: a customer opens one (a number at
//! once and an SMS), follows it, replies, withdraws it or reopens an answer; the first
//! member of staff to take it owns it (首问负责制) until a handover they log and the new
//! owner accepts, acknowledges it, works on it, extends its deadline with a reason (a second
//! time only with a supervisor's approval), answers it and closes it. Every move is one
//! guarded UPDATE plus a timeline entry (a one-time step recorded once), an audit row and,
//! when the customer should hear of it, an SMS, all in one transaction.

use super::short_links::{self, Purpose};
use super::uploads::{remove_files, store_files, Stored, Upload};
use crate::backend::domain::cases::{
    self as rules, Actor, CaseText, ComplainedAbout, ExtendError, ExtensionReason, MoveError,
    RootCause, Warning,
};
use crate::backend::domain::uploads::FileKind;
use crate::backend::store::cases::{
    self as store, CaseFileRow, CaseRow, EventRow, ExtensionRow, FileOnRecord, MoveSet, NewEvent,
    StaffPick, SubjectRow,
};
use crate::backend::store::{audit, customers, is_unique_violation, outbox};
use crate::backend::AppState;
use crate::i18n::{t_in, t_in_with, Locale};
use crate::model::CaseState as State;
use crate::model::{CaseCategory as Category, CaseEventKind as EventKind, CaseKind as Kind};
use sqlx::AnyConnection;

/// Cases shown on one page.
const LIST_LIMIT: i64 = 200;
/// Files one message (the opening text or a reply) may carry (issue 23).
pub const MAX_FILES: usize = 5;
/// Claim files offered to staff for linking.
const ON_RECORD_LIMIT: i64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("case not found")]
    NotFound,
    /// Someone else moved it first, or the caller no longer owns it.
    #[error("case moved meanwhile")]
    Conflict,
    #[error(transparent)]
    Illegal(#[from] MoveError),
    /// Only the case's owner may do this.
    #[error("not the owner")]
    NotOwner,
    #[error(transparent)]
    ComplainedAbout(#[from] ComplainedAbout),
    /// More than 30 days since the answer.
    #[error("reopen window closed")]
    ReopenWindow,
    #[error(transparent)]
    Extend(#[from] ExtendError),
    /// The policy, claim, payment, booking or member of staff named is not the customer's.
    #[error("subject not found")]
    Subject,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for CaseError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Who a complaint about a member of staff names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum About {
    Nobody,
    /// One of the staff who served the customer (`store::staff_who_served`).
    Staff(String),
    /// A name in the customer's words.
    Named(String),
}

/// A case as the customer filled in the form, already parsed.
pub struct NewCase {
    pub kind: Kind,
    pub category: Category,
    /// A policy, claim, payment or booking id of the customer's, matching the category.
    pub subject_id: Option<String>,
    pub about: About,
    pub body: CaseText,
}

/// The category a subject of `kind` (`store::SubjectRow::category`) belongs to.
fn subject_fits(category: Category, row: &SubjectRow, id: &str) -> bool {
    row.id == id && row.category == category.as_str()
}

/// The audit row of `who` doing `action` on case `c`.
async fn audit_row(
    conn: &mut AnyConnection,
    who: Mover<'_>,
    c: &CaseRow,
    action: &str,
    ip: &str,
    now: i64,
) -> sqlx::Result<()> {
    let entry = audit::AuditEntry {
        actor_kind: who.actor_kind(),
        actor_id: Some(who.id()),
        customer_id: Some(&c.customer_id),
        action,
        detail: &c.id,
        ip: Some(ip),
        now,
    };
    audit::record(conn, entry).await
}

/// How long a case's SMS link works: longer than the longest deadline (60 days) plus the
/// 30 days in which an answer may be reopened.
const LINK_DAYS: i64 = 90;

/// Queues the SMS `cases.sms.{what}` to the case's customer, in their language, once per
/// `dedupe` (category `servicing`: see migration 0014).
async fn notify(
    conn: &mut AnyConnection,
    state: &AppState,
    c: &CaseRow,
    what: &str,
    dedupe: &str,
    extra: &[(&str, &str)],
    now: i64,
) -> anyhow::Result<()> {
    let Some(contact) = customers::contact(&mut *conn, &c.customer_id).await? else {
        return Ok(());
    };
    let locale = Locale::parse(&contact.locale).unwrap_or_default();
    let link = short_links::create_url(
        state,
        &mut *conn,
        &c.customer_id,
        Purpose::Case,
        &c.id,
        now,
        now + LINK_DAYS * 86_400,
    )
    .await?;
    let kind = t_in(locale, &format!("cases.kind.{}", c.kind));
    let mut args: Vec<(&str, &str)> = vec![
        ("no", c.case_no.as_str()),
        ("kind", kind.as_str()),
        ("link", link.as_str()),
    ];
    args.extend_from_slice(extra);
    let body = t_in_with(locale, &format!("cases.sms.{what}"), &args);
    outbox::enqueue(
        &mut *conn,
        outbox::NewMessage {
            customer_id: Some(&c.customer_id),
            phone: &contact.phone,
            category: "servicing",
            body: &body,
            secret_body: None,
            dedupe_key: Some(&format!("case:{}:{dedupe}", c.id)),
            now,
        },
    )
    .await?;
    Ok(())
}

/// A date as the SMS shows it, in Asia/Shanghai.
fn sms_date(unix: i64) -> String {
    crate::backend::clock::shanghai_date(unix)
        .format("%Y-%m-%d")
        .to_string()
}

/// Opens a case: checks that what it is about is the customer's, numbers it, records it
/// with its first timeline entry and the audit row, and queues the SMS with the number,
/// in one transaction. Returns the case's id.
pub async fn open(
    state: &AppState,
    customer_id: &str,
    new: NewCase,
    files: Vec<Upload>,
    ip: &str,
) -> Result<String, CaseError> {
    let pool = &state.db.pool;
    if let Some(subject) = &new.subject_id {
        let mine = store::subjects(pool, customer_id).await?;
        if !mine.iter().any(|r| subject_fits(new.category, r, subject)) {
            return Err(CaseError::Subject);
        }
    }
    let (about_id, about_name) = match &new.about {
        About::Nobody => (None, String::new()),
        About::Named(name) => (None, name.clone()),
        About::Staff(id) => {
            let served = store::staff_who_served(pool, customer_id).await?;
            if !served.iter().any(|s| &s.id == id) {
                return Err(CaseError::Subject);
            }
            (Some(id.as_str()), String::new())
        }
    };
    let now = state.clock.now();
    let year = chrono::Datelike::year(&state.clock.today_shanghai());
    let id = crate::backend::ids::new_id();
    let written = store_files(state, &format!("cases/{id}"), files).await?;
    let result = open_recorded(
        state,
        customer_id,
        &new,
        &id,
        (about_id, &about_name),
        &written,
        ip,
        now,
        year,
    )
    .await;
    if result.is_err() {
        remove_files(state, &written).await;
    }
    result.map(|()| id)
}

/// The database half of `open`: everything in one transaction.
#[allow(clippy::too_many_arguments)]
async fn open_recorded(
    state: &AppState,
    customer_id: &str,
    new: &NewCase,
    id: &str,
    (about_id, about_name): (Option<&str>, &str),
    written: &[Stored],
    ip: &str,
    now: i64,
    year: i32,
) -> Result<(), CaseError> {
    let mut tx = state.db.pool.begin().await?;
    let n = store::next_case_no(&mut tx, year).await?;
    let case_no = rules::case_no(year, n);
    store::insert_case(
        &mut tx,
        store::NewCase {
            id,
            case_no: &case_no,
            customer_id,
            kind: new.kind,
            category: new.category,
            subject_id: new.subject_id.as_deref(),
            about_staff_id: about_id,
            about_staff_name: about_name,
            body: new.body.as_str(),
            due_at: rules::due_at(now, 0),
            now,
        },
    )
    .await?;
    let event_id = store::insert_event(
        &mut tx,
        NewEvent {
            to_state: Some(State::Received),
            once_key: Some("received:0"),
            ..NewEvent::on(id, customer_id, EventKind::State, now)
        },
    )
    .await?;
    attach(&mut tx, id, customer_id, &event_id, written, now).await?;
    let c = store::get(&mut *tx, customer_id, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a case just made vanished"))?;
    let who = Mover::Customer(customer_id);
    audit_row(&mut tx, who, &c, "case.opened", ip, now).await?;
    let due = sms_date(c.due_at);
    notify(
        &mut tx,
        state,
        &c,
        "opened",
        "opened",
        &[("due", &due)],
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Names the files written for a message (timeline entry `event_id`) in the database.
async fn attach(
    conn: &mut AnyConnection,
    case_id: &str,
    customer_id: &str,
    event_id: &str,
    written: &[Stored],
    now: i64,
) -> sqlx::Result<()> {
    for f in written {
        store::insert_file(
            &mut *conn,
            store::NewCaseFile {
                id: &f.id,
                case_id,
                customer_id,
                event_id,
                storage_key: Some(&f.key),
                claim_file_id: None,
                kind: f.kind.as_str(),
                size_bytes: f.size,
                name: &f.name,
                now,
            },
        )
        .await?;
    }
    Ok(())
}

/// Who moves a case, and in whose name the audit row is written.
#[derive(Clone, Copy)]
enum Mover<'a> {
    Customer(&'a str),
    Staff(&'a str),
}

impl Mover<'_> {
    fn actor_kind(&self) -> &'static str {
        match self {
            Self::Customer(_) => "customer",
            Self::Staff(_) => "staff",
        }
    }
    fn id(&self) -> &str {
        match self {
            Self::Customer(id) | Self::Staff(id) => id,
        }
    }
    fn staff(&self) -> Option<&str> {
        match self {
            Self::Customer(_) => None,
            Self::Staff(id) => Some(id),
        }
    }
}

/// One guarded state change of case `c` with its timeline entry (once per round) and audit
/// row, and the SMS `sms` if given, in one transaction.
#[allow(clippy::too_many_arguments)]
async fn transition(
    state: &AppState,
    c: &CaseRow,
    who: Mover<'_>,
    to: State,
    set: MoveSet<'_>,
    note: &str,
    ip: &str,
    sms: Option<&str>,
) -> Result<(), CaseError> {
    let actor = match who {
        Mover::Customer(_) => Actor::Customer,
        Mover::Staff(_) => Actor::Owner,
    };
    if c.state == to {
        return Err(CaseError::Conflict);
    }
    rules::check_move(actor, c.state, to)?;
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if !store::move_state(&mut tx, &c.id, c.state, to, who.staff(), set, now).await? {
        return Err(CaseError::Conflict);
    }
    let once = format!("{to}:{}", c.round);
    let event = store::insert_event(
        &mut tx,
        NewEvent {
            to_state: Some(to),
            staff_id: who.staff(),
            body: note,
            once_key: Some(&once),
            ..NewEvent::on(&c.id, &c.customer_id, EventKind::State, now)
        },
    )
    .await;
    match event {
        Err(e) if is_unique_violation(&e) => return Err(CaseError::Conflict),
        other => other?,
    };
    audit_row(&mut tx, who, c, &format!("case.{to}"), ip, now).await?;
    if let Some(what) = sms {
        notify(&mut tx, state, c, what, &once, &[], now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A timeline message (a reply) on an open case, with its audit row: the customer's, or
/// the owner's.
/// The owner's reply is sent to the customer by SMS too (with a link to read it).
async fn reply(
    state: &AppState,
    c: &CaseRow,
    who: Mover<'_>,
    text: &CaseText,
    files: Vec<Upload>,
    ip: &str,
) -> Result<(), CaseError> {
    if !c.state.is_open() {
        return Err(CaseError::Conflict);
    }
    let written = store_files(state, &format!("cases/{}", c.id), files).await?;
    let result = async {
        let now = state.clock.now();
        let mut tx = state.db.pool.begin().await?;
        let event_id = store::insert_event(
            &mut tx,
            NewEvent {
                staff_id: who.staff(),
                body: text.as_str(),
                ..NewEvent::on(&c.id, &c.customer_id, EventKind::Reply, now)
            },
        )
        .await?;
        attach(&mut tx, &c.id, &c.customer_id, &event_id, &written, now).await?;
        audit_row(&mut tx, who, c, "case.reply", ip, now).await?;
        if who.staff().is_some() {
            let dedupe = format!("reply:{event_id}");
            notify(&mut tx, state, c, "replied", &dedupe, &[], now).await?;
        }
        tx.commit().await?;
        Ok(())
    }
    .await;
    if result.is_err() {
        remove_files(state, &written).await;
    }
    result
}

async fn mine(state: &AppState, customer_id: &str, id: &str) -> Result<CaseRow, CaseError> {
    store::get(&state.db.pool, customer_id, id)
        .await?
        .ok_or(CaseError::NotFound)
}

/// The customer writes on their open case.
pub async fn customer_reply(
    state: &AppState,
    customer_id: &str,
    id: &str,
    text: &CaseText,
    files: Vec<Upload>,
    ip: &str,
) -> Result<(), CaseError> {
    let c = mine(state, customer_id, id).await?;
    reply(state, &c, Mover::Customer(customer_id), text, files, ip).await
}

/// 撤回 — the customer withdraws an open case.
pub async fn withdraw(
    state: &AppState,
    customer_id: &str,
    id: &str,
    ip: &str,
) -> Result<(), CaseError> {
    let c = mine(state, customer_id, id).await?;
    let who = Mover::Customer(customer_id);
    transition(
        state,
        &c,
        who,
        State::Withdrawn,
        MoveSet::default(),
        "",
        ip,
        None,
    )
    .await
}

/// The customer does not accept the answer: within 30 days of it, the case opens again
/// with a new 15-day clock, saying why.
pub async fn reopen(
    state: &AppState,
    customer_id: &str,
    id: &str,
    why: &CaseText,
    ip: &str,
) -> Result<(), CaseError> {
    let c = mine(state, customer_id, id).await?;
    let now = state.clock.now();
    if matches!(c.state, State::Resolved | State::Closed)
        && !rules::may_reopen(c.state, c.resolved_at, now)
    {
        return Err(CaseError::ReopenWindow);
    }
    let set = MoveSet {
        answer: None,
        new_round: Some((now, rules::due_at(now, 0))),
    };
    let who = Mover::Customer(customer_id);
    transition(state, &c, who, State::Reopened, set, why.as_str(), ip, None).await
}

async fn any_case(state: &AppState, id: &str) -> Result<CaseRow, CaseError> {
    store::get_any(&state.db.pool, id)
        .await?
        .ok_or(CaseError::NotFound)
}

fn owned_by(c: &CaseRow, staff_id: &str) -> Result<(), CaseError> {
    if c.owner_staff_id.as_deref() == Some(staff_id) {
        Ok(())
    } else {
        Err(CaseError::NotOwner)
    }
}

/// 首问负责制: the first member of staff to take an ownerless case owns it. Of two taking
/// it at once, one wins (a guarded UPDATE); the person complained about never does.
pub async fn take(state: &AppState, staff_id: &str, id: &str, ip: &str) -> Result<(), CaseError> {
    let c = any_case(state, id).await?;
    rules::check_owner(staff_id, c.about_staff_id.as_deref())?;
    if c.owner_staff_id.is_some() {
        return Err(CaseError::Conflict);
    }
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if !store::take(&mut tx, &c.id, staff_id, now).await? {
        return Err(CaseError::Conflict);
    }
    owner_event(
        &mut tx,
        &c,
        staff_id,
        EventKind::Taken,
        Some("taken"),
        "case.taken",
        ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A timeline entry about ownership (taken, handover offered or accepted) and its audit row.
#[allow(clippy::too_many_arguments)]
async fn owner_event(
    conn: &mut AnyConnection,
    c: &CaseRow,
    staff_id: &str,
    kind: EventKind,
    once_key: Option<&str>,
    action: &str,
    ip: &str,
    now: i64,
) -> Result<(), CaseError> {
    let event = store::insert_event(
        conn,
        NewEvent {
            staff_id: Some(staff_id),
            once_key,
            ..NewEvent::on(&c.id, &c.customer_id, kind, now)
        },
    )
    .await;
    match event {
        Err(e) if is_unique_violation(&e) => return Err(CaseError::Conflict),
        other => other?,
    };
    audit_row(conn, Mover::Staff(staff_id), c, action, ip, now).await?;
    Ok(())
}

/// A move the owner makes that needs nothing more: acknowledge, start work, close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffMove {
    Acknowledge,
    Start,
    Close,
}

impl StaffMove {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "acknowledged" => Some(Self::Acknowledge),
            "in_progress" => Some(Self::Start),
            "closed" => Some(Self::Close),
            _ => None,
        }
    }
    fn to(self) -> State {
        match self {
            Self::Acknowledge => State::Acknowledged,
            Self::Start => State::InProgress,
            Self::Close => State::Closed,
        }
    }
}

pub async fn staff_move(
    state: &AppState,
    staff_id: &str,
    id: &str,
    m: StaffMove,
    ip: &str,
) -> Result<(), CaseError> {
    let c = any_case(state, id).await?;
    owned_by(&c, staff_id)?;
    let who = Mover::Staff(staff_id);
    transition(state, &c, who, m.to(), MoveSet::default(), "", ip, None).await
}

/// The owner's final answer, with the root cause; the customer is told by SMS.
pub async fn resolve(
    state: &AppState,
    staff_id: &str,
    id: &str,
    answer: &CaseText,
    cause: RootCause,
    ip: &str,
) -> Result<(), CaseError> {
    let c = any_case(state, id).await?;
    owned_by(&c, staff_id)?;
    let set = MoveSet {
        answer: Some((answer.as_str(), cause.as_str())),
        new_round: None,
    };
    let who = Mover::Staff(staff_id);
    let text = answer.as_str();
    transition(
        state,
        &c,
        who,
        State::Resolved,
        set,
        text,
        ip,
        Some("resolved"),
    )
    .await
}

/// The owner writes to the customer on an open case.
pub async fn staff_reply(
    state: &AppState,
    staff_id: &str,
    id: &str,
    text: &CaseText,
    ip: &str,
) -> Result<(), CaseError> {
    let c = any_case(state, id).await?;
    owned_by(&c, staff_id)?;
    reply(state, &c, Mover::Staff(staff_id), text, vec![], ip).await
}

/// 不重复索要材料: the owner links a claim file the portal already holds for the
/// customer to the case, instead of asking the customer to send it again. The customer
/// sees it on the case; linking it twice changes nothing.
pub async fn link_document(
    state: &AppState,
    staff_id: &str,
    id: &str,
    claim_file_id: &str,
    ip: &str,
) -> Result<(), CaseError> {
    let c = any_case(state, id).await?;
    owned_by(&c, staff_id)?;
    if !c.state.is_open() {
        return Err(CaseError::Conflict);
    }
    let pool = &state.db.pool;
    let on_record = store::files_on_record(pool, &c.customer_id, ON_RECORD_LIMIT).await?;
    let f = on_record
        .iter()
        .find(|f| f.id == claim_file_id)
        .ok_or(CaseError::Subject)?;
    let now = state.clock.now();
    let mut tx = pool.begin().await?;
    let event_id = store::insert_event(
        &mut tx,
        NewEvent {
            staff_id: Some(staff_id),
            body: &f.claim_no,
            ..NewEvent::on(&c.id, &c.customer_id, EventKind::Linked, now)
        },
    )
    .await?;
    let linked = store::insert_file(
        &mut tx,
        store::NewCaseFile {
            id: &crate::backend::ids::new_id(),
            case_id: &c.id,
            customer_id: &c.customer_id,
            event_id: &event_id,
            storage_key: None,
            claim_file_id: Some(&f.id),
            kind: &f.kind,
            size_bytes: f.size_bytes,
            name: "",
            now,
        },
    )
    .await;
    match linked {
        // Linked already: nothing to add.
        Err(e) if is_unique_violation(&e) => return Ok(()),
        other => other?,
    }
    audit_row(
        &mut tx,
        Mover::Staff(staff_id),
        &c,
        "case.document_linked",
        ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A file of a case the caller may read (the case lookup did the scoping), with its bytes.
pub async fn file(
    state: &AppState,
    case_id: &str,
    file_id: &str,
) -> anyhow::Result<Option<(FileKind, Vec<u8>)>> {
    let Some(f) = store::file(&state.db.pool, case_id, file_id).await? else {
        return Ok(None);
    };
    super::uploads::read(state, &f.kind, &f.storage_key).await
}

/// How many cases one run of the warning job looks at per level.
const WARN_BATCH: i64 = 200;

/// The scheduled deadline warnings: for each open case whose clock has run half, 80 % or
/// all of its time, a `warned` timeline entry staff see, once per round and level (two
/// instances racing write it once: the once-key). An overdue case also tells the customer,
/// by SMS, that we are late and that the case is still open. Returns the warnings raised.
pub async fn warn_due(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let mut raised = 0;
    for (level, tenths) in [
        (Warning::Overdue, 10),
        (Warning::Late, 8),
        (Warning::Half, 5),
    ] {
        let due =
            store::due_for_warning(&state.db.pool, level.as_str(), tenths, now, WARN_BATCH).await?;
        for c in due {
            // The SQL's threshold is inclusive; the rule decides (an overdue case is late
            // only once its due time has passed).
            if rules::warning(c.state, c.clock_start_at, c.due_at, now) < level {
                continue;
            }
            if warn(state, &c, level, now).await? {
                raised += 1;
            }
        }
    }
    Ok(raised)
}

async fn warn(state: &AppState, c: &CaseRow, level: Warning, now: i64) -> anyhow::Result<bool> {
    let once = format!("warned:{}:{}", c.round, level.as_str());
    let mut tx = state.db.pool.begin().await?;
    let entry = store::insert_event(
        &mut tx,
        NewEvent {
            body: level.as_str(),
            once_key: Some(&once),
            ..NewEvent::on(&c.id, &c.customer_id, EventKind::Warned, now)
        },
    )
    .await;
    match entry {
        Err(e) if is_unique_violation(&e) => return Ok(false),
        other => other?,
    };
    if level == Warning::Overdue {
        let due = sms_date(c.due_at);
        notify(&mut tx, state, c, "overdue", &once, &[("due", &due)], now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Moves the deadline: the first time (to 30 days) by the owner with a reason; the second
/// (to 60) only by someone who may approve it (`approver`: `Permission::ExtendCases`),
/// who is recorded. The customer is told by SMS with the reason.
pub async fn extend(
    state: &AppState,
    staff_id: &str,
    approver: bool,
    id: &str,
    reason: &ExtensionReason,
    ip: &str,
) -> Result<(), CaseError> {
    let c = any_case(state, id).await?;
    let extensions = u8::try_from(c.extensions).unwrap_or(u8::MAX);
    let step = rules::next_extension(c.state, extensions, approver)?;
    if step == 1 {
        owned_by(&c, staff_id)?;
    }
    let now = state.clock.now();
    let due = rules::due_at(c.clock_start_at, step);
    let mut tx = state.db.pool.begin().await?;
    if !store::extend(&mut tx, &c.id, c.extensions, due, now).await? {
        return Err(CaseError::Conflict);
    }
    let recorded = store::insert_extension(
        &mut tx,
        store::NewExtension {
            case_id: &c.id,
            round: c.round,
            step,
            reason: reason.as_str(),
            staff_id,
            approved_by: (step == 2).then_some(staff_id),
            old_due_at: c.due_at,
            new_due_at: due,
            at: now,
        },
    )
    .await;
    match recorded {
        Err(e) if is_unique_violation(&e) => return Err(CaseError::Conflict),
        other => other?,
    }
    let once = format!("extended:{}:{step}", c.round);
    store::insert_event(
        &mut tx,
        NewEvent {
            staff_id: Some(staff_id),
            body: reason.as_str(),
            once_key: Some(&once),
            ..NewEvent::on(&c.id, &c.customer_id, EventKind::Extended, now)
        },
    )
    .await?;
    let action = if step == 1 {
        "case.extended"
    } else {
        "case.extension_approved"
    };
    audit_row(&mut tx, Mover::Staff(staff_id), &c, action, ip, now).await?;
    let due_text = sms_date(due);
    let extra = [("due", due_text.as_str()), ("reason", reason.as_str())];
    notify(&mut tx, state, &c, "extended", &once, &extra, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The owner offers the case to another member of staff (never the person complained
/// about); it stays theirs until that one accepts.
pub async fn offer_handover(
    state: &AppState,
    staff_id: &str,
    id: &str,
    to: &str,
    ip: &str,
) -> Result<(), CaseError> {
    let c = any_case(state, id).await?;
    owned_by(&c, staff_id)?;
    rules::check_owner(to, c.about_staff_id.as_deref())?;
    let handlers = store::handlers(&state.db.pool).await?;
    if to == staff_id || !handlers.iter().any(|s| s.id == to) {
        return Err(CaseError::Subject);
    }
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if !store::offer_handover(&mut tx, &c.id, staff_id, to, now).await? {
        return Err(CaseError::Conflict);
    }
    let action = "case.handover_offered";
    owner_event(
        &mut tx,
        &c,
        staff_id,
        EventKind::HandoverOffered,
        None,
        action,
        ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The member of staff a case was offered to accepts it and owns it from now on.
pub async fn accept_handover(
    state: &AppState,
    staff_id: &str,
    id: &str,
    ip: &str,
) -> Result<(), CaseError> {
    let c = any_case(state, id).await?;
    rules::check_owner(staff_id, c.about_staff_id.as_deref())?;
    if c.handover_to_staff_id.as_deref() != Some(staff_id) {
        return Err(CaseError::Conflict);
    }
    let now = state.clock.now();
    let mut tx = state.db.pool.begin().await?;
    if !store::accept_handover(&mut tx, &c.id, staff_id, now).await? {
        return Err(CaseError::Conflict);
    }
    let action = "case.handover_accepted";
    owner_event(
        &mut tx,
        &c,
        staff_id,
        EventKind::HandoverAccepted,
        None,
        action,
        ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The customer's cases.
pub async fn list(state: &AppState, customer_id: &str) -> anyhow::Result<Vec<CaseRow>> {
    Ok(store::list_for_customer(&state.db.pool, customer_id, LIST_LIMIT).await?)
}

/// One case, its timeline and the extensions of its current round.
pub struct CaseView {
    pub case: CaseRow,
    /// For the customer, without the staff-only entries (deadline warnings).
    pub events: Vec<EventRow>,
    pub extensions: Vec<ExtensionRow>,
    /// What came with the messages (`CaseFileRow::event_id` says which).
    pub files: Vec<CaseFileRow>,
    /// Staff pages: who the case may be handed over to.
    pub handlers: Vec<StaffPick>,
    /// Staff pages: the customer's claim files, to link instead of asking for them again.
    pub on_record: Vec<FileOnRecord>,
}

async fn with_timeline(
    state: &AppState,
    case: Option<CaseRow>,
    staff: bool,
) -> anyhow::Result<Option<CaseView>> {
    let Some(case) = case else {
        return Ok(None);
    };
    let pool = &state.db.pool;
    let (handlers, on_record) = if staff {
        let handlers = store::handlers(pool)
            .await?
            .into_iter()
            .filter(|s| {
                Some(&s.id) != case.owner_staff_id.as_ref()
                    && Some(&s.id) != case.about_staff_id.as_ref()
            })
            .collect();
        let on_record = store::files_on_record(pool, &case.customer_id, ON_RECORD_LIMIT).await?;
        (handlers, on_record)
    } else {
        (vec![], vec![])
    };
    let mut events = store::events(pool, &case.id).await?;
    if !staff {
        events.retain(|e| e.kind != EventKind::Warned);
    }
    Ok(Some(CaseView {
        events,
        extensions: store::extensions(pool, &case.id, case.round).await?,
        files: store::files(pool, &case.id).await?,
        handlers,
        on_record,
        case,
    }))
}

/// One of the customer's cases; `None` for anyone else's.
pub async fn view(
    state: &AppState,
    customer_id: &str,
    id: &str,
) -> anyhow::Result<Option<CaseView>> {
    let case = store::get(&state.db.pool, customer_id, id).await?;
    with_timeline(state, case, false).await
}

/// Any case, for case handlers.
pub async fn staff_view(state: &AppState, id: &str) -> anyhow::Result<Option<CaseView>> {
    let case = store::get_any(&state.db.pool, id).await?;
    with_timeline(state, case, true).await
}

/// What the new-case form offers: the customer's own things and the staff who served them.
pub struct CaseForm {
    pub subjects: Vec<SubjectRow>,
    pub staff: Vec<StaffPick>,
}

pub async fn form(state: &AppState, customer_id: &str) -> anyhow::Result<CaseForm> {
    let pool = &state.db.pool;
    Ok(CaseForm {
        subjects: store::subjects(pool, customer_id).await?,
        staff: store::staff_who_served(pool, customer_id).await?,
    })
}

/// The handlers' queue: open cases (or those in `only`), of `category` if given, the
/// soonest due first.
pub async fn queue(
    state: &AppState,
    only: Option<State>,
    category: Option<Category>,
) -> anyhow::Result<Vec<CaseRow>> {
    let open: Vec<State> = State::ALL.iter().copied().filter(|s| s.is_open()).collect();
    let states = only.map(|s| vec![s]).unwrap_or(open);
    Ok(store::queue(&state.db.pool, &states, category, LIST_LIMIT).await?)
}
