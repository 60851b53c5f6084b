//! Hardware messages of the console and of CPCs: List (with the
//! `begin-time` / `end-time` bounds zhmcclient sends), Get, Delete, and the
//! service operations Request Service, Get Service Request Information and
//! Decline Service (which crash in the mock), in the HMC's behaviour: a
//! message that does not support service is 400.340; Request and Decline
//! Service delete the message, Get Service Information does when asked.

use serde_json::{Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::console::CONSOLE;
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{
    BASE, Bound, Check, DeleteSpec, Done, GetSpec, ListSpec, Needs, OpFn, Operation, RangeFilter,
    ResourceType,
};
use crate::resources::framework::generic::{parent_of, remove};
use crate::resources::framework::python::truthy;
use crate::store::Resource;

/// 400.340 unless the message supports service.
fn check_service_supported(_ctx: &Ctx<'_>, msg: &Resource) -> Result<(), HmcError> {
    if truthy(msg.props.get("service-supported")) {
        return Ok(());
    }
    let id = msg.str_prop("element-id").unwrap_or("");
    Err(HmcError::bad_request(
        340,
        format!("Hardware message with element-id {id} does not support service."),
    ))
}

const SERVICE: Needs = Needs {
    checks: &[Check::Rule(check_service_supported)],
    ..Needs::NONE
};

/// Operations: Request Console / CPC Service. The service request goes to
/// IBM and the message is done with: it is deleted.
fn request_service(ctx: &mut Ctx<'_>, msg: &mut Resource) -> Result<Done, HmcError> {
    // The optional body (customer-name, customer-phone) must be JSON if given.
    ctx.req.json()?;
    remove(ctx.tx, msg)?;
    Ok(Done::Nothing)
}

/// Operations: Decline Console / CPC Service: the message is deleted
/// without a service request.
fn decline_service(ctx: &mut Ctx<'_>, msg: &mut Resource) -> Result<Done, HmcError> {
    remove(ctx.tx, msg)?;
    Ok(Done::Nothing)
}

/// Operations: Get Console / CPC Service Request Information: the
/// machine's type, model and serial number (of the CPC or console the
/// message belongs to) and the message's problem data (null where it has
/// none). With `delete=true` (zhmcclient sends `True`/`False`) the message
/// is deleted afterwards.
fn get_service_information(ctx: &mut Ctx<'_>, msg: &mut Resource) -> Result<Done, HmcError> {
    let query = ctx.query()?;
    let delete = match query.values("delete").last() {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Err(HmcError::bad_query(format!(
                "Invalid value for query parameter 'delete': '{v}' (true or false is required)"
            )));
        }
    };
    let machine = parent_of(ctx, msg)?;
    let of = |r: &Resource, name: &str| r.props.get(name).cloned().unwrap_or(Value::Null);
    let info = json!({
        "service-phone": of(msg, "service-phone"),
        "machine-type": of(&machine, "machine-type"),
        "machine-model": of(&machine, "machine-model"),
        "machine-serial-number": of(&machine, "machine-serial-number"),
        "problem-type": of(msg, "problem-type"),
        "problem-number": of(msg, "problem-number"),
        "problem-data": of(msg, "problem-data"),
        "reference-code": of(msg, "reference-code"),
        "customer-name": of(msg, "customer-name"),
        "customer-phone": of(msg, "customer-phone"),
    });
    if delete {
        remove(ctx.tx, msg)?;
    }
    Ok(Done::Json(info))
}

/// The three service operations of a hardware message type.
const fn service_operations(
    request: &'static str,
    information: &'static str,
    decline: &'static str,
) -> [Operation; 3] {
    const fn row(title: &'static str, path: &'static str, run: OpFn) -> Operation {
        Operation {
            needs: SERVICE,
            ..Operation::post(title, path, run)
        }
    }
    [
        row(request, "/operations/request-service", request_service),
        Operation {
            needs: SERVICE,
            writes: true,
            ..Operation::get(
                information,
                "/operations/get-service-information",
                &["delete"],
                get_service_information,
            )
        },
        row(decline, "/operations/decline-service", decline_service),
    ]
}

/// `begin-time` and `end-time` bound a message's `timestamp` (unix ms).
const TIME_RANGE: &[RangeFilter] = &[
    RangeFilter {
        param: "begin-time",
        prop: "timestamp",
        bound: Bound::AtLeast,
    },
    RangeFilter {
        param: "end-time",
        prop: "timestamp",
        bound: Bound::AtMost,
    },
];

/// Properties a message has when loaded without them.
const DEFAULTS: &[(&str, &str)] = &[("service-supported", "false"), ("details", "null")];

const CONSOLE_SERVICE: [Operation; 3] = service_operations(
    "Request Console Service",
    "Get Console Service Request Information",
    "Decline Console Service",
);

const CPC_SERVICE: [Operation; 3] = service_operations(
    "Request CPC Service",
    "Get CPC Service Request Information",
    "Decline CPC Service",
);

pub static CONSOLE_HW_MESSAGE: ResourceType = hardware_messages(
    &CONSOLE,
    [
        "List Console Hardware Messages",
        "Get Console Hardware Message Properties",
        "Delete Console Hardware Message",
    ],
    &["element-uri", "text", "timestamp"],
    &CONSOLE_SERVICE,
);

pub static CPC_HW_MESSAGE: ResourceType = hardware_messages(
    &CPC,
    [
        "List CPC Hardware Messages",
        "Get CPC Hardware Message Properties",
        "Delete CPC Hardware Message",
    ],
    &["element-uri", "timestamp", "text"],
    &CPC_SERVICE,
);

/// The hardware messages of `parent` (the console or a CPC): the same
/// type but for the book's titles (List, Get, Delete), the list's
/// properties in the mock's order, and the service operations.
const fn hardware_messages(
    parent: &'static ResourceType,
    [list, get, delete]: [&'static str; 3],
    props: &'static [&'static str],
    operations: &'static [Operation],
) -> ResourceType {
    ResourceType {
        class: "hardware-message",
        def_key: "hw_messages",
        parent: Some(parent),
        element: "{parent}/hardware-messages/{id}",
        param: "hardware-message-id",
        id_prop: "element-id",
        uri_prop: "element-uri",
        defaults: DEFAULTS,
        collection: Some("{parent}/hardware-messages"),
        list: Some(ListSpec {
            title: list,
            key: "hardware-messages",
            props,
            filters: &["begin-time", "end-time"],
            range_filters: TIME_RANGE,
            ..ListSpec::BASE
        }),
        get: Some(GetSpec::titled(get)),
        delete: Some(DeleteSpec::plain(delete)),
        operations,
        ..BASE
    }
}
