//! Notification preferences and the record of messages sent.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ctx::{self, PageError},
    crate::backend::store::{outbox, preferences},
};

pub const NOTIFICATIONS_PAGE: &str = "/settings/notifications";

/// Saves the categories (unticked boxes are absent from the form) and the time window.
#[server(prefix = "/api", endpoint = "save_notification_preferences")]
pub async fn save_notification_preferences(
    renewal: Option<String>,
    claims: Option<String>,
    service_notice: Option<String>,
    survey: Option<String>,
    marketing: Option<String>,
    time_window: String,
) -> Result<(), ServerFnError> {
    use crate::backend::auth::Action;
    let (_, customer_id) = match ctx::require_acting(Action::ChangeNotificationPreferences) {
        Ok(c) => c,
        Err(r) => return ctx::go_refused(NOTIFICATIONS_PAGE, r),
    };
    let on = |v: &Option<String>| i64::from(v.as_deref() == Some("on"));
    let window = match time_window.as_str() {
        "lunchtime" | "evening" | "working_hours" => time_window,
        _ => "any".to_owned(),
    };
    let prefs = preferences::Preferences {
        renewal: on(&renewal),
        claims: on(&claims),
        service_notice: on(&service_notice),
        survey: on(&survey),
        marketing: on(&marketing),
        time_window: window,
    };
    let state = ctx::state();
    match preferences::save(&state.db.pool, &customer_id, &prefs, state.clock.now()).await {
        Ok(()) => ctx::go(&format!("{NOTIFICATIONS_PAGE}?saved=1")),
        Err(e) => ctx::go_internal_error(NOTIFICATIONS_PAGE, &e),
    }
    Ok(())
}

#[cfg(feature = "ssr")]
pub struct NotificationSettings {
    pub prefs: preferences::Preferences,
    pub sent: Vec<outbox::OutboxRow>,
}

#[cfg(feature = "ssr")]
pub async fn notification_settings() -> Result<NotificationSettings, PageError> {
    let customer_id = ctx::require_customer().await?;
    let state = ctx::state();
    let now = state.clock.now();
    Ok(NotificationSettings {
        prefs: preferences::get(&state.db.pool, &customer_id).await?,
        sent: outbox::for_customer(&state.db.pool, &customer_id, now - 90 * 86_400).await?,
    })
}
