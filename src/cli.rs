//! The `mock-hmc` command line (clap): maps arguments to library calls.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::definition;
use crate::hmc::{Error, Hmc};
use crate::resources::metrics_context::{MetricsSource, groups};
use crate::routes::RouteTable;
use crate::server::stomp::StompOptions;
use crate::server::{self, ServeOptions};

/// A faked IBM Z HMC Web Services API in one SQLite file.
#[derive(Debug, Parser)]
#[command(name = "mock-hmc", version, about)]
pub struct Cli {
    /// The SQLite file that holds the HMC (created if missing).
    #[arg(long, global = true, env = "MOCK_HMC_DB", default_value = "hmc.sqlite")]
    pub db: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
            metrics,
            stomp_port,
            stomp_plain,
            no_stomp,
        } => {
            let hmc = Arc::new(Hmc::open(&cli.db)?);
            if let Some(source) = metrics {
                hmc.set_metrics_source(source)?;
            }
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
                stomp: StompOptions {
                    enabled: !no_stomp,
                    port: stomp_port,
                    plain: stomp_plain,
                },
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
        Command::Metrics { action } => {
            let hmc = Hmc::open_unseeded(&cli.db)?;
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
            let hmc = Hmc::open_unseeded(&cli.db)?;
            if !hmc.notify(&uri)? {
                eprintln!(
                    "mock-hmc: no serve process delivers notifications for this db; nothing sent"
                );
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
