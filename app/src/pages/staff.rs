use crate::api::account::{staff_home, viewer, Viewer};
use crate::api::auth::StaffLogin;
use crate::api::ctx::{self, PageError};
use crate::components::{error_from_query, ErrorNotice, Layout};
use crate::i18n::{t, t_with};
use crate::islands::PasswordInput;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn StaffLoginPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let viewer = viewer().await;
                if matches!(viewer, Viewer::Staff) {
                    ctx::go_page("/staff");
                }
                let error = error_from_query();
                view! {
                    <Title text=t("staff.login_title")/>
                    <Layout viewer>
                        <section class="card narrow staff">
                            <h1>{t("staff.login_title")}</h1>
                            <p class="muted">{t("staff.login_intro")}</p>
                            <ErrorNotice message=error/>
                            <form method="post" action=StaffLogin::PATH class="form" data-testid="staff-login-form">
                                <div class="field">
                                    <label for="username">{t("staff.username")}</label>
                                    <input id="username" name="username" type="text" autocomplete="username"
                                        autocapitalize="off" spellcheck="false" maxlength="32" required aria-describedby="form-error"/>
                                </div>
                                <div class="field">
                                    <label for="password">{t("staff.password")}</label>
                                    <PasswordInput
                                        id="password".to_string()
                                        name="password".to_string()
                                        autocomplete="current-password".to_string()
                                        show_label=t("password.show")
                                        hide_label=t("password.hide")
                                        describedby="form-error".to_string()
                                    />
                                </div>
                                <button type="submit" class="btn btn-primary btn-block">{t("staff.submit")}</button>
                            </form>
                        </section>
                    </Layout>
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn StaffHomePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match staff_home().await {
                    Ok(home) => {
                        let role = t(&format!("staff.roles.{}", home.role.as_str()));
                        view! {
                            <Title text=t("staff.home_title")/>
                            <Layout viewer=Viewer::Staff>
                                <section class="card">
                                    <p class="eyebrow">{t("staff.home_title")}</p>
                                    <h1 data-testid="staff-greeting">{t_with("staff.welcome", &[("name", &home.display_name)])}</h1>
                                    <p><span class="badge badge-active">{t_with("staff.role", &[("role", &role)])}</span></p>
                                    <p class="muted">{t("staff.coming")}</p>
                                </section>
                            </Layout>
                        }
                        .into_any()
                    }
                    Err(PageError::Login) | Err(PageError::NotFound) => {
                        ctx::go_page("/staff/login");
                        ().into_any()
                    }
                    Err(PageError::Internal(rid)) => {
                        view! { <Layout viewer=Viewer::Staff><super::ServerErrorPage rid/></Layout> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
