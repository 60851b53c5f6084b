//! Users, user roles, user patterns, password rules and the LDAP, MFA and
//! SSO server definitions (spec 4.3, 4.4): create, update, delete and the
//! role and permission operations, through the library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::error_table::{self, row};
use support::helpers::{create, delete, get, names, post, props, update};
use support::{Client, both, both_raw};

const USERS: &str = "/api/console/users";
const ROLES: &str = "/api/console/user-roles";
const PATTERNS: &str = "/api/console/user-patterns";
const RULES: &str = "/api/console/password-rules";
const LDAPS: &str = "/api/console/ldap-server-definitions";
const MFAS: &str = "/api/console/mfa-server-definitions";
const SSOS: &str = "/api/console/sso-server-definitions";
const OPERATOR: &str = "/api/users/ensoperator";
const OPERATOR_TASKS: &str = "/api/user-roles/hmc-operator-tasks";
const ALL_OBJECTS: &str = "/api/user-roles/hmc-all-system-managed-objects";

fn local_user(name: &str) -> Value {
    json!({"name": name, "type": "standard", "authentication-type": "local",
           "password": "secret12", "password-rule-uri": "/api/console/password-rules/basic"})
}

/// Creates user `name` (password `secret12`); returns its URI.
fn create_user(c: &dyn Client, s: &str, name: &str) -> String {
    create(c, s, USERS, local_user(name))
}

fn logon_status(c: &dyn Client, user: &str, password: &str) -> u16 {
    c.send(
        Method::Post,
        "/api/sessions",
        None,
        Some(&json!({"userid": user, "password": password})),
    )
    .status
}

#[test]
fn create_user_sets_the_defaults_and_hides_the_password() {
    both(|c, s| {
        // Act
        let uri = create_user(c, s, "alice");

        // Assert
        let t = c.transport();
        assert!(uri.starts_with("/api/users/"), "{t}: {uri}");
        let u = props(c, s, &uri);
        assert!(u.get("password").is_none(), "{t}: {u:?}");
        assert_eq!(u["user-roles"], json!([]), "{t}");
        assert_eq!(u["default-group-uri"], Value::Null, "{t}");
        assert_eq!(u["primary-mfa-server-definition-uri"], Value::Null, "{t}");
        assert_eq!(u["disabled"], false, "{t}");
        assert_eq!(u["max-failed-logins"], 3, "{t}");
        assert_eq!(u["web-services-api-session-idle-timeout"], 360, "{t}");
        assert_eq!(u["class"], "user", "{t}");
        assert_eq!(u["parent"], "/api/console", "{t}");
        assert!(u.get("user-pattern-uri").is_none(), "{t}");
        assert_eq!(logon_status(c, "alice", "secret12"), 200, "{t}");
        let listed = props(c, s, &format!("{USERS}?name=ALICE"));
        assert_eq!(
            listed["users"],
            json!([{"object-uri": uri, "name": "alice", "type": "standard"}]),
            "{t}"
        );
    });
}

#[test]
fn create_user_rules_and_unique_names() {
    both_raw(|c, s| {
        let rows = [
            row(Method::Post, USERS, None, 400, 3),
            row(
                Method::Post,
                USERS,
                Some(json!({"name": "x", "type": "standard"})),
                400,
                5,
            ),
            row(
                Method::Post,
                USERS,
                Some(json!({"name": "x", "type": "standard", "authentication-type": "local"})),
                400,
                5,
            ),
            row(
                Method::Post,
                USERS,
                Some(json!({"name": "x", "type": "standard", "authentication-type": "ldap"})),
                400,
                5,
            ),
            row(
                Method::Post,
                USERS,
                Some(json!({"name": "x", "type": "standard", "authentication-type": "radius"})),
                400,
                4,
            ),
            row(
                Method::Post,
                USERS,
                Some(
                    json!({"name": "x", "type": "system-defined", "authentication-type": "ldap",
                            "ldap-server-definition-uri": "/api/console/ldap-server-definitions/l"}),
                ),
                400,
                4,
            ),
            row(
                Method::Post,
                USERS,
                Some(
                    json!({"name": "x", "type": "boss", "authentication-type": "ldap",
                            "ldap-server-definition-uri": "/api/console/ldap-server-definitions/l"}),
                ),
                400,
                4,
            ),
            row(Method::Post, USERS, Some(local_user("ENSADMIN")), 400, 8),
            row(
                Method::Post,
                OPERATOR,
                Some(json!({"name": "other"})),
                400,
                6,
            ),
            row(Method::Post, OPERATOR, None, 400, 3),
            row(
                Method::Get,
                &format!("{OPERATOR}?properties=name"),
                None,
                400,
                1,
            ),
            row(Method::Delete, "/api/users/nope", None, 404, 1),
        ];
        error_table::run(c, s, &rows, &[OPERATOR]);
    });
}

#[test]
fn update_user_writes_the_writable_properties() {
    both(|c, s| {
        // Act
        update(
            c,
            s,
            OPERATOR,
            json!({"description": "changed", "password": "newpass1", "email-address": "o@x"}),
        );

        // Assert
        let t = c.transport();
        let u = props(c, s, OPERATOR);
        assert_eq!(u["description"], "changed", "{t}");
        assert_eq!(u["email-address"], "o@x", "{t}");
        assert!(u.get("password").is_none(), "{t}");
        assert_eq!(logon_status(c, "ensoperator", "newpass1"), 200, "{t}");
        assert_eq!(logon_status(c, "ensoperator", "password"), 403, "{t}");
    });
}

#[test]
fn deleting_a_user_ends_its_sessions() {
    both(|c, s| {
        // Arrange
        let uri = create_user(c, s, "bob");
        let bob = c.logon("bob", "secret12");
        assert_eq!(get(c, &bob, "/api/cpcs").status, 200);

        // Act
        let r = delete(c, s, &uri);

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(get(c, &bob, "/api/cpcs").code(), (403, 5), "{t}");
        assert_eq!(get(c, s, &uri).code(), (404, 1), "{t}");
        assert_eq!(logon_status(c, "bob", "secret12"), 403, "{t}");
    });
}

#[test]
fn disabling_a_user_ends_its_sessions_and_refuses_its_logons() {
    both(|c, s| {
        // Arrange
        let uri = create_user(c, s, "carol");
        let carol = c.logon("carol", "secret12");

        // Act
        update(c, s, &uri, json!({"disabled": true}));

        // Assert
        let t = c.transport();
        assert_eq!(get(c, &carol, "/api/cpcs").code(), (403, 5), "{t}");
        assert_eq!(logon_status(c, "carol", "secret12"), 403, "{t}");
        update(c, s, &uri, json!({"disabled": false}));
        assert_eq!(logon_status(c, "carol", "secret12"), 200, "{t}");
    });
}

#[test]
fn delete_user_refuses_pattern_based_users() {
    both_raw(|c, s| {
        // Arrange
        let uri = create(
            c,
            s,
            USERS,
            json!({"name": "pb", "type": "pattern-based", "authentication-type": "ldap",
                   "ldap-server-definition-uri": "/api/console/ldap-server-definitions/x"}),
        );

        // Act / Assert
        let rows = [
            row(Method::Delete, &uri, None, 400, 312),
            row(
                Method::Post,
                &format!("{uri}/operations/add-user-role"),
                Some(json!({"user-role-uri": OPERATOR_TASKS})),
                400,
                314,
            ),
        ];
        error_table::run(c, s, &rows, &[&uri]);
    });
}

#[test]
fn add_and_remove_user_role() {
    both(|c, s| {
        // Act
        let add = format!("{OPERATOR}/operations/add-user-role");
        let remove = format!("{OPERATOR}/operations/remove-user-role");
        update(c, s, &add, json!({"user-role-uri": ALL_OBJECTS}));
        update(c, s, &add, json!({"user-role-uri": ALL_OBJECTS}));
        let after_add = props(c, s, OPERATOR)["user-roles"].clone();
        update(c, s, &remove, json!({"user-role-uri": OPERATOR_TASKS}));

        // Assert
        let t = c.transport();
        assert_eq!(after_add, json!([OPERATOR_TASKS, ALL_OBJECTS]), "{t}");
        assert_eq!(
            props(c, s, OPERATOR)["user-roles"],
            json!([ALL_OBJECTS]),
            "{t}"
        );
    });
}

#[test]
fn user_role_operation_errors() {
    both_raw(|c, s| {
        let add = format!("{OPERATOR}/operations/add-user-role");
        let remove = format!("{OPERATOR}/operations/remove-user-role");
        let rows = [
            row(Method::Post, &add, None, 400, 3),
            row(Method::Post, &add, Some(json!({})), 400, 5),
            row(
                Method::Post,
                &add,
                Some(json!({"user-role-uri": 5})),
                400,
                7,
            ),
            row(
                Method::Post,
                &remove,
                Some(json!({"user-role-uri": ALL_OBJECTS})),
                409,
                316,
            ),
            row(
                Method::Post,
                "/api/users/nope/operations/add-user-role",
                Some(json!({"user-role-uri": ALL_OBJECTS})),
                404,
                1,
            ),
        ];
        error_table::run(c, s, &rows, &[OPERATOR]);
        // An unknown role is 404.2 naming the role as message and request-uri.
        let r = post(c, s, &add, json!({"user-role-uri": "/api/user-roles/nope"}));
        assert_eq!(r.code(), (404, 2), "{}", c.transport());
        assert_eq!(r.body["request-uri"], "/api/user-roles/nope");
        assert!(
            r.body["message"]
                .as_str()
                .unwrap()
                .contains("/api/user-roles/nope")
        );
    });
}

#[test]
fn create_user_role_is_associated_with_operator_tasks_by_default() {
    both(|c, s| {
        // Act
        let uri = create(c, s, ROLES, json!({"name": "my-role"}));
        let other = create(
            c,
            s,
            ROLES,
            json!({"name": "r2", "associated-system-defined-user-role-uri": ALL_OBJECTS}),
        );

        // Assert
        let t = c.transport();
        let r = props(c, s, &uri);
        assert_eq!(
            r["associated-system-defined-user-role-uri"], OPERATOR_TASKS,
            "{t}"
        );
        assert_eq!(r["type"], "user-defined", "{t}");
        assert_eq!(r["permissions"], json!([]), "{t}");
        assert_eq!(r["is-inheritance-enabled"], false, "{t}");
        assert_eq!(r["replication-overwrite-possible"], true, "{t}");
        assert_eq!(
            props(c, s, &other)["associated-system-defined-user-role-uri"],
            ALL_OBJECTS,
            "{t}"
        );
    });
}

#[test]
fn permissions_are_added_once_and_removed() {
    both_raw(|c, s| {
        // Arrange
        let uri = create(c, s, ROLES, json!({"name": "perm-role"}));
        let add = format!("{uri}/operations/add-permission");
        let remove = format!("{uri}/operations/remove-permission");
        let p = json!({"permitted-object": "partition", "permitted-object-type": "object-class"});

        // Act
        update(c, s, &add, p.clone());
        update(c, s, &add, p.clone());
        let added = props(c, s, &uri)["permissions"].clone();
        update(c, s, &remove, p.clone());

        // Assert
        let t = c.transport();
        assert_eq!(
            added,
            json!([{"permitted-object": "partition", "permitted-object-type": "object-class",
                    "include-members": false, "view-only-mode": true}]),
            "{t}"
        );
        assert_eq!(props(c, s, &uri)["permissions"], json!([]), "{t}");
        let rows = [
            row(Method::Post, &remove, Some(p.clone()), 409, 0),
            row(
                Method::Post,
                &add,
                Some(json!({"permitted-object": "x"})),
                400,
                5,
            ),
            row(Method::Post, &add, None, 400, 3),
            row(
                Method::Post,
                &format!("{OPERATOR_TASKS}/operations/add-permission"),
                Some(p),
                400,
                314,
            ),
        ];
        error_table::run(c, s, &rows, &[&uri]);
    });
}

#[test]
fn user_role_update_delete_and_errors() {
    both_raw(|c, s| {
        // Arrange
        let uri = create(c, s, ROLES, json!({"name": "temp-role"}));
        update(c, s, OPERATOR, json!({"description": "x"}));
        update(
            c,
            s,
            &format!("{OPERATOR}/operations/add-user-role"),
            json!({"user-role-uri": uri}),
        );

        // Act
        update(
            c,
            s,
            &uri,
            json!({"description": "d", "is-inheritance-enabled": true}),
        );
        let changed = props(c, s, &uri);
        let rows = [
            row(
                Method::Post,
                ROLES,
                Some(json!({"name": "r", "type": "x"})),
                400,
                6,
            ),
            row(
                Method::Post,
                ROLES,
                Some(json!({"name": "TEMP-ROLE"})),
                400,
                8,
            ),
            row(Method::Post, &uri, Some(json!({"name": "n"})), 400, 6),
            row(Method::Delete, OPERATOR_TASKS, None, 400, 314),
        ];
        error_table::run(c, s, &rows, &[&uri]);
        let deleted = delete(c, s, &uri);

        // Assert
        let t = c.transport();
        assert_eq!(changed["description"], "d", "{t}");
        assert_eq!(changed["is-inheritance-enabled"], true, "{t}");
        assert_eq!(deleted.status, 204, "{t}");
        assert_eq!(
            props(c, s, OPERATOR)["user-roles"],
            json!([OPERATOR_TASKS]),
            "{t}: a deleted role leaves its users"
        );
    });
}

#[test]
fn user_patterns_need_exactly_one_template_method() {
    both_raw(|c, s| {
        // Act
        let base = json!({"name": "p1", "pattern": "a.*", "type": "regular-expression",
                          "retention-time": 0, "specific-template-uri": "/api/users/ensoperator"});
        let uri = create(c, s, PATTERNS, base.clone());
        update(c, s, &uri, json!({"description": "d"}));

        // Assert
        let t = c.transport();
        let p = props(c, s, &uri);
        assert!(uri.starts_with("/api/console/user-patterns/"), "{t}");
        assert_eq!(p["description"], "d", "{t}");
        assert_eq!(p["ldap-group-to-template-mappings"], Value::Null, "{t}");
        let mut none = base.clone();
        none["specific-template-uri"] = Value::Null;
        none["name"] = json!("p2");
        let mut two = base.clone();
        two["template-name-override"] = json!("x");
        two["name"] = json!("p3");
        let rows = [
            row(Method::Post, PATTERNS, Some(none), 400, 15),
            row(Method::Post, PATTERNS, Some(two), 400, 15),
            row(Method::Post, PATTERNS, Some(json!({"name": "p"})), 400, 5),
            row(Method::Post, PATTERNS, Some(base), 400, 8),
        ];
        error_table::run(c, s, &rows, &[&uri]);
        assert_eq!(delete(c, s, &uri).status, 204, "{t}");
        assert_eq!(props(c, s, PATTERNS)["user-patterns"], json!([]), "{t}");
    });
}

#[test]
fn password_rules_ldap_mfa_and_sso_definitions_are_managed() {
    both_raw(|c, s| {
        // Act
        let rule = create(c, s, RULES, json!({"name": "R1"}));
        update(c, s, &rule, json!({"min-length": 10}));
        let ldap = create(
            c,
            s,
            LDAPS,
            json!({"name": "L1", "primary-hostname-ipaddr": "ldap.example",
                   "search-distinguished-name": "uid={0}", "bind-password": "pw"}),
        );
        update(
            c,
            s,
            &ldap,
            json!({"bind-password": "pw2", "use-ssl": true}),
        );
        let mfa = create(
            c,
            s,
            MFAS,
            json!({"name": "M1", "hostname-ipaddr": "mfa.example"}),
        );
        update(c, s, &mfa, json!({"name": "M2", "port": 1234}));
        let sso = create(
            c,
            s,
            SSOS,
            json!({"name": "S1", "type": "oidc", "client-id": "id", "client-secret": "sec",
                   "issuer-url": "https://i", "authentication-url": "https://a",
                   "token-url": "https://t", "jwks-url": "https://j"}),
        );

        // Assert
        let t = c.transport();
        let r = props(c, s, &rule);
        assert_eq!(
            (r["min-length"].clone(), r["max-length"].clone()),
            (json!(10), json!(256)),
            "{t}"
        );
        assert_eq!(r["type"], "user-defined", "{t}");
        let l = props(c, s, &ldap);
        assert!(l.get("bind-password").is_none(), "{t}: {l:?}");
        assert_eq!(l["use-ssl"], true, "{t}");
        assert_eq!(l["tolerate-untrusted-certificates"], Value::Null, "{t}");
        assert_eq!(l["location-method"], "pattern", "{t}");
        let m = props(c, s, &mfa);
        assert_eq!(
            (m["name"].clone(), m["port"].clone()),
            (json!("M2"), json!(1234)),
            "{t}"
        );
        let so = props(c, s, &sso);
        assert!(so.get("client-secret").is_none(), "{t}");
        let listed = props(
            c,
            s,
            &format!("{SSOS}?additional-properties=client-secret,token-url"),
        );
        let item = &listed["sso-server-definitions"][0];
        assert!(item.get("client-secret").is_none(), "{t}: {item:?}");
        assert_eq!(item["token-url"], "https://t", "{t}");
        let rows = [
            row(Method::Post, RULES, Some(json!({})), 400, 5),
            row(Method::Post, RULES, Some(json!({"name": "basic"})), 400, 8),
            row(
                Method::Post,
                &rule,
                Some(json!({"type": "system-defined"})),
                400,
                6,
            ),
            row(Method::Post, LDAPS, Some(json!({"name": "L2"})), 400, 5),
            row(Method::Post, &ldap, Some(json!({"name": "L9"})), 400, 6),
            row(Method::Post, MFAS, Some(json!({"name": "m1"})), 400, 5),
            row(Method::Post, &mfa, Some(json!({"hostname": "x"})), 400, 6),
            row(
                Method::Post,
                SSOS,
                Some(json!({"name": "S2", "type": "oidc"})),
                400,
                5,
            ),
            row(Method::Post, &sso, Some(json!({"type": "saml"})), 400, 6),
        ];
        error_table::run(c, s, &rows, &[&rule, &ldap, &mfa, &sso]);
        for uri in [&rule, &ldap, &mfa, &sso] {
            assert_eq!(delete(c, s, uri).status, 204, "{t}: {uri}");
            assert_eq!(get(c, s, uri).code(), (404, 1), "{t}: {uri}");
        }
        assert_eq!(
            names(&props(c, s, RULES)["password-rules"]),
            ["Basic", "Strict"],
            "{t}"
        );
    });
}
