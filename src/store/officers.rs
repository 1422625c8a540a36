//! The officers table (migration 0007): one name, unit and position per officer id, which
//! every report, list and message uses. Rows come from a bureau's roster (`source =
//! 'roster'`, never overwritten by a case) or, for officers the roster lacks, from the newest
//! imported case that names them (`source = 'case'`).

use std::collections::HashMap;

use rusqlite::{params, Connection};
use serde::Serialize;

use super::{map_busy, now, Context, Store, StoreError};

/// An officer as the officers table has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Officer {
    pub id: String,
    pub name: Option<String>,
    pub unit_id: Option<String>,
    pub position: Option<String>,
    /// `roster` or `case`
    pub source: String,
}

/// One line of a roster file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    pub id: String,
    pub name: String,
    pub unit_id: String,
    pub position: Option<String>,
}

/// What a case says of one of its officers: (officer id, name if given, the case's unit, case id).
pub type CaseOfficer<'a> = (&'a str, Option<&'a str>, &'a str, &'a str);

/// Records the officers of newly imported or changed cases, in import order (the last one
/// an officer appears in is the newest): the name (when the case gives one) and the unit of
/// the newest case. Officers of the roster are left as the roster has them.
pub fn note_from_cases(tx: &Connection, officers: &[CaseOfficer]) -> Result<(), StoreError> {
    if officers.is_empty() {
        return Ok(());
    }
    // one write per officer and batch: the newest mention wins
    let mut newest: HashMap<&str, (Option<&str>, &str, &str)> = HashMap::new();
    for &(id, name, unit, case) in officers {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        let e = newest.entry(id).or_insert((None, unit, case));
        if name.is_some() {
            e.0 = name;
        }
        e.1 = unit;
        e.2 = case;
    }
    let mut up = tx
        .prepare_cached(
            "INSERT INTO officers (id, name, unit_id, source, case_id, updated_at) VALUES (?1, ?2, ?3, 'case', ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET name = coalesce(excluded.name, officers.name),
                 unit_id = excluded.unit_id, case_id = excluded.case_id, updated_at = excluded.updated_at
             WHERE officers.source = 'case'",
        )
        .ctx("preparing the officers update")?;
    let at = now();
    let mut ids: Vec<&&str> = newest.keys().collect();
    ids.sort();
    for id in ids {
        let (name, unit, case) = newest[*id];
        up.execute(params![id, name, unit, case, at]).ctx("recording an officer")?;
    }
    Ok(())
}

/// Counts of a roster import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RosterCounts {
    /// officers not in the table before
    pub added: u64,
    /// officers whose name, unit or position changed, or who were known from cases only
    pub updated: u64,
    pub unchanged: u64,
}

/// Writes a roster in one transaction: every entry becomes a roster row. Officers not in
/// the file keep their rows.
pub fn import_roster(store: &mut Store, entries: &[RosterEntry]) -> Result<RosterCounts, StoreError> {
    let path = store.path.clone();
    let tx = store.write_tx()?;
    let mut counts = RosterCounts::default();
    {
        let mut get = tx
            .prepare_cached("SELECT name, unit_id, position, source FROM officers WHERE id = ?1")
            .ctx("preparing the roster import")?;
        let mut put = tx
            .prepare_cached(
                "INSERT OR REPLACE INTO officers (id, name, unit_id, position, source, case_id, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 'roster', NULL, ?5)",
            )
            .ctx("preparing the roster import")?;
        let at = now();
        for e in entries {
            type Row = (Option<String>, Option<String>, Option<String>, String);
            let old: Option<Row> = get
                .query_row([&e.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .map(Some)
                .or_else(|err| if err == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(err) })
                .ctx("reading an officer")?;
            match old {
                None => counts.added += 1,
                Some((name, unit, position, source))
                    if source == "roster"
                        && name.as_deref() == Some(e.name.as_str())
                        && unit.as_deref() == Some(e.unit_id.as_str())
                        && position == e.position =>
                {
                    counts.unchanged += 1;
                    continue;
                }
                Some(_) => counts.updated += 1,
            }
            put.execute(params![e.id, e.name, e.unit_id, e.position, at]).ctx("writing an officer")?;
        }
    }
    tx.commit().map_err(map_busy(&path, "committing the roster"))?;
    Ok(counts)
}

/// Every officer of the table, by id.
pub fn directory(conn: &Connection) -> Result<HashMap<String, Officer>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT id, name, unit_id, position, source FROM officers")
        .ctx("preparing the officer directory")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Officer { id: r.get(0)?, name: r.get(1)?, unit_id: r.get(2)?, position: r.get(3)?, source: r.get(4)? })
        })
        .ctx("reading officers")?;
    let mut out = HashMap::new();
    for row in rows {
        let o = row.ctx("reading officers")?;
        out.insert(o.id.clone(), o);
    }
    Ok(out)
}

/// How many officers come from a roster and how many from cases.
pub fn sources(conn: &Connection) -> Result<(u64, u64), StoreError> {
    conn.query_row(
        "SELECT count(*) FILTER (WHERE source = 'roster'), count(*) FILTER (WHERE source = 'case') FROM officers",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ctx("counting officers")
}

/// A case record that names an officer otherwise than the officers table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub case_id: String,
    pub officer_id: String,
    /// the name the case gives (when it differs)
    pub case_name: Option<String>,
    /// the case's unit (when it differs)
    pub case_unit: Option<String>,
    pub name: Option<String>,
    pub unit_id: Option<String>,
    /// where the table's row came from: `roster` or `case`
    pub source: String,
}

/// Every (case, officer) whose name or unit in the case record differs from the table. A
/// case that gives no name for an officer does not differ in name.
pub fn differences(conn: &Connection) -> Result<Vec<Difference>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT case_id, officer_id,
                    CASE WHEN case_name IS NOT f_name THEN case_name END,
                    CASE WHEN case_unit IS NOT f_unit THEN case_unit END,
                    f_name, f_unit, source
             FROM (
                 SELECT c.case_id, c.unit_id AS case_unit, f.id AS officer_id, f.name AS f_name,
                        f.unit_id AS f_unit, f.source,
                        nullif(trim(CASE WHEN json_type(o.value, '$.name') = 'text'
                                         THEN json_extract(o.value, '$.name') END), '') AS case_name
                 FROM cases c JOIN case_raw r USING (case_id),
                      json_each(CASE WHEN json_valid(r.raw) THEN r.raw ELSE '{}' END, '$.officers') o
                 JOIN officers f ON f.id = json_extract(o.value, '$.id')
                 WHERE o.type = 'object'
             )
             WHERE (case_name IS NOT NULL AND case_name IS NOT f_name) OR case_unit IS NOT f_unit
             ORDER BY case_id, officer_id",
        )
        .ctx("preparing the roster check")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Difference {
                case_id: r.get(0)?,
                officer_id: r.get(1)?,
                case_name: r.get(2)?,
                case_unit: r.get(3)?,
                name: r.get(4)?,
                unit_id: r.get(5)?,
                source: r.get(6)?,
            })
        })
        .ctx("checking the roster")?;
    rows.collect::<Result<Vec<_>, _>>().ctx("checking the roster")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let s = Store::open(&dir.path().join("x.db")).expect("store");
        (dir, s)
    }

    #[test]
    fn the_newest_case_names_an_officer_until_a_roster_does() {
        let (_d, mut s) = store();
        let tx = s.write_tx().expect("tx");
        note_from_cases(&tx, &[("O1", Some("张三"), "U01", "C1"), ("O1", None, "U02", "C2")]).expect("note");
        tx.commit().expect("commit");
        let d = directory(&s.conn).expect("dir");
        assert_eq!(d["O1"].name.as_deref(), Some("张三"), "a case without a name keeps the last name given");
        assert_eq!(d["O1"].unit_id.as_deref(), Some("U02"));
        let entry = RosterEntry { id: "O1".into(), name: "李四".into(), unit_id: "U01".into(), position: None };
        let c = import_roster(&mut s, std::slice::from_ref(&entry)).expect("roster");
        assert_eq!(c, RosterCounts { added: 0, updated: 1, unchanged: 0 });
        assert_eq!(import_roster(&mut s, &[entry]).expect("again").unchanged, 1);
        let tx = s.write_tx().expect("tx");
        note_from_cases(&tx, &[("O1", Some("王五"), "U03", "C3")]).expect("note");
        tx.commit().expect("commit");
        let d = directory(&s.conn).expect("dir");
        assert_eq!((d["O1"].name.as_deref(), d["O1"].source.as_str()), (Some("李四"), "roster"));
    }
}
