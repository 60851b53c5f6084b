//! Import DPM Configuration: recreates on a DPM CPC the partitions, NICs,
//! HBAs, virtual functions, virtual-switch settings, storage groups and
//! templates, tape links, partition links, capacity groups, attachments and
//! CPC properties that zhmcclient's `Cpc.export_dpm_configuration()`
//! describes, in the request's one transaction.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::capacity_group::CAPACITY_GROUP;
use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{Done, Operation, ResourceType};
use crate::resources::framework::generic::{add_resource, append_reference, set_properties};
use crate::resources::framework::preconditions::DPM;
use crate::resources::partition::PARTITION;
use crate::resources::partition::hba::HBA;
use crate::resources::partition::nic::NIC;
use crate::resources::partition::virtual_function::VIRTUAL_FUNCTION;
use crate::resources::partition_link::PARTITION_LINK;
use crate::resources::storage_group::{STORAGE_GROUP, STORAGE_VOLUME, VIRTUAL_STORAGE_RESOURCE};
use crate::resources::storage_template::{STORAGE_TEMPLATE, STORAGE_TEMPLATE_VOLUME};
use crate::resources::tape_library::TAPE_LIBRARY;
use crate::resources::tape_link::{TAPE_LINK, VIRTUAL_TAPE_RESOURCE};
use crate::resources::virtual_switch::VIRTUAL_SWITCH;
use crate::store::Resource;

/// The CPC's row: DPM mode, answers 204 when all of the body was applied
/// (zhmcclient then returns `None`).
pub const IMPORT_DPM_CONFIG: Operation = Operation {
    needs: DPM,
    ..Operation::post(
        "Import DPM Configuration",
        "/operations/import-dpm-config",
        import_dpm_config,
    )
};

/// Properties the importing HMC computes itself: identities (unless
/// `preserve-uris`), parents and the back-reference lists that
/// `add_resource` and the attachments rebuild.
const COMPUTED: &[&str] = &[
    "class",
    "parent",
    "nic-uris",
    "hba-uris",
    "virtual-function-uris",
    "storage-group-uris",
    "attached-partition-uris",
    "storage-volume-uris",
    "virtual-storage-resource-uris",
    "storage-template-volume-uris",
    "connected-vnic-uris",
];

/// Old URI -> new URI; adapter URIs also map the URIs below them (ports).
struct UriMap(HashMap<String, String>);

impl UriMap {
    fn get(&self, s: &str) -> Option<String> {
        if let Some(n) = self.0.get(s) {
            return Some(n.clone());
        }
        let (head, tail) = s.rsplit_once('/')?;
        let (head2, mid) = head.rsplit_once('/')?;
        self.0.get(head2).map(|n| format!("{n}/{mid}/{tail}"))
    }

    /// Rewrites every string in `v` that names an old URI.
    fn remap(&self, v: &mut Value) {
        match v {
            Value::String(s) => {
                if let Some(n) = self.get(s) {
                    *s = n;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.remap(i)),
            Value::Object(m) => m.values_mut().for_each(|i| self.remap(i)),
            _ => {}
        }
    }
}

/// The list `key` of the body (missing is empty), each item an object (400.7).
fn items(body: &Map<String, Value>, key: &str) -> Result<Vec<Map<String, Value>>, HmcError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|i| {
                i.as_object()
                    .cloned()
                    .ok_or_else(|| HmcError::invalid_field(key, i))
            })
            .collect(),
        Some(other) => Err(HmcError::invalid_field(key, other)),
    }
}

/// The item's own URI under `uri_prop` (400.5 without it).
fn own_uri(item: &Map<String, Value>, key: &str, uri_prop: &str) -> Result<String, HmcError> {
    item.get(uri_prop)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            HmcError::bad_request(
                5,
                format!("Missing required field in request body within {key}: {uri_prop}"),
            )
        })
}

/// The properties to create an imported item with: computed ones dropped,
/// identities dropped unless preserved, URIs remapped.
fn props_of(
    mut item: Map<String, Value>,
    id_prop: &str,
    uri_prop: &str,
    preserve: bool,
    map: &UriMap,
) -> Map<String, Value> {
    for k in COMPUTED {
        item.remove(*k);
    }
    if !preserve {
        item.remove(id_prop);
        item.remove(uri_prop);
    }
    let mut v = Value::Object(item);
    map.remap(&mut v);
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Maps each exported adapter to the adapter of `cpc` with its (mapped)
/// `adapter-id`, as `adapter-mapping` says; 400.7 if there is none.
fn map_adapters(
    ctx: &Ctx<'_>,
    cpc: &Resource,
    body: &Map<String, Value>,
    map: &mut UriMap,
) -> Result<(), HmcError> {
    let mut ids: HashMap<String, String> = HashMap::new();
    for m in items(body, "adapter-mapping")? {
        if let (Some(old), Some(new)) = (
            m.get("old-adapter-id").and_then(Value::as_str),
            m.get("new-adapter-id").and_then(Value::as_str),
        ) {
            ids.insert(old.to_lowercase(), new.to_lowercase());
        }
    }
    let here = ctx.tx.children(&cpc.uri, "adapter")?;
    for a in items(body, "adapters")? {
        let uri = own_uri(&a, "adapters", "object-uri")?;
        let Some(id) = a.get("adapter-id").and_then(Value::as_str) else {
            continue;
        };
        let id = id.to_lowercase();
        let want = ids.get(&id).cloned().unwrap_or(id);
        let target = here
            .iter()
            .find(|h| h.str_prop("adapter-id").map(str::to_lowercase).as_deref() == Some(&want))
            .ok_or_else(|| {
                HmcError::bad_request(
                    7,
                    format!(
                        "No adapter with adapter-id {want} in CPC {} for {uri}",
                        cpc.uri
                    ),
                )
            })?;
        map.0.insert(uri, target.uri.clone());
    }
    Ok(())
}

/// Where an imported list's items go: under one resource, or under the
/// (mapped) `parent` each item was exported with.
enum Under<'a> {
    This(&'a Resource),
    Exported,
}

/// The configuration being imported, with what was mapped so far.
struct Import {
    body: Map<String, Value>,
    preserve: bool,
    map: UriMap,
    cpc_uri: String,
    cpc_name: String,
}

impl Import {
    /// Creates every item of the body's list `key` as a `rt` with
    /// `add_resource` (so pools and back-references are right), its
    /// properties remapped; items of console-level types that belong to a
    /// CPC are given this one. Returns the new URIs.
    fn create_all(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        rt: &ResourceType,
        under: Under<'_>,
    ) -> Result<Vec<String>, HmcError> {
        let mut created = Vec::new();
        for item in items(&self.body, key)? {
            let uri = own_uri(&item, key, rt.uri_prop)?;
            let parent = match under {
                Under::This(r) => r.clone(),
                Under::Exported => parent_of(ctx, &item, key, &self.map)?,
            };
            let mut props = props_of(item, rt.id_prop, rt.uri_prop, self.preserve, &self.map);
            for (key, value) in [("cpc-uri", &self.cpc_uri), ("cpc-name", &self.cpc_name)] {
                if props.contains_key(key) {
                    props.insert(key.into(), Value::String(value.clone()));
                }
            }
            let new = add_resource(ctx.tx, rt, Some(&parent), props)?;
            self.map.0.insert(uri, new.uri.clone());
            created.push(new.uri);
        }
        Ok(created)
    }
}

/// Operation: Import DPM Configuration. Adapters are matched (not created),
/// virtual switches are matched by their backing adapter port and take the
/// exported settings, tape libraries are matched by name (they are
/// discovered, not configured); the rest is created with `add_resource` so
/// pools (device numbers, WWPNs, partition ids) and back-references are
/// right, and the CPC takes the exported `cpc-properties`.
fn import_dpm_config(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let partitions = match body.get("partitions") {
        Some(Value::Array(_)) => items(&body, "partitions")?,
        Some(other) => return Err(HmcError::invalid_field("partitions", other)),
        None => return Err(HmcError::missing_field("partitions")),
    };
    let preserve = match body.get("preserve-uris") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(HmcError::invalid_field("preserve-uris", other)),
    };
    let mut map = UriMap(HashMap::new());
    map_adapters(ctx, cpc, &body, &mut map)?;
    // The exported CPC's URI stands for this CPC.
    if let Some(old_cpc) = partitions
        .first()
        .and_then(|p| p.get("parent"))
        .and_then(Value::as_str)
    {
        map.0.insert(old_cpc.to_string(), cpc.uri.clone());
    }
    let mut import = Import {
        body,
        preserve,
        map,
        cpc_uri: cpc.uri.clone(),
        cpc_name: cpc.name().to_string(),
    };
    match_switches(ctx, cpc, &mut import)?;
    import_adapter_descriptions(ctx, &import)?;
    let console = ctx
        .tx
        .resource(&CONSOLE.uri_for(None, ""))?
        .ok_or_else(HmcError::internal)?;
    match_tape_libraries(ctx, cpc, &console, &mut import)?;
    import.create_all(ctx, "storage-groups", &STORAGE_GROUP, Under::This(&console))?;
    import.create_all(ctx, "storage-volumes", &STORAGE_VOLUME, Under::Exported)?;
    import.create_all(
        ctx,
        "storage-templates",
        &STORAGE_TEMPLATE,
        Under::This(&console),
    )?;
    import.create_all(
        ctx,
        "storage-template-volumes",
        &STORAGE_TEMPLATE_VOLUME,
        Under::Exported,
    )?;
    let attachments: Vec<(String, Vec<Value>)> = partitions
        .iter()
        .filter_map(|p| {
            let uri = p.get("object-uri")?.as_str()?.to_string();
            let sgs = p.get("storage-group-uris")?.as_array()?.clone();
            Some((uri, sgs))
        })
        .collect();
    let created = import.create_all(ctx, "partitions", &PARTITION, Under::This(cpc))?;
    for (key, rt) in [
        ("nics", &NIC),
        ("hbas", &HBA),
        ("virtual-functions", &VIRTUAL_FUNCTION),
    ] {
        import.create_all(ctx, key, rt, Under::Exported)?;
    }
    // Virtual storage and tape resources name their partition, partition
    // links their partitions' NICs, capacity groups their members: they
    // follow the partitions.
    import.create_all(
        ctx,
        "virtual-storage-resources",
        &VIRTUAL_STORAGE_RESOURCE,
        Under::Exported,
    )?;
    import.create_all(ctx, "tape-links", &TAPE_LINK, Under::This(&console))?;
    import.create_all(
        ctx,
        "virtual-tape-resources",
        &VIRTUAL_TAPE_RESOURCE,
        Under::Exported,
    )?;
    import.create_all(
        ctx,
        "partition-links",
        &PARTITION_LINK,
        Under::This(&console),
    )?;
    import.create_all(ctx, "capacity-groups", &CAPACITY_GROUP, Under::This(cpc))?;
    for (old, sgs) in attachments {
        let Some(p) = import.map.get(&old) else {
            continue;
        };
        for sg in sgs {
            let Some(sg) = sg.as_str().and_then(|s| import.map.get(s)) else {
                return Err(HmcError::invalid_field("storage-group-uris", &sg));
            };
            append_reference(ctx.tx, &p, "storage-group-uris", &sg)?;
            append_reference(ctx.tx, &sg, "attached-partition-uris", &p)?;
        }
    }
    relink_partitions(ctx, &created, &import.map)?;
    import_cpc_properties(ctx, cpc, &import)?;
    Ok(Done::Nothing)
}

/// Maps each exported virtual switch to this CPC's switch on the same
/// (mapped) backing adapter and port, which takes its name and description;
/// 400.7 if there is none.
fn match_switches(ctx: &Ctx<'_>, cpc: &Resource, import: &mut Import) -> Result<(), HmcError> {
    let switches = ctx.tx.children(&cpc.uri, VIRTUAL_SWITCH.class)?;
    for vs in items(&import.body, "virtual-switches")? {
        let uri = own_uri(&vs, "virtual-switches", "object-uri")?;
        let mut backing = vs
            .get("backing-adapter-uri")
            .cloned()
            .unwrap_or(Value::Null);
        import.map.remap(&mut backing);
        let port = vs.get("port").cloned();
        let Some(mut here) = switches
            .iter()
            .find(|s| {
                s.props.get("backing-adapter-uri") == Some(&backing)
                    && (port.is_none() || s.props.get("port") == port.as_ref())
            })
            .cloned()
        else {
            return Err(HmcError::bad_request(
                7,
                format!("No virtual switch in CPC {} backs {uri}", cpc.uri),
            ));
        };
        import.map.0.insert(uri, here.uri.clone());
        set_properties(ctx.tx, &mut here, settings(&vs, &["name", "description"]))?;
    }
    Ok(())
}

/// The properties `keys` that `item` has, to set on a matched resource.
fn settings(item: &Map<String, Value>, keys: &[&'static str]) -> Vec<(&'static str, Value)> {
    keys.iter()
        .filter_map(|k| item.get(*k).map(|v| (*k, v.clone())))
        .collect()
}

/// An adapter keeps its own name on the importing CPC (names are the
/// CPC's); its description is a setting and is imported.
fn import_adapter_descriptions(ctx: &Ctx<'_>, import: &Import) -> Result<(), HmcError> {
    for a in items(&import.body, "adapters")? {
        let (Some(uri), Some(d)) = (
            a.get("object-uri").and_then(Value::as_str),
            a.get("description"),
        ) else {
            continue;
        };
        if let Some(mut here) = import
            .map
            .get(uri)
            .map(|u| ctx.tx.resource(&u))
            .transpose()?
            .flatten()
        {
            set_properties(ctx.tx, &mut here, [("description", d.clone())])?;
        }
    }
    Ok(())
}

/// Maps each exported tape library to the library of this CPC with its name
/// (a real HMC discovers libraries through the SAN, so an import can only
/// find them; the WS API names no other key); 400.7 if there is none.
fn match_tape_libraries(
    ctx: &Ctx<'_>,
    cpc: &Resource,
    console: &Resource,
    import: &mut Import,
) -> Result<(), HmcError> {
    let here = ctx.tx.children(&console.uri, TAPE_LIBRARY.class)?;
    for lib in items(&import.body, "tape-libraries")? {
        let uri = own_uri(&lib, "tape-libraries", "object-uri")?;
        let name = lib.get("name").and_then(Value::as_str);
        let Some(found) = here
            .iter()
            .find(|h| h.str_prop("cpc-uri") == Some(&cpc.uri) && Some(h.name()) == name)
        else {
            return Err(HmcError::bad_request(
                7,
                format!(
                    "No tape library named {name:?} in CPC {} for {uri}",
                    cpc.uri
                ),
            ));
        };
        import.map.0.insert(uri, found.uri.clone());
    }
    Ok(())
}

/// The partitions' lists of tape and partition links name links created
/// after them: now that every URI is mapped, they name the new links (and
/// only links that the configuration carried).
fn relink_partitions(ctx: &Ctx<'_>, created: &[String], map: &UriMap) -> Result<(), HmcError> {
    for uri in created {
        let Some(mut p) = ctx.tx.resource(uri)? else {
            continue;
        };
        let mut lists = Vec::new();
        for key in ["tape-link-uris", "partition-link-uris"] {
            let mapped: Vec<Value> = p
                .str_list(key)
                .into_iter()
                .filter_map(|old| map.get(old))
                .map(Value::String)
                .collect();
            lists.push((key, Value::Array(mapped)));
        }
        set_properties(ctx.tx, &mut p, lists)?;
    }
    Ok(())
}

/// The exported `cpc-properties` (description, auto-start list with its
/// partitions mapped, management WWPN) become this CPC's.
fn import_cpc_properties(
    ctx: &Ctx<'_>,
    cpc: &mut Resource,
    import: &Import,
) -> Result<(), HmcError> {
    let props = match import.body.get("cpc-properties") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(m)) => m,
        Some(other) => return Err(HmcError::invalid_field("cpc-properties", other)),
    };
    let mut wanted = settings(
        props,
        &[
            "description",
            "auto-start-list",
            "management-world-wide-port-name",
        ],
    );
    // An export of a CPC without the property carries null; the CPC keeps
    // its own.
    wanted.retain(|(_, v)| !v.is_null());
    for (_, v) in &mut wanted {
        import.map.remap(v);
    }
    set_properties(ctx.tx, cpc, wanted)?;
    Ok(())
}

/// The new parent of an imported child: its exported `parent`, mapped
/// (400.7 if the body does not describe it).
fn parent_of(
    ctx: &Ctx<'_>,
    item: &Map<String, Value>,
    key: &str,
    map: &UriMap,
) -> Result<Resource, HmcError> {
    let old = item.get("parent").cloned().unwrap_or(Value::Null);
    let new = old.as_str().and_then(|o| map.get(o));
    match new {
        Some(n) => ctx
            .tx
            .resource(&n)?
            .ok_or_else(|| HmcError::referenced_not_found(2, &n)),
        None => Err(HmcError::bad_request(
            7,
            format!("The parent of an item of {key} is not in the configuration: {old}"),
        )),
    }
}
