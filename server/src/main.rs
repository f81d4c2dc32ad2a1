//! `anxin`: serve the portal, migrate, load demo data, manage staff.

use anyhow::Context;
use app::backend::{Clock, Config};
use app::model::StaffRole;
use clap::{Parser, Subcommand};
use secrecy::SecretString;
use std::io::{BufRead, IsTerminal};

#[derive(Parser)]
#[command(
    name = "anxin",
    version,
    about = "Anxin (安心) — the policyholder self-service portal"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default). Migrates first; fills an empty database with demo data unless ANXIN_ENV=production.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Fill an empty database with demo data and print the demo logins.
    Demo {
        /// Seed for the generator: the same seed gives the same data.
        #[arg(long, default_value_t = app::backend::demo::DEMO_SEED)]
        seed: u64,
    },
    /// Fill an empty database with the demo data and, on top, bulk customers and
    /// policies for benchmarks (`make bench`).
    BenchData {
        #[arg(long, default_value_t = 100_000)]
        customers: usize,
        #[arg(long, default_value_t = 1_000_000)]
        policies: usize,
        #[arg(long, default_value_t = app::backend::demo::DEMO_SEED)]
        seed: u64,
    },
    /// Run one background job once and exit (the server runs them all on a timer).
    RunJob {
        #[arg(value_enum)]
        job: Job,
    },
    /// Write brotli and gzip copies of the built site's files (the build does this).
    Precompress {
        #[arg(default_value = "target/site")]
        site_root: std::path::PathBuf,
    },
    /// Manage staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Job {
    /// Open renewal offers for policies within 30 days of their end.
    Offers,
    /// Queue renewal reminders (30, 7, 1 days before cover ends).
    Reminders,
    /// Send due messages from the SMS outbox.
    Sms,
    /// Settle payments the provider never told us about.
    Reconcile,
    /// Pay due renewals of policies with an auto-debit mandate.
    AutoDebit,
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a member of staff. Prompts for the password, or reads one line from stdin.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: StaffRole,
        /// Name shown in the console and to customers in the audit trail.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Disable a member of staff: they cannot log in, and their sessions end at once.
    Disable { username: String },
}

fn parse_role(s: &str) -> Result<StaffRole, String> {
    StaffRole::parse(s)
        .ok_or_else(|| "role must be one of: agent, claims, supervisor, admin".into())
}

/// Optional settings file (KEY=VALUE lines): `ANXIN_CONFIG`, else `anxin.env` if present.
/// The environment wins over the file.
fn load_config_file() -> anyhow::Result<()> {
    match std::env::var("ANXIN_CONFIG") {
        Ok(path) => {
            dotenvy::from_path(&path).with_context(|| format!("reading {path}"))?;
        }
        Err(_) => {
            if std::path::Path::new("anxin.env").exists() {
                dotenvy::from_path("anxin.env").context("reading anxin.env")?;
            }
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    anxin::tune_allocator();
    let cli = Cli::parse();
    if let Some(Command::Precompress { site_root }) = &cli.command {
        let n = anxin::static_files::precompress(site_root)?;
        println!(
            "{n} compressed copies written under {}",
            site_root.display()
        );
        return Ok(());
    }
    load_config_file()?;
    // Logs on stderr: stdout is what a command answers (`run-job` prints a count that
    // scripts read; a warning logged meanwhile had made it unreadable).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let mut config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let state = anxin::prepare(config, Clock::system()).await?;
            if state.config.demo_if_empty {
                print_demo_logins();
            }
            anxin::serve(state).await
        }
        Command::Migrate => {
            config.demo_if_empty = false;
            anxin::prepare(config, Clock::system()).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Demo { seed } => {
            config.demo_if_empty = false;
            let state = anxin::prepare(config, Clock::system()).await?;
            if !state.db.is_empty().await? {
                println!(
                    "the database already has data; demo data is only added to an empty database"
                );
            } else {
                let s = app::backend::demo::generate(&state, seed).await?;
                println!(
                    "demo data: {} customers, {} policies, {} claims",
                    s.customers, s.policies, s.claims
                );
                let (policy_no, last4, phone) = &s.activation_example;
                println!(
                    "activation example: policy {policy_no}, ID last 4 {last4}, phone {phone}"
                );
            }
            print_demo_logins();
            Ok(())
        }
        Command::BenchData {
            customers,
            policies,
            seed,
        } => {
            config.demo_if_empty = false;
            let state = anxin::prepare(config, Clock::system()).await?;
            anyhow::ensure!(
                state.db.is_empty().await?,
                "bench data goes into an empty database only"
            );
            app::backend::demo::generate(&state, seed).await?;
            let s = app::backend::demo_bulk::generate(&state, customers, policies, seed).await?;
            println!(
                "bench data: {} customers, {} policies, {} terms, {} open offers, {} payments, {} claims, {} texts; {} rows in {:.1} s",
                s.customers, s.policies, s.terms, s.offers_open, s.payments, s.claims, s.texts, s.rows, s.seconds
            );
            println!(
                "log in as {} / {}",
                app::backend::demo_bulk::bulk_phone(1),
                app::backend::demo::CUSTOMER_PASSWORD
            );
            Ok(())
        }
        Command::RunJob { job } => {
            config.demo_if_empty = false;
            let state = anxin::prepare(config, Clock::system()).await?;
            let n = match job {
                Job::Offers => {
                    app::backend::services::renewal_offers::open_due_offers(&state).await?
                }
                Job::Reminders => {
                    app::backend::services::reminders::queue_renewal_reminders(&state).await?
                }
                Job::Sms => app::backend::services::sms::dispatch(&state, "cli").await?,
                Job::Reconcile => {
                    let after = state.config.reconcile_after_secs;
                    app::backend::services::payments::reconcile(&state, after).await?
                }
                Job::AutoDebit => app::backend::services::payments::auto_debit_due(&state).await?,
            };
            println!("{n}");
            Ok(())
        }
        Command::Staff {
            command:
                StaffCommand::Add {
                    username,
                    role,
                    name,
                },
        } => {
            config.demo_if_empty = false;
            let state = anxin::prepare(config, Clock::system()).await?;
            let password = read_password()?;
            match app::backend::auth::staff::add(&state, &username, &name, role, password).await {
                Ok(_) => {
                    println!("staff member {username} ({}) created", role.as_str());
                    Ok(())
                }
                Err(e) => anyhow::bail!("{e}"),
            }
        }
        Command::Staff {
            command: StaffCommand::Disable { username },
        } => {
            config.demo_if_empty = false;
            let state = anxin::prepare(config, Clock::system()).await?;
            match app::backend::auth::staff::disable(&state, &username, None).await? {
                Some(ended) => {
                    println!("staff member {username} disabled; {ended} session(s) ended");
                    Ok(())
                }
                None => anyhow::bail!("no staff member {username}"),
            }
        }
        Command::Precompress { .. } => unreachable!("handled before the configuration"),
    }
}

fn read_password() -> anyhow::Result<SecretString> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        anyhow::ensure!(first == again, "the passwords do not match");
        Ok(SecretString::from(first))
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(SecretString::from(
            line.trim_end_matches(['\r', '\n']).to_owned(),
        ))
    }
}

fn print_demo_logins() {
    use app::backend::demo;
    println!();
    println!("Demo logins (only in a development database):");
    println!(
        "  customer  phone {}  password {}",
        demo::customer_phone(1),
        demo::CUSTOMER_PASSWORD
    );
    println!(
        "  customer  phone {}  password {}",
        demo::customer_phone(2),
        demo::CUSTOMER_PASSWORD
    );
    println!(
        "  (customer n's ID number ends in {} for n = 1, {} for n = 2, …: the step-up check before paying)",
        demo::demo_id_last4(1),
        demo::demo_id_last4(2)
    );
    println!(
        "  staff     agent.wang / claims.li / super.zhang / admin.chen  password {}",
        demo::STAFF_PASSWORD
    );
    println!(
        "  SMS codes: what phones receive is written to data/sms-sandbox.log (tail -f it); pages and the staff outbox star codes out."
    );
    println!();
}
