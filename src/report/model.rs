//! The report model: everything a report shows, language-neutral, as the renderers and
//! `--format json` receive it. The JSON schema is `xuncha.report/1` (daily, weekly and
//! monthly reports) and `xuncha.officer/1` (an officer's list); fields are only ever added.
//!
//! Conventions: instants are RFC 3339 strings with `+08:00`, dates `YYYY-MM-DD`; rates are
//! fractions in 0..=1 rounded to 4 places, days rounded to 2 places; `null` means "not
//! defined" (a rate with nothing to divide by). Sections a report kind does not use are
//! empty arrays.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::period::PeriodKind;

/// `schema` of daily, weekly and monthly reports.
pub const REPORT_SCHEMA: &str = "xuncha.report/1";
/// `schema` of an officer's list.
pub const OFFICER_SCHEMA: &str = "xuncha.officer/1";

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 日清: one day
    Daily,
    /// 周结: one ISO week
    Weekly,
    /// 月通报: one month
    Monthly,
}

impl ReportKind {
    pub fn period_kind(self) -> PeriodKind {
        match self {
            ReportKind::Daily => PeriodKind::Day,
            ReportKind::Weekly => PeriodKind::Week,
            ReportKind::Monthly => PeriodKind::Month,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Daily => "daily",
            ReportKind::Weekly => "weekly",
            ReportKind::Monthly => "monthly",
        }
    }
}

/// A period as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PeriodInfo {
    pub kind: PeriodKind,
    /// `2026-03-01`, `2026-W09` or `2026-03`
    pub key: String,
    /// first and last local date, inclusive
    pub first_day: String,
    pub last_day: String,
    /// `[start, end)`, RFC 3339
    pub start: String,
    pub end: String,
}

/// The options that shaped a report (they are part of a frozen report's identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReportOptions {
    /// 屡错屡犯: this many findings of one category ...
    pub repeat_count: u32,
    /// ... within this many days
    pub repeat_days: u32,
    /// a finding is due this many days after it was first seen
    pub fix_days: u32,
}

impl ReportOptions {
    /// The key under which a frozen report is kept, e.g. `repeat=3/90d fix=7d`.
    pub fn key(&self) -> String {
        format!("repeat={}/{}d fix={}d", self.repeat_count, self.repeat_days, self.fix_days)
    }
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions { repeat_count: 3, repeat_days: 90, fix_days: 7 }
    }
}

/// The numbers of one rollup row (see the `rollup` view for each one's definition).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    /// cases accepted in the period (whole bureau and units only)
    pub cases: i64,
    /// findings first seen in the period
    pub new: i64,
    pub reopened: i64,
    pub pushed: i64,
    pub rectified: i64,
    pub waived: i64,
    pub resolved: i64,
    /// open or pushed at the end of the period
    pub backlog: i64,
    /// of the new findings: still open or pushed, rectified or resolved, waived, pushed
    pub new_outstanding: i64,
    pub new_closed: i64,
    pub new_waived: i64,
    pub new_pushed: i64,
    /// points deducted for the new findings that are not waived
    pub points: i64,
    /// new_closed / (new - new_waived)
    pub rectification_rate: Option<f64>,
    /// new_pushed / new
    pub share_pushed: Option<f64>,
    /// median days from first seen to rectified or resolved, over findings closed in the period
    pub median_days_to_rectify: Option<f64>,
}

/// The scope of a report: the whole bureau or one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Scope {
    /// `None` for the whole bureau
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PreviousPeriod {
    pub period: PeriodInfo,
    pub totals: Counts,
}

/// A unit's line in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnitRow {
    /// 1 = most findings per 100 cases
    pub rank: u32,
    pub unit_id: String,
    pub unit_name: Option<String>,
    pub counts: Counts,
    /// new findings per 100 cases accepted in the period; `null` without cases
    pub per_100_cases: Option<f64>,
}

/// A group's or category's line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KeyRow {
    /// `G01`-`G12` or `P001`-`P108`
    pub code: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    /// a category's group
    pub group: Option<String>,
    pub counts: Counts,
    /// new findings in the previous period (monthly reports)
    pub previous_new: Option<i64>,
}

/// An officer's line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OfficerRow {
    pub officer_id: String,
    pub name: Option<String>,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeriesPoint {
    pub day: String,
    /// findings first seen that day
    pub new: i64,
    /// findings rectified or resolved that day
    pub closed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OfficerRef {
    pub id: String,
    pub name: Option<String>,
}

/// One finding in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FindingItem {
    pub id: i64,
    pub case_id: String,
    pub rule_id: String,
    pub category: String,
    pub category_zh: Option<String>,
    pub category_en: Option<String>,
    pub group: String,
    pub severity: String,
    pub points: i64,
    pub unit_id: String,
    pub unit_name: Option<String>,
    pub officers: Vec<OfficerRef>,
    /// RFC 3339
    pub first_seen: String,
    /// open | pushed | rectified | waived | resolved, as of the report's `as_of`
    pub status: String,
    /// found by a preview check: listed, never counted
    pub preview: bool,
    /// `violation`, or `review` (待核查: listed apart with what to verify, never counted)
    #[serde(default = "violation")]
    pub level: String,
    /// what to verify, for a review item
    #[serde(default)]
    pub verify: Option<String>,
    /// to be rectified by this date (first seen + fix_days)
    pub due: String,
    /// open or pushed after its due date
    pub overdue: bool,
    /// the check's message, resident ID numbers masked
    pub message: String,
}

fn violation() -> String {
    "violation".to_owned()
}

impl FindingItem {
    /// Counted in the figures: neither found by a preview check nor a review item.
    pub fn counted(&self) -> bool {
        !self.preview && self.level == "violation"
    }
}

/// A finding that was rectified, resolved or waived in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClearedItem {
    pub finding: FindingItem,
    /// rectified | resolved | waived
    pub action: String,
    pub at: String,
    pub by: String,
    pub note: Option<String>,
}

/// 屡错屡犯: an officer who keeps making one kind of error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RepeatOffender {
    pub officer_id: String,
    pub name: Option<String>,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub category: String,
    pub category_zh: Option<String>,
    pub category_en: Option<String>,
    /// the most findings of this category within any window of `repeat_days` that ends in the period
    pub most_in_window: u32,
    /// at least `repeat_count` findings in such a window
    pub by_count: bool,
    /// a finding first seen in the period after an earlier one of this category was rectified or resolved
    pub after_rectification: bool,
    /// the findings first seen in the period that made it a repeat
    pub finding_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CategoryCount {
    pub code: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub count: u32,
    /// points lost for these findings (waived ones do not count)
    pub points: i64,
    /// a repeat category (屡错屡犯) for this officer
    pub repeat: bool,
}

/// One officer in a monthly bulletin's appendix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OfficerAppendix {
    pub officer_id: String,
    pub name: Option<String>,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub new: u32,
    pub points: i64,
    pub categories: Vec<CategoryCount>,
    pub findings: Vec<FindingItem>,
}

/// A deadline still running (即将到期): the act is not recorded as done and the deadline has
/// not passed. If nothing changes, the audit after it finds this (case, rule, subject).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DueItem {
    /// the last instant the act is in time, RFC 3339
    pub deadline: String,
    pub case_id: String,
    pub rule_id: String,
    pub category: String,
    pub category_zh: Option<String>,
    pub category_en: Option<String>,
    pub subject: String,
    pub unit_id: String,
    pub unit_name: Option<String>,
    /// the officers the finding will name
    pub officers: Vec<OfficerRef>,
    /// "须于 2026-07-02 14:30 前通知被拘留人家属"
    pub message: String,
    /// set by law; `false` for a limit of local practice or one not verified in its text
    pub statutory: bool,
    /// the level the finding will have: `violation` or `review`
    pub level: String,
    /// from a preview check
    pub preview: bool,
}

/// A unit's deadlines still running (即将到期).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DueUnit {
    pub unit_id: String,
    pub unit_name: Option<String>,
    /// ending within 24 hours of the report's `as_of`
    pub within_24h: i64,
    /// ending within 7 days (those within 24 hours included)
    pub within_7d: i64,
    /// of `within_7d`, limits of local practice or not verified
    pub not_statutory: i64,
}

/// Which audit a report's figures reflect (issue #20).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Coverage {
    /// the as-of instant of the latest completed audit of every check (RFC 3339); `null`
    /// before the first one. A run killed midway, or one with `--select`/`--ignore`, does not
    /// count.
    pub audit_as_of: Option<String>,
    pub audit_run: Option<i64>,
    /// that audit covers the whole period: its as-of instant is at or after the period's last
    /// second. A period freezes only when it has ended and is covered (or by `report freeze
    /// --force`).
    pub covered: bool,
}

/// How a frozen period was frozen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FreezeInfo {
    /// RFC 3339
    pub at: String,
    /// who froze it: a person (`report freeze --by`), or `report` when a report froze it
    pub by: String,
    /// frozen with `--force`, without a covering audit
    pub forced: bool,
    pub note: Option<String>,
    /// the audit that covered it
    pub audit_run: Option<i64>,
    pub audit_as_of: Option<String>,
}

/// Late additions (往期补录) to one earlier, frozen period: cases accepted in it and counted
/// findings first seen in it that arrived after it froze. They are not in its frozen figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LateRow {
    /// the frozen period's key
    pub period: String,
    pub cases: i64,
    pub findings: i64,
}

/// A daily, weekly or monthly report (`xuncha.report/1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// `xuncha.report/1`
    pub schema: String,
    pub kind: ReportKind,
    pub period: PeriodInfo,
    pub scope: Scope,
    pub options: ReportOptions,
    /// the period has ended
    pub closed: bool,
    /// when this report's period was frozen (see `freeze`); later reports of the period
    /// repeat it exactly
    pub frozen_at: Option<String>,
    /// when the report was made (the freezing time for a frozen report)
    pub generated_at: String,
    /// the instant the statuses and lists are taken at: the period's end, or the
    /// generation time while the period runs
    pub as_of: String,
    pub totals: Counts,
    /// findings from preview checks first seen in the period (listed, not counted)
    pub preview_new: i64,
    /// the period before (monthly reports)
    pub previous: Option<PreviousPeriod>,
    /// units, ranked by new findings per 100 cases, most first
    pub units: Vec<UnitRow>,
    /// all groups with findings, in code order
    pub groups: Vec<KeyRow>,
    /// categories with findings in the period or the one before, most new findings first
    pub categories: Vec<KeyRow>,
    /// officers with findings, most open at the end first
    pub officers: Vec<OfficerRow>,
    /// per day: new and closed findings (daily: the last 14 days)
    pub series: Vec<SeriesPoint>,
    /// daily: the day's new findings, by unit and officer (preview ones included, marked;
    /// review items are in `review_items`)
    pub new_findings: Vec<FindingItem>,
    /// daily: findings open or pushed at the end of the day, earliest due first
    pub to_fix: Vec<FindingItem>,
    /// daily: rectified, resolved and waived that day
    pub cleared: Vec<ClearedItem>,
    /// monthly: 屡错屡犯
    pub repeat_offenders: Vec<RepeatOffender>,
    /// monthly: each officer's findings of the month
    pub appendix: Vec<OfficerAppendix>,
    /// which audit the figures reflect; `null` in reports frozen before it was recorded
    #[serde(default)]
    pub coverage: Option<Coverage>,
    /// set when the period is frozen: on a frozen report (`frozen_at` set), and on the live
    /// view of a frozen period (`frozen_at` null, `report ... --live`)
    #[serde(default)]
    pub freeze: Option<FreezeInfo>,
    /// 往期补录: per earlier frozen period, what arrived for it after it froze and after every
    /// frozen period between it and this one froze (in the live view of a frozen period: what
    /// arrived for this period after it froze)
    #[serde(default)]
    pub late: Vec<LateRow>,
    /// the counted findings of `late`, oldest first
    #[serde(default)]
    pub late_findings: Vec<FindingItem>,
    /// 待核查事项: review items first seen in the period, by unit (never counted or scored;
    /// the other lists leave them out)
    #[serde(default)]
    pub review_items: Vec<FindingItem>,
    /// daily: deadlines still running at `as_of` that end within 7 days, per unit (即将到期),
    /// as the latest audit found them
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub due_units: Vec<DueUnit>,
    /// daily: those that end within 24 hours, soonest first
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub due_24h: Vec<DueItem>,
    /// daily: the audit date the running deadlines were found on (absent: none stored)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_found_as_of: Option<String>,
}

/// An officer's list of recurring errors (重犯错误清单, `xuncha.officer/1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OfficerReport {
    /// `xuncha.officer/1`
    pub schema: String,
    pub officer_id: String,
    pub name: Option<String>,
    /// the units of the officer's findings
    pub units: Vec<OfficerRef>,
    /// first day listed (`--since`); `null` for all
    pub since: Option<String>,
    pub generated_at: String,
    pub options: ReportOptions,
    /// counted findings (preview ones are listed but not counted)
    pub findings_total: u32,
    /// points lost: counted findings that are not waived
    pub points_lost: i64,
    /// open or pushed now
    pub open_now: u32,
    pub categories: Vec<CategoryCount>,
    /// newest first (review items are in `review_items`)
    pub findings: Vec<FindingItem>,
    /// 待核查事项: the officer's review items, newest first (never counted or scored)
    #[serde(default)]
    pub review_items: Vec<FindingItem>,
    /// deadlines still running that name the officer, soonest first (up to 30 days ahead)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub due: Vec<DueItem>,
}
