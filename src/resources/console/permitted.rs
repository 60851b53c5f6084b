//! List Permitted Partitions, List Permitted Logical Partitions and List
//! Permitted Adapters: the console-wide lists zhmccli and the Ansible
//! collection find partitions, LPARs and adapters through. Every resource
//! is permitted (mock-hmc has no permission model).

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::adapter::ADAPTER;
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{Done, Operation, ResourceType};
use crate::resources::framework::generic::{Filters, compile_filters, list_item, passes_filters};
use crate::resources::framework::preconditions::is_dpm;
use crate::resources::lpar::LPAR;
use crate::resources::partition::PARTITION;
use crate::store::Resource;

/// One of the three lists: which CPCs it covers, the children it lists,
/// their properties and filters, and what each item tells of its CPC.
struct Permitted {
    key: &'static str,
    rt: &'static ResourceType,
    /// Properties of each item (null if missing), before the CPC's.
    props: &'static [&'static str],
    /// Query parameters that filter the listed resources.
    filters: &'static [&'static str],
    /// Query parameters that filter the CPCs, with the CPC property each
    /// matches (`cpc-name` -> `name`).
    cpc_filters: &'static [(&'static str, &'static str)],
    /// Whether a CPC's resources are listed at all.
    covers: fn(&Resource) -> bool,
    /// The CPC's `dpm-enabled` is part of each item (adapters).
    with_dpm_enabled: bool,
}

/// The dotted integers of a version string (`2.16.0` -> [2, 16, 0]).
fn version_parts(v: &str) -> Vec<u64> {
    v.split('.')
        .map(|p| p.trim().parse::<u64>().unwrap_or(0))
        .collect()
}

/// List Permitted Adapters covers CPCs in DPM mode and those with SE
/// version 2.16 or later; a CPC without `se-version` counts as older (the
/// HMC mock crashes on it).
fn adapters_listed(cpc: &Resource) -> bool {
    is_dpm(cpc)
        || cpc
            .str_prop("se-version")
            .is_some_and(|v| version_parts(v) >= vec![2, 16])
}

const PARTITIONS: Permitted = Permitted {
    key: "partitions",
    rt: &PARTITION,
    props: &[
        "name",
        "object-uri",
        "type",
        "status",
        "has-unacceptable-status",
    ],
    filters: &["name", "type", "status", "has-unacceptable-status"],
    cpc_filters: &[("cpc-name", "name")],
    covers: is_dpm,
    with_dpm_enabled: false,
};

const LPARS: Permitted = Permitted {
    key: "logical-partitions",
    rt: &LPAR,
    props: &[
        "name",
        "object-uri",
        "activation-mode",
        "status",
        "has-unacceptable-status",
    ],
    filters: &[
        "name",
        "activation-mode",
        "status",
        "has-unacceptable-status",
    ],
    cpc_filters: &[("cpc-name", "name")],
    covers: |cpc| !is_dpm(cpc),
    with_dpm_enabled: false,
};

// The mock applies `dpm-enabled` to the adapters, which lack it, so it
// never matches; the HMC filters the CPCs by it, and so do we.
const ADAPTERS: Permitted = Permitted {
    key: "adapters",
    rt: &ADAPTER,
    props: &[
        "object-uri",
        "name",
        "adapter-id",
        "adapter-family",
        "type",
        "status",
        "firmware-update-pending",
    ],
    filters: &[
        "name",
        "adapter-id",
        "adapter-family",
        "type",
        "status",
        "firmware-update-pending",
    ],
    cpc_filters: &[("cpc-name", "name"), ("dpm-enabled", "dpm-enabled")],
    covers: adapters_listed,
    with_dpm_enabled: true,
};

/// The answer of `list`: every covered CPC (in order) whose CPC filters
/// match, and its children of the listed type that pass the filters. The
/// `cpc-name` filter is a full-match pattern applied to every CPC (the
/// mock matches a prefix and drops the filter after the first CPC it
/// matched, a bug).
fn permitted(ctx: &Ctx<'_>, list: &Permitted) -> Result<Done, HmcError> {
    // The runner has checked the query against the row's `query` list.
    let query = ctx.query()?;
    let additional = query.name_list("additional-properties").unwrap_or_default();
    let own = query
        .filters(&[])
        .into_iter()
        .filter(|(param, _)| list.filters.contains(&param.as_str()))
        .collect();
    let filters = compile_filters(list.rt, own)?;
    // CPC filters, renamed to the CPC property they match.
    let cpc_filters: Filters = compile_filters(
        &CPC,
        query
            .filters(&[])
            .into_iter()
            .filter_map(|(param, values)| {
                list.cpc_filters
                    .iter()
                    .find(|(p, _)| *p == param)
                    .map(|(_, prop)| ((*prop).to_string(), values))
            })
            .collect(),
    )?;
    let mut items = Vec::new();
    for cpc in ctx.tx.resources_of_class(CPC.class)? {
        if !(list.covers)(&cpc) || !passes_filters(&cpc, &cpc_filters) {
            continue;
        }
        for r in ctx.tx.children(&cpc.uri, list.rt.class)? {
            if !passes_filters(&r, &filters) {
                continue;
            }
            let mut item = list_item(list.rt, r, list.props, &additional);
            if let Value::Object(fields) = &mut item {
                add_cpc_fields(fields, &cpc, list.with_dpm_enabled);
            }
            items.push(item);
        }
    }
    let mut body = Map::new();
    body.insert(list.key.to_string(), Value::Array(items));
    Ok(Done::Json(Value::Object(body)))
}

/// What each item tells of its CPC: name, URI, SE version (null if
/// missing) and, for adapters, the mode.
fn add_cpc_fields(item: &mut Map<String, Value>, cpc: &Resource, dpm_enabled: bool) {
    let prop = |name: &str| cpc.props.get(name).cloned().unwrap_or(Value::Null);
    item.insert("cpc-name".into(), prop("name"));
    item.insert("cpc-object-uri".into(), json!(cpc.uri));
    item.insert("se-version".into(), prop("se-version"));
    if dpm_enabled {
        item.insert("dpm-enabled".into(), json!(is_dpm(cpc)));
    }
}

/// Operation: List Permitted Partitions (partitions of DPM CPCs).
fn list_permitted_partitions(ctx: &mut Ctx<'_>, _console: &mut Resource) -> Result<Done, HmcError> {
    permitted(ctx, &PARTITIONS)
}

/// Operation: List Permitted Logical Partitions (LPARs of classic CPCs).
fn list_permitted_lpars(ctx: &mut Ctx<'_>, _console: &mut Resource) -> Result<Done, HmcError> {
    permitted(ctx, &LPARS)
}

/// Operation: List Permitted Adapters.
fn list_permitted_adapters(ctx: &mut Ctx<'_>, _console: &mut Resource) -> Result<Done, HmcError> {
    permitted(ctx, &ADAPTERS)
}

/// The rows of the console's operations table for the three lists, with
/// the query parameters each accepts: its filters, its CPC filters and
/// `additional-properties` (a unit test keeps them in step).
pub const LIST_PERMITTED_PARTITIONS: Operation = Operation::get(
    "List Permitted Partitions",
    "/operations/list-permitted-partitions",
    &[
        "name",
        "type",
        "status",
        "has-unacceptable-status",
        "cpc-name",
        "additional-properties",
    ],
    list_permitted_partitions,
);
pub const LIST_PERMITTED_LPARS: Operation = Operation::get(
    "List Permitted Logical Partitions",
    "/operations/list-permitted-logical-partitions",
    &[
        "name",
        "activation-mode",
        "status",
        "has-unacceptable-status",
        "cpc-name",
        "additional-properties",
    ],
    list_permitted_lpars,
);
pub const LIST_PERMITTED_ADAPTERS: Operation = Operation::get(
    "List Permitted Adapters",
    "/operations/list-permitted-adapters",
    &[
        "name",
        "adapter-id",
        "adapter-family",
        "type",
        "status",
        "firmware-update-pending",
        "cpc-name",
        "dpm-enabled",
        "additional-properties",
    ],
    list_permitted_adapters,
);

#[cfg(test)]
mod tests {
    use super::*;

    fn cpc(props: Value) -> Resource {
        Resource {
            uri: "/api/cpcs/c".into(),
            class: "cpc".into(),
            parent: None,
            props: props.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn each_row_accepts_exactly_its_filters() {
        for (op, list) in [
            (&LIST_PERMITTED_PARTITIONS, &PARTITIONS),
            (&LIST_PERMITTED_LPARS, &LPARS),
            (&LIST_PERMITTED_ADAPTERS, &ADAPTERS),
        ] {
            let mut expected: Vec<&str> = list.filters.to_vec();
            expected.extend(list.cpc_filters.iter().map(|(p, _)| *p));
            expected.push("additional-properties");
            assert_eq!(op.query, Some(&expected[..]), "{}", op.title);
        }
    }

    #[test]
    fn adapters_are_listed_for_dpm_cpcs_and_se_2_16_or_later() {
        assert!(adapters_listed(&cpc(json!({"dpm-enabled": true}))));
        assert!(adapters_listed(&cpc(json!({"se-version": "2.16.0"}))));
        assert!(adapters_listed(&cpc(json!({"se-version": "2.17"}))));
        assert!(!adapters_listed(&cpc(json!({"se-version": "2.15.0"}))));
        assert!(!adapters_listed(&cpc(json!({}))));
    }
}
