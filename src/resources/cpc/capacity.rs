//! Add Temporary Capacity and Remove Temporary Capacity (section 4.16.1):
//! a temporary software model sets the number of general purpose
//! processors, processor steps change the other processor counts. The
//! changes are worked out on a copy and stored once every check passed, so
//! a failing request changes nothing (the Python mock applies the software
//! model before it fails on a processor entry).

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::{Check, Done, Mode, Needs, Operation};
use crate::resources::framework::fields::{array_items, object_item};
use crate::store::Resource;

/// The CPC property a processor type's count lives in.
fn count_property(processor_type: &str) -> Option<&'static str> {
    Some(match processor_type {
        "sap" => "processor-count-service-assist",
        "aap" => "processor-count-aap",
        "ifl" => "processor-count-ifl",
        "icf" => "processor-count-icf",
        "iip" => "processor-count-iip",
        "cbp" => "processor-count-cbp",
        _ => return None,
    })
}

const GP_COUNT: &str = "processor-count-general-purpose";
const TEMPORARY_MODEL: &str = "software-model-permanent-plus-temporary";

/// A processor count of the CPC (a missing or non-numeric one is 0; the
/// Python mock crashes).
fn count(props: &Map<String, Value>, name: &str) -> i64 {
    props.get(name).and_then(Value::as_i64).unwrap_or(0)
}

/// 400.276: a processor rule is violated.
fn processor_rule(message: String) -> HmcError {
    HmcError::bad_request(276, message)
}

/// The `software-model` of the body, if given: a string (400.7) whose
/// characters after the first are the number of general purpose processors
/// it stands for (400.7 if they are not a number).
fn software_model(body: &Map<String, Value>) -> Result<Option<(String, i64)>, HmcError> {
    let Some(v) = body.get("software-model").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let invalid = || HmcError::invalid_field("software-model", v);
    let model = v.as_str().ok_or_else(invalid)?;
    let target = model
        .get(1..)
        .and_then(|digits| digits.parse::<i64>().ok())
        .ok_or_else(invalid)?;
    Ok(Some((model.to_string(), target)))
}

/// One `processor-info` entry: its count property, type and steps (none:
/// nothing to change). A missing type is 400.5, an unknown one 400.276,
/// steps that are not an integer 400.7.
fn processor_entry(v: &Value) -> Result<(&'static str, String, Option<i64>), HmcError> {
    let entry = object_item("processor-info", v)?;
    let Some(ptype) = entry.get("processor-type") else {
        return Err(HmcError::bad_request(
            5,
            "Missing required field in request body within processor-info: processor-type",
        ));
    };
    let type_text = match ptype {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let property = ptype.as_str().and_then(count_property).ok_or_else(|| {
        processor_rule(format!(
            "Invalid processor type {type_text} was specified in a processor-info entry"
        ))
    })?;
    let steps = match entry.get("num-processor-steps") {
        None | Some(Value::Null) => None,
        Some(s) => Some(
            s.as_i64()
                .ok_or_else(|| HmcError::invalid_field("num-processor-steps", s))?,
        ),
    };
    Ok((property, type_text, steps))
}

/// Operation: Add Temporary Capacity. A software model needs no temporary
/// one active (400.277) and at least the current general purpose count
/// (400.276); processor steps add to their counts.
fn add(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let mut props = cpc.props.clone();
    if let Some((model, target)) = software_model(&body)? {
        if let Some(current) = props.get(TEMPORARY_MODEL).and_then(Value::as_str) {
            return Err(HmcError::bad_request(
                277,
                format!(
                    "Cannot activate temporary software model {model} because temporary software model {current} is already active"
                ),
            ));
        }
        let gp = count(&props, GP_COUNT);
        if target < gp {
            return Err(processor_rule(format!(
                "Cannot activate temporary software model {model} because its target number of {target} cp processors is below the current number of {gp} cp processors"
            )));
        }
        props.insert(GP_COUNT.into(), json!(target));
        props.insert(TEMPORARY_MODEL.into(), json!(model));
    }
    for v in array_items(&body, "processor-info")? {
        let (property, _, steps) = processor_entry(v)?;
        if let Some(steps) = steps {
            let now = count(&props, property);
            props.insert(property.into(), json!(now + steps));
        }
    }
    store(ctx, cpc, props)
}

/// Operation: Remove Temporary Capacity. A software model needs a temporary
/// one active (400.277) and at most the current general purpose count
/// (400.276; the Python mock's message says "activate" here too); at least
/// one processor of each type must remain (400.276).
fn remove(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let mut props = cpc.props.clone();
    if let Some((model, target)) = software_model(&body)? {
        if props.get(TEMPORARY_MODEL).is_none_or(Value::is_null) {
            return Err(HmcError::bad_request(
                277,
                format!(
                    "Cannot deactivate temporary software model {model} because no temporary software model is currently active"
                ),
            ));
        }
        let gp = count(&props, GP_COUNT);
        if target > gp {
            return Err(processor_rule(format!(
                "Cannot activate temporary software model {model} because its target number of {target} cp processors is above the current number of {gp} cp processors"
            )));
        }
        props.insert(GP_COUNT.into(), json!(target));
        props.insert(TEMPORARY_MODEL.into(), Value::Null);
    }
    for v in array_items(&body, "processor-info")? {
        let (property, ptype, steps) = processor_entry(v)?;
        if let Some(steps) = steps {
            let now = count(&props, property);
            if now - steps < 1 {
                return Err(processor_rule(format!(
                    "Cannot reduce the number of {now} {ptype} processors by {steps} because at least one processor must remain."
                )));
            }
            props.insert(property.into(), json!(now - steps));
        }
    }
    store(ctx, cpc, props)
}

/// Stores the worked-out properties of the CPC.
fn store(ctx: &Ctx<'_>, cpc: &mut Resource, props: Map<String, Value>) -> Result<Done, HmcError> {
    cpc.props = props;
    ctx.tx.save_properties(&cpc.uri, &cpc.props)?;
    Ok(Done::Nothing)
}

/// Add Temporary Capacity: any mode (the record and test flag are required
/// and not otherwise used).
const ADD: Needs = Needs {
    mode: Mode::Any,
    checks: &[Check::Fields(&["record-id", "test"])],
};

const REMOVE: Needs = Needs {
    mode: Mode::Any,
    checks: &[Check::Fields(&["record-id"])],
};

/// Operation row: Add Temporary Capacity.
pub const ADD_TEMP_CAPACITY: Operation = Operation {
    needs: ADD,
    ..Operation::post(
        "Add Temporary Capacity",
        "/operations/add-temp-capacity",
        add,
    )
};

/// Operation row: Remove Temporary Capacity.
pub const REMOVE_TEMP_CAPACITY: Operation = Operation {
    needs: REMOVE,
    ..Operation::post(
        "Remove Temporary Capacity",
        "/operations/remove-temp-capacity",
        remove,
    )
};
