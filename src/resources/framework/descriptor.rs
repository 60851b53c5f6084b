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

/// A named precondition of an operation, checked by the runner on the
/// operation's target (for Create: the collection's parent) after the CPC
/// mode and in the order listed. Each produces the HMC's status and reason.
pub enum Check {
    /// 409.1 (the target is the CPC) or 409.6 (the CPC hosts the target):
    /// the CPC's status must allow operations.
    CpcStatus,
    /// 409.1: the target partition's (or LPAR's) status must be in (`Only`)
    /// or out of (`Not`) the set.
    PartitionStatus(Statuses),
    /// 409.4/409.5 at this point of the order, for operations whose body is
    /// checked before the CPC's mode (Activate CPC); the row's own `mode`
    /// is then `Mode::Any`.
    Mode(Mode),
    /// 400.3 without a body, 400.5 for the first missing field.
    Fields(&'static [&'static str]),
    /// The checks, applied to the target's parent (a NIC's partition);
    /// 404.1 for the request if the parent is gone.
    Parent(&'static [Check]),
    /// A rule of the type's own, with its own reason code.
    Rule(CheckFn),
}

/// The statuses a resource must (`Only`) or must not (`Not`) have.
pub enum Statuses {
    Only(&'static [&'static str]),
    Not(&'static [&'static str]),
}

impl Statuses {
    /// Whether `status` is allowed.
    pub fn allow(&self, status: &str) -> bool {
        match self {
            Statuses::Only(list) => list.contains(&status),
            Statuses::Not(list) => !list.contains(&status),
        }
    }
}

/// What an operation needs before its handler runs: the CPC mode of its
/// target (409.4/409.5) and its preconditions.
pub struct Needs {
    pub mode: Mode,
    pub checks: &'static [Check],
}

impl Needs {
    /// Nothing: any mode, no preconditions.
    pub const NONE: Needs = Needs {
        mode: Mode::Any,
        checks: &[],
    };
}

/// The List operation of a collection.
pub struct ListSpec {
    /// Title in the WS API book ("List Partitions of a CPC").
    pub title: &'static str,
    /// Key of the list in the response (`"partitions"`).
    pub key: &'static str,
    /// Properties of each item (missing ones are `null`).
    pub props: &'static [&'static str],
    /// Query parameters that filter the list.
    pub filters: &'static [&'static str],
    /// List query parameters that are numeric bounds, not patterns (they
    /// must also be among `filters`).
    pub range_filters: &'static [RangeFilter],
    /// Whether `additional-properties` is accepted.
    pub additional: bool,
    /// Parents in another mode list nothing (no error).
    pub mode: Mode,
    /// Items hold only those of `props` the resource has, instead of `null`
    /// for the missing ones (List Virtual Storage Resources).
    pub sparse: bool,
}

impl ListSpec {
    /// The common case: filtered by `name` only, no additional properties,
    /// any mode, missing properties listed as `null`.
    pub const BASE: ListSpec = ListSpec {
        title: "",
        key: "",
        props: &[],
        filters: &["name"],
        range_filters: &[],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    };
}

/// Get Properties: its title and the query parameters it accepts.
pub struct GetSpec {
    /// Title in the WS API book ("Get Partition Properties").
    pub title: &'static str,
    pub query: &'static [&'static str],
}

impl GetSpec {
    /// Get with no query parameters (the title is the type's to give).
    pub const fn titled(title: &'static str) -> GetSpec {
        GetSpec { title, query: &[] }
    }

    /// Get that accepts `properties=` (a subset of the properties).
    pub const fn with_properties(title: &'static str) -> GetSpec {
        GetSpec {
            title,
            query: &["properties"],
        }
    }
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

/// A type's own precondition on the resource a request targets.
pub type CheckFn = fn(&Ctx<'_>, &Resource) -> Result<(), HmcError>;
/// Prepares a create request's body (defaults, non-input checks) for its parent.
pub type PrepareFn = fn(&Ctx<'_>, &Resource, &mut Map<String, Value>) -> Result<(), HmcError>;
/// Side effects of adding a resource (device numbers, back-references), shared
/// by Create and by definition-file loading. Receives the parent (if any).
pub type OnAddFn = fn(&Tx<'_>, Option<&Resource>, &mut Resource) -> Result<(), HmcError>;
/// Side effects of Update Properties, given the resource before and after
/// the merge (a changed device number moves its reservation).
pub type OnUpdateFn = fn(&Tx<'_>, &Resource, &mut Resource) -> Result<(), HmcError>;

/// A type's side effects of Update Properties, and the properties they
/// depend on. They run only for a body that names one of `watches`: the
/// state before the merge is then a copy of the whole document, which an
/// Update of a description alone no longer makes (about 3% of its CPU
/// time, docs/benchmarks.md).
#[derive(Clone, Copy)]
pub struct OnUpdate {
    pub watches: &'static [&'static str],
    pub run: OnUpdateFn,
}
/// Cleanup after a delete, given every deleted URI.
pub type AfterDeleteFn = fn(&Tx<'_>, &[String]) -> Result<(), HmcError>;
/// Runs after Create has added the resource, with the request body as sent;
/// returns fields to add to the 201 answer (Create Storage Group adds its
/// volumes and answers their `element-uris`).
pub type AfterCreateFn =
    fn(&Ctx<'_>, &Resource, &Map<String, Value>) -> Result<Map<String, Value>, HmcError>;
/// The body of a special operation: given the target that dispatch found
/// (already checked against the operation's needs), it changes what the
/// operation changes and says what it produced.
pub type OpFn = fn(&mut Ctx<'_>, &mut Resource) -> Result<Done, HmcError>;

/// The Create operation of a collection.
pub struct CreateSpec {
    pub title: &'static str,
    pub required: &'static [&'static str],
    /// Mode and preconditions on the parent, checked before the body.
    pub needs: Needs,
    pub prepare: Option<PrepareFn>,
    pub after: Option<AfterCreateFn>,
    /// The body (400.3) and required fields (400.5) are checked before the
    /// parent's mode and status (Create Capacity Group), not after.
    pub body_first: bool,
}

impl CreateSpec {
    /// A Create with no hooks (the title is the type's to give).
    pub const BASE: CreateSpec = CreateSpec {
        title: "",
        required: &[],
        needs: Needs::NONE,
        prepare: None,
        after: None,
        body_first: false,
    };
}

/// The Update Properties operation (POST on the element URI).
pub struct UpdateSpec {
    pub title: &'static str,
    /// `None`: any property may be written (the HMC mock's generic update).
    pub writable: Option<&'static [&'static str]>,
    /// Mode and preconditions, checked after the body is read.
    pub needs: Needs,
}

impl UpdateSpec {
    /// Any property may be written, in any mode.
    pub const fn any(title: &'static str) -> UpdateSpec {
        UpdateSpec {
            title,
            writable: None,
            needs: Needs::NONE,
        }
    }

    /// Only `writable` may be written (400.6 for others), in any mode.
    pub const fn only(title: &'static str, writable: &'static [&'static str]) -> UpdateSpec {
        UpdateSpec {
            title,
            writable: Some(writable),
            needs: Needs::NONE,
        }
    }
}

/// The Delete operation (DELETE on the element URI).
pub struct DeleteSpec {
    pub title: &'static str,
    pub needs: Needs,
}

impl DeleteSpec {
    /// A Delete with no preconditions.
    pub const fn plain(title: &'static str) -> DeleteSpec {
        DeleteSpec {
            title,
            needs: Needs::NONE,
        }
    }
}

/// Where a special operation lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// Below the element URI (`/api/partitions/{id}/operations/start`); the
    /// target is the element.
    Element,
    /// Below the collection URI (`/api/tape-libraries/operations/...`, or
    /// the collection URI itself for Create Partition Link); the target is
    /// the collection's parent (the console).
    Collection,
}

/// How a special operation answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// At once: 200 with the handler's JSON, 204 without, 201 for a
    /// created resource.
    Sync,
    /// 202 with a job recorded under the operation's title, complete at its
    /// first poll; the handler's JSON is the job's result (none: status
    /// code 204), a created resource's URI goes in the `Location` header.
    Job,
}

/// Where a missing target leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// 404.1 naming the target URI (dispatch's answer for any URI).
    NotFound,
    /// 404.1 for a missing parent, 404 with this reason for a missing
    /// target; both name the request URI (Add/Remove Partition of a
    /// capacity group: 404.150, the mock's lookup).
    Reason(i64),
}

/// What an operation's handler produced; the operation's `Answer` decides
/// how it reaches the client.
pub enum Done {
    /// A JSON body (the job's result, for a job).
    Json(Value),
    /// Nothing to return (204; a job without result).
    Nothing,
    /// A new resource at this URI, with more answer fields (or the job's
    /// result).
    Created(String, Option<Value>),
    /// A finished response (a body that is not JSON).
    Response(Response),
}

/// A special operation: `method` on the element or collection URI followed
/// by `path`. A table row; `run` holds only the operation's own logic.
pub struct Operation {
    /// Title in the WS API book ("Start Partition"); jobs are recorded under it.
    pub title: &'static str,
    pub method: Method,
    pub on: On,
    /// Appended to the element or collection URI (`"/operations/start"`).
    pub path: &'static str,
    /// Query parameters it accepts (`None`: a query string does not match the URI).
    pub query: Option<&'static [&'static str]>,
    /// The target's CPC mode and the preconditions, checked by the runner.
    pub needs: Needs,
    pub answer: Answer,
    pub missing: Missing,
    /// Handler name in "Invalid HTTP method" messages, where the mock's
    /// differs from the one derived from the path.
    pub handler: Option<&'static str>,
    /// A GET that may change state runs in a write transaction.
    pub writes: bool,
    pub run: OpFn,
}

impl Operation {
    /// A synchronous POST on the element, in any mode, with no preconditions:
    /// the base that rows change with `..`.
    pub const fn post(title: &'static str, path: &'static str, run: OpFn) -> Operation {
        Operation {
            title,
            method: Method::Post,
            on: On::Element,
            path,
            query: None,
            needs: Needs::NONE,
            answer: Answer::Sync,
            missing: Missing::NotFound,
            handler: None,
            writes: false,
            run,
        }
    }

    /// A synchronous GET on the element that accepts `query`.
    pub const fn get(
        title: &'static str,
        path: &'static str,
        query: &'static [&'static str],
        run: OpFn,
    ) -> Operation {
        Operation {
            method: Method::Get,
            query: Some(query),
            ..Operation::post(title, path, run)
        }
    }

    /// An asynchronous POST on the element: 202 and a job.
    pub const fn job(
        title: &'static str,
        path: &'static str,
        needs: Needs,
        run: OpFn,
    ) -> Operation {
        Operation {
            needs,
            answer: Answer::Job,
            ..Operation::post(title, path, run)
        }
    }
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
    pub create: Option<CreateSpec>,
    /// Get Properties; `None`: no GET.
    pub get: Option<GetSpec>,
    pub update: Option<UpdateSpec>,
    pub delete: Option<DeleteSpec>,
    /// Never returned by GET or List.
    /// Stored properties that no Get, List or Inventory answer shows, kept
    /// as they are (unlike write-only ones) for an operation of the type to
    /// read: the encoded form of a certificate, which only Get Encoded
    /// Certificate returns. Dumps and checkpoints carry them.
    pub hidden: &'static [&'static str],
    pub write_only: &'static [&'static str],
    /// Defaults set when the resource is added, as JSON text.
    pub defaults: &'static [(&'static str, &'static str)],
    /// The parent's list property that holds this resource's URI.
    pub back_ref: Option<&'static str>,
    pub on_add: Option<OnAddFn>,
    pub on_update: Option<OnUpdate>,
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
    /// Create, Update and Delete are recorded in the console's audit and
    /// security logs (users, roles and the other security objects).
    pub logged: bool,
    pub operations: &'static [Operation],
}

/// A starting point for type tables: no collection, no Get, no operations.
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
    create: None,
    get: None,
    update: None,
    delete: None,
    write_only: &[],
    hidden: &[],
    defaults: &[],
    back_ref: None,
    on_add: None,
    on_update: None,
    after_delete: None,
    unique_names: false,
    names_ignore_case: false,
    variant_of: None,
    logged: false,
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

    /// The parent URI inside an element URI of this type
    /// (`/api/cpcs/c/capacity-groups/g` -> `/api/cpcs/c`), read from the
    /// template; `None` for types whose element URI does not embed it.
    pub fn parent_uri_in<'u>(&self, uri: &'u str) -> Option<&'u str> {
        let infix = self
            .element
            .strip_prefix("{parent}")?
            .strip_suffix("{id}")?;
        uri.rsplit_once(infix).map(|(parent, _)| parent)
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
        let mut name = camel(self.class);
        if collection {
            name.push('s');
        }
        name + "Handler"
    }
}

/// `request-tape-library-zoning` -> `RequestTapeLibraryZoning`: HMC names
/// as parts of the Python mock's handler class names.
pub fn camel(hyphenated: &str) -> String {
    hyphenated
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
