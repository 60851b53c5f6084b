//! Get Inventory (`POST /api/services/inventory`): the full properties of
//! every resource of the requested categories and classes, each followed
//! by its element resources (an adapter by its ports, a partition by its
//! NICs, HBAs and virtual functions, a storage group by its volumes and
//! virtual storage resources, ...), so that zhmcclient's
//! `Cpc.export_dpm_configuration` finds what it needs.

use serde_json::Value;

use crate::api::{AnswerText, HmcError, Method, Response};
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::ResourceType;
use crate::resources::framework::fields::array_items;
use crate::resources::framework::generic::readable_properties;
use crate::resources::{self, Service, Transaction};
use crate::store::{Props, Resource, Tx};

/// The categories of Get Inventory and the classes each stands for.
const CATEGORIES: &[(&str, &[&str])] = &[
    (
        "dpm-resources",
        &[
            "adapter",
            "partition",
            "partition-link",
            "virtual-switch",
            "storage-site",
            "storage-fabric",
            "storage-switch",
            "storage-subsystem",
            "storage-control-unit",
            "storage-group",
            "storage-template",
            "tape-link",
            "tape-library",
        ],
    ),
    ("core-resources", &["cpc", "logical-partition"]),
    (
        "console-resources",
        &["console", "custom-group", "user", "user-role"],
    ),
    ("certificate-resources", &["secure-boot-certificate"]),
];

/// The element classes that follow each resource of a class, in order.
fn elements_of(class: &str) -> &'static [&'static str] {
    match class {
        "adapter" => &["network-port", "storage-port"],
        "partition" => &["nic", "hba", "virtual-function"],
        "storage-group" => &["storage-volume", "virtual-storage-resource"],
        "storage-template" => &["storage-template-volume"],
        "tape-link" => &["virtual-tape-resource"],
        _ => &[],
    }
}

/// The stored class of an inventory class (custom groups are `group`).
fn stored_class(class: &str) -> &str {
    match class {
        "custom-group" => "group",
        "secure-boot-certificate" => "certificate",
        other => other,
    }
}

/// The classes a `resources` list asks for, each once, in the order named;
/// an unknown name is 400.7 (the mock crashes).
fn requested(names: &[Value]) -> Result<Vec<&'static str>, HmcError> {
    let mut classes: Vec<&'static str> = Vec::new();
    let mut add = |c: &'static str| {
        if !classes.contains(&c) {
            classes.push(c);
        }
    };
    for v in names {
        let name = v
            .as_str()
            .ok_or_else(|| HmcError::invalid_field("resources", v))?;
        if let Some((_, members)) = CATEGORIES.iter().find(|(cat, _)| *cat == name) {
            members.iter().for_each(|c| add(c));
            continue;
        }
        let known = CATEGORIES
            .iter()
            .flat_map(|(_, members)| members.iter())
            .find(|c| **c == name)
            .ok_or_else(|| HmcError::invalid_field("resources", v))?;
        add(known);
    }
    Ok(classes)
}

/// The type of a stored resource (for its write-only properties).
fn type_of(tx: &Tx<'_>, r: &Resource) -> Result<Option<&'static ResourceType>, HmcError> {
    // The parent's class column, not its document: every partition of an
    // inventory of 100,000 resources parsed its CPC's.
    let parent_class = match r.parent.as_deref() {
        Some(p) => tx.class_of(p)?,
        None => None,
    };
    Ok(resources::type_of(&r.class, parent_class.as_deref()))
}

/// `r` as an inventory item: its readable properties.
fn item(tx: &Tx<'_>, r: &Resource) -> Result<Value, HmcError> {
    match type_of(tx, r)? {
        Some(rt) => readable_properties(rt, r, None),
        None => Ok(Value::Object(r.props.clone())),
    }
}

/// Operation: Get Inventory. Without `resources` (or without a body) every
/// category is inventoried. Classes with no resources here (storage sites,
/// fabrics, switches, subsystems and control units) contribute nothing;
/// `secure-boot-certificate` answers the stored certificates.
fn get_inventory(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let body = ctx.req.json()?.unwrap_or(Value::Null);
    let body = match body {
        Value::Null => serde_json::Map::new(),
        Value::Object(m) => m,
        other => return Err(HmcError::invalid_field("request body", &other)),
    };
    let names: Vec<Value> = if body.get("resources").is_none_or(Value::is_null) {
        CATEGORIES
            .iter()
            .map(|(c, _)| Value::String((*c).to_string()))
            .collect()
    } else {
        array_items(&body, "resources")?.to_vec()
    };
    // Everything a client error can come from (the body, the classes) is
    // decided here, before the first item: once the answer streams, its
    // status is sent.
    let classes = requested(&names)?;
    // One document at a time, each item written out as JSON text at once,
    // and with a sink (the HTTP server) sent on in pieces: the library
    // holds the answer's text, the server a few pieces of it. As a tree of
    // values, the inventory of 100,000 resources held about 300 MiB, as
    // text about 100 MiB (docs/benchmarks.md).
    let mut out = Items::new(AnswerText::new(ctx.sink));
    for class in classes {
        let tx = ctx.tx;
        tx.each_of_class(None, stored_class(class), Props::All, |r| {
            out.push(&item(tx, &r)?)?;
            for element_class in elements_of(class) {
                tx.each_of_class(Some(&r.uri), element_class, Props::All, |e| {
                    out.push(&item(tx, &e)?)
                })?;
            }
            Ok::<_, HmcError>(())
        })?;
    }
    out.finish()
}

/// The text of a JSON array being written item by item.
struct Items<'s> {
    text: AnswerText<'s>,
    empty: bool,
}

impl<'s> Items<'s> {
    fn new(mut text: AnswerText<'s>) -> Items<'s> {
        text.buffer().push(b'[');
        Items { text, empty: true }
    }

    fn push(&mut self, item: &Value) -> Result<(), HmcError> {
        let buffer = self.text.buffer();
        if !self.empty {
            buffer.push(b',');
        }
        self.empty = false;
        serde_json::to_writer(&mut *buffer, item).map_err(|_| HmcError::internal())?;
        Ok(self.text.flush_full()?)
    }

    fn finish(mut self) -> Result<Response, HmcError> {
        self.text.buffer().push(b']');
        self.text.finish()
    }
}

pub const GET_INVENTORY: Service = Service {
    title: "Get Inventory",
    method: Method::Post,
    pattern: "/api/services/inventory",
    query: None,
    auth: true,
    transaction: Transaction::Read,
    handler: "InventoryHandler",
    run: get_inventory,
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::Body;

    #[test]
    fn categories_expand_and_classes_appear_once() {
        let classes = requested(&[json!("core-resources"), json!("cpc"), json!("user")]).unwrap();
        assert_eq!(classes, ["cpc", "logical-partition", "user"]);
        assert_eq!(requested(&[json!("nope")]).unwrap_err().reason, 7);
        assert_eq!(requested(&[json!(1)]).unwrap_err().reason, 7);
    }

    #[test]
    fn items_are_written_as_one_json_array() {
        let text = |items: &[Value]| {
            let mut out = Items::new(AnswerText::new(None));
            for i in items {
                out.push(i).unwrap();
            }
            match out.finish().unwrap().body {
                Body::JsonText(text) => text,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(text(&[]), "[]");
        let items = [json!({"name": "a\"b"}), json!(2)];
        let written: Value = serde_json::from_str(&text(&items)).unwrap();
        assert_eq!(written, json!(items));
    }
}
