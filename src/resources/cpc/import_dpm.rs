//! Import DPM Configuration: recreates on a DPM CPC the partitions, NICs,
//! HBAs, virtual functions, virtual-switch settings, storage groups and
//! their attachments that zhmcclient's `Cpc.export_dpm_configuration()`
//! describes, in the request's one transaction.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{Done, Operation};
use crate::resources::framework::generic::{add_resource, append_reference, set_properties};
use crate::resources::framework::preconditions::DPM;
use crate::resources::partition::PARTITION;
use crate::resources::partition::hba::HBA;
use crate::resources::partition::nic::NIC;
use crate::resources::partition::virtual_function::VIRTUAL_FUNCTION;
use crate::resources::storage_group::{STORAGE_GROUP, STORAGE_VOLUME, VIRTUAL_STORAGE_RESOURCE};
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

/// Operation: Import DPM Configuration. Adapters are matched (not created),
/// virtual switches are matched by their backing adapter port and take the
/// exported settings; the rest is created with `add_resource` so pools
/// (device numbers, WWPNs, partition ids) and back-references are right.
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
    let switches = ctx.tx.children(&cpc.uri, VIRTUAL_SWITCH.class)?;
    for vs in items(&body, "virtual-switches")? {
        let uri = own_uri(&vs, "virtual-switches", "object-uri")?;
        let mut backing = vs
            .get("backing-adapter-uri")
            .cloned()
            .unwrap_or(Value::Null);
        map.remap(&mut backing);
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
        map.0.insert(uri, here.uri.clone());
        let settings: Vec<(&str, Value)> = ["name", "description"]
            .iter()
            .filter_map(|k| vs.get(*k).map(|v| (*k, v.clone())))
            .collect();
        set_properties(ctx.tx, &mut here, settings)?;
    }
    // An adapter keeps its own name on the importing CPC (names are the
    // CPC's); its description is a setting and is imported.
    for a in items(&body, "adapters")? {
        let (Some(uri), Some(d)) = (
            a.get("object-uri").and_then(Value::as_str),
            a.get("description"),
        ) else {
            continue;
        };
        if let Some(mut here) = map
            .get(uri)
            .map(|u| ctx.tx.resource(&u))
            .transpose()?
            .flatten()
        {
            set_properties(ctx.tx, &mut here, [("description", d.clone())])?;
        }
    }
    let console = ctx
        .tx
        .resource(&CONSOLE.uri_for(None, ""))?
        .ok_or_else(HmcError::internal)?;
    for sg in items(&body, "storage-groups")? {
        let uri = own_uri(&sg, "storage-groups", "object-uri")?;
        let mut props = props_of(sg, "object-id", "object-uri", preserve, &map);
        props.insert("cpc-uri".into(), Value::String(cpc.uri.clone()));
        let new = add_resource(ctx.tx, &STORAGE_GROUP, Some(&console), props)?;
        map.0.insert(uri, new.uri);
    }
    for vol in items(&body, "storage-volumes")? {
        let uri = own_uri(&vol, "storage-volumes", "element-uri")?;
        let parent = parent_of(ctx, &vol, "storage-volumes", &map)?;
        let props = props_of(vol, "element-id", "element-uri", preserve, &map);
        let new = add_resource(ctx.tx, &STORAGE_VOLUME, Some(&parent), props)?;
        map.0.insert(uri, new.uri);
    }
    let mut attachments = Vec::new();
    for p in partitions {
        let uri = own_uri(&p, "partitions", "object-uri")?;
        if let Some(Value::Array(sgs)) = p.get("storage-group-uris") {
            attachments.push((uri.clone(), sgs.clone()));
        }
        let props = props_of(p, "object-id", "object-uri", preserve, &map);
        let new = add_resource(ctx.tx, &PARTITION, Some(cpc), props)?;
        map.0.insert(uri, new.uri);
    }
    for (key, rt) in [
        ("nics", &NIC),
        ("hbas", &HBA),
        ("virtual-functions", &VIRTUAL_FUNCTION),
    ] {
        for item in items(&body, key)? {
            let uri = own_uri(&item, key, "element-uri")?;
            let parent = parent_of(ctx, &item, key, &map)?;
            let props = props_of(item, "element-id", "element-uri", preserve, &map);
            let new = add_resource(ctx.tx, rt, Some(&parent), props)?;
            map.0.insert(uri, new.uri);
        }
    }
    // Virtual storage resources name their partition, so they follow the
    // partitions.
    for vsr in items(&body, "virtual-storage-resources")? {
        let uri = own_uri(&vsr, "virtual-storage-resources", "element-uri")?;
        let parent = parent_of(ctx, &vsr, "virtual-storage-resources", &map)?;
        let props = props_of(vsr, "element-id", "element-uri", preserve, &map);
        let new = add_resource(ctx.tx, &VIRTUAL_STORAGE_RESOURCE, Some(&parent), props)?;
        map.0.insert(uri, new.uri);
    }
    for (old, sgs) in attachments {
        let Some(p) = map.get(&old) else { continue };
        for sg in sgs {
            let Some(sg) = sg.as_str().and_then(|s| map.get(s)) else {
                return Err(HmcError::invalid_field("storage-group-uris", &sg));
            };
            append_reference(ctx.tx, &p, "storage-group-uris", &sg)?;
            append_reference(ctx.tx, &sg, "attached-partition-uris", &p)?;
        }
    }
    Ok(Done::Nothing)
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
