//! docs/uris.md is the generated coverage list: it must match the route table.

use mock_hmc::test_support::RouteTable;

#[test]
fn docs_uris_md_matches_the_route_table() {
    let expected = RouteTable::build().markdown();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/uris.md");
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/uris.md is stale: run `cargo run -- routes --markdown > docs/uris.md`"
    );
}

/// Every (method, URI) of sections 4.8-4.15 of the Python mock's catalogue
/// (classic Activate/Deactivate CPC aside), plus the operations zhmcclient
/// has and the mock lacks (partition links, storage-group attachment,
/// zeroize, Get Connected VNICs by GET, Get Partitions for a Storage Group).
/// `{x}` segments are ids.
#[rustfmt::skip]
const DPM_URIS: &[(&str, &str)] = &[
    ("POST", "/api/cpcs/{x}/operations/start"),
    ("POST", "/api/cpcs/{x}/operations/stop"),
    ("POST", "/api/cpcs/{x}/operations/export-port-names-list"),
    ("GET", "/api/cpcs/{x}/adapters"),
    ("POST", "/api/cpcs/{x}/adapters"),
    ("GET", "/api/adapters/{x}"),
    ("POST", "/api/adapters/{x}"),
    ("DELETE", "/api/adapters/{x}"),
    ("POST", "/api/adapters/{x}/operations/change-crypto-type"),
    ("POST", "/api/adapters/{x}/operations/change-adapter-type"),
    ("GET", "/api/adapters/{x}/operations/get-partitions-assigned-to-adapter"),
    ("GET", "/api/adapters/{x}/network-ports/{x}"),
    ("POST", "/api/adapters/{x}/network-ports/{x}"),
    ("GET", "/api/adapters/{x}/storage-ports/{x}"),
    ("POST", "/api/adapters/{x}/storage-ports/{x}"),
    ("GET", "/api/cpcs/{x}/partitions"),
    ("POST", "/api/cpcs/{x}/partitions"),
    ("GET", "/api/partitions/{x}"),
    ("POST", "/api/partitions/{x}"),
    ("DELETE", "/api/partitions/{x}"),
    ("POST", "/api/partitions/{x}/operations/start"),
    ("POST", "/api/partitions/{x}/operations/stop"),
    ("POST", "/api/partitions/{x}/operations/scsi-dump"),
    ("POST", "/api/partitions/{x}/operations/start-dump-program"),
    ("POST", "/api/partitions/{x}/operations/psw-restart"),
    ("POST", "/api/partitions/{x}/operations/mount-iso-image"),
    ("POST", "/api/partitions/{x}/operations/unmount-iso-image"),
    ("POST", "/api/partitions/{x}/operations/increase-crypto-configuration"),
    ("POST", "/api/partitions/{x}/operations/decrease-crypto-configuration"),
    ("POST", "/api/partitions/{x}/operations/change-crypto-domain-configuration"),
    ("POST", "/api/partitions/{x}/operations/zeroize-crypto-domain"),
    ("POST", "/api/partitions/{x}/operations/attach-storage-group"),
    ("POST", "/api/partitions/{x}/operations/detach-storage-group"),
    ("POST", "/api/partitions/{x}/hbas"),
    ("GET", "/api/partitions/{x}/hbas/{x}"),
    ("POST", "/api/partitions/{x}/hbas/{x}"),
    ("DELETE", "/api/partitions/{x}/hbas/{x}"),
    ("POST", "/api/partitions/{x}/hbas/{x}/operations/reassign-storage-adapter-port"),
    ("POST", "/api/partitions/{x}/nics"),
    ("GET", "/api/partitions/{x}/nics/{x}"),
    ("POST", "/api/partitions/{x}/nics/{x}"),
    ("DELETE", "/api/partitions/{x}/nics/{x}"),
    ("POST", "/api/partitions/{x}/virtual-functions"),
    ("GET", "/api/partitions/{x}/virtual-functions/{x}"),
    ("POST", "/api/partitions/{x}/virtual-functions/{x}"),
    ("DELETE", "/api/partitions/{x}/virtual-functions/{x}"),
    ("GET", "/api/cpcs/{x}/virtual-switches"),
    ("GET", "/api/virtual-switches/{x}"),
    ("POST", "/api/virtual-switches/{x}"),
    ("POST", "/api/virtual-switches/{x}/operations/get-connected-vnics"),
    ("GET", "/api/virtual-switches/{x}/operations/get-connected-vnics"),
    ("GET", "/api/storage-groups"),
    ("POST", "/api/storage-groups"),
    ("GET", "/api/storage-groups/{x}"),
    ("POST", "/api/storage-groups/{x}/operations/delete"),
    ("POST", "/api/storage-groups/{x}/operations/modify"),
    ("POST", "/api/storage-groups/{x}/operations/request-fulfillment"),
    ("POST", "/api/storage-groups/{x}/operations/add-candidate-adapter-ports"),
    ("POST", "/api/storage-groups/{x}/operations/remove-candidate-adapter-ports"),
    ("GET", "/api/storage-groups/{x}/operations/get-partitions"),
    ("GET", "/api/storage-groups/{x}/storage-volumes"),
    ("GET", "/api/storage-groups/{x}/storage-volumes/{x}"),
    ("GET", "/api/storage-groups/{x}/virtual-storage-resources"),
    ("GET", "/api/storage-groups/{x}/virtual-storage-resources/{x}"),
    ("GET", "/api/storage-templates"),
    ("POST", "/api/storage-templates"),
    ("GET", "/api/storage-templates/{x}"),
    ("DELETE", "/api/storage-templates/{x}"),
    ("POST", "/api/storage-templates/{x}/operations/modify"),
    ("GET", "/api/storage-templates/{x}/storage-template-volumes"),
    ("GET", "/api/storage-templates/{x}/storage-template-volumes/{x}"),
    ("GET", "/api/tape-libraries"),
    ("GET", "/api/tape-libraries/{x}"),
    ("POST", "/api/tape-libraries/{x}"),
    ("POST", "/api/tape-libraries/{x}/operations/undefine"),
    ("POST", "/api/tape-libraries/operations/request-tape-library-zoning"),
    ("POST", "/api/tape-libraries/operations/discover-tape-libraries"),
    ("GET", "/api/tape-links"),
    ("POST", "/api/tape-links"),
    ("GET", "/api/tape-links/{x}"),
    ("POST", "/api/tape-links/{x}"),
    ("POST", "/api/tape-links/{x}/operations/delete"),
    ("POST", "/api/tape-links/{x}/operations/modify"),
    ("GET", "/api/tape-links/{x}/operations/get-tape-link-histories"),
    ("GET", "/api/tape-links/{x}/operations/get-partitions"),
    ("GET", "/api/tape-links/{x}/operations/get-tape-link-environment-report"),
    ("POST", "/api/tape-links/{x}/operations/update-tape-link-environment-report"),
    ("GET", "/api/tape-links/{x}/virtual-tape-resources"),
    ("GET", "/api/tape-links/{x}/virtual-tape-resources/{x}"),
    ("POST", "/api/tape-links/{x}/virtual-tape-resources/{x}"),
    ("GET", "/api/cpcs/{x}/capacity-groups"),
    ("POST", "/api/cpcs/{x}/capacity-groups"),
    ("GET", "/api/cpcs/{x}/capacity-groups/{x}"),
    ("POST", "/api/cpcs/{x}/capacity-groups/{x}"),
    ("DELETE", "/api/cpcs/{x}/capacity-groups/{x}"),
    ("POST", "/api/cpcs/{x}/capacity-groups/{x}/operations/add-partition"),
    ("POST", "/api/cpcs/{x}/capacity-groups/{x}/operations/remove-partition"),
    ("GET", "/api/partition-links"),
    ("POST", "/api/partition-links"),
    ("GET", "/api/partition-links/{x}"),
    ("POST", "/api/partition-links/{x}/operations/delete"),
    ("POST", "/api/partition-links/{x}/operations/modify"),
];

#[test]
fn every_dpm_uri_of_the_catalogue_is_routed() {
    let table = RouteTable::build();
    let missing: Vec<String> = DPM_URIS
        .iter()
        .filter(|(method, uri)| {
            let sample = uri.replace("{x}", "id1");
            !table
                .lookup(&sample)
                .is_some_and(|(route, _)| route.methods.iter().any(|(m, _)| m.as_str() == *method))
        })
        .map(|(m, u)| format!("{m} {u}"))
        .collect();
    assert!(missing.is_empty(), "not routed: {missing:#?}");
}
