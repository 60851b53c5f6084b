//! Every HMC resource type and service: the greppable registry. One line per
//! type in `ALL`; the family files hold their descriptors and operations.

pub mod framework;

pub mod activation_profile;
pub mod adapter;
pub mod aggregation;
pub mod capacity_group;
pub mod certificate;
pub mod console;
pub mod cpc;
pub mod custom_group;
pub mod hardware_message;
pub mod inventory;
pub mod job;
pub mod logon;
pub mod lpar;
pub mod metrics_context;
pub mod os_message;
pub mod partition;
pub mod partition_link;
pub mod password_rule;
pub mod server_definition;
pub mod storage_discovery;
pub mod storage_group;
pub mod storage_template;
pub mod sustainability;
pub mod tape_library;
pub mod tape_link;
pub mod user;
pub mod user_pattern;
pub mod user_role;
pub mod virtual_switch;

use crate::api::{HmcError, Method, Response};
use crate::ctx::Ctx;
use framework::descriptor::ResourceType;

/// Every resource type, parents before children.
pub static ALL: &[&ResourceType] = &[
    &console::CONSOLE,
    &user::USER,
    &user_role::USER_ROLE,
    &user_pattern::USER_PATTERN,
    &password_rule::PASSWORD_RULE,
    &console::TASK,
    &server_definition::LDAP_SERVER_DEFINITION,
    &server_definition::MFA_SERVER_DEFINITION,
    &server_definition::SSO_SERVER_DEFINITION,
    &console::UNMANAGED_CPC,
    &custom_group::CUSTOM_GROUP,
    &hardware_message::CONSOLE_HW_MESSAGE,
    &partition_link::PARTITION_LINK,
    &storage_group::STORAGE_GROUP,
    &storage_group::STORAGE_VOLUME,
    &storage_group::VIRTUAL_STORAGE_RESOURCE,
    &storage_template::STORAGE_TEMPLATE,
    &storage_template::STORAGE_TEMPLATE_VOLUME,
    &tape_library::TAPE_LIBRARY,
    &tape_link::TAPE_LINK,
    &tape_link::VIRTUAL_TAPE_RESOURCE,
    &cpc::CPC,
    &hardware_message::CPC_HW_MESSAGE,
    &capacity_group::CAPACITY_GROUP,
    &adapter::ADAPTER,
    &adapter::port::NETWORK_PORT,
    &adapter::port::STORAGE_PORT,
    &virtual_switch::VIRTUAL_SWITCH,
    &partition::PARTITION,
    &partition::nic::NIC,
    &partition::hba::HBA,
    &partition::virtual_function::VIRTUAL_FUNCTION,
    &lpar::LPAR,
    &activation_profile::RESET_PROFILE,
    &activation_profile::IMAGE_PROFILE,
    &activation_profile::LOAD_PROFILE,
    &certificate::CERTIFICATE,
];

/// The transaction a service runs in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Transaction {
    /// A read for a GET, a write for the other methods.
    ByMethod,
    /// A write even for a GET that may change state (Query Job Status
    /// completes jobs held by a job policy).
    Write,
    /// A read even for a POST that only reads (Get Inventory): a long
    /// answer streamed to a slow client then holds a pooled reader, not
    /// the process's one writer, whose transaction every other write of
    /// the process would wait for.
    Read,
}

/// An operation outside the resource tree: Query API Version, the session
/// operations and the job operations.
pub struct Service {
    pub title: &'static str,
    pub method: Method,
    pub pattern: &'static str,
    /// Query parameters it accepts (`None`: a query string does not match).
    pub query: Option<&'static [&'static str]>,
    /// Whether it needs a logged-on session.
    pub auth: bool,
    /// The transaction it runs in.
    pub transaction: Transaction,
    /// Handler name used in "Invalid HTTP method" messages.
    pub handler: &'static str,
    pub run: fn(&mut Ctx<'_>) -> Result<Response, HmcError>,
}

/// Every service operation.
pub static SERVICES: &[Service] = &[
    logon::QUERY_API_VERSION,
    logon::LOGON,
    logon::LOGOFF,
    logon::GET_NOTIFICATION_TOPICS,
    job::QUERY_JOB_STATUS,
    job::DELETE_COMPLETED_JOB_STATUS,
    job::CANCEL_JOB,
    aggregation::SUBMIT_REQUESTS,
    inventory::GET_INVENTORY,
    metrics_context::CREATE_METRICS_CONTEXT,
    metrics_context::GET_METRICS,
    metrics_context::DELETE_METRICS_CONTEXT,
];

/// The type with this definition-file key under a parent of class `parent`
/// (`None`: the HMC itself) that accepts that parent.
pub fn type_for_key(
    parent: Option<&crate::store::Resource>,
    key: &str,
) -> Option<&'static ResourceType> {
    let parent_class = parent.map(|p| p.class.as_str());
    ALL.iter().copied().find(|rt| {
        (rt.def_key == key || rt.def_alias == Some(key))
            && rt.parent.map(|p| p.class) == parent_class
            && match (rt.variant_of, parent) {
                (Some(f), Some(p)) => f(p),
                _ => true,
            }
    })
}

/// The type of a stored resource, found by its class and its parent's class.
pub fn type_of(class: &str, parent_class: Option<&str>) -> Option<&'static ResourceType> {
    ALL.iter()
        .copied()
        .find(|rt| rt.class == class && rt.parent.map(|p| p.class) == parent_class)
}

/// What the descriptors promise that nothing else checks: one problem per
/// line, naming the type.
#[cfg(test)]
fn descriptor_problems(rt: &ResourceType) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, text) in rt.defaults {
        if serde_json::from_str::<serde_json::Value>(text).is_err() {
            problems.push(format!(
                "{}: default of {name} is not JSON: {text}",
                rt.class
            ));
        }
        if rt.write_only.contains(name) {
            problems.push(format!("{}: write-only {name} has a default", rt.class));
        }
    }
    if let Some(list) = &rt.list {
        for f in list.range_filters {
            if !list.filters.contains(&f.param) {
                problems.push(format!(
                    "{}: range filter {} is no filter",
                    rt.class, f.param
                ));
            }
        }
        for p in list.props {
            if rt.write_only.contains(p) {
                problems.push(format!("{}: write-only {p} is listed", rt.class));
            }
        }
    }
    let titles = [
        rt.list.as_ref().map(|l| l.title),
        rt.create.as_ref().map(|c| c.title),
        rt.get.as_ref().map(|g| g.title),
        rt.update.as_ref().map(|u| u.title),
        rt.delete.as_ref().map(|d| d.title),
    ];
    let op_titles = rt.operations.iter().map(|op| Some(op.title));
    for title in titles.into_iter().chain(op_titles).flatten() {
        if title.is_empty() {
            problems.push(format!("{}: an operation has no title", rt.class));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::framework::descriptor::{BASE, ListSpec, RangeFilter};
    use crate::routes::{Action, RouteTable};
    use std::collections::HashMap;

    #[test]
    fn every_descriptor_keeps_its_promises() {
        let problems: Vec<String> = ALL.iter().flat_map(|rt| descriptor_problems(rt)).collect();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn a_broken_default_or_filter_is_reported() {
        static BROKEN: ResourceType = ResourceType {
            class: "broken",
            defaults: &[("status", "stopped"), ("secret", "\"x\"")],
            write_only: &["secret"],
            list: Some(ListSpec {
                title: "List Broken",
                props: &["secret"],
                range_filters: &[RangeFilter {
                    param: "maximum-size",
                    prop: "size",
                    bound: crate::resources::framework::descriptor::Bound::AtMost,
                }],
                ..ListSpec::BASE
            }),
            ..BASE
        };
        let problems = descriptor_problems(&BROKEN);
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].contains("not JSON"), "{problems:#?}");
    }

    #[test]
    fn every_title_names_one_uri_pattern() {
        let table = RouteTable::build();
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for route in table.routes() {
            for (_, action) in &route.methods {
                let title = action.title();
                assert!(
                    !title.is_empty(),
                    "{} has an untitled method",
                    route.pattern
                );
                if let Some(other) = seen.insert(title, &route.pattern) {
                    assert_eq!(other, route.pattern, "title {title:?} used twice");
                }
            }
        }
    }

    #[test]
    fn every_operation_is_routable() {
        let table = RouteTable::build();
        for rt in ALL {
            for op in rt.operations {
                let found = table.routes().iter().any(|r| {
                    r.methods.iter().any(|(m, a)| {
                        *m == op.method
                            && matches!(a, Action::Operation(t, o)
                                if std::ptr::eq(*t, *rt) && std::ptr::eq(*o, op))
                    })
                });
                assert!(found, "{} of {} is not routed", op.title, rt.class);
            }
        }
    }
}
