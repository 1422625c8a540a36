//! `xuncha report daily|weekly|monthly` and `xuncha officer ID` (issue #7).
