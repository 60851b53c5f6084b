//! Resources outside requests, as zhmcclient's `FakedHmc` handles them:
//! add (through the definition loader and `add_resource`), read, list,
//! change and remove resources, the HMC's name and versions, availability,
//! prepared metric values and sessions that need no console user. Each
//! method is one transaction. The Python package's `session.hmc` is built
//! on these.

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::definition;
use crate::fixture;
use crate::hmc::{Error, Hmc};
use crate::resources::framework::generic;
use crate::resources::logon::{META_API_VERSION, META_HMC_NAME, META_HMC_VERSION};
use crate::resources::{self, console::operations as console_ops, metrics_context};
use crate::store::{MetricValuesRow, Resource, SessionRow, Tx};

/// A stored resource: its URI, class, parent URI (`None` for children of
/// the HMC itself: the console and CPCs) and properties as stored
/// (write-only ones as their salted hashes).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceInfo {
    pub uri: String,
    pub class: String,
    pub parent: Option<String>,
    /// The definition-file key of its type (`partitions`, `nics`, ...):
    /// the name of the FakedHmc manager that holds it.
    pub key: String,
    pub properties: Map<String, Value>,
}

/// What a resource type is, for building FakedHmc-style managers.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeInfo {
    pub class: &'static str,
    pub key: &'static str,
    /// The parent's class; `None` for children of the HMC itself.
    pub parent_class: Option<&'static str>,
    /// The id property (`object-id`, `element-id`; empty for the console).
    pub id_prop: &'static str,
    pub uri_prop: &'static str,
    /// Whether `name` filters ignore case (users, user roles, ...).
    pub names_ignore_case: bool,
}

/// A session opened without a password (`Hmc::open_session`).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionTokens {
    pub session_id: String,
    pub credential: String,
    pub notification_topic: String,
    pub job_notification_topic: String,
}

/// Every resource type, children after their parents.
pub fn resource_types() -> Vec<TypeInfo> {
    resources::ALL
        .iter()
        .map(|rt| TypeInfo {
            class: rt.class,
            key: rt.def_key,
            parent_class: rt.parent.map(|p| p.class),
            id_prop: rt.id_prop,
            uri_prop: rt.uri_prop,
            names_ignore_case: rt.names_ignore_case,
        })
        .collect()
}

/// The idle timeout of sessions opened without a password, as Logon gives
/// users that set none (minutes).
const SESSION_IDLE_MINUTES: i64 = 360;

fn info(tx: &Tx<'_>, r: Resource) -> Result<ResourceInfo, Error> {
    let parent_class = match &r.parent {
        Some(p) => tx.resource(p)?.map(|p| p.class),
        None => None,
    };
    let key = resources::type_of(&r.class, parent_class.as_deref())
        .map_or("", |rt| rt.def_key)
        .to_string();
    Ok(ResourceInfo {
        uri: r.uri,
        class: r.class,
        parent: r.parent,
        key,
        properties: r.props,
    })
}

fn parent_resource(tx: &Tx<'_>, parent: Option<&str>) -> Result<Option<Resource>, Error> {
    match parent {
        None => Ok(None),
        Some(uri) => tx
            .resource(uri)?
            .map(Some)
            .ok_or_else(|| Error::Hmc(HmcError::not_found(uri))),
    }
}

impl Hmc {
    /// Adds resources under `parent` (the HMC itself when `None`), as
    /// FakedHmc's `add_resources` takes them: `{"cpcs": [{"properties":
    /// {...}, "partitions": [...]}]}`. Every resource goes through the
    /// loader's path (ids, URIs, defaults, pools, back-references); one
    /// transaction, so an error adds nothing. Returns the URIs of the direct
    /// children added. Ids may hold spaces, as FakedHmc's may: such a
    /// resource is reached in-process, not over HTTP.
    pub fn add_resources(
        &self,
        parent: Option<&str>,
        children: &Value,
    ) -> Result<Vec<String>, Error> {
        self.store().write(|tx| {
            let parent = parent_resource(tx, parent)?;
            Ok(definition::add_children(
                tx,
                parent.as_ref(),
                children,
                definition::Ids::InProcess,
            )?)
        })
    }

    /// The resource at `uri`, if there is one.
    pub fn resource(&self, uri: &str) -> Result<Option<ResourceInfo>, Error> {
        self.store().read(|tx| match tx.resource(uri)? {
            Some(r) => Ok(Some(info(tx, r)?)),
            None => Ok(None),
        })
    }

    /// The children of `parent` (the HMC itself when `None`) that the
    /// definition-file key `key` names, in the order they were added. An
    /// unknown key is an error; ports list both kinds an adapter may have.
    pub fn child_resources(
        &self,
        parent: Option<&str>,
        key: &str,
    ) -> Result<Vec<ResourceInfo>, Error> {
        self.store().read(|tx| {
            let parent_r = parent_resource(tx, parent)?;
            let parent_class = parent_r.as_ref().map(|p| p.class.as_str());
            let classes: Vec<&str> = resources::ALL
                .iter()
                .filter(|rt| {
                    (rt.def_key == key || rt.def_alias == Some(key))
                        && rt.parent.map(|p| p.class) == parent_class
                })
                .map(|rt| rt.class)
                .collect();
            if classes.is_empty() {
                let owner = parent_class.unwrap_or("the HMC");
                return Err(Error::Invalid(format!("a {owner} has no '{key}'")));
            }
            let mut found = Vec::new();
            for class in classes {
                let rs = match parent {
                    Some(p) => tx.children(p, class)?,
                    None => tx
                        .resources_of_class(class)?
                        .into_iter()
                        .filter(|r| r.parent.is_none())
                        .collect(),
                };
                found.extend(rs);
            }
            found
                .into_iter()
                .map(|r| {
                    let mut i = info(tx, r)?;
                    i.key = key.to_string();
                    Ok(i)
                })
                .collect()
        })
    }

    /// Sets properties of the resource at `uri` (merged into the stored
    /// ones, write-only ones sealed, a new name checked for uniqueness) and
    /// removes the properties named in `remove`. Notifies like any change.
    pub fn update_resource(
        &self,
        uri: &str,
        set: Map<String, Value>,
        remove: &[String],
    ) -> Result<(), Error> {
        self.store().write(|tx| {
            let mut r = tx
                .resource(uri)?
                .ok_or_else(|| Error::Hmc(HmcError::not_found(uri)))?;
            let parent_class = match &r.parent {
                Some(p) => tx.resource(p)?.map(|p| p.class),
                None => None,
            };
            let rt = resources::type_of(&r.class, parent_class.as_deref())
                .ok_or_else(|| Error::Invalid(format!("{uri}: unknown class {}", r.class)))?;
            for k in remove {
                r.props.remove(k);
            }
            generic::merge_properties(tx, rt, &mut r, set).map_err(Error::Hmc)
        })
    }

    /// Removes the resource at `uri` with its children, as Delete does
    /// (numbers freed, back-references dropped); false if there is none.
    pub fn remove_resource(&self, uri: &str) -> Result<bool, Error> {
        self.store().write(|tx| {
            let Some(r) = tx.resource(uri)? else {
                return Ok(false);
            };
            generic::remove(tx, &r).map_err(Error::Hmc)?;
            Ok(true)
        })
    }

    /// The HMC's name, version and API version, as Query API Version
    /// reports them (`None` where unset).
    pub fn identity(&self) -> Result<[Option<String>; 3], Error> {
        self.store().read(|tx| {
            Ok([
                tx.meta(META_HMC_NAME)?,
                tx.meta(META_HMC_VERSION)?,
                tx.meta(META_API_VERSION)?,
            ])
        })
    }

    /// Sets the HMC's name, version (dotted integers, `2.16.0`) and API
    /// version (`4.10`); `None` leaves one as it is.
    pub fn set_identity(
        &self,
        name: Option<&str>,
        version: Option<&str>,
        api_version: Option<&str>,
    ) -> Result<(), Error> {
        self.store().write(|tx| {
            for (key, value) in [
                (META_HMC_NAME, name),
                (META_HMC_VERSION, version),
                (META_API_VERSION, api_version),
            ] {
                if let Some(v) = value {
                    tx.set_meta(key, v)?;
                }
            }
            Ok::<_, Error>(())
        })
    }

    /// Makes the HMC unavailable, as after Shutdown Console but keeping the
    /// sessions, until `enable` (every request gets 503).
    pub fn disable(&self) -> Result<(), Error> {
        self.store()
            .write(|tx| console_ops::disable(tx).map_err(Error::Hmc))
    }

    /// Whether the HMC answers requests (not shut down or restarting).
    pub fn is_enabled(&self) -> Result<bool, Error> {
        self.store().read(|tx| {
            let now = fixture::clock::now(tx)?;
            Ok::<_, Error>(console_ops::check_available(tx, now).is_ok())
        })
    }

    /// Adds prepared metric values of `group` for `resource_uri` after the
    /// ones it has (FakedHmc's `add_metric_values`; `set_metric_values`
    /// replaces them instead), checked against the group's definition.
    pub fn add_metric_values(
        &self,
        group: &str,
        resource_uri: &str,
        timestamp: &str,
        metrics: Map<String, Value>,
    ) -> Result<(), Error> {
        let row = MetricValuesRow {
            group_name: group.to_string(),
            resource_uri: resource_uri.to_string(),
            timestamp: timestamp.to_string(),
            metrics,
        };
        self.store()
            .write(|tx| metrics_context::add_metric_values(tx, &row).map_err(Error::Invalid))
    }

    /// The API features that List Console API Features (for
    /// `/api/console`) or List CPC API Features (for a CPC) answer.
    pub fn api_features(&self, uri: &str) -> Result<Vec<String>, Error> {
        self.store()
            .read(|tx| console_ops::api_features(tx, uri).map_err(Error::Hmc))
    }

    /// Answers an admin API request (`/mock/checkpoints`, `/mock/clock`,
    /// `/mock/faults`, ...; see README) without a session: for in-process
    /// callers, trusted as the CLI is, whether or not `serve --admin` runs.
    pub fn admin_request(&self, req: &crate::Request) -> crate::Response {
        fixture::admin::handle_trusted(self, req)
    }

    /// Opens a session for `userid` without a password, for in-process test
    /// set-ups that start from an HMC without users (as FakedSession needs
    /// no logon). It is a session like Logon's (expires after 6 idle hours,
    /// ends at Logoff); it belongs to the console user of that name if one
    /// exists.
    pub fn open_session(&self, userid: &str) -> Result<SessionTokens, Error> {
        self.store().write(|tx| {
            let now = fixture::clock::now(tx)?;
            let user = tx
                .children_named(
                    Some(resources::console::CONSOLE.element),
                    "user",
                    userid,
                    true,
                )?
                .into_iter()
                .next();
            let id = resources::logon::token();
            let credential = resources::logon::token();
            let tag = resources::logon::token();
            let short = &tag[..12];
            let session = SessionRow {
                id: crate::secrets::token_key(&id),
                userid: userid.to_string(),
                user_uri: user.map(|u| u.uri),
                credential: crate::secrets::token_key(&credential),
                notification_topic: format!("{userid}.{short}.objects"),
                job_notification_topic: format!("{userid}.{short}.jobs"),
                created_at: now,
                last_used_at: now,
                expires_at: now.saturating_add(SESSION_IDLE_MINUTES * 60_000),
            };
            tx.insert_session(&session)?;
            Ok::<_, Error>(SessionTokens {
                session_id: id,
                credential,
                notification_topic: session.notification_topic,
                job_notification_topic: session.job_notification_topic,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn empty() -> (tempfile::TempDir, Hmc) {
        let dir = tempfile::tempdir().unwrap();
        let hmc = Hmc::open_unseeded(dir.path().join("h.sqlite")).unwrap();
        (dir, hmc)
    }

    #[test]
    fn resources_are_added_listed_changed_and_removed_through_the_loader() {
        let (_d, hmc) = empty();
        let added = hmc
            .add_resources(
                None,
                &json!({"cpcs": [{"properties": {"object-id": "c1", "name": "C1", "dpm-enabled": true},
                         "partitions": [{"properties": {"object-id": "p1", "name": "P1"}}]}]}),
            )
            .unwrap();
        assert_eq!(added, ["/api/cpcs/c1"]);
        let nic = hmc
            .add_resources(
                Some("/api/partitions/p1"),
                &json!({"nics": [{"properties": {"name": "N1"}}]}),
            )
            .unwrap();
        let [nic] = nic.as_slice() else {
            panic!("{nic:?}")
        };
        let nic = hmc.resource(nic).unwrap().unwrap();
        // Device numbers from the pool, back-references as Create sets them.
        assert_eq!(nic.properties["device-number"], "8000");
        assert_eq!(nic.key, "nics");
        let part = hmc.resource("/api/partitions/p1").unwrap().unwrap();
        assert_eq!(part.properties["nic-uris"], json!([nic.uri]));
        assert_eq!(part.properties["status"], "stopped");
        let cpcs = hmc.child_resources(None, "cpcs").unwrap();
        assert_eq!(cpcs.len(), 1);
        assert_eq!(cpcs[0].properties["status"], "active");
        hmc.update_resource(
            &part.uri,
            json!({"status": "active"}).as_object().unwrap().clone(),
            &["description".into()],
        )
        .unwrap();
        let part = hmc.resource(&part.uri).unwrap().unwrap();
        assert_eq!(part.properties["status"], "active");
        assert!(!part.properties.contains_key("description"));
        assert!(hmc.remove_resource(&part.uri).unwrap());
        assert!(hmc.resource(&nic.uri).unwrap().is_none());
        assert!(!hmc.remove_resource(&part.uri).unwrap());
        assert!(hmc.child_resources(Some("/api/cpcs/c1"), "nope").is_err());
    }

    #[test]
    fn ids_with_spaces_are_taken_and_reached_in_process() {
        let (_d, hmc) = empty();
        hmc.add_resources(
            None,
            &json!({"cpcs": [{"properties": {"object-id": "cpc 1", "name": "C1"}}]}),
        )
        .unwrap();
        let tokens = hmc.open_session("tester").unwrap();
        let got = hmc.handle(
            &crate::Request::new(crate::Method::Get, "/api/cpcs/cpc 1")
                .with_session(&tokens.session_id),
        );
        assert_eq!(got.status, 200);
        // Still refused: what no URI can hold.
        for bad in ["a/b", "a%20b", "a\tb"] {
            let e = hmc
                .add_resources(
                    None,
                    &json!({"cpcs": [{"properties": {"object-id": bad, "name": bad}}]}),
                )
                .unwrap_err();
            assert!(e.to_string().contains("not a valid id"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_bad_entry_adds_nothing() {
        let (_d, hmc) = empty();
        let e = hmc
            .add_resources(
                None,
                &json!({"cpcs": [{"properties": {"name": "C1"}}, {"nope": []}]}),
            )
            .unwrap_err();
        assert!(e.to_string().contains("cpcs[1]"), "{e}");
        assert!(hmc.child_resources(None, "cpcs").unwrap().is_empty());
    }

    #[test]
    fn identity_availability_and_password_less_sessions() {
        let (_d, hmc) = empty();
        hmc.set_identity(Some("fake-hmc"), Some("2.13.1"), Some("1.8"))
            .unwrap();
        assert_eq!(
            hmc.identity().unwrap(),
            [
                Some("fake-hmc".into()),
                Some("2.13.1".into()),
                Some("1.8".into())
            ]
        );
        let tokens = hmc.open_session("tester").unwrap();
        let get = |id: &str| {
            hmc.handle(&crate::Request::new(crate::Method::Get, "/api/cpcs").with_session(id))
        };
        assert_eq!(get(&tokens.session_id).status, 200);
        hmc.disable().unwrap();
        assert!(!hmc.is_enabled().unwrap());
        assert_eq!(get(&tokens.session_id).status, 503);
        hmc.enable().unwrap();
        assert!(hmc.is_enabled().unwrap());
        assert_eq!(get(&tokens.session_id).status, 200);
    }
}
