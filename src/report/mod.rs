//! Reports: rollups of findings by day, ISO week and month (Asia/Shanghai), per unit,
//! officer and category, rendered as text, Markdown, CSV, JSON and a self-contained HTML
//! bulletin. (Owned by the reports work of issue #7.)
