//! The declarative table that describes each HMC resource type: where it
//! lives, how it is listed, created, updated and deleted, its defaults and
//! back-references, and its special operations. Routes, generic handlers,
//! and definition-file load/dump all walk this table.

use serde_json::{Map, Value};

use crate::api::{HmcError, Method, Response};
use crate::ctx::Ctx;
use crate::store::{Resource, Tx};

/// Which CPC mode a type or operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Any,
    Dpm,
    Classic,
}

/// The List operation of a collection.
pub struct ListSpec {
    /// Key of the list in the response (`"partitions"`).
    pub key: &'static str,
    /// Properties of each item (missing ones are `null`).
    pub props: &'static [&'static str],
    /// Query parameters that filter the list.
    pub filters: &'static [&'static str],
    /// Whether `additional-properties` is accepted.
    pub additional: bool,
    /// Parents in another mode list nothing (no error).
    pub mode: Mode,
    /// Items hold only those of `props` the resource has, instead of `null`
    /// for the missing ones (List Virtual Storage Resources).
    pub sparse: bool,
}

/// Which end of a numeric range a `RangeFilter` sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The property must be at most the value (`maximum-size`).
    AtMost,
    /// The property must be at least the value (`minimum-size`).
    AtLeast,
}

/// A List query parameter that bounds a numeric property instead of
/// matching it as a pattern (List Storage Volumes' `maximum-size=N` keeps
/// volumes whose `size` is at most N).
pub struct RangeFilter {
    /// The query parameter (`"maximum-size"`).
    pub param: &'static str,
    /// The numeric property it bounds (`"size"`).
    pub prop: &'static str,
    pub bound: Bound,
}

/// A handler hook on the resource a request targets.
pub type CheckFn = fn(&mut Ctx<'_>, &Resource) -> Result<(), HmcError>;
/// Prepares a create request's body (defaults, non-input checks) for its parent.
pub type PrepareFn = fn(&mut Ctx<'_>, &Resource, &mut Map<String, Value>) -> Result<(), HmcError>;
/// Side effects of adding a resource (device numbers, back-references), shared
/// by Create and by definition-file loading. Receives the parent (if any).
pub type OnAddFn = fn(&Tx<'_>, Option<&Resource>, &mut Resource) -> Result<(), HmcError>;
/// Side effects of Update Properties, given the resource before and after
/// the merge (a changed device number moves its reservation).
pub type OnUpdateFn = fn(&Tx<'_>, &Resource, &mut Resource) -> Result<(), HmcError>;
/// Cleanup after a delete, given every deleted URI.
pub type AfterDeleteFn = fn(&Tx<'_>, &[String]) -> Result<(), HmcError>;
/// Runs after Create has added the resource, with the request body as sent;
/// returns fields to add to the 201 answer (Create Storage Group adds its
/// volumes and answers their `element-uris`).
pub type AfterCreateFn =
    fn(&mut Ctx<'_>, &Resource, &Map<String, Value>) -> Result<Map<String, Value>, HmcError>;
/// A special operation on a resource.
pub type OpFn = fn(&mut Ctx<'_>, &Resource) -> Result<Response, HmcError>;

/// The Create operation of a collection.
pub struct CreateSpec {
    pub title: &'static str,
    pub required: &'static [&'static str],
    /// 409.4/409.5 when the parent's CPC is in the other mode.
    pub mode: Mode,
    /// Preconditions on the parent (status), checked before the body.
    pub check: Option<CheckFn>,
    pub prepare: Option<PrepareFn>,
    pub after: Option<AfterCreateFn>,
    /// The body (400.3) and required fields (400.5) are checked before the
    /// parent's mode and status (Create Capacity Group), not after.
    pub body_first: bool,
}

/// The Update Properties operation (POST on the element URI).
pub struct UpdateSpec {
    pub title: &'static str,
    /// `None`: any property may be written (the HMC mock's generic update).
    pub writable: Option<&'static [&'static str]>,
    pub check: Option<CheckFn>,
}

/// The Delete operation (DELETE on the element URI).
pub struct DeleteSpec {
    pub title: &'static str,
    pub check: Option<CheckFn>,
}

/// A special operation: `method` on the element URI followed by `path`.
pub struct Operation {
    /// Title in the WS API book ("Start Partition").
    pub title: &'static str,
    pub method: Method,
    /// Appended to the element URI (`"/operations/start"`).
    pub path: &'static str,
    /// Query parameters it accepts (`None`: a query string does not match the URI).
    pub query: Option<&'static [&'static str]>,
    pub run: OpFn,
}

/// One HMC resource type.
pub struct ResourceType {
    /// The HMC class (`"partition"`).
    pub class: &'static str,
    /// Key of its list in definition files (`"partitions"`).
    pub def_key: &'static str,
    /// Another key accepted when loading (zhmcclient's loader and schema
    /// disagree on some names, e.g. `tape_library` / `tape_libraries`).
    pub def_alias: Option<&'static str>,
    /// The parent type; `None` for children of the HMC itself.
    pub parent: Option<&'static ResourceType>,
    /// URI template: `{parent}` is the parent's URI, `{id}` the id
    /// (`"/api/partitions/{id}"`, `"{parent}/nics/{id}"`).
    pub element: &'static str,
    /// Name of the id segment in printed routes (`"partition-id"`).
    pub param: &'static str,
    /// Property holding the id (`"object-id"`, `"element-id"`, `""` for the console).
    pub id_prop: &'static str,
    /// Property holding the URI (`"object-uri"`, `"element-uri"`).
    pub uri_prop: &'static str,
    /// Collection URI template (`"{parent}/partitions"`), if it has one.
    pub collection: Option<&'static str>,
    pub list: Option<ListSpec>,
    /// List query parameters that are numeric bounds, not patterns (they
    /// must also be among the list's `filters`).
    pub range_filters: &'static [RangeFilter],
    pub create: Option<CreateSpec>,
    /// Get Properties and the query parameters it accepts; `None`: no GET.
    pub get: Option<&'static [&'static str]>,
    pub update: Option<UpdateSpec>,
    pub delete: Option<DeleteSpec>,
    /// Never returned by GET or List.
    pub write_only: &'static [&'static str],
    /// Defaults set when the resource is added, as JSON text.
    pub defaults: &'static [(&'static str, &'static str)],
    /// The parent's list property that holds this resource's URI.
    pub back_ref: Option<&'static str>,
    pub on_add: Option<OnAddFn>,
    pub on_update: Option<OnUpdateFn>,
    /// Runs after every delete with the deleted URIs: cleans what this type
    /// holds about them inside objects, where the store's list cleanup does
    /// not reach (partition-link endpoints), or removes what existed only
    /// for them (the virtual switch of an adapter).
    pub after_delete: Option<AfterDeleteFn>,
    /// Names are unique among siblings of this class (400.8 on clash).
    pub unique_names: bool,
    /// `name` filters ignore case (users, user roles, ...).
    pub names_ignore_case: bool,
    /// For types that share a definition-file key (ports): whether this type
    /// is the one for a given parent.
    pub variant_of: Option<fn(&Resource) -> bool>,
    pub operations: &'static [Operation],
}

/// A starting point for type tables: no collection, no operations.
pub const BASE: ResourceType = ResourceType {
    class: "",
    def_key: "",
    def_alias: None,
    parent: None,
    element: "",
    param: "",
    id_prop: "object-id",
    uri_prop: "object-uri",
    collection: None,
    list: None,
    range_filters: &[],
    create: None,
    get: Some(&[]),
    update: None,
    delete: None,
    write_only: &[],
    defaults: &[],
    back_ref: None,
    on_add: None,
    on_update: None,
    after_delete: None,
    unique_names: false,
    names_ignore_case: false,
    variant_of: None,
    operations: &[],
};

impl ResourceType {
    /// The URI of an instance with `id` under `parent`.
    pub fn uri_for(&self, parent: Option<&str>, id: &str) -> String {
        self.element
            .replace("{parent}", parent.unwrap_or(""))
            .replace("{id}", id)
    }

    /// The collection URI under `parent`, if the type has a collection.
    pub fn collection_uri(&self, parent: Option<&str>) -> Option<String> {
        self.collection
            .map(|c| c.replace("{parent}", parent.unwrap_or("")))
    }

    /// The route pattern of an instance (`/api/partitions/{partition-id}`).
    pub fn element_pattern(&self) -> String {
        let parent = self.parent.map(|p| p.element_pattern()).unwrap_or_default();
        self.element
            .replace("{parent}", &parent)
            .replace("{id}", &format!("{{{}}}", self.param))
    }

    /// The route pattern of the collection, if any.
    pub fn collection_pattern(&self) -> Option<String> {
        let parent = self.parent.map(|p| p.element_pattern()).unwrap_or_default();
        self.collection.map(|c| c.replace("{parent}", &parent))
    }

    /// Python-mock style handler name for messages (`PartitionHandler`).
    pub fn handler_name(&self, collection: bool) -> String {
        let mut name: String = self
            .class
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect();
        if collection {
            name.push('s');
        }
        name + "Handler"
    }
}
