//! The `mock-hmc` command line (clap): maps arguments to library calls.

use crate::api::timestamp::{self, Utc};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::definition;
use crate::fixture::{
    FaultSpec, JobPolicySpec, JournalFilter, clock, faults, job_policies, journal,
};
use crate::hmc::{Error, Hmc};
use crate::inventory_file::{self, InventoryOptions};
use crate::resources::metrics_context::{MetricsSource, groups};
use crate::routes::RouteTable;
use crate::server::stomp::StompOptions;
use crate::server::{self, ServeOptions, Timeouts};

/// A faked IBM Z HMC Web Services API in one SQLite file.
#[derive(Debug, Parser)]
#[command(name = "mock-hmc", version, about)]
pub(crate) struct Cli {
    /// The SQLite file that holds the HMC (created if missing).
    #[arg(long, global = true, env = "MOCK_HMC_DB", default_value = "hmc.sqlite")]
    db: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Serve the HMC WS API over HTTPS (a new or empty db gets the default HMC).
    Serve {
        /// Address or host name to listen on (any 127.x.y.z, localhost, or
        /// another address); the generated certificate names it.
        #[arg(long, default_value = "127.0.0.1")]
        listen: String,
        /// Port; 0 picks a free one and prints it.
        #[arg(long, default_value_t = 6794)]
        port: u16,
        /// Write the bound port to this file.
        #[arg(long)]
        port_file: Option<PathBuf>,
        /// Serve plain HTTP instead of HTTPS.
        #[arg(long)]
        plain_http: bool,
        /// PEM certificate (chain) to use instead of the generated one.
        #[arg(long, requires = "key")]
        cert: Option<PathBuf>,
        /// PEM private key for --cert.
        #[arg(long, requires = "cert")]
        key: Option<PathBuf>,
        /// Write the server's certificate (PEM) to this file, e.g. for verify_cert.
        #[arg(long)]
        cert_out: Option<PathBuf>,
        /// Largest request body accepted, in bytes; larger ones get 413. Mount
        /// ISO Image sends the whole image, which is read and discarded.
        #[arg(long, default_value_t = server::DEFAULT_BODY_LIMIT)]
        body_limit: usize,
        /// Connections open at once; more are closed as they come [default:
        /// half of what the open-file limit leaves, at most 1024].
        #[arg(long)]
        max_connections: Option<usize>,
        /// Seconds a TLS handshake may take.
        #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds)]
        handshake_timeout: Duration,
        /// Seconds from a request's first byte to the end of its headers.
        #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
        header_timeout: Duration,
        /// Seconds a request body may pause before the request gets 408, and
        /// a streamed answer (Get Inventory) may wait for the client to read
        /// before the connection is cut.
        #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
        body_timeout: Duration,
        /// Seconds a kept-alive connection may stay without a request.
        #[arg(long, value_name = "SECONDS", default_value = "120", value_parser = seconds)]
        idle_timeout: Duration,
        /// How long Restart Console keeps the HMC unavailable, in seconds
        /// (stored in the db; default 5).
        #[arg(long)]
        restart_seconds: Option<f64>,
        /// Do not journal requests (the `journal` table).
        #[arg(long)]
        no_journal: bool,
        /// Serve the admin API under /mock/... (for users `mock-hmc admin add` marks).
        #[arg(long)]
        admin: bool,
        /// Where Get Metrics takes values from: `prepared` (only prepared
        /// values) or `synthetic[:SEED]` (also generated, time-varying values
        /// for every resource). Stored in the db; unset keeps the db's setting.
        #[arg(long, value_name = "SOURCE", value_parser = parse_metrics_source)]
        metrics: Option<MetricsSource>,
        /// STOMP notification port (default 61612; a busy default port only
        /// warns); 0 picks a free one, written to `<port-file>.stomp`.
        #[arg(long, conflicts_with = "no_stomp")]
        stomp_port: Option<u16>,
        /// Serve STOMP over plain TCP instead of TLS.
        #[arg(long, conflicts_with = "no_stomp")]
        stomp_plain: bool,
        /// Serve no STOMP notifications.
        #[arg(long)]
        no_stomp: bool,
    },
    /// Notify subscribers of the current properties and status of URI, e.g.
    /// after changing it with sqlite3 (which notifies nobody).
    Notify { uri: String },
    /// Prepared metric values, as Get Metrics reports them.
    Metrics {
        #[command(subcommand)]
        action: MetricsAction,
    },
    /// Make the HMC available again after Shutdown Console (or end a
    /// restart early), for every process sharing the db.
    Enable,
    /// Load a zhmcclient HMC definition file (YAML or JSON) into the db.
    Load {
        file: PathBuf,
        /// Add or update a user that can log on (repeatable).
        #[arg(long = "user", value_name = "NAME:PASSWORD")]
        users: Vec<String>,
        /// Replace what the db holds.
        #[arg(long)]
        replace: bool,
    },
    /// Write the HMC as a definition file (YAML; JSON if FILE ends in .json).
    Dump {
        file: Option<PathBuf>,
        /// Include write-only properties (as the salted hashes stored).
        #[arg(long)]
        with_passwords: bool,
    },
    /// Put the embedded default HMC into an empty db.
    Init,
    /// List the live sessions.
    Sessions {
        /// Print a JSON list instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Add an operating system message for a partition or LPAR (as its OS
    /// would write it); prints its sequence number.
    OsMessage {
        /// The partition or LPAR (`/api/logical-partitions/classic1-lpar1`).
        uri: String,
        /// The message text.
        text: String,
        /// The message is held (it waits for a reply).
        #[arg(long)]
        held: bool,
        /// The message is a priority message.
        #[arg(long)]
        priority: bool,
    },
    /// Checkpoints of the HMC state, kept in the db.
    #[command(subcommand)]
    Checkpoint(CheckpointCommand),
    /// Write a new db file with the HMC state (per-worker or per-test copies).
    Fork {
        /// The new db file (must not exist).
        #[arg(long)]
        to: PathBuf,
        /// Fork the state of this checkpoint instead of the current one.
        #[arg(long)]
        from_checkpoint: Option<String>,
    },
    /// Put the HMC back to the state it was loaded or initialised with.
    Reset,
    /// The HMC clock: real time plus an offset any process can move.
    #[command(subcommand)]
    Clock(ClockCommand),
    /// Fault rules: make requests fail or slow down on purpose.
    #[command(subcommand)]
    Fault(FaultCommand),
    /// Users the admin API (`serve --admin`, /mock/...) accepts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Job policies: how the jobs of matching operations run and end.
    #[command(subcommand)]
    JobPolicy(JobPolicyCommand),
    /// The request journal: what was sent and answered.
    #[command(args_conflicts_with_subcommands = true)]
    Journal {
        #[command(subcommand)]
        action: Option<JournalCommand>,
        /// Only requests at or after this HMC time (YYYY-MM-DDTHH:MM:SSZ,
        /// unix ms) or this long ago (10m, 1h).
        #[arg(long)]
        since: Option<String>,
        /// Only requests tagged with this X-Mock-Test-Id.
        #[arg(long)]
        test: Option<String>,
        /// Only URIs this regex finds.
        #[arg(long)]
        uri: Option<String>,
        /// Print JSON (an array of rows) instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Write a zhmcclient.testutils HMC inventory and vault file describing
    /// this db as `serve` serves it (for end2end suites: TESTINVENTORY, TESTVAULT).
    Inventory {
        /// The address serve listens on.
        #[arg(long)]
        host: String,
        /// The port serve listens on (zhmcclient.testutils uses 6794 only).
        #[arg(long, default_value_t = crate::inventory_file::TESTUTILS_PORT)]
        port: u16,
        /// The HMC inventory file to write.
        #[arg(long)]
        out: PathBuf,
        /// The HMC vault file to write (holds the password; mode 0600).
        #[arg(long)]
        vault: PathBuf,
        /// The HMC's nickname in both files [default: the HMC name].
        #[arg(long)]
        nickname: Option<String>,
        /// The userid to log on with [default: ensadmin or another user that can].
        #[arg(long)]
        userid: Option<String>,
        /// Its password (needed unless it is the default HMC's).
        #[arg(long)]
        password: Option<String>,
    },
    /// List every URI pattern and method served.
    Routes {
        /// Print the Markdown coverage table (docs/uris.md).
        #[arg(long)]
        markdown: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MetricsAction {
    /// Set the values of GROUP for RESOURCE-URI (replacing earlier ones):
    /// every metric of the group as NAME=VALUE, typed as the group says.
    Set {
        group: String,
        resource_uri: String,
        #[arg(value_name = "NAME=VALUE", required = true)]
        values: Vec<String>,
        /// ISO 8601 timestamp of the values (default: now).
        #[arg(long)]
        timestamp: Option<String>,
    },
    /// List the prepared values (group, resource, timestamp, values).
    List,
    /// Remove prepared values: all, of GROUP, or of GROUP and RESOURCE-URI.
    Clear {
        group: Option<String>,
        resource_uri: Option<String>,
    },
}

fn parse_metrics_source(text: &str) -> Result<MetricsSource, String> {
    MetricsSource::parse(text)
        .ok_or_else(|| format!("expected prepared, synthetic or synthetic:SEED, not '{text}'"))
}

/// The typed values of `metrics set`: NAME=VALUE read as the group's
/// definition types them.
fn metric_values_of(
    group: &str,
    values: &[String],
) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    let def = groups::group(group).ok_or_else(|| {
        Error::Invalid(format!(
            "unknown metric group '{group}' (known: {})",
            groups::GROUPS
                .iter()
                .map(|g| g.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let mut out = serde_json::Map::new();
    for item in values {
        let Some((name, text)) = item.split_once('=') else {
            return Err(Error::Invalid(format!("{item}: expected NAME=VALUE")));
        };
        let Some((_, ty)) = def.metrics.iter().find(|(n, _)| *n == name) else {
            return Err(Error::Invalid(format!(
                "metric group '{group}' has no metric '{name}'"
            )));
        };
        let value = ty
            .parse(text)
            .ok_or_else(|| Error::Invalid(format!("{name}={text}: not of type {}", ty.name())))?;
        out.insert(name.to_string(), value);
    }
    Ok(out)
}

/// A positive number of seconds (fractions allowed).
fn seconds(text: &str) -> Result<Duration, String> {
    let s: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !(s > 0.0 && s.is_finite()) {
        return Err(format!("'{text}' is not a positive number of seconds"));
    }
    Duration::try_from_secs_f64(s).map_err(|e| format!("'{text}': {e}"))
}

#[derive(Debug, Subcommand)]
pub(crate) enum CheckpointCommand {
    /// Save the HMC state as NAME (replacing a checkpoint of that name).
    Save { name: String },
    /// Put the HMC back to checkpoint NAME, in one transaction.
    Restore {
        name: String,
        /// Also log off every session (they stay valid by default).
        #[arg(long)]
        drop_sessions: bool,
    },
    /// List the checkpoints.
    List,
    /// Delete checkpoint NAME.
    Delete { name: String },
    /// Resources added, removed and changed from checkpoint A to B (or now).
    Diff {
        a: String,
        b: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum JournalCommand {
    /// Empty the journal.
    Clear,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ClockCommand {
    /// Print the HMC time and its offset from real time.
    Show,
    /// Move the clock by a duration (6h, 1h30m, 90s, 500ms, -1d).
    Advance {
        #[arg(allow_hyphen_values = true)]
        by: String,
    },
    /// Set the clock to a time (YYYY-MM-DDTHH:MM:SSZ, YYYY-MM-DD or unix ms).
    Set { time: String },
    /// Go back to real time.
    Real,
}

#[derive(Debug, Subcommand)]
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing would only obscure the clap derive"
)]
pub(crate) enum FaultCommand {
    /// Add a rule; prints its id.
    Add {
        /// Match this HTTP method only.
        #[arg(long)]
        method: Option<String>,
        /// Match paths this regex matches in full.
        #[arg(long)]
        uri: Option<String>,
        /// Match this operation (the WS API book's title, e.g. 'Start Partition').
        #[arg(long)]
        operation: Option<String>,
        /// Match requests of this userid.
        #[arg(long)]
        userid: Option<String>,
        /// Match requests of this session id.
        #[arg(long)]
        session: Option<String>,
        /// Answer an HMC error with this HTTP status.
        #[arg(long)]
        status: Option<u16>,
        /// The error's reason code (default 0).
        #[arg(long, requires = "status")]
        reason: Option<i64>,
        /// Shorthand for --status/--reason: 409.1, 409.2, 403.5, 503, ...
        #[arg(long, conflicts_with_all = ["status", "reason"])]
        error: Option<String>,
        /// The error's message (default: one per code).
        #[arg(long)]
        message: Option<String>,
        /// Delay the request by this long (2s, 500ms) before it runs or fails.
        #[arg(long)]
        delay: Option<String>,
        /// Apply to this many matching requests, then stop (default: all).
        #[arg(long)]
        count: Option<i64>,
        /// Let the first N matching requests through.
        #[arg(long, default_value_t = 0)]
        skip: i64,
        /// End the rule after this long on the HMC clock (e.g. 10m).
        #[arg(long)]
        expires: Option<String>,
        /// Apply to a match with this chance (0 < P <= 1), drawn from the
        /// seed and the match number, so a run is repeatable.
        #[arg(long)]
        probability: Option<f64>,
        /// End the job of a matching job operation with this error
        /// (STATUS.REASON, e.g. 500.263) instead of success, changing
        /// nothing; a matching synchronous request is answered it.
        #[arg(long, value_name = "STATUS.REASON", conflicts_with_all = ["status", "reason", "error"])]
        job_error: Option<String>,
        /// Close the connection without an answer (the server; the library
        /// answers 503 reason 0 saying so).
        #[arg(long, conflicts_with_all = ["status", "reason", "error", "job_error"])]
        drop_connection: bool,
        /// The seed of the probability's draws.
        #[arg(long, default_value_t = 0, requires = "probability")]
        seed: i64,
    },
    /// List the rules with their match counts.
    List,
    /// Remove rule ID, or every rule.
    Clear { id: Option<i64> },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// Let USERID use the admin API (with a session of its own).
    Add { userid: String },
    /// No longer let USERID use the admin API.
    Remove { userid: String },
    /// The userids the admin API accepts.
    List,
}

#[derive(Debug, Subcommand)]
pub(crate) enum JobPolicyCommand {
    /// Add a policy (the first matching one applies); prints its id.
    Add {
        /// Match this operation (the WS API book's title, e.g. 'Start Partition').
        #[arg(long)]
        operation: Option<String>,
        /// Match request paths this regex matches in full.
        #[arg(long)]
        uri: Option<String>,
        /// Report `running` to this many Query Job Status polls, complete on the next.
        #[arg(long)]
        polls: Option<i64>,
        /// Complete once this long has passed on the HMC clock (e.g. 30s).
        #[arg(long)]
        after: Option<String>,
        /// Stay `running` until Cancel Job (then `canceled`).
        #[arg(long, conflicts_with_all = ["polls", "after"])]
        until_cancel: bool,
        /// End the job with this HMC error instead (e.g. 500.263, 409.1).
        #[arg(long)]
        error: Option<String>,
        /// The error's message (default: one naming the code).
        #[arg(long, requires = "error")]
        message: Option<String>,
        /// Set the target's `status` to this after the operation ran (e.g. exceptions, degraded).
        #[arg(long, conflicts_with = "error")]
        result_status: Option<String>,
    },
    /// List the policies in the order they are tried.
    List,
    /// Remove policy ID, or every policy.
    Clear { id: Option<i64> },
}

/// Runs the command line; errors are one line on stderr and exit code 1.
pub fn run() -> ExitCode {
    ExitCode::from(run_from(std::env::args_os()))
}

/// Runs the CLI on `args` (the program name first, as `std::env::args_os`
/// gives it) and returns the exit code instead of exiting, so that a host
/// process (the Python package's `mock-hmc` console script) can run it:
/// usage errors, `--help` and `--version` print what clap prints and give
/// its exit code (2 or 0) rather than ending the process.
pub fn run_from<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let code = match Cli::try_parse_from(args) {
        Ok(cli) => {
            init_logging();
            match execute(cli) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("mock-hmc: {e}");
                    1
                }
            }
        }
        Err(e) => {
            let _ = e.print();
            u8::try_from(e.exit_code()).unwrap_or(2)
        }
    };
    // A host process may exit without running Rust's exit path, which
    // would flush a last line left in stdout's buffer.
    let _ = std::io::stdout().flush();
    code
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MOCK_HMC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,rustls=error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only on a terminal, so that log files stay greppable.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// An error that names what it was about (a file, a flag).
fn named(what: impl std::fmt::Display, e: impl std::fmt::Display) -> Error {
    Error::Io(std::io::Error::other(format!("{what}: {e}")))
}

/// The text of `file`; the error names the file.
fn read_text(file: &Path) -> Result<String, Error> {
    std::fs::read_to_string(file).map_err(|e| named(file.display(), e))
}

/// The parsed definition in `file`; errors name the file.
fn read_definition(file: &Path) -> Result<serde_json::Value, Error> {
    definition::parse(&read_text(file)?).map_err(|e| named(file.display(), e))
}

/// Runs `f` on the db at `db`; when `f` fails and `db` did not exist
/// before, removes what it created (the file and its `-wal`/`-shm`), so a
/// failed command leaves no half-made db behind.
fn removing_new_db(db: &Path, f: impl FnOnce() -> Result<(), Error>) -> Result<(), Error> {
    let existed = db.exists();
    let result = f();
    if result.is_err() && !existed {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
    result
}

/// `ms` (Unix milliseconds) as ISO 8601 UTC, e.g. `2024-05-01T12:00:00.000Z`.
fn iso8601(ms: i64) -> String {
    timestamp::iso8601(ms, Utc::Zulu)
}

/// An expiry time: `never` for sessions without an idle timeout.
fn expiry(ms: i64) -> String {
    if ms == i64::MAX {
        "never".into()
    } else {
        iso8601(ms)
    }
}

fn execute(cli: Cli) -> Result<(), Error> {
    let db = cli.db;
    match cli.command {
        Command::Routes { markdown } => {
            let table = RouteTable::build();
            if markdown {
                print!("{}", table.markdown());
            } else {
                for line in table.listing() {
                    println!("{line}");
                }
            }
            Ok(())
        }
        Command::Serve {
            listen,
            port,
            port_file,
            plain_http,
            cert,
            key,
            cert_out,
            body_limit,
            metrics,
            stomp_port,
            stomp_plain,
            no_stomp,
            max_connections,
            handshake_timeout,
            header_timeout,
            body_timeout,
            idle_timeout,
            restart_seconds,
            no_journal,
            admin,
        } => {
            let restart = restart_seconds
                .map(|secs| {
                    Duration::try_from_secs_f64(secs)
                        .map_err(|e| named(format_args!("--restart-seconds {secs}"), e))
                })
                .transpose()?;
            let scheme = if plain_http { "http" } else { "https" };
            let opts = ServeOptions {
                listen,
                port,
                port_file,
                plain_http,
                cert,
                key,
                cert_out,
                body_limit,
                max_connections,
                timeouts: Timeouts {
                    handshake: handshake_timeout,
                    header: header_timeout,
                    body: body_timeout,
                    idle: idle_timeout,
                },
                stomp: StompOptions {
                    enabled: !no_stomp,
                    port: stomp_port,
                    plain: stomp_plain,
                },
            };
            removing_new_db(&db, || {
                let hmc = Arc::new(Hmc::open(&db)?);
                if let Some(time) = restart {
                    hmc.set_restart_time(time)?;
                }
                hmc.set_journal(!no_journal);
                hmc.set_admin_api(admin);
                if let Some(source) = metrics {
                    hmc.set_metrics_source(source)?;
                }
                let shown = db.display().to_string();
                let logon = match hmc.logon_hint()? {
                    Some((user, Some(password))) => {
                        format!("log on as userid '{user}' with password '{password}'")
                    }
                    Some((user, None)) => {
                        format!(
                            "log on as userid '{user}' with the password set for it (stored hashed, so not shown)"
                        )
                    }
                    None => format!(
                        "no user of {shown} can log on; add one with `mock-hmc --db {shown} load FILE --replace --user NAME:PASSWORD`"
                    ),
                };
                server::serve(hmc, opts, |addr| {
                    println!("mock-hmc serving {shown} on {scheme}://{addr}");
                    println!("port {}", addr.port());
                    println!("{logon}");
                    let _ = std::io::stdout().flush();
                })
            })
        }
        Command::Load {
            file,
            users,
            replace,
        } => {
            let def = read_definition(&file)?;
            let mut credentials = Vec::new();
            for u in &users {
                let Some((name, password)) = u.split_once(':') else {
                    return Err(named(format_args!("--user {u}"), "expected NAME:PASSWORD"));
                };
                credentials.push((name.to_string(), password.to_string()));
            }
            removing_new_db(&db, || {
                let hmc = Hmc::open_unseeded(&db)?;
                hmc.load(&def, replace).map_err(|e| match e {
                    Error::NotEmpty => named(
                        db.display(),
                        "already holds an HMC; use --replace to overwrite it",
                    ),
                    Error::Definition(d) => named(file.display(), d),
                    other => other,
                })?;
                for (name, password) in &credentials {
                    hmc.set_user_password(name, password)?;
                }
                Ok(())
            })?;
            println!("loaded {} into {}", file.display(), db.display());
            Ok(())
        }
        Command::Dump {
            file,
            with_passwords,
        } => {
            let hmc = Hmc::open_existing(&db)?;
            let def = hmc.dump(with_passwords)?;
            let json = file
                .as_ref()
                .is_some_and(|f| f.extension().is_some_and(|e| e == "json"));
            let text = if json {
                serde_json::to_string_pretty(&def).map_err(|e| named("dump", e))? + "\n"
            } else {
                definition::to_yaml(&def)?
            };
            match file {
                Some(f) => std::fs::write(&f, text)
                    .map_err(|e| named(format_args!("cannot write {}", f.display()), e))?,
                None => print!("{text}"),
            }
            Ok(())
        }
        Command::Enable => {
            // Enabling a db that does not exist would only create one.
            Hmc::open_existing(&db)?.enable()?;
            println!("{} is available again", db.display());
            Ok(())
        }
        Command::Metrics { action } => {
            let hmc = Hmc::open_existing(&db)?;
            match action {
                MetricsAction::Set {
                    group,
                    resource_uri,
                    values,
                    timestamp,
                } => {
                    let metrics = metric_values_of(&group, &values)?;
                    hmc.set_metric_values(&group, &resource_uri, timestamp.as_deref(), metrics)?;
                }
                MetricsAction::List => {
                    for row in hmc.metric_values()? {
                        let values: Vec<String> = row
                            .metrics
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect();
                        println!(
                            "{}  {}  {}  {}",
                            row.group_name,
                            row.resource_uri,
                            row.timestamp,
                            values.join(" ")
                        );
                    }
                }
                MetricsAction::Clear {
                    group,
                    resource_uri,
                } => {
                    let n = hmc.clear_metric_values(group.as_deref(), resource_uri.as_deref())?;
                    println!("removed {n} rows of metric values");
                }
            }
            Ok(())
        }
        Command::Notify { uri } => {
            let hmc = Hmc::open_existing(&db)?;
            if !hmc.notify(&uri)? {
                eprintln!(
                    "mock-hmc: no serve process delivers notifications for this db; nothing sent"
                );
            }
            Ok(())
        }
        Command::Init => {
            let hmc = Hmc::open_unseeded(&db)?;
            if !hmc.seed_default_if_empty()? {
                return Err(named(
                    db.display(),
                    "already holds an HMC; init fills only an empty db",
                ));
            }
            println!("initialised {} with the default HMC", db.display());
            Ok(())
        }
        Command::OsMessage {
            uri,
            text,
            held,
            priority,
        } => {
            let hmc = Hmc::open(&db)?;
            println!("{}", hmc.add_os_message(&uri, &text, held, priority)?);
            Ok(())
        }
        Command::Sessions { json } => {
            let hmc = Hmc::open_existing(&db)?;
            let sessions = hmc.sessions()?;
            if json {
                let list: Vec<serde_json::Value> = sessions
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "key": s.id,
                            "userid": s.userid,
                            "user-uri": s.user_uri,
                            "created": iso8601(s.created_at),
                            "last-used": iso8601(s.last_used_at),
                            "expires": expiry(s.expires_at),
                        })
                    })
                    .collect();
                let text = serde_json::to_string_pretty(&list).map_err(|e| named("sessions", e))?;
                println!("{text}");
                return Ok(());
            }
            for s in sessions {
                println!(
                    "{}  {}  created {}  last used {}  expires {}",
                    s.id,
                    s.userid,
                    iso8601(s.created_at),
                    iso8601(s.last_used_at),
                    expiry(s.expires_at)
                );
            }
            Ok(())
        }
        Command::Inventory {
            host,
            port,
            out,
            vault,
            nickname,
            userid,
            password,
        } => {
            let opts = InventoryOptions {
                host,
                port,
                nickname,
                userid,
                password,
                description: None,
            };
            inventory(&db, opts, &out, &vault)
        }
        Command::Checkpoint(c) => checkpoint(&Hmc::open_existing(&db)?, c),
        Command::Fork {
            to,
            from_checkpoint,
        } => {
            let hmc = Hmc::open_existing(&db)?;
            hmc.fork(&to, from_checkpoint.as_deref())?;
            println!("forked {} to {}", db.display(), to.display());
            Ok(())
        }
        Command::Reset => {
            Hmc::open_existing(&db)?.reset()?;
            println!("reset {} to its initial state", db.display());
            Ok(())
        }
        Command::Clock(c) => clock(&Hmc::open_existing(&db)?, c),
        Command::Fault(c) => fault(&Hmc::open_existing(&db)?, c),
        Command::JobPolicy(c) => job_policy(&Hmc::open_existing(&db)?, c),
        Command::Admin(c) => {
            let hmc = Hmc::open_existing(&db)?;
            match c {
                AdminCommand::Add { userid } => hmc.set_admin_user(&userid, true)?,
                AdminCommand::Remove { userid } => hmc.set_admin_user(&userid, false)?,
                AdminCommand::List => {
                    for u in hmc.admin_users()? {
                        println!("{u}");
                    }
                }
            }
            Ok(())
        }
        Command::Journal {
            action,
            since,
            test,
            uri,
            json,
        } => {
            let hmc = Hmc::open_existing(&db)?;
            if let Some(JournalCommand::Clear) = action {
                println!("cleared {} journal rows", hmc.clear_journal()?);
                return Ok(());
            }
            let since = match since {
                None => None,
                Some(t) => Some(match clock::parse_time(&t) {
                    Ok(t) => t,
                    Err(_) => hmc.clock()?.0 - clock::parse_duration(&t)?,
                }),
            };
            let rows = hmc.journal(&JournalFilter { since, test, uri })?;
            if json {
                let text = serde_json::to_string_pretty(&rows)
                    .map_err(|e| Error::Io(std::io::Error::other(e)))?;
                println!("{text}");
            } else {
                for j in &rows {
                    println!("{}", journal::describe(j));
                }
            }
            Ok(())
        }
    }
}

/// `mock-hmc inventory`: writes both files, warning about what limits them.
fn inventory(db: &Path, opts: InventoryOptions, out: &Path, vault: &Path) -> Result<(), Error> {
    let hmc = Hmc::open_existing(db)?;
    let opts = InventoryOptions {
        description: Some(format!(
            "mock-hmc serving {}",
            std::path::absolute(db)
                .unwrap_or_else(|_| db.to_path_buf())
                .display()
        )),
        ..opts
    };
    let inv = hmc.testutils_inventory(&opts)?;
    inventory_file::write_file(out, &inv.inventory, false)?;
    inventory_file::write_file(vault, &inv.vault, true)?;
    for w in &inv.warnings {
        eprintln!("mock-hmc: warning: {w}");
    }
    if !inventory_file::listening(&opts.host, opts.port) {
        eprintln!(
            "mock-hmc: warning: nothing listens on {}:{} yet (start `mock-hmc --db {} serve --listen {} --port {}`)",
            opts.host,
            opts.port,
            db.display(),
            opts.host,
            opts.port
        );
    }
    println!(
        "wrote {} and {} for HMC '{}' at {}:{}; use TESTINVENTORY={} TESTVAULT={} TESTEND2END_LOAD=true",
        out.display(),
        vault.display(),
        inv.nickname,
        opts.host,
        opts.port,
        out.display(),
        vault.display()
    );
    Ok(())
}

fn checkpoint(hmc: &Hmc, command: CheckpointCommand) -> Result<(), Error> {
    match command {
        CheckpointCommand::Save { name } => {
            hmc.save_checkpoint(&name)?;
            println!("saved checkpoint {name}");
        }
        CheckpointCommand::Restore {
            name,
            drop_sessions,
        } => {
            hmc.restore_checkpoint(&name, drop_sessions)?;
            println!("restored checkpoint {name}");
        }
        CheckpointCommand::List => {
            for c in hmc.checkpoints()? {
                println!(
                    "{}  {}  {} resources",
                    c.name,
                    clock::format_time(c.created_at),
                    c.resources
                );
            }
        }
        CheckpointCommand::Delete { name } => {
            hmc.delete_checkpoint(&name)?;
            println!("deleted checkpoint {name}");
        }
        CheckpointCommand::Diff { a, b, json } => {
            let diff = hmc.diff_checkpoints(&a, b.as_deref())?;
            if json {
                let text = serde_json::to_string_pretty(&diff)
                    .map_err(|e| Error::Io(std::io::Error::other(e)))?;
                println!("{text}");
            } else {
                print!("{}", diff.to_text());
            }
        }
    }
    Ok(())
}

fn clock(hmc: &Hmc, command: ClockCommand) -> Result<(), Error> {
    match command {
        ClockCommand::Show => {}
        ClockCommand::Advance { by } => {
            hmc.advance_clock(clock::parse_duration(&by)?)?;
        }
        ClockCommand::Set { time } => hmc.set_clock(clock::parse_time(&time)?)?,
        ClockCommand::Real => hmc.real_clock()?,
    }
    let (now, offset) = hmc.clock()?;
    println!("{}  offset {offset} ms", clock::format_time(now));
    Ok(())
}

fn fault(hmc: &Hmc, command: FaultCommand) -> Result<(), Error> {
    match command {
        FaultCommand::Add {
            method,
            uri,
            operation,
            userid,
            session,
            status,
            reason,
            error,
            message,
            delay,
            count,
            skip,
            expires,
            probability,
            job_error,
            drop_connection,
            seed,
        } => {
            let code = match (error, status) {
                (Some(e), _) => Some(faults::parse_error_code(&e)?),
                (None, Some(s)) => Some((s, reason.unwrap_or(0))),
                (None, None) => None,
            };
            let spec = FaultSpec {
                method,
                uri,
                operation,
                userid,
                session,
                error: code.map(|(s, r)| (s, r, message.clone())),
                delay_ms: delay.as_deref().map(clock::parse_duration).transpose()?,
                count,
                skip,
                expires_in_ms: expires.as_deref().map(clock::parse_duration).transpose()?,
                probability,
                seed,
                drop_connection,
                job_error: match job_error {
                    Some(e) => {
                        let (s, r) = faults::parse_error_code(&e)?;
                        Some((s, r, message.clone()))
                    }
                    None => None,
                },
            };
            println!("fault {}", hmc.add_fault(&spec)?);
        }
        FaultCommand::List => {
            for f in hmc.faults()? {
                println!("{}", faults::describe(&f));
            }
        }
        FaultCommand::Clear { id } => {
            let n = hmc.clear_faults(id)?;
            println!("cleared {n} fault rule(s)");
        }
    }
    Ok(())
}

fn job_policy(hmc: &Hmc, command: JobPolicyCommand) -> Result<(), Error> {
    match command {
        JobPolicyCommand::Add {
            operation,
            uri,
            polls,
            after,
            until_cancel,
            error,
            message,
            result_status,
        } => {
            let error = error
                .as_deref()
                .map(faults::parse_error_code)
                .transpose()?
                .map(|(s, r)| (s, r, message));
            let spec = JobPolicySpec {
                operation,
                uri,
                polls,
                after_ms: after.as_deref().map(clock::parse_duration).transpose()?,
                until_cancel,
                error,
                result_status,
            };
            println!("job-policy {}", hmc.add_job_policy(&spec)?);
        }
        JobPolicyCommand::List => {
            for p in hmc.job_policies()? {
                println!("{}", job_policies::describe(&p));
            }
        }
        JobPolicyCommand::Clear { id } => {
            let n = hmc.clear_job_policies(id)?;
            println!("cleared {n} job policy(ies)");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_take_fractions_and_refuse_the_rest() {
        assert_eq!(seconds("1.5"), Ok(Duration::from_millis(1500)));
        assert!(seconds("0").is_err());
        assert!(seconds("-1").is_err());
        assert!(seconds("x").is_err());
        assert!(seconds("inf").is_err());
    }
}
