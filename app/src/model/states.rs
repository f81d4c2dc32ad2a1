//! The states rows move through, decoded once in the store (`TryFrom<String>`), compared as
//! enums everywhere else. `as_str` is the stored value and the tail of translation keys
//! (`payment.state.{}`).

use serde::{Deserialize, Serialize};

/// Defines a state enum with `ALL`, `as_str`, `parse`, `Display` and `TryFrom<String>`.
macro_rules! state_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $s),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).ok_or_else(|| format!("unknown {} {s:?}", stringify!($name)))
            }
        }
    };
}

state_enum! {
    /// A payment: `created → pending → succeeded | failed | expired`.
    PaymentState {
        /// The idempotency key is claimed; the gateway may not have the charge yet.
        Created => "created",
        /// The gateway accepted the charge; its answer has not come.
        Pending => "pending",
        Succeeded => "succeeded",
        Failed => "failed",
        /// Never settled before the deadline (`domain::payment`); the offer is free again.
        Expired => "expired",
    }
}

impl PaymentState {
    /// Succeeded, failed or expired: nothing more will happen to it.
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Expired)
    }
}

state_enum! {
    /// A renewal offer.
    OfferState {
        Open => "open",
        Paid => "paid",
        /// A newer version replaced it.
        Superseded => "superseded",
        Expired => "expired",
    }
}

state_enum! {
    /// A policy.
    PolicyStatus {
        Active => "active",
        /// 脱保 — cover ended without renewal.
        Lapsed => "lapsed",
        Cancelled => "cancelled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_stored_names() {
        for s in PaymentState::ALL {
            assert_eq!(PaymentState::try_from(s.as_str().to_owned()), Ok(*s));
        }
        for s in OfferState::ALL {
            assert_eq!(OfferState::parse(s.as_str()), Some(*s));
        }
        for s in PolicyStatus::ALL {
            assert_eq!(PolicyStatus::parse(&s.to_string()), Some(*s));
        }
        assert!(PaymentState::try_from("refunded".to_owned()).is_err());
    }
}

state_enum! {
    /// A text message in the outbox.
    OutboxState {
        Queued => "queued",
        /// Held for quiet hours or the person's window (`defer_until`).
        Deferred => "deferred",
        /// Claimed by one sender.
        Sending => "sending",
        Sent => "sent",
        /// Dropped for good (`suppressed_reason`: opted out, weekly cap, bad number).
        Suppressed => "suppressed",
    }
}

state_enum! {
    /// A claim: 报案 reported → 查勘 survey → 定损 assessment → 核赔 approval → 支付 paid,
    /// or 拒赔 declined / 撤案 withdrawn. The moves are `backend::domain::claims`.
    ClaimStage {
        /// 报案
        Reported => "reported",
        /// 查勘 — the loss is inspected.
        Survey => "survey",
        /// 定损 — the loss is valued.
        Assessment => "assessment",
        /// 核赔 — the payout is approved.
        Approval => "approval",
        /// 支付
        Paid => "paid",
        /// 拒赔
        Declined => "declined",
        /// 撤案
        Withdrawn => "withdrawn",
    }
}

impl ClaimStage {
    /// The way a claim normally goes, in order (the timeline's rows).
    pub const PATH: [ClaimStage; 5] = [
        Self::Reported,
        Self::Survey,
        Self::Assessment,
        Self::Approval,
        Self::Paid,
    ];

    /// Paid, declined or withdrawn: nothing more will happen to it.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Paid | Self::Declined | Self::Withdrawn)
    }
}

state_enum! {
    /// One document on a claim's checklist.
    DocumentState {
        Missing => "missing",
        /// A file came; a handler has not looked yet.
        Received => "received",
        Accepted => "accepted",
        /// Not usable (`reject_reason`); the customer sends another.
        Rejected => "rejected",
    }
}

impl DocumentState {
    /// The customer has something to send.
    pub fn wanted(self) -> bool {
        matches!(self, Self::Missing | Self::Rejected)
    }
}

state_enum! {
    /// What a claim event records.
    ClaimEventKind {
        /// A stage change: from_stage → to_stage.
        Stage => "stage",
        Note => "note",
        DocumentRequested => "document_requested",
        DocumentReceived => "document_received",
        DocumentAccepted => "document_accepted",
        DocumentRejected => "document_rejected",
        /// 定损金额 set.
        Assessed => "assessed",
        /// 核赔金额 set.
        Approved => "approved",
    }
}

state_enum! {
    /// An appointment (check-up, inspection, consultation):
    /// `booked → completed | cancelled | no_show`.
    BookingState {
        Booked => "booked",
        Completed => "completed",
        /// By the customer, up to the cutoff; the entitlement use comes back.
        Cancelled => "cancelled",
        /// 爽约 — the customer did not come; the use stays spent.
        NoShow => "no_show",
    }
}

state_enum! {
    /// A roadside-assistance request: `received → dispatched → arrived → completed`.
    RoadsideState {
        /// 已受理
        Received => "received",
        /// 已派车 — a truck is on its way.
        Dispatched => "dispatched",
        /// 已到达
        Arrived => "arrived",
        Completed => "completed",
    }
}

state_enum! {
    /// A satisfaction-survey invitation: `sent → answered | expired`.
    SurveyState {
        Sent => "sent",
        /// Answered once; the response is kept beside it.
        Answered => "answered",
        Expired => "expired",
    }
}

state_enum! {
    /// What a survey asks about.
    SurveySubject {
        /// An appointment (check-up, inspection, consultation) that took place.
        Booking => "booking",
        Roadside => "roadside",
        /// A claim that was paid.
        Claim => "claim",
    }
}

state_enum! {
    /// A servicing (保全) request: `submitted → in_review → done | rejected`; a change that
    /// needs no review goes `submitted → done` at once. The moves are
    /// `backend::domain::servicing`.
    ServiceRequestState {
        /// 已提交
        Submitted => "submitted",
        /// 资料审核中 — a member of staff is looking at it.
        InReview => "in_review",
        /// 办理完成 — the change has taken effect.
        Done => "done",
        /// 未通过, with the reason the customer reads.
        Rejected => "rejected",
    }
}

impl ServiceRequestState {
    /// Done or rejected: nothing more will happen to it.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Done | Self::Rejected)
    }
}

state_enum! {
    /// What a servicing request changes.
    ServiceRequestKind {
        /// 变更受益人 — who receives a life or health policy's benefit, and in what shares.
        Beneficiaries => "beneficiaries",
        /// 变更联系方式 — the account's address and email.
        Contact => "contact",
        /// 变更手机号 — the account's phone number (a code to the old and to the new one).
        Phone => "phone",
        /// 变更续期扣款方式 — the saved method auto-debit renewal charges.
        DebitMethod => "debit_method",
        /// 变更收款账户 — where claim payouts and policy loans are paid.
        PayoutAccount => "payout_account",
        /// 保单贷款 — a loan against a life policy's cash value, approved by staff.
        Loan => "loan",
    }
}

state_enum! {
    /// A complaint or question case: `received → acknowledged → in_progress → resolved →
    /// closed`; `resolved | closed → reopened → in_progress` within 30 days of the answer;
    /// `withdrawn` by the customer while open. The moves are `backend::domain::cases`.
    CaseState {
        /// 已受理 — in the queue, nobody has taken it yet (or nobody has confirmed it).
        Received => "received",
        /// 已确认 — its owner has told the customer it is being looked at.
        Acknowledged => "acknowledged",
        /// 处理中
        InProgress => "in_progress",
        /// 已答复 — the final answer is given; the customer may reopen it for 30 days.
        Resolved => "resolved",
        /// 已办结
        Closed => "closed",
        /// 已重新打开 — the customer did not accept the answer.
        Reopened => "reopened",
        /// 已撤回 — by the customer.
        Withdrawn => "withdrawn",
    }
}

impl CaseState {
    /// Still waiting for an answer: the deadline runs and the customer may withdraw.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Received | Self::Acknowledged | Self::InProgress | Self::Reopened
        )
    }
}

state_enum! {
    /// What a case is.
    CaseKind {
        /// 投诉
        Complaint => "complaint",
        /// 咨询
        Question => "question",
    }
}

state_enum! {
    /// What a case is about.
    CaseCategory {
        Policy => "policy",
        Claim => "claim",
        Payment => "payment",
        /// A booked service (check-up, inspection).
        Service => "service",
        /// A member of staff.
        Staff => "staff",
    }
}

state_enum! {
    /// What a case event records.
    CaseEventKind {
        /// A state change (`to_state`).
        State => "state",
        /// A message, from the customer or the owner.
        Reply => "reply",
        /// The first member of staff took it (首问负责制).
        Taken => "taken",
        HandoverOffered => "handover_offered",
        HandoverAccepted => "handover_accepted",
        /// The deadline moved (the reason in `body`).
        Extended => "extended",
        /// The scheduled job's deadline warning (`body`: half, late, overdue): staff only.
        Warned => "warned",
        /// Staff linked a document the portal already holds (its files in `case_files`).
        Linked => "linked",
    }
}
