//! Every HMC resource type and service: the greppable registry. One line per
//! type in `ALL`; the family files hold their descriptors and operations.

pub mod descriptor;
pub mod generic;
pub mod preconditions;

pub mod activation_profile;
pub mod adapter;
pub mod capacity_group;
pub mod console;
pub mod cpc;
pub mod crypto_configuration;
pub mod device_numbers;
pub mod fields;
pub mod hba;
pub mod job;
pub mod logon;
pub mod lpar;
pub mod metrics;
pub mod nic;
pub mod partition;
pub mod partition_link;
pub mod partition_ops;
pub mod port_reference;
pub mod python;
pub mod storage;
pub mod storage_template;
pub mod tape;
pub mod user;
pub mod virtual_function;
pub mod virtual_switch;

use crate::api::{HmcError, Method, Response};
use crate::ctx::Ctx;
use descriptor::ResourceType;

/// Every resource type, parents before children.
pub static ALL: &[&ResourceType] = &[
    &console::CONSOLE,
    &user::USER,
    &user::USER_ROLE,
    &user::USER_PATTERN,
    &user::PASSWORD_RULE,
    &console::TASK,
    &user::LDAP_SERVER_DEFINITION,
    &user::MFA_SERVER_DEFINITION,
    &user::SSO_SERVER_DEFINITION,
    &console::UNMANAGED_CPC,
    &console::CUSTOM_GROUP,
    &console::CONSOLE_HW_MESSAGE,
    &partition_link::PARTITION_LINK,
    &storage::STORAGE_GROUP,
    &storage::STORAGE_VOLUME,
    &storage::VIRTUAL_STORAGE_RESOURCE,
    &storage_template::STORAGE_TEMPLATE,
    &storage_template::STORAGE_TEMPLATE_VOLUME,
    &tape::TAPE_LIBRARY,
    &tape::TAPE_LINK,
    &tape::VIRTUAL_TAPE_RESOURCE,
    &cpc::CPC,
    &cpc::CPC_HW_MESSAGE,
    &capacity_group::CAPACITY_GROUP,
    &adapter::ADAPTER,
    &adapter::NETWORK_PORT,
    &adapter::STORAGE_PORT,
    &virtual_switch::VIRTUAL_SWITCH,
    &partition::PARTITION,
    &nic::NIC,
    &hba::HBA,
    &virtual_function::VIRTUAL_FUNCTION,
    &lpar::LPAR,
    &activation_profile::RESET_PROFILE,
    &activation_profile::IMAGE_PROFILE,
    &activation_profile::LOAD_PROFILE,
    &metrics::METRICS_CONTEXT,
];

/// An operation outside the resource tree (version, sessions, jobs), on a
/// collection (tape library zoning and discovery), or one whose target
/// lookup has its own reason codes (capacity group membership).
pub struct Service {
    pub title: &'static str,
    pub method: Method,
    pub pattern: &'static str,
    /// Query parameters it accepts (`None`: a query string does not match).
    pub query: Option<&'static [&'static str]>,
    /// Whether it needs a logged-on session.
    pub auth: bool,
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
    tape::REQUEST_ZONING,
    tape::DISCOVER,
    capacity_group::ADD_PARTITION,
    capacity_group::REMOVE_PARTITION,
    partition_link::CREATE_PARTITION_LINK,
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
