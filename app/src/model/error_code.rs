//! Every error a form can be sent back with: one enum, its code in URLs, its translation
//! key and the fields it is about. A code that is not here cannot reach a page, and a test
//! checks that each has text in both languages.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// A phone number that is not a mainland mobile number.
    InvalidPhone,
    /// An SMS code that is not six digits.
    InvalidCode,
    InvalidPolicyNo,
    InvalidIdLast4,
    MissingPassword,
    /// Wrong phone or password: one answer for both.
    BadCredentials,
    StaffBadCredentials,
    /// A wrong or expired SMS code.
    BadCode,
    CodeExpired,
    /// Another code asked for within a minute (`until`).
    TooSoon,
    /// Too many failures for this account (`until`).
    Locked,
    /// Too many failures from this address (`until`).
    Throttled,
    /// Too many codes for this phone or address (`until`).
    CodesLimited,
    /// Every password-hashing slot stayed taken: try again.
    Busy,
    /// Staff viewing as the customer tried to act for them.
    ReadOnly,
    /// A member of staff without the permission.
    Forbidden,
    /// Activation details that match no account waiting for it.
    NoMatch,
    AlreadyActive,
    /// A new password refused (`reason`; a mismatch marks the confirmation).
    Weak,
    /// Something failed on our side (`rid`: the request id to quote).
    Internal,
    StepUpWrong,
    StepUpRequired,
    OfferChanged,
    OfferClosed,
    /// A pay button's key reused for something else.
    KeyReused,
    BadMethod,
    /// A wrong answer to a short link's check (`left`).
    LinkWrong,
    /// A short link locked after wrong answers (`until`).
    LinkLocked,
    /// A form the server could not read (a field missing): sent back by the HTTP layer.
    MissingField,
    /// A claim on no active policy of the caller's.
    ClaimPolicy,
    /// An incident date in the future, more than two years ago, or not a date.
    ClaimDate,
    /// Where it happened: missing or too long.
    ClaimPlace,
    /// What happened: missing or too long.
    ClaimDescription,
    /// An amount that is not a positive sum in yuan.
    ClaimAmount,
    /// No payout account chosen, or a bank account that is not one.
    PayoutAccount,
    /// No file chosen, or an empty one.
    FileEmpty,
    /// A file over 10 MB.
    FileTooLarge,
    /// Not a JPEG, PNG or PDF by its content.
    FileType,
    /// A HEIC photo: we cannot strip its location, so we ask for JPEG.
    FileHeic,
    /// A file cut short or broken.
    FileDamaged,
    /// More files than one form may carry.
    TooManyFiles,
    /// A document already accepted: nothing more to send.
    DocumentDone,
    /// The claim changed meanwhile (someone else moved it first).
    ClaimMoved,
    /// Not possible at the claim's stage (e.g. withdrawing after approval).
    ClaimIllegal,
    /// Approval needs the assessed amount; payment the approved one.
    ClaimAmountMissing,
    /// A decline or rejection without a reason, or a note too long.
    ReasonRequired,
    // Service booking and roadside help (texts under `services.error`).
    /// Somebody took the slot's last place first.
    SlotFull,
    /// Every use of the entitlement this policy year is spent.
    NoUsesLeft,
    /// The policy grants no such service.
    NotEntitled,
    /// The policy does not cover the day of the appointment.
    NotCovered,
    /// Less than 2 hours before the appointment: no more changes.
    BookingCutoff,
    /// The appointment is cancelled or over.
    BookingClosed,
    /// Rescheduled to the slot it already has.
    SameSlot,
    /// A booking form sent without a slot (or with one that does not exist).
    PickSlot,
    /// Where the car is: missing or too long.
    BadLocation,
    /// Not a licence plate.
    BadPlate,
    /// What happened: missing or too long.
    BadWhatHappened,
    /// Slot hours staff typed that are not hours.
    BadHours,
    /// Staff: someone else moved it first.
    MovedOn,
    // The staff console (texts under `console.error`).
    /// "View as customer" without a reason of 10 characters or more.
    ViewReasonShort,
    ViewReasonLong,
    /// A ticket number that is not one.
    BadTicket,
    /// The customer record is the staff member's own.
    OwnRecord,
    /// A search with nothing to search for.
    BadSearch,
    /// A staff username that is not 3–32 lower-case letters, digits, '.', '_' or '-'.
    BadUsername,
    UsernameTaken,
    /// An admin disabling or resetting their own account.
    OwnAccount,

    // Satisfaction surveys (texts under `survey.error`).
    /// No score chosen, or one that is not 1–10.
    BadScore,
    /// A comment longer than 500 characters.
    CommentTooLong,
    /// The survey was answered already (once only).
    SurveyAnswered,
    /// The survey's 7 days are over.
    SurveyExpired,

    // Service providers, managed by admins (texts under `providers.error`).
    /// A provider's name that is not 2–60 characters.
    ProviderName,
    /// A city that is not 2–20 characters.
    ProviderCity,
    /// An address that is not 4–120 characters.
    ProviderAddress,
    /// A provider's phone that is neither a mobile nor a fixed-line number.
    ProviderPhone,
    /// No service chosen, or one that does not exist.
    ProviderKind,
    /// No such provider, or already active (or inactive) when asked to change.
    ProviderMoved,
    /// The week-of-slots action for a deactivated provider.
    ProviderInactive,
    /// A customer booking (or moving to) a slot of a deactivated provider.
    ProviderClosed,

    // Servicing (保全) requests (texts under `servicing.error`).
    /// Between 1 and 5 beneficiaries.
    BeneficiaryCount,
    /// A beneficiary's name that is not 2–30 letters.
    BeneficiaryName,
    /// A relation not on the list.
    BeneficiaryRelation,
    /// Not a valid resident ID number.
    BeneficiaryIdNumber,
    /// A share that is not a whole percent from 1 to 100.
    BeneficiaryShare,
    /// Shares that do not add up to exactly 100 %.
    SharesSum,
    /// One person named twice.
    BeneficiaryDuplicate,
    /// Not a life or health policy in force: no beneficiaries to change.
    NotEligible,
    /// A request of this kind for this policy is still open.
    RequestOpen,
    /// Reviewers: someone else moved the request first.
    RequestMoved,
    /// An address that is not 5–120 characters.
    ContactAddress,
    /// Not an email address.
    ContactEmail,
    /// A new phone number that is the one on file.
    PhoneSame,
    /// A new phone number another account has.
    PhoneTaken,
    /// A bank not on the list (payout account, auto-debit card).
    AccountBank,
    /// Not a card number (16–19 digits passing the Luhn check).
    AccountCard,
    /// Not a bank account number (12–30 digits).
    AccountNumber,
    /// No method or account picked, or one that is not the customer's.
    AccountChoice,
    /// A loan amount that is not a whole number of yuan.
    LoanAmount,
    /// Below the smallest loan.
    LoanBelowMinimum,
    /// Above the largest loan the cash value lends.
    LoanAboveMaximum,
    /// Not a life policy in force with a cash value to lend against.
    LoanNotEligible,
    /// A loan on this policy is still outstanding.
    LoanOutstanding,
    /// No payout account to pay a loan into.
    NoPayoutAccount,
    /// Reviewers: the request can no longer take effect as asked (a loan past the current limit).
    RequestCannotApply,
    /// Not a complaint or a question, or not a thing a case can be about.
    CaseKind,
    /// A case's text, a reply or an answer: missing, too short or too long.
    CaseText,
    /// A policy, claim, payment, booking or member of staff that is not the customer's.
    CaseSubject,
    /// A complaint about a member of staff that names nobody.
    CaseStaff,
    /// The case changed meanwhile (someone else moved or took it first).
    CaseMoved,
    /// Only the case's owner may do this.
    CaseNotOwner,
    /// The member of staff complained about may not own the case.
    CaseComplainedAbout,
    /// More than 30 days since the answer: the case cannot be reopened.
    ReopenWindow,
    /// A second extension needs a supervisor.
    ExtensionApproval,
    /// Extended twice already.
    ExtensionMax,
    /// No root cause chosen for an answer.
    RootCause,
    /// Nobody (or nobody who may own the case) chosen to hand it over to.
    HandoverTarget,
    /// A document to link that is not one the portal holds for this customer.
    CaseDocument,
    /// More attachments than a case message may carry.
    CaseTooManyFiles,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 118] = [
        Self::InvalidPhone,
        Self::InvalidCode,
        Self::InvalidPolicyNo,
        Self::InvalidIdLast4,
        Self::MissingPassword,
        Self::BadCredentials,
        Self::StaffBadCredentials,
        Self::BadCode,
        Self::CodeExpired,
        Self::TooSoon,
        Self::Locked,
        Self::Throttled,
        Self::CodesLimited,
        Self::Busy,
        Self::ReadOnly,
        Self::Forbidden,
        Self::NoMatch,
        Self::AlreadyActive,
        Self::Weak,
        Self::Internal,
        Self::StepUpWrong,
        Self::StepUpRequired,
        Self::OfferChanged,
        Self::OfferClosed,
        Self::KeyReused,
        Self::BadMethod,
        Self::LinkWrong,
        Self::LinkLocked,
        Self::MissingField,
        Self::ClaimPolicy,
        Self::ClaimDate,
        Self::ClaimPlace,
        Self::ClaimDescription,
        Self::ClaimAmount,
        Self::PayoutAccount,
        Self::FileEmpty,
        Self::FileTooLarge,
        Self::FileType,
        Self::FileHeic,
        Self::FileDamaged,
        Self::TooManyFiles,
        Self::DocumentDone,
        Self::ClaimMoved,
        Self::ClaimIllegal,
        Self::ClaimAmountMissing,
        Self::ReasonRequired,
        Self::SlotFull,
        Self::NoUsesLeft,
        Self::NotEntitled,
        Self::NotCovered,
        Self::BookingCutoff,
        Self::BookingClosed,
        Self::SameSlot,
        Self::PickSlot,
        Self::BadLocation,
        Self::BadPlate,
        Self::BadWhatHappened,
        Self::BadHours,
        Self::MovedOn,
        Self::ViewReasonShort,
        Self::ViewReasonLong,
        Self::BadTicket,
        Self::OwnRecord,
        Self::BadSearch,
        Self::BadUsername,
        Self::UsernameTaken,
        Self::OwnAccount,
        Self::BadScore,
        Self::CommentTooLong,
        Self::SurveyAnswered,
        Self::SurveyExpired,
        Self::ProviderName,
        Self::ProviderCity,
        Self::ProviderAddress,
        Self::ProviderPhone,
        Self::ProviderKind,
        Self::ProviderMoved,
        Self::ProviderInactive,
        Self::ProviderClosed,
        Self::BeneficiaryCount,
        Self::BeneficiaryName,
        Self::BeneficiaryRelation,
        Self::BeneficiaryIdNumber,
        Self::BeneficiaryShare,
        Self::SharesSum,
        Self::BeneficiaryDuplicate,
        Self::NotEligible,
        Self::RequestOpen,
        Self::RequestMoved,
        Self::ContactAddress,
        Self::ContactEmail,
        Self::PhoneSame,
        Self::PhoneTaken,
        Self::AccountBank,
        Self::AccountCard,
        Self::AccountNumber,
        Self::AccountChoice,
        Self::LoanAmount,
        Self::LoanBelowMinimum,
        Self::LoanAboveMaximum,
        Self::LoanNotEligible,
        Self::LoanOutstanding,
        Self::NoPayoutAccount,
        Self::RequestCannotApply,
        Self::CaseKind,
        Self::CaseText,
        Self::CaseSubject,
        Self::CaseStaff,
        Self::CaseMoved,
        Self::CaseNotOwner,
        Self::CaseComplainedAbout,
        Self::ReopenWindow,
        Self::ExtensionApproval,
        Self::ExtensionMax,
        Self::RootCause,
        Self::HandoverTarget,
        Self::CaseDocument,
        Self::CaseTooManyFiles,
    ];

    /// The code as it travels in `?error=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidPhone => "invalid_phone",
            Self::InvalidCode => "invalid_code",
            Self::InvalidPolicyNo => "invalid_policy_no",
            Self::InvalidIdLast4 => "invalid_id_last4",
            Self::MissingPassword => "missing_password",
            Self::BadCredentials => "bad_credentials",
            Self::StaffBadCredentials => "staff_bad_credentials",
            Self::BadCode => "bad_code",
            Self::CodeExpired => "code_expired",
            Self::TooSoon => "too_soon",
            Self::Locked => "locked",
            Self::Throttled => "throttled",
            Self::CodesLimited => "codes_limited",
            Self::Busy => "busy",
            Self::ReadOnly => "read_only",
            Self::Forbidden => "forbidden",
            Self::NoMatch => "no_match",
            Self::AlreadyActive => "already_active",
            Self::Weak => "weak",
            Self::Internal => "internal",
            Self::StepUpWrong => "step_up_wrong",
            Self::StepUpRequired => "step_up_required",
            Self::OfferChanged => "offer_changed",
            Self::OfferClosed => "offer_closed",
            Self::KeyReused => "key_reused",
            Self::BadMethod => "bad_method",
            Self::LinkWrong => "link_wrong",
            Self::LinkLocked => "link_locked",
            Self::MissingField => "missing_field",
            Self::ClaimPolicy => "claim_policy",
            Self::ClaimDate => "claim_date",
            Self::ClaimPlace => "claim_place",
            Self::ClaimDescription => "claim_description",
            Self::ClaimAmount => "claim_amount",
            Self::PayoutAccount => "payout_account",
            Self::FileEmpty => "file_empty",
            Self::FileTooLarge => "file_too_large",
            Self::FileType => "file_type",
            Self::FileHeic => "file_heic",
            Self::FileDamaged => "file_damaged",
            Self::TooManyFiles => "too_many_files",
            Self::DocumentDone => "document_done",
            Self::ClaimMoved => "claim_moved",
            Self::ClaimIllegal => "claim_illegal",
            Self::ClaimAmountMissing => "claim_amount_missing",
            Self::ReasonRequired => "reason_required",
            Self::SlotFull => "slot_full",
            Self::NoUsesLeft => "no_uses_left",
            Self::NotEntitled => "not_entitled",
            Self::NotCovered => "not_covered",
            Self::BookingCutoff => "booking_cutoff",
            Self::BookingClosed => "booking_closed",
            Self::SameSlot => "same_slot",
            Self::PickSlot => "pick_slot",
            Self::BadLocation => "bad_location",
            Self::BadPlate => "bad_plate",
            Self::BadWhatHappened => "bad_what_happened",
            Self::BadHours => "bad_hours",
            Self::MovedOn => "moved_on",
            Self::ViewReasonShort => "view_reason_short",
            Self::ViewReasonLong => "view_reason_long",
            Self::BadTicket => "bad_ticket",
            Self::OwnRecord => "own_record",
            Self::BadSearch => "bad_search",
            Self::BadUsername => "bad_username",
            Self::UsernameTaken => "username_taken",
            Self::OwnAccount => "own_account",
            Self::BadScore => "bad_score",
            Self::CommentTooLong => "comment_too_long",
            Self::SurveyAnswered => "survey_answered",
            Self::SurveyExpired => "survey_expired",
            Self::ProviderName => "provider_name",
            Self::ProviderCity => "provider_city",
            Self::ProviderAddress => "provider_address",
            Self::ProviderPhone => "provider_phone",
            Self::ProviderKind => "provider_kind",
            Self::ProviderMoved => "provider_moved",
            Self::ProviderInactive => "provider_inactive",
            Self::ProviderClosed => "provider_closed",
            Self::BeneficiaryCount => "beneficiary_count",
            Self::BeneficiaryName => "beneficiary_name",
            Self::BeneficiaryRelation => "beneficiary_relation",
            Self::BeneficiaryIdNumber => "beneficiary_id_number",
            Self::BeneficiaryShare => "beneficiary_share",
            Self::SharesSum => "shares_sum",
            Self::BeneficiaryDuplicate => "beneficiary_duplicate",
            Self::NotEligible => "not_eligible",
            Self::RequestOpen => "request_open",
            Self::RequestMoved => "request_moved",
            Self::ContactAddress => "contact_address",
            Self::ContactEmail => "contact_email",
            Self::PhoneSame => "phone_same",
            Self::PhoneTaken => "phone_taken",
            Self::AccountBank => "account_bank",
            Self::AccountCard => "account_card",
            Self::AccountNumber => "account_number",
            Self::AccountChoice => "account_choice",
            Self::LoanAmount => "loan_amount",
            Self::LoanBelowMinimum => "loan_below_minimum",
            Self::LoanAboveMaximum => "loan_above_maximum",
            Self::LoanNotEligible => "loan_not_eligible",
            Self::LoanOutstanding => "loan_outstanding",
            Self::NoPayoutAccount => "no_payout_account",
            Self::RequestCannotApply => "request_cannot_apply",
            Self::CaseKind => "case_kind",
            Self::CaseText => "case_text",
            Self::CaseSubject => "case_subject",
            Self::CaseStaff => "case_staff",
            Self::CaseMoved => "case_moved",
            Self::CaseNotOwner => "case_not_owner",
            Self::CaseComplainedAbout => "case_complained_about",
            Self::ReopenWindow => "reopen_window",
            Self::ExtensionApproval => "extension_approval",
            Self::ExtensionMax => "extension_max",
            Self::RootCause => "root_cause",
            Self::HandoverTarget => "handover_target",
            Self::CaseDocument => "case_document",
            Self::CaseTooManyFiles => "case_too_many_files",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The translation key of its message (`weak` has one per reason, under this one).
    pub fn key(self) -> String {
        if self.is_service() {
            return format!("services.error.{}", self.as_str());
        }
        if self.is_console() {
            return format!("console.error.{}", self.as_str());
        }
        if self.is_survey() {
            return format!("survey.error.{}", self.as_str());
        }
        if self.is_provider() {
            return format!("providers.error.{}", self.as_str());
        }
        if self.is_servicing() {
            return format!("servicing.error.{}", self.as_str());
        }
        if self.is_case() {
            return format!("cases.error.{}", self.as_str());
        }
        format!("error.{}", self.as_str())
    }

    /// The codes of service booking and roadside help, translated in their own section.
    fn is_service(self) -> bool {
        matches!(
            self,
            Self::SlotFull
                | Self::NoUsesLeft
                | Self::NotEntitled
                | Self::NotCovered
                | Self::BookingCutoff
                | Self::BookingClosed
                | Self::SameSlot
                | Self::PickSlot
                | Self::BadLocation
                | Self::BadPlate
                | Self::BadWhatHappened
                | Self::BadHours
                | Self::MovedOn
        )
    }

    /// The codes of the staff console, translated in its own section.
    fn is_console(self) -> bool {
        matches!(
            self,
            Self::ViewReasonShort
                | Self::ViewReasonLong
                | Self::BadTicket
                | Self::OwnRecord
                | Self::BadSearch
                | Self::BadUsername
                | Self::UsernameTaken
                | Self::OwnAccount
        )
    }

    /// The codes of satisfaction surveys, translated in their own section.
    fn is_survey(self) -> bool {
        matches!(
            self,
            Self::BadScore | Self::CommentTooLong | Self::SurveyAnswered | Self::SurveyExpired
        )
    }

    /// The codes of provider management, translated in their own section.
    fn is_provider(self) -> bool {
        matches!(
            self,
            Self::ProviderName
                | Self::ProviderCity
                | Self::ProviderAddress
                | Self::ProviderPhone
                | Self::ProviderKind
                | Self::ProviderMoved
                | Self::ProviderInactive
                | Self::ProviderClosed
        )
    }

    /// The codes of servicing requests, translated in their own section.
    fn is_servicing(self) -> bool {
        matches!(
            self,
            Self::BeneficiaryCount
                | Self::BeneficiaryName
                | Self::BeneficiaryRelation
                | Self::BeneficiaryIdNumber
                | Self::BeneficiaryShare
                | Self::SharesSum
                | Self::BeneficiaryDuplicate
                | Self::NotEligible
                | Self::RequestOpen
                | Self::RequestMoved
                | Self::ContactAddress
                | Self::ContactEmail
                | Self::PhoneSame
                | Self::PhoneTaken
                | Self::AccountBank
                | Self::AccountCard
                | Self::AccountNumber
                | Self::AccountChoice
                | Self::LoanAmount
                | Self::LoanBelowMinimum
                | Self::LoanAboveMaximum
                | Self::LoanNotEligible
                | Self::LoanOutstanding
                | Self::NoPayoutAccount
                | Self::RequestCannotApply
        )
    }

    /// The codes of complaint and question cases, translated in their own section.
    fn is_case(self) -> bool {
        matches!(
            self,
            Self::CaseKind
                | Self::CaseText
                | Self::CaseSubject
                | Self::CaseStaff
                | Self::CaseMoved
                | Self::CaseNotOwner
                | Self::CaseComplainedAbout
                | Self::ReopenWindow
                | Self::ExtensionApproval
                | Self::ExtensionMax
                | Self::RootCause
                | Self::HandoverTarget
                | Self::CaseDocument
                | Self::CaseTooManyFiles
        )
    }

    /// Whether the message says until when (`?until=`).
    pub fn until(self) -> bool {
        matches!(
            self,
            Self::TooSoon | Self::Locked | Self::Throttled | Self::CodesLimited | Self::LinkLocked
        )
    }

    /// The input ids this error is about, the one to correct first first. Ids that are
    /// alternatives on different forms ("code" or "sms") are both listed.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Self::InvalidPhone => &["phone"],
            Self::InvalidCode | Self::BadCode => &["code", "sms"],
            Self::InvalidPolicyNo => &["policy_no"],
            Self::InvalidIdLast4 => &["id_last4"],
            Self::MissingPassword
            | Self::BadCredentials
            | Self::StaffBadCredentials
            | Self::Weak => &["password"],
            Self::NoMatch => &["policy_no", "id_last4"],
            Self::StepUpWrong | Self::LinkWrong => &["id_last4", "sms"],
            Self::BadMethod => &["card_no"],
            Self::ClaimDate => &["incident_date"],
            Self::ClaimPlace => &["place"],
            Self::ClaimDescription => &["description"],
            Self::ClaimAmount => &["amount"],
            Self::PayoutAccount => &["payout", "bank", "account_no"],
            Self::FileEmpty => &["file"],
            Self::FileTooLarge => &["file"],
            Self::FileType => &["file"],
            Self::FileHeic => &["file"],
            Self::FileDamaged => &["file"],
            Self::TooManyFiles => &["file"],
            Self::ReasonRequired => &["reason"],
            Self::SameSlot | Self::PickSlot => &["slot"],
            Self::BadLocation => &["location"],
            Self::BadPlate => &["plate"],
            Self::BadWhatHappened => &["what_happened"],
            Self::BadHours => &["hours"],
            Self::ViewReasonShort | Self::ViewReasonLong => &["reason"],
            Self::BadTicket => &["ticket"],
            Self::BadSearch => &["q"],
            Self::BadUsername | Self::UsernameTaken => &["username"],
            Self::BadScore => &["score-1"],
            Self::CommentTooLong => &["comment"],
            Self::ProviderName => &["name"],
            Self::ProviderCity => &["city"],
            Self::ProviderAddress => &["address"],
            Self::ProviderPhone => &["phone"],
            Self::ProviderKind => &["service_kind"],
            Self::ProviderInactive => &["provider_id"],
            Self::ContactAddress => &["address"],
            Self::ContactEmail => &["email"],
            Self::PhoneSame | Self::PhoneTaken => &["phone"],
            Self::AccountBank => &["bank"],
            Self::AccountCard => &["card_no"],
            Self::AccountNumber => &["account_no"],
            Self::AccountChoice => &["method", "payout"],
            Self::LoanAmount | Self::LoanBelowMinimum | Self::LoanAboveMaximum => &["amount"],
            Self::CaseKind => &["kind", "about"],
            Self::CaseText => &["text"],
            Self::CaseSubject => &["about"],
            Self::CaseStaff => &["about_staff", "about_name"],
            Self::RootCause => &["root_cause"],
            Self::HandoverTarget => &["to_staff"],
            Self::CaseDocument => &["file_id"],
            Self::CaseTooManyFiles => &["file"],
            _ => &[],
        }
    }
}

impl ErrorCode {
    /// Which of `fields` takes the focus: the ids of alternatives on different forms
    /// ("code" or "sms") all do; of two fields that did not match on one form, the first.
    pub fn focus(self) -> &'static [&'static str] {
        match self {
            Self::NoMatch => &["policy_no"],
            Self::PayoutAccount => &["account_no"],
            other => other.fields(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
        }
        assert_eq!(ErrorCode::parse("no_such_code"), None);
    }
}
