//! SQL for the `resources` table: HMC resources as JSON property sets keyed by URI.

use std::fmt::Write as _;
use std::sync::LazyLock;

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value};

use super::{StoreError, Tx, outbox};

/// One HMC resource as stored: its URI, class, parent and properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub uri: String,
    pub class: String,
    pub parent: Option<String>,
    pub props: Map<String, Value>,
}

impl Resource {
    /// A string property, if present and a string.
    pub fn str_prop(&self, name: &str) -> Option<&str> {
        self.props.get(name).and_then(Value::as_str)
    }

    /// The `name` property, or "" (for messages).
    pub fn name(&self) -> &str {
        self.str_prop("name").unwrap_or("")
    }

    /// The strings of a list property (`nic-uris`); missing or not a list:
    /// none.
    pub fn str_list(&self, name: &str) -> Vec<&str> {
        self.props
            .get(name)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether the list property `name` holds `item`.
    pub fn lists(&self, name: &str, item: &str) -> bool {
        self.str_list(name).contains(&item)
    }
}

fn row_to_resource(row: &rusqlite::Row<'_>) -> rusqlite::Result<(Resource, String)> {
    Ok((
        Resource {
            uri: row.get(0)?,
            class: row.get(1)?,
            parent: row.get(2)?,
            props: Map::new(),
        },
        row.get(3)?,
    ))
}

fn parse(pair: (Resource, String)) -> Result<Resource, StoreError> {
    let (mut r, text) = pair;
    r.props = serde_json::from_str(&text)?;
    Ok(r)
}

/// A resource for tests: `props` must be a JSON object.
#[cfg(test)]
pub(crate) fn test_resource(
    uri: &str,
    class: &str,
    parent: Option<&str>,
    props: Value,
) -> Resource {
    let Value::Object(props) = props else {
        panic!("props must be an object")
    };
    Resource {
        uri: uri.into(),
        class: class.into(),
        parent: parent.map(str::to_string),
        props,
    }
}

/// The select of `Tx::resource_head_and_mode` for the URI bound to
/// `param` (`?1` alone; another number inside the preflight statement).
/// INDEXED BY: the planner would otherwise take the primary key and
/// evaluate the mode's expression on the document.
pub(super) fn head_and_mode_of(param: &str) -> String {
    format!(
        "SELECT r.class, r.parent_uri,
            (SELECT json_type(c.properties, '$.\"dpm-enabled\"') IS 'true'
             FROM resources c INDEXED BY resources_cpc_mode
             WHERE c.uri = r.uri AND c.class >= 'cpc' AND c.class <= 'cpc')
         FROM resources r WHERE r.uri = {param}"
    )
}

/// The statement of `Tx::resource_head_and_mode`, made once (the statement
/// cache finds it by its text).
static HEAD_AND_MODE: LazyLock<String> = LazyLock::new(|| head_and_mode_of("?1"));

/// What `Tx::resource_head_and_mode` read: a resource's class and parent,
/// and for a CPC whether it is in DPM mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub class: String,
    pub parent: Option<String>,
    pub cpc_dpm: Option<bool>,
}

/// The head in the three columns from `i` of a `head_and_mode_of` select
/// (`None` when a LEFT JOIN found no resource).
pub(super) fn head_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<Head>> {
    let Some(class) = r.get(i)? else {
        return Ok(None);
    };
    Ok(Some(Head {
        class,
        parent: r.get(i + 1)?,
        cpc_dpm: r.get(i + 2)?,
    }))
}

/// Which properties a streaming read brings back.
#[derive(Debug, Clone, Copy)]
pub enum Props<'a> {
    /// The whole document.
    All,
    /// Only these (those the resource has, in this order): what a List
    /// item and its filters need. SQLite extracts them from the stored
    /// text, so a document of a hundred properties is never turned into a
    /// hundred Rust values to answer with four.
    Only(&'a [&'a str]),
}

impl Props<'_> {
    /// Appends the select list for these properties to `sql`: the whole
    /// document, or one `properties -> '$."name"'` (the value's JSON text,
    /// NULL when absent) per name; returns whether it is the latter. Names
    /// that could not be spelled safely in a JSON path (only letters,
    /// digits, `-` and `_` are) fall back to the whole document. Written
    /// into the caller's text, which every List builds anew to find its
    /// cached statement: a `format!` per column was about 1% of a List's
    /// CPU time.
    fn push_columns(&self, sql: &mut String) -> bool {
        let safe = |n: &&str| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        match self {
            Props::Only(names) if names.iter().all(safe) => {
                sql.push_str("uri, class, parent_uri");
                for n in *names {
                    sql.push_str(", properties -> '$.\"");
                    sql.push_str(n);
                    sql.push_str("\"'");
                }
                true
            }
            _ => {
                sql.push_str(COLUMNS);
                false
            }
        }
    }
}

/// A resource from a row selected with `Props::columns`.
fn from_row(row: &rusqlite::Row<'_>, props: Props<'_>, only: bool) -> Result<Resource, StoreError> {
    if !only {
        return parse(row_to_resource(row)?);
    }
    let mut r = Resource {
        uri: row.get(0)?,
        class: row.get(1)?,
        parent: row.get(2)?,
        props: Map::new(),
    };
    if let Props::Only(names) = props {
        for (i, n) in names.iter().enumerate() {
            let text: Option<String> = row.get(3 + i)?;
            if let Some(text) = text {
                r.props
                    .insert((*n).to_string(), serde_json::from_str(&text)?);
            }
        }
    }
    Ok(r)
}

const COLUMNS: &str = "uri, class, parent_uri, properties";

/// A deleted resource: uri, class, parent, name, whether an element.
type Deleted = (String, String, Option<String>, Option<String>, Option<bool>);

impl Tx<'_> {
    fn query_resources(
        &self,
        where_clause: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Resource>, StoreError> {
        let mut out = Vec::new();
        self.each_resource(where_clause, args, Props::All, |r| {
            out.push(r);
            Ok::<_, StoreError>(())
        })?;
        Ok(out)
    }

    /// Hands the selected resources to `f` one at a time, in insertion
    /// order, so that a caller that keeps a little of each (a List item)
    /// never holds every document at once.
    fn each_resource<E: From<StoreError>>(
        &self,
        where_clause: &str,
        args: &[&dyn rusqlite::ToSql],
        props: Props<'_>,
        mut f: impl FnMut(Resource) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut sql = String::from("SELECT ");
        let only = props.push_columns(&mut sql);
        sql.push_str(" FROM resources ");
        sql.push_str(where_clause);
        sql.push_str(" ORDER BY seq");
        let mut stmt = self.conn.prepare_cached(&sql).map_err(StoreError::from)?;
        let mut rows = stmt.query(args).map_err(StoreError::from)?;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            f(from_row(row, props, only)?)?;
        }
        Ok(())
    }

    /// Streams the resources of one class under `parent` (`None`: under any
    /// parent) to `f`, in insertion order, with the properties `props` asks
    /// for: `children` / `resources_of_class` without holding them all.
    pub fn each_of_class<E: From<StoreError>>(
        &self,
        parent: Option<&str>,
        class: &str,
        props: Props<'_>,
        f: impl FnMut(Resource) -> Result<(), E>,
    ) -> Result<(), E> {
        match parent {
            Some(p) => self.each_resource(
                "WHERE parent_uri = ?1 AND class = ?2",
                &[&p, &class],
                props,
                f,
            ),
            None => self.each_resource("WHERE class = ?1", &[&class], props, f),
        }
    }

    /// The class and the properties (as stored JSON text, unparsed) of the
    /// resource with this URI.
    pub fn resource_text(&self, uri: &str) -> Result<Option<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT class, properties FROM resources WHERE uri = ?1")?;
        Ok(stmt
            .query_row([uri], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// The class and parent of the resource with this URI (no document read).
    pub fn resource_head(&self, uri: &str) -> Result<Option<(String, Option<String>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT class, parent_uri FROM resources WHERE uri = ?1")?;
        Ok(stmt
            .query_row([uri], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// `resource_head`, and for a CPC whether it is in DPM mode
    /// (`dpm-enabled` is true; `None` for any other class), in one
    /// statement: a List reads both for its parent, and each statement
    /// costs its own lookup, bindings, step and reset. The mode comes from
    /// the index of CPC modes: the document itself is not read.
    pub fn resource_head_and_mode(&self, uri: &str) -> Result<Option<Head>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&HEAD_AND_MODE)?;
        Ok(stmt
            .query_row([uri], |r| head_at(r, 0))
            .optional()?
            .flatten())
    }

    /// Whether the CPC at `uri` is in DPM mode; `None` if there is no such
    /// CPC (`resource_head_and_mode`'s mode).
    pub fn cpc_dpm_enabled(&self, uri: &str) -> Result<Option<bool>, StoreError> {
        Ok(self.resource_head_and_mode(uri)?.and_then(|h| h.cpc_dpm))
    }

    /// One property of the resource with this URI, read by SQLite from the
    /// stored text without parsing the whole document here.
    pub fn property(&self, uri: &str, name: &str) -> Result<Option<Value>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT properties -> ?2 FROM resources WHERE uri = ?1")?;
        let path = format!("$.\"{}\"", name.replace('"', "\\\""));
        let text: Option<Option<String>> = stmt.query_row([uri, &path], |r| r.get(0)).optional()?;
        match text.flatten() {
            Some(t) => Ok(Some(serde_json::from_str(&t)?)),
            None => Ok(None),
        }
    }

    /// The resource with this URI.
    pub fn resource(&self, uri: &str) -> Result<Option<Resource>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM resources WHERE uri = ?1"))?;
        match stmt.query_row([uri], row_to_resource).optional()? {
            Some(pair) => Ok(Some(parse(pair)?)),
            None => Ok(None),
        }
    }

    /// The class of the resource with this URI, without reading its
    /// document.
    pub fn class_of(&self, uri: &str) -> Result<Option<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT class FROM resources WHERE uri = ?1")?;
        Ok(stmt.query_row([uri], |r| r.get(0)).optional()?)
    }

    /// Whether a resource with this URI exists.
    pub fn resource_exists(&self, uri: &str) -> Result<bool, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM resources WHERE uri = ?1")?;
        Ok(stmt.exists([uri])?)
    }

    /// Children of `parent` of one class, in insertion order.
    pub fn children(&self, parent: &str, class: &str) -> Result<Vec<Resource>, StoreError> {
        self.query_resources("WHERE parent_uri = ?1 AND class = ?2", &[&parent, &class])
    }

    /// Whether `parent` has a child of one class (without reading any).
    pub fn has_children(&self, parent: &str, class: &str) -> Result<bool, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT 1 FROM resources WHERE parent_uri = ?1 AND class = ?2 LIMIT 1",
        )?;
        Ok(stmt.exists([parent, class])?)
    }

    /// Every resource of one class, in insertion order.
    pub fn resources_of_class(&self, class: &str) -> Result<Vec<Resource>, StoreError> {
        self.query_resources("WHERE class = ?1", &[&class])
    }

    /// (URI, name column) of the resources of one class under `parent`
    /// (`None`: under any parent), in insertion order, without reading their
    /// documents: what a List filtered by name needs first.
    pub fn names_of_class(
        &self,
        parent: Option<&str>,
        class: &str,
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        let sql = match parent {
            Some(_) => {
                "SELECT uri, name FROM resources WHERE parent_uri = ?1 AND class = ?2 ORDER BY seq"
            }
            None => "SELECT uri, name FROM resources WHERE ?1 IS NULL AND class = ?2 ORDER BY seq",
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![parent, class], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The resources of one class under `parent` (`None`: under any parent)
    /// whose name column is one of `names` or NULL, in insertion order: a
    /// List whose name filter is a literal name probes the sibling-name
    /// index (migration 0006) instead of reading every (uri, name) pair.
    pub fn resources_named(
        &self,
        parent: Option<&str>,
        class: &str,
        names: &[&str],
    ) -> Result<Vec<Resource>, StoreError> {
        let mut out = Vec::new();
        self.each_named(parent, class, names, Props::All, |r| {
            out.push(r);
            Ok::<_, StoreError>(())
        })?;
        Ok(out)
    }

    /// `resources_named`, streamed to `f` with the properties `props` asks for.
    pub fn each_named<E: From<StoreError>>(
        &self,
        parent: Option<&str>,
        class: &str,
        names: &[&str],
        props: Props<'_>,
        mut f: impl FnMut(Resource) -> Result<(), E>,
    ) -> Result<(), E> {
        // Two index probes joined by UNION ALL (with an OR of IN and IS NULL
        // the planner may fall back to reading every sibling), each arm
        // selecting the rows itself and the few rows found sorted here: an
        // `IN (subquery)` or an ORDER BY on the compound makes SQLite build
        // a temporary b-tree per query, which cost more than the probes.
        let scope = match parent {
            Some(_) => "parent_uri = ?1 AND class = ?2",
            None => "?1 IS NULL AND class = ?2",
        };
        let mut sql = String::with_capacity(512);
        sql.push_str("SELECT ");
        let only = props.push_columns(&mut sql);
        let columns_end = sql.len();
        sql.push_str(", seq FROM resources WHERE ");
        sql.push_str(scope);
        sql.push_str(" AND name IN (");
        for i in 0..names.len() {
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(sql, "{sep}?{}", i + 3);
        }
        sql.push_str(") UNION ALL ");
        sql.extend_from_within(..columns_end);
        sql.push_str(", seq FROM resources WHERE ");
        sql.push_str(scope);
        sql.push_str(" AND name IS NULL");
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&parent, &class];
        args.extend(names.iter().map(|n| n as &dyn rusqlite::ToSql));
        let mut stmt = self.conn.prepare_cached(&sql).map_err(StoreError::from)?;
        let seq_column = stmt.column_count() - 1;
        let mut found: Vec<(i64, Resource)> = Vec::new();
        let mut rows = stmt.query(&args[..]).map_err(StoreError::from)?;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            let seq: i64 = row.get(seq_column).map_err(StoreError::from)?;
            found.push((seq, from_row(row, props, only)?));
        }
        found.sort_by_key(|(seq, _)| *seq);
        found.into_iter().try_for_each(|(_, r)| f(r))
    }

    /// The resources at `uris` that exist, in insertion order.
    pub fn resources_at(&self, uris: &[String]) -> Result<Vec<Resource>, StoreError> {
        let mut out = Vec::new();
        self.each_at(uris, Props::All, |r| {
            out.push(r);
            Ok::<_, StoreError>(())
        })?;
        Ok(out)
    }

    /// `resources_at`, streamed to `f` with the properties `props` asks for.
    pub fn each_at<E: From<StoreError>>(
        &self,
        uris: &[String],
        props: Props<'_>,
        f: impl FnMut(Resource) -> Result<(), E>,
    ) -> Result<(), E> {
        if uris.is_empty() {
            return Ok(());
        }
        let uris = serde_json::to_string(uris).map_err(StoreError::from)?;
        self.each_resource(
            "WHERE uri IN (SELECT value FROM json_each(?1))",
            &[&uris],
            props,
            f,
        )
    }

    /// The resources of one class whose properties mention any of `texts`
    /// (URIs a delete took away, named inside objects where the
    /// back-reference cleanup does not look), in insertion order.
    pub fn resources_of_class_naming(
        &self,
        class: &str,
        texts: &[String],
    ) -> Result<Vec<Resource>, StoreError> {
        let texts = serde_json::to_string(texts)?;
        self.query_resources(
            "WHERE class = ?1 AND EXISTS
                 (SELECT 1 FROM json_each(?2) t WHERE instr(properties, t.value) > 0)",
            &[&class, &texts],
        )
    }

    /// The resources of one class whose string property `name` is `value`,
    /// in insertion order.
    pub fn resources_of_class_with(
        &self,
        class: &str,
        name: &str,
        value: &str,
    ) -> Result<Vec<Resource>, StoreError> {
        self.query_resources(
            "WHERE class = ?1 AND json_extract(properties, '$.\"' || ?2 || '\"') = ?3",
            &[&class, &name, &value],
        )
    }

    /// Every resource, in insertion order (parents before children).
    pub fn all_resources(&self) -> Result<Vec<Resource>, StoreError> {
        self.query_resources("", &[])
    }

    /// Children of `parent` of one class whose `name` equals `name`,
    /// ASCII-case-insensitively if asked.
    pub fn children_named(
        &self,
        parent: Option<&str>,
        class: &str,
        name: &str,
        ignore_case: bool,
    ) -> Result<Vec<Resource>, StoreError> {
        // The planner would walk every sibling through the (parent, class,
        // seq) index to save the sort; the name index is one probe. A
        // case-insensitive name cannot use it (BINARY collation), but those
        // types (users, roles) are few.
        let clause = if ignore_case {
            "WHERE parent_uri IS ?1 AND class = ?2 AND name = ?3 COLLATE NOCASE"
        } else {
            "INDEXED BY resources_parent_class_name
             WHERE parent_uri IS ?1 AND class = ?2 AND name = ?3"
        };
        self.query_resources(clause, &[&parent, &class, &name])
    }

    /// Number of resources held.
    pub fn resource_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM resources", [], |r| r.get(0))?)
    }

    /// Adds a resource at the end of the insertion order.
    pub fn insert_resource(&self, r: &Resource) -> Result<(), StoreError> {
        let text = serde_json::to_string(&r.props)?;
        let name = r.props.get("name").and_then(Value::as_str);
        // `store_rev` 1: this code keeps the row's references, not the
        // trigger (migration 0015).
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO resources (uri, class, parent_uri, name, properties, seq, store_rev)
             VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(seq), 0) + 1 FROM resources), 1)",
        )?;
        match stmt.execute(params![r.uri, r.class, r.parent, name, text]) {
            Ok(_) => {
                self.change_references(&r.uri, &[], &references_in(&r.props))?;
                outbox::inventory_notification(self, r, "add")
            }
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                Err(StoreError::Duplicate(r.uri.clone()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Replaces the properties of a resource, and notifies the changes
    /// (`property-change`, `status-change`).
    pub fn save_properties(&self, uri: &str, props: &Map<String, Value>) -> Result<(), StoreError> {
        // The old properties are read only when someone listens.
        if self.notifications_wanted()?
            && let Some(old) = self.resource(uri)?
        {
            return self.save_properties_from(&old, props);
        }
        self.write_properties(uri, props)
    }

    /// `save_properties` of the resource that was `old` (as stored): the
    /// change notifications compare with `old`, so nothing is read again.
    pub fn save_properties_from(
        &self,
        old: &Resource,
        props: &Map<String, Value>,
    ) -> Result<(), StoreError> {
        if self.notifications_wanted()? {
            outbox::change_notifications(
                self,
                &old.uri,
                &old.class,
                old.parent.as_deref(),
                &old.props,
                props,
            )?;
        }
        self.write_properties(&old.uri, props)
    }

    fn write_properties(&self, uri: &str, props: &Map<String, Value>) -> Result<(), StoreError> {
        let text = serde_json::to_string(props)?;
        let name = props.get("name").and_then(Value::as_str);
        // An UPDATE that sets `name` rewrites both name indexes even when
        // the name stays the same: three pages to the WAL instead of one
        // for every Update Properties. So the name is set only when it
        // changes.
        // `store_rev` moves, so the trigger for hand-made writes stays out.
        let kept = self
            .conn
            .prepare_cached(
                "UPDATE resources SET properties = ?2, store_rev = store_rev + 1
                 WHERE uri = ?1 AND name IS ?3",
            )?
            .execute(params![uri, text, name])?;
        if kept == 0 {
            self.conn
                .prepare_cached(
                    "UPDATE resources SET properties = ?2, name = ?3, store_rev = store_rev + 1
                     WHERE uri = ?1",
                )?
                .execute(params![uri, text, name])?;
        }
        // From the table, not from a caller's copy of the old document:
        // the table is what the next Delete reads.
        let stored = self.references_of(uri)?;
        let stored: Vec<&str> = stored.iter().map(String::as_str).collect();
        self.change_references(uri, &stored, &references_in(props))
    }

    /// The URIs `holder`'s row in `resource_references` lists, sorted.
    fn references_of(&self, holder: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT target_uri FROM resource_references WHERE holder_uri = ?1
             ORDER BY target_uri",
        )?;
        let rows = stmt.query_map([holder], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Makes `holder`'s rows in `resource_references` go from `old` to
    /// `new` (both sorted, without repeats), touching only what differs:
    /// most writes change no list and write nothing here.
    fn change_references(
        &self,
        holder: &str,
        old: &[&str],
        new: &[&str],
    ) -> Result<(), StoreError> {
        if old == new {
            return Ok(());
        }
        for gone in old.iter().filter(|t| new.binary_search(t).is_err()) {
            self.conn
                .prepare_cached(
                    "DELETE FROM resource_references WHERE target_uri = ?1 AND holder_uri = ?2",
                )?
                .execute([gone, holder])?;
        }
        for added in new.iter().filter(|t| old.binary_search(t).is_err()) {
            self.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO resource_references (target_uri, holder_uri)
                     VALUES (?1, ?2)",
                )?
                .execute([added, holder])?;
        }
        Ok(())
    }

    /// Deletes a resource with all its descendants (the foreign key cascades)
    /// and removes their URIs from every list-valued property of the
    /// resources that remain (`nic-uris`, `connected-vnic-uris`, ...).
    /// Returns the deleted URIs, and notifies each removal
    /// (`inventory-change`).
    pub fn delete_resource(&self, uri: &str) -> Result<Vec<String>, StoreError> {
        // CROSS JOIN keeps `sub` outside: as a plain JOIN, SQLite 3.53
        // scanned every resource against a Bloom filter of `sub`, so a
        // Delete read the whole HMC.
        let mut stmt = self.conn.prepare_cached(
            "WITH RECURSIVE sub(uri) AS (
                 SELECT ?1 UNION ALL
                 SELECT r.uri FROM resources r JOIN sub ON r.parent_uri = sub.uri)
             SELECT r.uri, r.class, r.parent_uri, r.name,
                    json_extract(r.properties, '$.\"element-uri\"') = r.uri
             FROM sub CROSS JOIN resources r ON r.uri = sub.uri",
        )?;
        let rows: Vec<Deleted> = stmt
            .query_map([uri], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        let mut gone = Vec::with_capacity(rows.len());
        for (dead, class, parent, name, element) in rows {
            self.emit(&outbox::NewNotification {
                kind: "inventory-change",
                topic: None,
                uri: &dead,
                class: Some(&class),
                parent_uri: parent.as_deref(),
                element: element.unwrap_or(false),
                body: Some(serde_json::json!({"action": "remove", "name": name})),
            })?;
            gone.push(dead);
        }
        self.exec("DELETE FROM resources WHERE uri = ?1", [uri])?;
        for dead in &gone {
            self.forget_references(dead)?;
        }
        Ok(gone)
    }

    /// Removes `dead` from the array-valued properties of all resources:
    /// of those `resource_references` lists for it, which its triggers
    /// keep whoever writes (migration 0015).
    fn forget_references(&self, dead: &str) -> Result<(), StoreError> {
        let holders = self.query_resources(
            "WHERE uri IN (SELECT holder_uri FROM resource_references WHERE target_uri = ?1)",
            &[&dead],
        )?;
        for mut holder in holders {
            let mut changed = false;
            for value in holder.props.values_mut() {
                if let Value::Array(items) = value {
                    let before = items.len();
                    items.retain(|v| v.as_str() != Some(dead));
                    changed |= items.len() != before;
                }
            }
            if changed {
                self.save_properties(&holder.uri, &holder.props)?;
            }
        }
        // Saving a holder took its row; what is left is stale.
        self.exec(
            "DELETE FROM resource_references WHERE target_uri = ?1",
            [dead],
        )?;
        Ok(())
    }

    /// Moves a resource to the end of the insertion order (Reorder User
    /// Patterns).
    pub fn move_to_end(&self, uri: &str) -> Result<(), StoreError> {
        self.exec(
            "UPDATE resources SET seq = (SELECT coalesce(max(seq), 0) + 1 FROM resources)
             WHERE uri = ?1",
            [uri],
        )?;
        Ok(())
    }

    /// Deletes every resource, session and job (for `load --replace`).
    pub fn clear_all(&self) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "DELETE FROM jobs; DELETE FROM sessions; DELETE FROM id_allocations;
             DELETE FROM metric_values; DELETE FROM metrics_contexts;
             DELETE FROM notification_outbox; DELETE FROM resource_references;
             DELETE FROM resources;
             DELETE FROM console_log; DELETE FROM reported_problems;
             DELETE FROM meta WHERE key LIKE 'api-features %';",
        )?;
        Ok(())
    }
}

/// The URIs a document names in its list-valued properties, sorted and
/// without repeats: string items of top-level arrays that start with '/',
/// the rule of migration 0015's view `resource_list_uris`.
fn references_in(props: &Map<String, Value>) -> Vec<&str> {
    let mut uris: Vec<&str> = props
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .filter(|s| s.starts_with('/'))
        .collect();
    uris.sort_unstable();
    uris.dedup();
    uris
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::Store;

    use super::test_resource as res;

    #[test]
    fn a_cpcs_mode_comes_from_its_index_and_follows_its_document() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                tx.insert_resource(&res("/d", "cpc", None, json!({"dpm-enabled": true})))?;
                tx.insert_resource(&res("/c", "cpc", None, json!({"dpm-enabled": false})))?;
                // Not a boolean: not DPM, as `as_bool` would say.
                tx.insert_resource(&res("/s", "cpc", None, json!({"dpm-enabled": "true"})))?;
                tx.insert_resource(&res(
                    "/p",
                    "partition",
                    Some("/d"),
                    json!({"dpm-enabled": true}),
                ))?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let modes = |store: &Store| {
            store
                .read(|tx| {
                    ["/d", "/c", "/s", "/p", "/none"]
                        .iter()
                        .map(|u| tx.cpc_dpm_enabled(u))
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap()
        };
        assert_eq!(
            modes(&store),
            [Some(true), Some(false), Some(false), None, None]
        );
        let head = |u: &str| store.read(|tx| tx.resource_head_and_mode(u)).unwrap();
        let partition = Head {
            class: "partition".into(),
            parent: Some("/d".into()),
            cpc_dpm: None,
        };
        assert_eq!(head("/p"), Some(partition), "no mode for a partition");
        assert_eq!(head("/none"), None);
        store
            .write(|tx| {
                let mut c = tx.resource("/c")?.unwrap();
                c.props.insert("dpm-enabled".into(), json!(true));
                tx.save_properties(&c.uri, &c.props)
            })
            .unwrap();
        assert_eq!(modes(&store)[1], Some(true));
        store
            .read(|tx| {
                // The mode's subquery reads the index, not the CPC's document.
                let mut explain = tx
                    .conn
                    .prepare(&format!("EXPLAIN QUERY PLAN {}", *HEAD_AND_MODE))?;
                let plans: Vec<String> = explain
                    .query_map(["/d"], |r| r.get(3))?
                    .collect::<Result<_, _>>()?;
                assert!(
                    plans
                        .iter()
                        .any(|p| p.contains("COVERING INDEX resources_cpc_mode")),
                    "{plans:?}"
                );
                // A statement comparing `class = ?` is not prepared again
                // for each value bound (as an index `WHERE class = 'cpc'`
                // would make it).
                let mut by_class = tx
                    .conn
                    .prepare("SELECT uri FROM resources WHERE class = ?1 AND parent_uri IS ?2")?;
                for class in ["cpc", "partition", "cpc"] {
                    by_class
                        .query_map(rusqlite::params![class, None::<String>], |_| Ok(()))?
                        .count();
                }
                let again = by_class.get_status(rusqlite::StatementStatus::RePrepare);
                assert_eq!(again, 0);
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn delete_cascades_to_children_and_cleans_back_references() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                tx.insert_resource(&res("/c", "cpc", None, json!({})))?;
                tx.insert_resource(&res(
                    "/vs",
                    "virtual-switch",
                    Some("/c"),
                    json!({"connected-vnic-uris": ["/p/n", "/other"]}),
                ))?;
                tx.insert_resource(&res(
                    "/p",
                    "partition",
                    Some("/c"),
                    json!({"nic-uris": ["/p/n"]}),
                ))?;
                tx.insert_resource(&res("/p/n", "nic", Some("/p"), json!({"name": "n"})))?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let found = store
            .read(|tx| {
                Ok::<_, StoreError>((
                    tx.has_children("/c", "partition")?,
                    tx.has_children("/c", "adapter")?,
                    tx.has_children("/p/n", "nic")?,
                ))
            })
            .unwrap();
        assert_eq!(found, (true, false, false));
        let gone = store.write(|tx| tx.delete_resource("/p")).unwrap();
        assert_eq!(gone, vec!["/p".to_string(), "/p/n".to_string()]);
        store
            .read(|tx| {
                assert!(tx.resource("/p/n")?.is_none());
                let vs = tx.resource("/vs")?.unwrap();
                assert_eq!(vs.props["connected-vnic-uris"], json!(["/other"]));
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    /// CPC `/c` with partition `/p` (of these properties) and its NIC
    /// `/p/n`.
    fn partition_with_nic(tx: &Tx<'_>, partition: Value) -> Result<(), StoreError> {
        tx.insert_resource(&res("/c", "cpc", None, json!({})))?;
        tx.insert_resource(&res("/p", "partition", Some("/c"), partition))?;
        tx.insert_resource(&res("/p/n", "nic", Some("/p"), json!({})))
    }

    /// What `resource_references` lists for `target`, sorted.
    fn holders_of(tx: &Tx<'_>, target: &str) -> Vec<String> {
        tx.conn
            .prepare(
                "SELECT holder_uri FROM resource_references WHERE target_uri = ?1
                 ORDER BY holder_uri",
            )
            .unwrap()
            .query_map([target], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn references_follow_the_lists_as_they_change_and_leave_with_their_holder() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                // A name list and a lone URI are no references.
                partition_with_nic(
                    tx,
                    json!({"nic-uris": ["/p/n", "/p/n"], "states": ["active"], "cpc-uri": "/c"}),
                )?;
                assert_eq!(holders_of(tx, "/p/n"), ["/p"]);
                assert!(holders_of(tx, "active").is_empty() && holders_of(tx, "/c").is_empty());
                tx.save_properties(
                    "/p",
                    json!({"nic-uris": [], "sg-uris": ["/sg"]})
                        .as_object()
                        .unwrap(),
                )?;
                assert!(holders_of(tx, "/p/n").is_empty());
                assert_eq!(holders_of(tx, "/sg"), ["/p"]);
                tx.delete_resource("/p")?;
                assert!(
                    holders_of(tx, "/sg").is_empty(),
                    "the holder's rows go with it"
                );
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn a_reference_written_by_hand_in_sql_is_forgotten_on_delete_too() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                partition_with_nic(tx, json!({"nic-uris": []}))?;
                // What a user types into the sqlite3 CLI: an UPDATE that
                // leaves `store_rev` alone, and an INSERT without it.
                tx.conn.execute_batch(
                    r#"UPDATE resources SET properties = json_set(properties, '$."nic-uris"',
                           json_array('/p/n')) WHERE uri = '/p';
                       INSERT INTO resources (uri, class, parent_uri, properties, seq)
                           VALUES ('/g', 'group', NULL, '{"member-uris": ["/p/n", "/c"]}', 99);"#,
                )?;
                assert_eq!(holders_of(tx, "/p/n"), ["/g", "/p"]);
                tx.delete_resource("/p/n")?;
                assert_eq!(tx.resource("/p")?.unwrap().props["nic-uris"], json!([]));
                assert_eq!(
                    tx.resource("/g")?.unwrap().props["member-uris"],
                    json!(["/c"])
                );
                assert!(holders_of(tx, "/p/n").is_empty());
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn a_restored_checkpoint_brings_its_references_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                partition_with_nic(tx, json!({"nic-uris": ["/p/n"]}))?;
                tx.save_checkpoint("cp", 0)?;
                tx.delete_resource("/p/n")?;
                tx.restore_checkpoint("cp", false)?;
                assert_eq!(holders_of(tx, "/p/n"), ["/p"]);
                tx.delete_resource("/p/n")?;
                assert_eq!(tx.resource("/p")?.unwrap().props["nic-uris"], json!([]));
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn streamed_reads_bring_only_the_asked_properties_with_their_json_types() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                tx.insert_resource(&res("/c", "cpc", None, json!({"name": "C"})))?;
                let doc = json!({"name": "P", "on": true, "n": 1.5, "none": null,
                                 "obj": {"a": [1, "x"]}, "other": "not asked"});
                tx.insert_resource(&res("/p", "partition", Some("/c"), doc.clone()))?;
                let wanted = ["name", "on", "n", "none", "obj", "missing"];
                let mut seen = Vec::new();
                tx.each_of_class(Some("/c"), "partition", Props::Only(&wanted), |r| {
                    seen.push(r);
                    Ok::<_, StoreError>(())
                })?;
                assert_eq!(seen.len(), 1);
                let mut want = doc.as_object().unwrap().clone();
                want.remove("other");
                assert_eq!(seen[0].props, want);
                assert_eq!(seen[0].parent.as_deref(), Some("/c"));
                assert_eq!(tx.class_of("/p")?.as_deref(), Some("partition"));
                assert_eq!(tx.class_of("/gone")?, None);
                // A name a JSON path cannot spell safely reads the document.
                let mut all = Vec::new();
                tx.each_named(
                    Some("/c"),
                    "partition",
                    &["P"],
                    Props::Only(&["a'b"]),
                    |r| {
                        all.push(r);
                        Ok::<_, StoreError>(())
                    },
                )?;
                assert_eq!(Value::Object(all[0].props.clone()), doc);
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn by_name_keeps_insertion_order_across_named_and_unnamed_siblings() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                tx.insert_resource(&res("/c", "cpc", None, json!({"name": "C"})))?;
                tx.insert_resource(&res("/u1", "partition", Some("/c"), json!({})))?;
                tx.insert_resource(&res("/b", "partition", Some("/c"), json!({"name": "B"})))?;
                tx.insert_resource(&res("/u2", "partition", Some("/c"), json!({})))?;
                tx.insert_resource(&res("/a", "partition", Some("/c"), json!({"name": "A"})))?;
                let mut seen = Vec::new();
                tx.each_named(Some("/c"), "partition", &["A", "B"], Props::All, |r| {
                    seen.push(r.uri);
                    Ok::<_, StoreError>(())
                })?;
                assert_eq!(seen, ["/u1", "/b", "/u2", "/a"]);
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn a_saved_name_is_found_by_name_and_the_old_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                tx.insert_resource(&res("/c", "cpc", None, json!({"name": "C"})))?;
                tx.insert_resource(&res("/p", "partition", Some("/c"), json!({"name": "P"})))?;
                let named = |n: &str| tx.resources_named(Some("/c"), "partition", &[n]);
                // Same name (only the document changes), then a new name.
                let doc = json!({"name": "P", "description": "d"});
                tx.save_properties("/p", doc.as_object().unwrap())?;
                assert_eq!(named("P")?[0].props["description"], "d");
                tx.save_properties("/p", json!({"name": "Q"}).as_object().unwrap())?;
                assert!(named("P")?.is_empty());
                assert_eq!(named("Q")?[0].uri, "/p");
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn names_are_read_without_documents_and_documents_by_uri_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                tx.insert_resource(&res("/c", "cpc", None, json!({"name": "C"})))?;
                tx.insert_resource(&res("/p2", "partition", Some("/c"), json!({"name": "B"})))?;
                tx.insert_resource(&res("/p1", "partition", Some("/c"), json!({"name": 7})))?;
                tx.insert_resource(&res("/n", "nic", Some("/p2"), json!({"name": "B"})))?;
                let names = tx.names_of_class(Some("/c"), "partition")?;
                assert_eq!(
                    names,
                    [
                        ("/p2".to_string(), Some("B".to_string())),
                        ("/p1".to_string(), None)
                    ]
                );
                assert_eq!(tx.names_of_class(None, "nic")?.len(), 1);
                assert!(tx.names_of_class(Some("/p2"), "partition")?.is_empty());
                let wanted = ["/p1".to_string(), "/gone".to_string(), "/p2".to_string()];
                let found: Vec<String> = tx
                    .resources_at(&wanted)?
                    .into_iter()
                    .map(|r| r.uri)
                    .collect();
                assert_eq!(
                    found,
                    ["/p2", "/p1"],
                    "insertion order, missing ones skipped"
                );
                assert!(tx.resources_at(&[])?.is_empty());
                let named = |parent, names: &[&str]| -> Result<Vec<String>, StoreError> {
                    Ok(tx
                        .resources_named(parent, "partition", names)?
                        .into_iter()
                        .map(|r| r.uri)
                        .collect())
                };
                assert_eq!(
                    named(Some("/c"), &["B"])?,
                    ["/p2", "/p1"],
                    "the name, and the one whose name is no string"
                );
                assert_eq!(named(Some("/c"), &["X"])?, ["/p1"]);
                assert_eq!(named(None, &["B", "C"])?, ["/p2", "/p1"]);
                assert!(named(Some("/p2"), &["B"])?.is_empty());
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn narrow_class_queries_find_what_names_a_text_or_has_a_value() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                let links = [
                    ("/l1", json!({"type": "ctc", "paths": [{"p": "/a/x"}]})),
                    ("/l2", json!({"type": "smc-d", "c": [{"p": "/b"}]})),
                    ("/l3", json!({"type": "ctc"})),
                ];
                for (uri, props) in links {
                    tx.insert_resource(&res(uri, "partition-link", None, props))?;
                }
                tx.insert_resource(&res("/n", "nic", None, json!({"type": "ctc", "u": "/b"})))?;
                let uris = |rs: Vec<Resource>| rs.into_iter().map(|r| r.uri).collect::<Vec<_>>();
                let naming = |texts: &[&str]| {
                    let texts: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
                    tx.resources_of_class_naming("partition-link", &texts)
                };
                assert_eq!(uris(naming(&["/a/x", "/b"])?), ["/l1", "/l2"]);
                assert_eq!(uris(naming(&["/b"])?), ["/l2"]);
                assert!(naming(&["/c"])?.is_empty());
                assert!(naming(&[])?.is_empty());
                let ctc = tx.resources_of_class_with("partition-link", "type", "ctc")?;
                assert_eq!(uris(ctc), ["/l1", "/l3"]);
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn duplicate_uri_is_reported_and_order_is_insertion_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        let r = store.write(|tx| {
            tx.insert_resource(&res("/c", "cpc", None, json!({"name": "b"})))?;
            tx.insert_resource(&res("/d", "cpc", None, json!({"name": "a"})))?;
            tx.insert_resource(&res("/c", "cpc", None, json!({})))
        });
        assert!(matches!(r, Err(StoreError::Duplicate(u)) if u == "/c"));
        store
            .write(|tx| {
                tx.insert_resource(&res("/c", "cpc", None, json!({"name": "b"})))?;
                tx.insert_resource(&res("/d", "cpc", None, json!({"name": "a"})))?;
                let names: Vec<String> = tx
                    .resources_of_class("cpc")?
                    .iter()
                    .map(|r| r.name().to_string())
                    .collect();
                assert_eq!(names, vec!["b", "a"]);
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }
}
