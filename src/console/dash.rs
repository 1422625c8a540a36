//! The dashboard's numbers (首页): today, this week and this month from the same rollup
//! views the bulletins print (`rollup`, so a frozen period shows its frozen numbers), and
//! the daily series of the month for the bulletin's chart.
//!
//! One reading of a period's rollup holds every scope (the bureau and each unit) and every
//! dimension, so it is read once and kept until the database changes (a new finding
//! event, audit or import) or the day does; each user's dashboard is cut from it. A
//! background task reads it again a minute after each change, so users rarely wait for it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::civil::Date;

use super::{AppError, Shared};
use crate::model::Ts;
use crate::report::period::{Period, PeriodKind};
use crate::store::rollup::{self, RollupRow, SeriesRow};

/// One period's rows.
#[derive(Debug, Clone)]
pub struct PeriodRows {
    pub period: Period,
    /// sorted by scope, dim, key
    pub rows: Vec<RollupRow>,
}

impl PeriodRows {
    pub fn row(&self, scope: &str, dim: &str, key: &str) -> Option<&RollupRow> {
        self.rows.iter().find(|r| r.scope == scope && r.dim == dim && r.key == key)
    }

    pub fn dim<'a>(&'a self, scope: &'a str, dim: &'a str) -> impl Iterator<Item = &'a RollupRow> + 'a {
        self.rows.iter().filter(move |r| r.scope == scope && r.dim == dim)
    }
}

/// What the dashboard shows, for every scope.
#[derive(Debug, Clone)]
pub struct DashData {
    pub day: Date,
    /// day, ISO week, month containing `day`
    pub periods: Vec<PeriodRows>,
    /// the month's days, per unit
    pub series: Vec<SeriesRow>,
}

type Stamp = (i64, i64, i64);

/// Dashboards read, by day.
#[derive(Default)]
pub struct Cache {
    entries: tokio::sync::Mutex<HashMap<Date, (Stamp, Arc<DashData>)>>,
}

fn compute(store: &crate::store::Store, day: Date) -> Result<DashData, AppError> {
    let conn = &store.conn;
    rollup::read_snapshot(conn, || {
        let mut periods = Vec::new();
        for kind in [PeriodKind::Day, PeriodKind::Week, PeriodKind::Month] {
            let period = Period::containing(kind, day)?;
            let rows = rollup::rollup(conn, kind.as_str(), &period.key)?;
            periods.push(PeriodRows { period, rows });
        }
        let month = &periods[2].period;
        let series = rollup::daily_series(
            conn,
            &rollup::AsOf::live(),
            &crate::report::period::ymd(month.first),
            &crate::report::period::ymd(month.last),
        )?;
        Ok(DashData { day, periods, series })
    })
}

/// The dashboard of `day`, read now if the database changed since it was last read.
pub async fn get(app: &Shared, day: Date) -> Result<Arc<DashData>, AppError> {
    let stamp = app.db.read(|s| crate::store::console::data_stamp(&s.conn).map_err(AppError::from)).await?;
    let mut entries = app.dash.entries.lock().await;
    if let Some((s, d)) = entries.get(&day) {
        if *s == stamp {
            return Ok(d.clone());
        }
    }
    let data = Arc::new(app.db.read(move |s| compute(s, day)).await?);
    if entries.len() > 16 {
        entries.clear();
    }
    entries.insert(day, (stamp, data.clone()));
    Ok(data)
}

/// Keeps today's dashboard read: at start and a minute after each change of the database.
pub fn spawn_warmer(app: Shared) {
    tokio::spawn(async move {
        loop {
            let today = Ts(app.opts.clock.now()).local_date();
            let _ = get(&app, today).await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
}
