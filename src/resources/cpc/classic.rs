//! The classic-mode CPC operations: Activate CPC and Deactivate CPC (jobs),
//! Import Profiles and Export Profiles (the profiles really move between the
//! CPC and its profile areas).

use serde_json::json;

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::activation_profile::{IMAGE_PROFILE, LOAD_PROFILE, RESET_PROFILE};
use crate::resources::framework::descriptor::{Check, Done, Mode, Needs, Operation, ResourceType};
use crate::resources::framework::fields::{optional_body, required};
use crate::resources::framework::generic::{add_resource, remove, set_properties};
use crate::resources::framework::python::{repr_str, truthy};
use crate::resources::lpar::LPAR;
use crate::store::{ExportedProfile, Resource};

/// CPC statuses in which the CPC is active: Activate and Deactivate need
/// `force` then.
const ACTIVE: &[&str] = &[
    "active",
    "operating",
    "degraded",
    "acceptable",
    "exceptions",
    "service-required",
    "service",
];

/// CPC statuses in which the SE cannot be reached: neither operation runs.
const BAD: &[&str] = &["not-communicating", "status-check"];

/// The three kinds of activation profiles, in the order they are exported.
const PROFILE_TYPES: [&ResourceType; 3] = [&RESET_PROFILE, &IMAGE_PROFILE, &LOAD_PROFILE];

/// 409.1 for a CPC in a bad status, or in an active one without `force`
/// (`active_wording` words that case: "already has an active" or "has an
/// active").
fn check_status(ctx: &Ctx<'_>, cpc: &Resource, active_wording: &str) -> Result<(), HmcError> {
    let Some(status) = cpc.str_prop("status") else {
        return Ok(());
    };
    let name = cpc.name();
    if BAD.contains(&status) {
        return Err(HmcError::conflict(
            1,
            format!(
                "The operation cannot be performed because the targeted CPC {name} has a bad status {}",
                repr_str(status)
            ),
        ));
    }
    if ACTIVE.contains(&status) && !truthy(optional_body(ctx.req)?.get("force")) {
        return Err(HmcError::conflict(
            1,
            format!(
                "The operation cannot be performed because the targeted CPC {name} {active_wording} status {} and force is not specified",
                repr_str(status)
            ),
        ));
    }
    Ok(())
}

/// Activate CPC: a bad status, or an active one without `force`, is 409.1.
fn check_activatable(ctx: &Ctx<'_>, cpc: &Resource) -> Result<(), HmcError> {
    check_status(ctx, cpc, "already has an active")
}

/// Deactivate CPC: as Activate CPC, worded "has an active status".
fn check_deactivatable(ctx: &Ctx<'_>, cpc: &Resource) -> Result<(), HmcError> {
    check_status(ctx, cpc, "has an active")
}

/// Operation: Activate CPC (classic; a job). The CPC is `operating` with
/// `last-used-activation-profile` set to the profile; like a real HMC, the
/// IOCDS of that reset profile (its `iocds-name`, if it has one) becomes
/// `last-used-iocds`. The profile's existence is not checked (as in the
/// Python mock).
fn activate(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let profile = required(&body, "activation-profile-name")?.clone();
    let mut changes = vec![
        ("status", json!("operating")),
        ("last-used-activation-profile", profile.clone()),
    ];
    if let Some(name) = profile.as_str() {
        let uri = RESET_PROFILE.uri_for(Some(&cpc.uri), name);
        if let Some(reset) = ctx.tx.resource(&uri)?
            && let Some(iocds) = reset.props.get("iocds-name").filter(|v| !v.is_null())
        {
            changes.push(("last-used-iocds", iocds.clone()));
        }
    }
    set_properties(ctx.tx, cpc, changes)?;
    Ok(Done::Nothing)
}

/// Operation: Deactivate CPC (classic; a job). The CPC has no power, and
/// (as on a real HMC) none of its LPARs stays active.
fn deactivate(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    set_properties(ctx.tx, cpc, [("status", json!("no-power"))])?;
    for mut lpar in ctx.tx.children(&cpc.uri, LPAR.class)? {
        if lpar.str_prop("status") != Some("not-activated") {
            set_properties(
                ctx.tx,
                &mut lpar,
                [
                    ("status", json!("not-activated")),
                    ("activation-mode", json!("not-set")),
                ],
            )?;
        }
    }
    Ok(Done::Nothing)
}

/// The `profile-area` of the body: an integer 1 to 4, the areas of the SE's
/// disk (400.7 otherwise; the Python mock takes anything).
fn profile_area(ctx: &Ctx<'_>) -> Result<i64, HmcError> {
    let body = ctx.req.json_object()?;
    let v = required(&body, "profile-area")?;
    match v.as_i64() {
        Some(area @ 1..=4) => Ok(area),
        _ => Err(HmcError::invalid_field("profile-area", v)),
    }
}

/// The properties a profile keeps in an export: all but those the CPC
/// gives it when it is added (URI, parent, class).
fn exported(r: &Resource) -> ExportedProfile {
    let mut props = r.props.clone();
    for derived in ["element-uri", "parent", "class"] {
        props.remove(derived);
    }
    ExportedProfile {
        class: r.class.clone(),
        props,
    }
}

/// Operation: Export Profiles. Profile area `profile-area` of the CPC then
/// holds a copy of all its reset, image and load activation profiles
/// (replacing what it held).
fn export_profiles(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let area = profile_area(ctx)?;
    let mut profiles = Vec::new();
    for rt in PROFILE_TYPES {
        profiles.extend(ctx.tx.children(&cpc.uri, rt.class)?.iter().map(exported));
    }
    ctx.tx.replace_profile_area(&cpc.uri, area, &profiles)?;
    Ok(Done::Nothing)
}

/// Operation: Import Profiles. The CPC's activation profiles become those
/// exported to profile area `profile-area`; an area nothing was exported to
/// imports nothing and leaves the profiles as they are (the Python mock's
/// no-op).
fn import_profiles(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let area = profile_area(ctx)?;
    let saved = ctx.tx.profile_area(&cpc.uri, area)?;
    if saved.is_empty() {
        return Ok(Done::Nothing);
    }
    for rt in PROFILE_TYPES {
        for profile in ctx.tx.children(&cpc.uri, rt.class)? {
            remove(ctx.tx, &profile)?;
        }
    }
    for profile in saved {
        if let Some(rt) = PROFILE_TYPES
            .into_iter()
            .find(|rt| rt.class == profile.class)
        {
            add_resource(ctx.tx, rt, Some(cpc), profile.props)?;
        }
    }
    Ok(Done::Nothing)
}

/// Activate CPC: the profile name is checked before the mode, as in the
/// Python mock.
const ACTIVATE: Needs = Needs {
    mode: Mode::Any,
    checks: &[
        Check::Fields(&["activation-profile-name"]),
        Check::Mode(Mode::Classic),
        Check::Rule(check_activatable),
    ],
};

/// Deactivate CPC: classic, then a body (400.3: the Python mock crashes
/// without one), then the status.
const DEACTIVATE: Needs = Needs {
    mode: Mode::Classic,
    checks: &[Check::Fields(&[]), Check::Rule(check_deactivatable)],
};

const PROFILES: Needs = Needs {
    mode: Mode::Classic,
    checks: &[Check::Fields(&["profile-area"])],
};

/// Operation row: Activate CPC.
pub const ACTIVATE_CPC: Operation =
    Operation::job("Activate CPC", "/operations/activate", ACTIVATE, activate);

/// Operation row: Deactivate CPC.
pub const DEACTIVATE_CPC: Operation = Operation::job(
    "Deactivate CPC",
    "/operations/deactivate",
    DEACTIVATE,
    deactivate,
);

/// Operation row: Import Profiles.
pub const IMPORT_PROFILES: Operation = Operation {
    needs: PROFILES,
    ..Operation::post(
        "Import Profiles",
        "/operations/import-profiles",
        import_profiles,
    )
};

/// Operation row: Export Profiles.
pub const EXPORT_PROFILES: Operation = Operation {
    needs: PROFILES,
    ..Operation::post(
        "Export Profiles",
        "/operations/export-profiles",
        export_profiles,
    )
};
