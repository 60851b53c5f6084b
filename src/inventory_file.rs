//! `mock-hmc inventory`: a zhmcclient.testutils HMC inventory file and vault
//! file describing an HMC that `serve` serves, so end2end suites built on
//! zhmcclient.testutils (TESTINVENTORY / TESTVAULT) run against it unchanged.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::definition;
use crate::hmc::{Error, Hmc};
use crate::resources::console::CONSOLE;
use crate::resources::logon::META_HMC_NAME;
use crate::secrets;

/// The port zhmcclient.testutils connects to: `setup_hmc_session` builds a
/// `zhmcclient.Session` without a port, so only a `serve` on 6794 is
/// reachable by suites built on it.
pub const TESTUTILS_PORT: u16 = 6794;

/// The password of the default HMC's users, the one a hashed password can
/// be checked against when none is given.
const DEFAULT_PASSWORD: &str = "password";

/// What `Hmc::testutils_inventory` describes.
#[derive(Debug, Clone, Default)]
pub struct InventoryOptions {
    /// The address `serve` listens on (`ansible_host` of the entry).
    pub host: String,
    /// The port `serve` listens on (6794 unless told otherwise).
    pub port: u16,
    /// The HMC's nickname in both files (default: the HMC name, when it is
    /// a valid nickname, else `mock-hmc`).
    pub nickname: Option<String>,
    /// The userid written to the vault (default: one that can log on,
    /// `ensadmin` if it can).
    pub userid: Option<String>,
    /// Its password (default: the default HMC's, when it is the one stored).
    pub password: Option<String>,
    /// A sentence about the HMC for the entry's `description`.
    pub description: Option<String>,
}

/// The two files, as YAML text, and what to tell the user about them.
#[derive(Debug, Clone)]
pub struct Inventory {
    /// The HMC inventory file (`TESTINVENTORY`).
    pub inventory: String,
    /// The HMC vault file (`TESTVAULT`): holds the password.
    pub vault: String,
    /// The nickname of the HMC in both (also the group `default` holds it,
    /// so `TESTHMC` need not be set).
    pub nickname: String,
    /// Things that make the files less useful than they could be.
    pub warnings: Vec<String>,
}

/// Ansible host names and HMC nicknames, as the inventory schema takes them.
fn valid_nickname(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-'))
}

/// CPC names the inventory schema accepts as keys of `cpcs`.
fn valid_cpc_key(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn invalid(message: impl Into<String>) -> Error {
    Error::Invalid(message.into())
}

impl Hmc {
    /// A zhmcclient.testutils HMC inventory and vault describing this HMC
    /// as served at `opts.host`/`opts.port`: its CPCs with their mode and
    /// machine type and model, a userid and password that log on, and
    /// `verify: false` (the served certificate is self-signed).
    pub fn testutils_inventory(&self, opts: &InventoryOptions) -> Result<Inventory, Error> {
        if opts.host.trim().is_empty() {
            return Err(invalid("--host: the address serve listens on is required"));
        }
        let (hmc_name, cpcs, users) = self.store().read(|tx| {
            Ok::<_, Error>((
                tx.meta(META_HMC_NAME)?,
                tx.resources_of_class("cpc")?,
                tx.children(CONSOLE.element, "user")?,
            ))
        })?;
        let mut warnings = Vec::new();
        let nickname = match &opts.nickname {
            Some(n) if valid_nickname(n) => n.clone(),
            Some(n) => {
                return Err(invalid(format!(
                    "--nickname {n:?}: use letters, digits, '_', ':', '.' and '-'"
                )));
            }
            None => hmc_name
                .filter(|n| valid_nickname(n))
                .unwrap_or_else(|| "mock-hmc".to_string()),
        };
        let (userid, password) = credentials(&users, opts)?;

        let mut cpc_map = Map::new();
        let mut unnamed = Vec::new();
        for cpc in &cpcs {
            let name = cpc.name().to_string();
            if !valid_cpc_key(&name) {
                unnamed.push(name);
                continue;
            }
            let mut expected = Map::new();
            let dpm = cpc.props.get("dpm-enabled").and_then(Value::as_bool);
            expected.insert("dpm_enabled".into(), json!(dpm.unwrap_or(false)));
            for (prop, key) in [
                ("machine-type", "machine_type"),
                ("machine-model", "machine_model"),
            ] {
                if let Some(Value::String(v)) = cpc.props.get(prop) {
                    expected.insert(key.into(), json!(v));
                }
            }
            cpc_map.insert(name, Value::Object(expected));
        }
        let mut host_vars = Map::new();
        let description = opts
            .description
            .clone()
            .unwrap_or_else(|| "mock-hmc (a faked HMC)".to_string());
        host_vars.insert("description".into(), json!(description));
        host_vars.insert("ansible_host".into(), json!(opts.host));
        if !unnamed.is_empty() {
            // The schema takes only upper-case CPC names as keys; without
            // `cpcs` every managed CPC is tested, which still describes them.
            warnings.push(format!(
                "CPC names {} do not fit the inventory schema (A-Z, 0-9, _): \
                 'cpcs' is left out, so suites test every managed CPC",
                unnamed.join(", ")
            ));
        } else if !cpc_map.is_empty() {
            host_vars.insert("cpcs".into(), Value::Object(cpc_map));
        }
        if opts.port != TESTUTILS_PORT {
            // Kept as an additional host variable for fixtures of one's own.
            host_vars.insert("port".into(), json!(opts.port));
            warnings.push(format!(
                "port {}: zhmcclient.testutils connects to port {TESTUTILS_PORT} only; \
                 serve with --listen on an address of its own (127.x.y.z) and --port {TESTUTILS_PORT}",
                opts.port
            ));
        }
        let mut hosts = Map::new();
        hosts.insert(nickname.clone(), Value::Object(host_vars));
        let mut default_hosts = Map::new();
        default_hosts.insert(nickname.clone(), Value::Null);
        let inventory = json!({
            "all": {
                "hosts": hosts,
                "children": {"default": {"hosts": default_hosts}},
            }
        });
        let mut auth = Map::new();
        auth.insert(
            nickname.clone(),
            json!({"userid": userid, "password": password, "verify": false}),
        );
        let vault = json!({ "hmc_auth": auth });
        let header = |what: &str| {
            format!(
                "# zhmcclient.testutils HMC {what} file written by `mock-hmc inventory`\n\
                 # for the HMC '{nickname}' served at {}:{}.\n",
                opts.host, opts.port
            )
        };
        Ok(Inventory {
            inventory: header("inventory") + &definition::to_yaml(&inventory)?,
            vault: header("vault") + &definition::to_yaml(&vault)?,
            nickname,
            warnings,
        })
    }
}

/// The userid and password for the vault: the ones given, checked against
/// the console's users, or a user that can log on with a known password.
fn credentials(
    users: &[crate::store::Resource],
    opts: &InventoryOptions,
) -> Result<(String, String), Error> {
    let can_log_on = |u: &&crate::store::Resource| {
        u.str_prop("password").is_some()
            && u.props.get("disabled").and_then(Value::as_bool) != Some(true)
    };
    let user = match &opts.userid {
        Some(id) => users
            .iter()
            .find(|u| u.name().eq_ignore_ascii_case(id))
            .filter(can_log_on)
            .ok_or_else(|| {
                invalid(format!(
                    "--userid {id}: no enabled user of that name with a password"
                ))
            })?,
        None => {
            let mut usable: Vec<_> = users.iter().filter(can_log_on).collect();
            usable.sort_by_key(|u| u.name() != "ensadmin");
            *usable.first().ok_or_else(|| {
                invalid(
                    "no user of this HMC can log on; add one with `mock-hmc load FILE --replace --user NAME:PASSWORD`",
                )
            })?
        }
    };
    let stored = user.str_prop("password").unwrap_or("");
    let password = match &opts.password {
        Some(p) if secrets::verify_password(stored, p) => p.clone(),
        Some(_) => {
            return Err(invalid(format!(
                "--password is not the password of user {}",
                user.name()
            )));
        }
        None if secrets::verify_password(stored, DEFAULT_PASSWORD) => DEFAULT_PASSWORD.to_string(),
        None => {
            return Err(invalid(format!(
                "the password of user {} is stored hashed; pass it with --password",
                user.name()
            )));
        }
    };
    Ok((user.name().to_string(), password))
}

/// Whether something accepts TCP connections at `host:port` (within 2 s).
pub fn listening(host: &str, port: u16) -> bool {
    let Ok(addrs) = (host, port).to_socket_addrs() else {
        return false;
    };
    addrs
        .into_iter()
        .any(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok())
}

/// Writes `text` to `path`; `private` files (the vault, which holds a
/// password) are created readable by their owner only.
pub fn write_file(path: &Path, text: &str, private: bool) -> Result<(), Error> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    let named = |e: std::io::Error| {
        Error::Io(std::io::Error::other(format!(
            "cannot write {}: {e}",
            path.display()
        )))
    };
    let mut file = options.open(path).map_err(named)?;
    if private {
        // An existing file keeps its mode on open; narrow it as well.
        std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .map_err(named)?;
    }
    file.write_all(text.as_bytes()).map_err(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> InventoryOptions {
        InventoryOptions {
            host: "127.0.0.9".into(),
            port: TESTUTILS_PORT,
            ..InventoryOptions::default()
        }
    }

    #[test]
    fn the_default_hmc_is_described_with_its_cpcs_and_a_working_logon() {
        let dir = tempfile::tempdir().unwrap();
        let hmc = Hmc::open(dir.path().join("h.sqlite")).unwrap();
        let inv = hmc.testutils_inventory(&opts()).unwrap();
        assert_eq!(inv.nickname, "MOCKHMC1");
        assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
        let parsed = definition::parse(&inv.inventory).unwrap();
        let host = &parsed["all"]["hosts"]["MOCKHMC1"];
        assert_eq!(host["ansible_host"], "127.0.0.9");
        assert_eq!(host["cpcs"]["DPM1"]["dpm_enabled"], true);
        assert_eq!(host["cpcs"]["DPM1"]["machine_type"], "3931");
        assert_eq!(host["cpcs"]["CLASSIC1"]["dpm_enabled"], false);
        assert!(
            parsed["all"]["children"]["default"]["hosts"]
                .as_object()
                .unwrap()
                .contains_key("MOCKHMC1")
        );
        let vault = definition::parse(&inv.vault).unwrap();
        assert_eq!(
            vault["hmc_auth"]["MOCKHMC1"],
            json!({"userid": "ensadmin", "password": "password", "verify": false})
        );
    }

    #[test]
    fn credentials_are_checked_and_a_hashed_password_must_be_given() {
        let dir = tempfile::tempdir().unwrap();
        let hmc = Hmc::open(dir.path().join("h.sqlite")).unwrap();
        hmc.set_user_password("alice", "secret").unwrap();
        let alice = |password: Option<&str>| InventoryOptions {
            userid: Some("alice".into()),
            password: password.map(str::to_string),
            ..opts()
        };
        let e = hmc.testutils_inventory(&alice(None)).unwrap_err();
        assert!(e.to_string().contains("pass it with --password"), "{e}");
        let e = hmc.testutils_inventory(&alice(Some("wrong"))).unwrap_err();
        assert!(e.to_string().contains("is not the password"), "{e}");
        let inv = hmc.testutils_inventory(&alice(Some("secret"))).unwrap();
        assert!(inv.vault.contains("secret"));
        let nobody = InventoryOptions {
            userid: Some("nobody".into()),
            ..opts()
        };
        assert!(hmc.testutils_inventory(&nobody).is_err());
    }

    #[test]
    fn another_port_is_kept_and_warned_about_and_bad_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let hmc = Hmc::open(dir.path().join("h.sqlite")).unwrap();
        let inv = hmc
            .testutils_inventory(&InventoryOptions {
                port: 7000,
                nickname: Some("mine".into()),
                ..opts()
            })
            .unwrap();
        assert_eq!(inv.warnings.len(), 1, "{:?}", inv.warnings);
        let parsed = definition::parse(&inv.inventory).unwrap();
        assert_eq!(parsed["all"]["hosts"]["mine"]["port"], 7000);
        let bad = InventoryOptions {
            nickname: Some("a b".into()),
            ..opts()
        };
        assert!(hmc.testutils_inventory(&bad).is_err());
        let no_host = InventoryOptions {
            host: " ".into(),
            ..opts()
        };
        assert!(hmc.testutils_inventory(&no_host).is_err());
    }
}
