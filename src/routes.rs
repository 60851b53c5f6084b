//! The route table: the only place that turns a path into a handler. It is
//! built from the resource descriptors and the service list, and can be
//! printed (`mock-hmc routes`).

use crate::api::Method;
use crate::resources::framework::descriptor::{On, Operation, ResourceType, camel};
use crate::resources::{self, Service};

/// What a method on a route runs.
#[derive(Clone, Copy)]
pub enum Action {
    List(&'static ResourceType),
    Create(&'static ResourceType),
    Get(&'static ResourceType),
    Update(&'static ResourceType),
    Delete(&'static ResourceType),
    Operation(&'static ResourceType, &'static Operation),
    Service(&'static Service),
}

impl Action {
    /// The operation's title, as the WS API book spells it (data of the
    /// descriptors, never derived).
    pub fn title(&self) -> &'static str {
        match self {
            Action::List(rt) => rt.list.as_ref().map_or("", |l| l.title),
            Action::Create(rt) => rt.create.as_ref().map_or("", |c| c.title),
            Action::Get(rt) => rt.get.as_ref().map_or("", |g| g.title),
            Action::Update(rt) => rt.update.as_ref().map_or("", |u| u.title),
            Action::Delete(rt) => rt.delete.as_ref().map_or("", |d| d.title),
            Action::Operation(_, op) => op.title,
            Action::Service(s) => s.title,
        }
    }
}

/// One URI pattern and the methods it serves.
pub struct Route {
    /// HMC-style pattern (`/api/partitions/{partition-id}`).
    pub pattern: String,
    /// Whether a query string may follow (otherwise a query makes it 404.1).
    pub accepts_query: bool,
    /// Handler name used in "Invalid HTTP method" messages.
    pub handler: String,
    pub methods: Vec<(Method, Action)>,
}

/// All routes, matched with matchit (axum's own router).
pub struct RouteTable {
    router: matchit::Router<usize>,
    routes: Vec<Route>,
}

/// Route parameters: (name, value) pairs.
pub type Params = Vec<(String, String)>;

impl RouteTable {
    /// The table of this program, built once: it depends only on the
    /// descriptors, and building it took 0.5-1 ms of every `Hmc` open (a
    /// test fixture that forks and opens an HMC per test pays it each time).
    pub fn shared() -> &'static RouteTable {
        static TABLE: std::sync::OnceLock<RouteTable> = std::sync::OnceLock::new();
        TABLE.get_or_init(RouteTable::build)
    }

    /// Builds the table from `resources::ALL` and `resources::SERVICES`.
    pub fn build() -> RouteTable {
        let mut table = RouteTable {
            router: matchit::Router::new(),
            routes: Vec::new(),
        };
        for s in resources::SERVICES {
            table.add(
                s.pattern,
                s.query.is_some(),
                s.handler,
                s.method,
                Action::Service(s),
            );
        }
        for rt in resources::ALL {
            table.add_type(rt);
        }
        table
    }

    fn add_type(&mut self, rt: &'static ResourceType) {
        if let Some(pattern) = rt.collection_pattern() {
            let handler = rt.handler_name(true);
            if rt.list.is_some() {
                self.add(&pattern, true, &handler, Method::Get, Action::List(rt));
            }
            if rt.create.is_some() {
                self.add(&pattern, true, &handler, Method::Post, Action::Create(rt));
            }
        }
        let element = rt.element_pattern();
        let handler = rt.handler_name(false);
        if rt.get.is_some() {
            self.add(&element, true, &handler, Method::Get, Action::Get(rt));
        }
        if rt.update.is_some() {
            self.add(&element, true, &handler, Method::Post, Action::Update(rt));
        }
        if rt.delete.is_some() {
            self.add(&element, true, &handler, Method::Delete, Action::Delete(rt));
        }
        for op in rt.operations {
            let base = match op.on {
                On::Element => Some(element.clone()),
                On::Collection => rt.collection_pattern(),
            };
            let Some(base) = base else {
                tracing::error!(
                    title = op.title,
                    "collection operation without a collection"
                );
                continue;
            };
            let handler = op.handler.map_or_else(
                || {
                    format!(
                        "{}{}Handler",
                        rt.handler_name(false).trim_end_matches("Handler"),
                        camel(op.path.rsplit('/').next().unwrap_or(""))
                    )
                },
                str::to_string,
            );
            self.add(
                &format!("{base}{}", op.path),
                op.query.is_some(),
                &handler,
                op.method,
                Action::Operation(rt, op),
            );
        }
    }

    fn add(
        &mut self,
        pattern: &str,
        accepts_query: bool,
        handler: &str,
        method: Method,
        action: Action,
    ) {
        if let Some(route) = self.routes.iter_mut().find(|r| r.pattern == pattern) {
            route.accepts_query |= accepts_query;
            route.methods.push((method, action));
            return;
        }
        let index = self.routes.len();
        self.routes.push(Route {
            pattern: pattern.to_string(),
            accepts_query,
            handler: handler.to_string(),
            methods: vec![(method, action)],
        });
        // Patterns come from our own static tables; a clash is a programming
        // error that the route-table unit test catches.
        if let Err(e) = self.router.insert(pattern, index) {
            tracing::error!(%pattern, error = %e, "route pattern rejected");
        }
    }

    /// The route for `path` and its parameters.
    pub fn lookup(&self, path: &str) -> Option<(&Route, Params)> {
        let m = self.router.at(path).ok()?;
        let params = m
            .params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Some((&self.routes[*m.value], params))
    }

    /// Every route, in registration order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The coverage document `docs/uris.md`: every pattern and method served,
    /// as a Markdown table (CI checks that the committed file matches).
    pub fn markdown(&self) -> String {
        let mut out = String::from(
            "# URIs served by mock-hmc\n\n\
             Generated by `mock-hmc routes --markdown > docs/uris.md`; a test fails when\n\
             this file and the route table differ.\n\n\
             | Method | URI pattern | Operation | Query |\n|---|---|---|---|\n",
        );
        for r in &self.routes {
            for (m, a) in &r.methods {
                let query = if r.accepts_query { "yes" } else { "no" };
                out.push_str(&format!(
                    "| {} | `{}` | {} | {query} |\n",
                    m.as_str(),
                    r.pattern,
                    a.title()
                ));
            }
        }
        out
    }

    /// One line per (method, pattern): what `mock-hmc routes` prints.
    pub fn listing(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for r in &self.routes {
            for (m, a) in &r.methods {
                lines.push(format!("{:<6} {}  ({})", m.as_str(), r.pattern, a.title()));
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_is_accepted_by_the_router() {
        let t = RouteTable::build();
        for r in t.routes() {
            let sample = r.pattern.replace('{', "x").replace('}', "");
            let (found, _) = t.lookup(&sample).unwrap_or_else(|| panic!("{}", r.pattern));
            assert_eq!(found.pattern, r.pattern);
        }
    }

    #[test]
    fn hyphenated_parameters_are_captured() {
        let t = RouteTable::build();
        let (route, params) = t.lookup("/api/partitions/p1/nics/n1").unwrap();
        assert_eq!(
            route.pattern,
            "/api/partitions/{partition-id}/nics/{nic-id}"
        );
        assert_eq!(params[0], ("partition-id".to_string(), "p1".to_string()));
    }
}
