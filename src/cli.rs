//! The `mock-hmc` command line (clap): maps arguments to library calls.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::definition;
use crate::fixture::{FaultSpec, JournalFilter, clock, faults, journal};
use crate::hmc::{Error, Hmc};
use crate::routes::RouteTable;
use crate::server::{self, ServeOptions};

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
        /// Address to listen on (any 127.x.y.z, or another address).
        #[arg(long, default_value = "127.0.0.1")]
        listen: IpAddr,
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
        /// Do not journal requests (the `journal` table).
        #[arg(long)]
        no_journal: bool,
    },
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
        /// Include write-only properties such as passwords.
        #[arg(long)]
        with_passwords: bool,
    },
    /// Put the embedded default HMC into an empty db.
    Init,
    /// List the live sessions.
    Sessions,
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
    /// List every URI pattern and method served.
    Routes {
        /// Print the Markdown coverage table (docs/uris.md).
        #[arg(long)]
        markdown: bool,
    },
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
    },
    /// List the rules with their match counts.
    List,
    /// Remove rule ID, or every rule.
    Clear { id: Option<i64> },
}

/// Runs the command line; errors are one line on stderr and exit code 1.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mock-hmc: {e}");
            ExitCode::FAILURE
        }
    }
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

/// The text of `file`; the error names the file.
fn read_text(file: &Path) -> Result<String, Error> {
    std::fs::read_to_string(file).map_err(|e| {
        Error::Io(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", file.display()),
        ))
    })
}

fn read_definition(file: &Path) -> Result<serde_json::Value, Error> {
    Ok(definition::parse(&read_text(file)?)?)
}

fn execute(cli: Cli) -> Result<(), Error> {
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
            no_journal,
        } => {
            let hmc = Arc::new(Hmc::open(&cli.db)?);
            hmc.set_journal(!no_journal);
            if let Some(out) = &cert_out {
                // The certificate the server presents: the user's own if given.
                let pem = match &cert {
                    Some(c) => read_text(c)?,
                    None => server::tls::self_signed_pem(&hmc)?.0,
                };
                std::fs::write(out, pem)?;
            }
            let scheme = if plain_http { "http" } else { "https" };
            let opts = ServeOptions {
                listen,
                port,
                port_file,
                plain_http,
                cert,
                key,
                body_limit,
            };
            let db = cli.db.display().to_string();
            server::serve(hmc, opts, |addr| {
                println!("mock-hmc serving {db} on {scheme}://{addr}");
                println!("port {}", addr.port());
                println!("log on as userid 'ensadmin' with password 'password' (default HMC)");
                let _ = std::io::stdout().flush();
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
                    return Err(Error::Io(std::io::Error::other(format!(
                        "--user {u}: expected NAME:PASSWORD"
                    ))));
                };
                credentials.push((name.to_string(), password.to_string()));
            }
            let hmc = Hmc::open_unseeded(&cli.db)?;
            hmc.load(&def, replace)?;
            for (name, password) in &credentials {
                hmc.set_user_password(name, password)?;
            }
            println!("loaded {} into {}", file.display(), cli.db.display());
            Ok(())
        }
        Command::Dump {
            file,
            with_passwords,
        } => {
            let hmc = Hmc::open_unseeded(&cli.db)?;
            let def = hmc.dump(with_passwords)?;
            let json = file
                .as_ref()
                .is_some_and(|f| f.extension().is_some_and(|e| e == "json"));
            let text = if json {
                serde_json::to_string_pretty(&def)
                    .map_err(|e| Error::Io(std::io::Error::other(e)))?
                    + "\n"
            } else {
                definition::to_yaml(&def)?
            };
            match file {
                Some(f) => std::fs::write(f, text)?,
                None => print!("{text}"),
            }
            Ok(())
        }
        Command::Init => {
            let hmc = Hmc::open_unseeded(&cli.db)?;
            if !hmc.seed_default_if_empty()? {
                return Err(Error::NotEmpty);
            }
            println!("initialised {} with the default HMC", cli.db.display());
            Ok(())
        }
        Command::Checkpoint(c) => checkpoint(&Hmc::open_unseeded(&cli.db)?, c),
        Command::Fork {
            to,
            from_checkpoint,
        } => {
            let hmc = Hmc::open_unseeded(&cli.db)?;
            hmc.fork(&to, from_checkpoint.as_deref())?;
            println!("forked {} to {}", cli.db.display(), to.display());
            Ok(())
        }
        Command::Reset => {
            Hmc::open_unseeded(&cli.db)?.reset()?;
            println!("reset {} to its initial state", cli.db.display());
            Ok(())
        }
        Command::Clock(c) => clock(&Hmc::open_unseeded(&cli.db)?, c),
        Command::Fault(c) => fault(&Hmc::open_unseeded(&cli.db)?, c),
        Command::Journal {
            action,
            since,
            test,
            uri,
            json,
        } => {
            let hmc = Hmc::open_unseeded(&cli.db)?;
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
        Command::Sessions => {
            let hmc = Hmc::open_unseeded(&cli.db)?;
            for s in hmc.sessions()? {
                println!(
                    "{}  {}  created {}  last used {}",
                    s.id, s.userid, s.created_at, s.last_used_at
                );
            }
            Ok(())
        }
    }
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
                error: code.map(|(s, r)| (s, r, message)),
                delay_ms: delay.as_deref().map(clock::parse_duration).transpose()?,
                count,
                skip,
                expires_in_ms: expires.as_deref().map(clock::parse_duration).transpose()?,
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
