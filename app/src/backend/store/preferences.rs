use sqlx::{Any, Executor};

/// What a customer wants to hear about, and when.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Preferences {
    pub renewal: i64,
    pub claims: i64,
    /// Appointment confirmations and reminders, roadside updates.
    pub service_notice: i64,
    /// Satisfaction surveys after a service or a paid claim.
    pub survey: i64,
    pub marketing: i64,
    pub time_window: String,
}

impl Default for Preferences {
    /// Everything on but marketing, any time (the table's defaults).
    fn default() -> Self {
        Self {
            renewal: 1,
            claims: 1,
            service_notice: 1,
            survey: 1,
            marketing: 0,
            time_window: "any".into(),
        }
    }
}

pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
) -> sqlx::Result<Preferences> {
    let row: Option<Preferences> = sqlx::query_as(
        "SELECT renewal, claims, service_notice, survey, marketing, time_window FROM notification_preferences WHERE customer_id = $1",
    )
    .bind(customer_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.unwrap_or_default())
}

pub async fn save<'e>(
    ex: impl Executor<'e, Database = Any>,
    customer_id: &str,
    p: &Preferences,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO notification_preferences (customer_id, renewal, claims, service_notice, survey, marketing, time_window, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (customer_id) DO UPDATE SET renewal = $2, claims = $3, service_notice = $4, survey = $5, \
         marketing = $6, time_window = $7, updated_at = $8",
    )
    .bind(customer_id)
    .bind(p.renewal)
    .bind(p.claims)
    .bind(p.service_notice)
    .bind(p.survey)
    .bind(p.marketing)
    .bind(&p.time_window)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// An SMS reply of "T": reminders, surveys and marketing off for the customer with this
/// phone. Returns whether a customer was found.
pub async fn unsubscribe_phone<'e>(
    ex: impl Executor<'e, Database = Any>,
    phone: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO notification_preferences (customer_id, renewal, claims, service_notice, survey, marketing, time_window, updated_at) \
         SELECT id, 0, 1, 0, 0, 0, 'any', $2 FROM customers WHERE phone = $1 \
         ON CONFLICT (customer_id) DO UPDATE SET renewal = 0, service_notice = 0, survey = 0, marketing = 0, updated_at = $2",
    )
    .bind(phone)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() > 0)
}
