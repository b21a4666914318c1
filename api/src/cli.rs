//! The `madar` command line. Every subcommand that touches the database runs pending
//! migrations first.
use std::io::BufRead;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use madar_openapi::clients::ClientRole;
use madar_openapi::organizations::{CreateOrganization, OrganizationType};
use madar_openapi::users::Role;
use madar_openapi::Language;
use validator::Validate;

use crate::audit::{self, AuditAction, AuditBuffer, AuditEvent, Resource};
use crate::auth::passwords::{self, Hasher};
use crate::auth::tokens::{random_token, Keys};
use crate::clock::Clock;
use crate::config::{LogFormat, Settings};
use crate::db::{self, DbConn};
use crate::state::{limiter, AppState};
use crate::users::domain::Email;
use crate::{clients, organizations, seed, users};

#[derive(Parser)]
#[command(
    name = "madar",
    version,
    about = "Madar: child-protection case management"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Run pending migrations and exit.
    Migrate {
        /// Revert every migration, then apply them all again (for tests of the down scripts).
        #[arg(long)]
        redo_all: bool,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API clients.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Print the OpenAPI document.
    Openapi,
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Generate a national dataset (children, reports, cases, audit) for the benchmark, then
    /// rebuild what is derived. Loads the demo first when absent.
    Generate {
        /// How many children.
        #[arg(long, default_value_t = 1_000_000)]
        children: u64,
        /// The random generator's seed: the same seed gives the same dataset (on the same day).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Over how many years, up to today.
        #[arg(long, default_value_t = 10)]
        years: u32,
        /// Children per transaction.
        #[arg(long, default_value_t = 10_000)]
        batch: u64,
    },
    /// Rebuild everything derived from the records: the children's matching keys and the audit
    /// chain's seal.
    RebuildDerived,
    /// Copy the SQLite database while the server serves (`VACUUM INTO`); for PostgreSQL, names
    /// its own tools.
    Backup {
        /// The new file to write (an existing file is refused).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Put a SQLite backup in place of the configured database (stop the server first).
    Restore {
        /// The backup to restore (it must be a Madar database).
        #[arg(long)]
        from: std::path::PathBuf,
        /// Replace the existing database.
        #[arg(long)]
        force: bool,
    },
    /// The data keys that seal sensitive text.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Retention of records past their period (law 09-08).
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Load demo data.
    Seed {
        /// The demo organizations in the 8 pilot provinces and one user per role.
        #[arg(long, required = true)]
        demo: bool,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user; how the first admin is made. The password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The organization's code.
        #[arg(long)]
        organization: String,
        /// Also create organization CODE (type ministry, serving MA) with this name.
        #[arg(long)]
        organization_name: Option<String>,
        #[arg(long)]
        territory: Option<String>,
        #[arg(long, default_value = "ar")]
        language: String,
        /// Read the password as one line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the HMAC chain of the sealed events: prints OK and their count, or names the
    /// first broken link and exits non-zero. Events the running sealer has not chained yet
    /// (normally under a second old) are counted, not checked.
    Verify,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Re-seal every sealed value under MADAR_DATA_KEY, opening older ones with
    /// MADAR_DATA_KEY_PREVIOUS; safe beside a live server and resumable. Exits non-zero, naming
    /// the key id, when a value is sealed with a key neither holds.
    Rotate {
        /// Count what would be re-sealed without writing.
        #[arg(long)]
        dry_run: bool,
        /// Rows per transaction.
        #[arg(long, default_value_t = crate::keys::BATCH)]
        batch: i64,
    },
}

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Erase what closed cases, screened reports and grown-up children past their retention
    /// periods hold (MADAR_RETENTION_*_YEARS), keeping codes and dates.
    Run {
        /// List what would change without writing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum ClientCommand {
    /// Create an API client and print its secret (shown once).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        organization: String,
        #[arg(long, value_parser = ["hotline", "partner"])]
        role: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("unknown role {text:?}"))
}

fn init_logging(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// A migrated connection, outside the pool.
fn connect(settings: &Settings) -> anyhow::Result<DbConn> {
    db::prepare(&settings.database_url)?;
    let mut conn = db::Manager::new(&settings.database_url, settings.request_timeout)
        .connect()
        .with_context(|| {
            format!(
                "connecting to the {} database",
                db::Backend::of(&settings.database_url).name()
            )
        })?;
    let applied = db::migrate(&mut conn)?;
    crate::protocols::shipped::ensure_national(&mut conn, chrono::Utc::now().naive_utc())?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    Ok(conn)
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        println!("{}", crate::app::openapi().to_pretty_json()?);
        return Ok(());
    }
    let settings = Settings::from_env()?;
    init_logging(&settings);
    match &command {
        Command::Backup { to } => return crate::backup::backup(&settings, to),
        Command::Restore { from, force } => return crate::backup::restore(&settings, from, *force),
        _ => {}
    }
    let mut conn = connect(&settings)?;
    let now = chrono::Utc::now().naive_utc();
    match command {
        Command::Openapi => Ok(()),
        Command::Backup { .. } | Command::Restore { .. } => Ok(()),
        Command::Serve => serve(settings, conn),
        Command::Migrate { redo_all } => {
            if redo_all {
                let reverted = db::revert_all(&mut conn)?;
                let applied = db::migrate(&mut conn)?;
                println!("reverted {reverted} and applied {applied} migrations");
            } else {
                println!("migrations are up to date");
            }
            Ok(())
        }
        Command::User(UserCommand::Create {
            email,
            name,
            role,
            organization,
            organization_name,
            territory,
            language,
            password_stdin: _,
        }) => {
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            let check = madar_openapi::users::CreateUser {
                email: email.clone(),
                display_name: name.clone(),
                password: password.clone(),
                role,
                organization: organization.clone(),
                territory: territory.clone(),
                language: Language::parse(&language),
            };
            if let Err(e) = check.validate() {
                bail!("invalid user: {e}");
            }
            let language = Language::parse(&language).context("language must be ar, fr or en")?;
            let new = users::store::NewUser {
                email: Email::parse(&email),
                display_name: name,
                password_hash: passwords::hash(&password)?,
                role,
                organization: organization.clone(),
                territory,
                language,
                demo: false,
            };
            let user = diesel::Connection::transaction(&mut conn, |c| {
                if let Some(org_name) = organization_name {
                    if organizations::store::find(c, &organization).is_err() {
                        let org = CreateOrganization {
                            code: organization.clone(),
                            name: org_name,
                            labels: None,
                            type_: OrganizationType::Ministry,
                            sector: None,
                            territories: vec!["MA".into()],
                        };
                        org.validate().map_err(crate::error::ApiError::from)?;
                        organizations::store::create(c, &org, false, now)?;
                    }
                }
                let user = users::store::create(c, new, now)?;
                let event = AuditEvent::system(AuditAction::UserCreate, now);
                audit::record(c, &event.on(Resource::User, &user.row.id))?;
                Ok(user)
            })
            .map_err(|e| anyhow::anyhow!("could not create the user: {}", describe(&e)))?;
            println!("created user {} ({})", user.row.email, user.row.id);
            Ok(())
        }
        Command::Client(ClientCommand::Create {
            name,
            organization,
            role,
        }) => {
            let role = if role == "hotline" {
                ClientRole::Hotline
            } else {
                ClientRole::Partner
            };
            let secret = random_token();
            let client_id = clients::store::new_client_id();
            let hash = passwords::hash(&secret)?;
            let client = diesel::Connection::transaction(&mut conn, |c| {
                let client =
                    clients::store::create(c, &name, &organization, role, &client_id, &hash, now)?;
                let event = AuditEvent::system(AuditAction::ClientCreate, now);
                audit::record(c, &event.on(Resource::Client, &client.row.id))?;
                Ok(client)
            })
            .map_err(|e| anyhow::anyhow!("could not create the client: {}", describe(&e)))?;
            println!("client_id={}\nclient_secret={secret}", client.row.client_id);
            eprintln!("The secret is shown once: keep it now.");
            Ok(())
        }
        Command::Audit(AuditCommand::Verify) => verify_audit(&settings, &mut conn),
        Command::Seed { demo: _ } => seed::demo(&mut conn, now),
        Command::Generate {
            children,
            seed,
            years,
            batch,
        } => crate::generate::run(
            &settings,
            &mut conn,
            &crate::generate::Options {
                children,
                seed,
                years,
                batch,
            },
        ),
        Command::RebuildDerived => crate::generate::derived::rebuild(&settings, &mut conn),
        Command::Keys(KeysCommand::Rotate { dry_run, batch }) => {
            let keys = crate::secrets::data_keys(&settings)?;
            crate::keys::run(&mut conn, &keys, dry_run, batch)
        }
        Command::Retention(RetentionCommand::Run { dry_run }) => {
            let keys = crate::secrets::data_keys(&settings)?;
            crate::retention::run(&mut conn, &keys, &settings.retention, dry_run, now)
        }
    }
}

/// `madar audit verify`: reads sealed events in chain order, in batches.
fn verify_audit(settings: &Settings, conn: &mut DbConn) -> anyhow::Result<()> {
    let key = audit::key::AuditKey::existing(settings)?;
    let walked = audit::chain::walk(key, |after| audit::store::sealed_after(conn, after, 1000))
        .map_err(|e| anyhow::anyhow!("reading the audit log: {e}"))?;
    if let Some(broken) = walked.broken {
        bail!(
            "audit chain BROKEN at event {} (position {}): {}; {} events before it verify",
            broken.id,
            broken.seq,
            broken.fault.describe(),
            walked.verified
        );
    }
    let unsealed = audit::store::count_unsealed(conn)
        .map_err(|e| anyhow::anyhow!("reading the audit log: {e}"))?;
    println!(
        "audit chain OK: {} sealed events verified ({unsealed} not yet sealed)",
        walked.verified
    );
    Ok(())
}

/// A readable account of an error for the command line.
fn describe(e: &crate::error::ApiError) -> String {
    match e {
        crate::error::ApiError::Validation(errors) => errors
            .iter()
            .map(|f| format!("{} {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        crate::error::ApiError::Conflict { detail, .. } => detail.clone(),
        other => other.to_string(),
    }
}

fn serve(settings: Settings, mut conn: DbConn) -> anyhow::Result<()> {
    let secret = crate::secrets::jwt_secret(&settings, &mut conn)?;
    let audit_key = audit::key::AuditKey::load(&settings)?;
    drop(conn);
    let pool = db::pool(
        &settings.database_url,
        settings.pool_size,
        settings.connect_timeout,
        settings.request_timeout,
    )?;
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let (buffer, reads) = AuditBuffer::new();
    let state = AppState {
        pool: pool.clone(),
        clock: Clock::default(),
        keys: Keys::new(secret.as_bytes()),
        hasher: Hasher::new(cores)?,
        login_limiter: limiter(settings.login_rate),
        audit: buffer,
        data_keys: Arc::new(crate::secrets::data_keys(&settings)?),
        settings: Arc::new(settings),
    };
    actix_web::rt::System::new().block_on(async move {
        let workers = audit::worker::Workers::start(pool, audit_key, reads);
        let served = crate::app::serve(state).await;
        // After the last request: buffered reads are written and everything is sealed.
        workers.shutdown().await;
        served
    })
}
