//! Splits an input stream into raw records without holding the file in memory.
//!
//! Three framings are detected from the first bytes: a JSON array (the first byte that is
//! not JSON whitespace is `[`), a stream of pretty-printed objects (the first line is only
//! `{`), and NDJSON (one record per line). An array is cut into its top-level elements by a
//! small scanner that follows strings and bracket depth, so one malformed element is
//! isolated (and reported with its line and index) while its neighbours still import; a
//! streaming serde parse would stop at the first bad byte and lose the rest of the file.
//!
//! The scanner is strict about what lies between records: only JSON whitespace (space, tab,
//! line feed, carriage return; not form feed or any other Unicode space) and, in an array,
//! exactly one `,` between two elements. A missing or doubled comma, a trailing comma, a
//! stray `]` and text after the array are each reported as [`Item::Broken`] with their line
//! and column; serde_json judges each record's own text. A record that is not valid UTF-8 is
//! refused too (RFC 8259 section 8.1), never decoded lossily. A file with no records at all
//! (empty, or JSON whitespace only) yields nothing, which the importer reports as a warning.

use std::io::{self, BufRead};

/// One raw record and where it came from.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// 1-based line of the record's first byte.
    pub line: u64,
    /// 1-based column (in characters) of the record's first byte.
    pub column: u64,
    /// 0-based index within a JSON array; `None` for NDJSON.
    pub index: Option<u64>,
    pub text: String,
}

impl RawRecord {
    /// A record that starts at column 1 of `line`.
    pub fn new(line: u64, index: Option<u64>, text: String) -> RawRecord {
        RawRecord { line, column: 1, index, text }
    }
}

/// What a file turned out to be, or a problem with its framing.
#[derive(Debug)]
pub enum Item {
    Record(RawRecord),
    /// Text that is not a record (e.g. an unterminated array, a stray comma, bytes that are
    /// not UTF-8); reported, not imported.
    Broken {
        line: u64,
        column: u64,
        index: Option<u64>,
        text: String,
        reason: String,
    },
}

/// The bytes JSON counts as whitespace (RFC 8259 section 2); Rust's `is_ascii_whitespace`
/// also takes form feed, which JSON does not.
pub fn is_json_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn trim_json_ws(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&c| !is_json_ws(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|&c| !is_json_ws(c)).map_or(start, |i| i + 1);
    &b[start..end]
}

/// The (line, column) of byte `offset` of `text` counted from (`line`, `column`): lines by
/// `\n`, columns in characters.
pub fn position_in(text: &[u8], offset: usize, line: u64, column: u64) -> (u64, u64) {
    let (mut l, mut c) = (line, column);
    for &b in &text[..offset.min(text.len())] {
        if b == b'\n' {
            l += 1;
            c = 1;
        } else if b & 0xC0 != 0x80 {
            c += 1;
        }
    }
    (l, c)
}

/// Describes a byte for a message: `,` or `0xE5`.
fn shown(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02X}")
    }
}

/// What the array scanner expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// just after `[`: an element or `]`
    First,
    /// after a `,`: an element
    Element,
    /// after an element: `,` or `]` (in a stream of objects: the next object or the end)
    Separator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Array,
    /// pretty-printed objects one after another, separated by whitespace only
    Objects,
    Ndjson,
}

/// Iterates the records of a JSON array or NDJSON stream.
pub struct Splitter<R> {
    reader: R,
    mode: Option<Mode>,
    expect: Expect,
    /// the last `,` was reported as an empty element: a `]` right after it is not reported
    /// again as a trailing comma
    comma_reported: bool,
    /// position of the next byte
    line: u64,
    column: u64,
    index: u64,
    done: bool,
    buf: Vec<u8>,
}

impl<R: BufRead> Splitter<R> {
    pub fn new(reader: R) -> Self {
        Splitter {
            reader,
            mode: None,
            expect: Expect::First,
            comma_reported: false,
            line: 1,
            column: 1,
            index: 0,
            done: false,
            buf: Vec::new(),
        }
    }

    fn peek_byte(&mut self) -> io::Result<Option<u8>> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        let b = self.peek_byte()?;
        if let Some(b) = b {
            self.reader.consume(1);
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                self.column += 1;
            }
        }
        Ok(b)
    }

    fn skip_ws(&mut self) -> io::Result<()> {
        while let Some(b) = self.peek_byte()? {
            if is_json_ws(b) {
                self.next_byte()?;
            } else {
                break;
            }
        }
        Ok(())
    }

    fn broken(&self, reason: String) -> Item {
        Item::Broken { line: self.line, column: self.column, index: None, text: String::new(), reason }
    }

    /// Detects the framing; `Err(item)` when the file is only a byte order mark.
    fn detect(&mut self) -> io::Result<Result<Mode, Item>> {
        // a UTF-8 byte order mark is skipped (RFC 8259 allows a parser to ignore one)
        let bom = self.reader.fill_buf()?.starts_with(&[0xEF, 0xBB, 0xBF]);
        if bom {
            self.reader.consume(3);
        }
        self.skip_ws()?;
        if self.peek_byte()? == Some(b'[') {
            self.next_byte()?;
            return Ok(Ok(Mode::Array));
        }
        let head = self.reader.fill_buf()?;
        if head.is_empty() && bom {
            return Ok(Err(Item::Broken {
                line: 1,
                column: 1,
                index: None,
                text: String::new(),
                reason: "the file is a byte order mark and nothing else: it is not JSON".into(),
            }));
        }
        let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
        Ok(Ok(if first_line.len() < head.len() && trim_json_ws(first_line) == b"{" {
            Mode::Objects
        } else {
            Mode::Ndjson
        }))
    }

    /// A record's bytes as text, or the item that refuses them (not UTF-8).
    fn record(line: u64, column: u64, index: Option<u64>, bytes: Vec<u8>) -> Item {
        match String::from_utf8(bytes) {
            Ok(text) => Item::Record(RawRecord { line, column, index, text }),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let (l, c) = position_in(&bytes, at, line, column);
                Item::Broken {
                    line: l,
                    column: c,
                    index,
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                    reason: format!(
                        "malformed JSON: {} is not valid UTF-8 (JSON text must be UTF-8)",
                        shown(bytes.get(at).copied().unwrap_or(0))
                    ),
                }
            }
        }
    }

    fn next_ndjson(&mut self) -> io::Result<Option<Item>> {
        loop {
            self.buf.clear();
            let line = self.line;
            let n = self.reader.read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                self.done = true;
                return Ok(None);
            }
            self.line += 1;
            let lead = self.buf.iter().position(|&c| !is_json_ws(c)).unwrap_or(self.buf.len());
            let text = trim_json_ws(&self.buf);
            if text.is_empty() {
                continue;
            }
            let column = position_in(&self.buf, lead, line, 1).1;
            return Ok(Some(Self::record(line, column, None, text.to_vec())));
        }
    }

    /// The next element of an array, or the next object of a stream of objects.
    fn next_element(&mut self, array: bool) -> io::Result<Option<Item>> {
        loop {
            self.skip_ws()?;
            let Some(b) = self.peek_byte()? else {
                self.done = true;
                if !array {
                    return Ok(None);
                }
                return Ok(Some(self.broken("the JSON array is not closed with `]` (truncated file?)".into())));
            };
            match (array, self.expect, b) {
                (true, Expect::First | Expect::Separator, b']') | (true, Expect::Element, b']')
                    if self.expect != Expect::Element || self.comma_reported =>
                {
                    self.next_byte()?;
                    self.done = true;
                    self.skip_ws()?;
                    if let Some(b) = self.peek_byte()? {
                        return Ok(Some(self.broken(format!(
                            "malformed JSON: unexpected {} after the closing `]` of the array",
                            shown(b)
                        ))));
                    }
                    return Ok(None);
                }
                (true, Expect::Element, b']') => {
                    let item = self.broken("malformed JSON: a trailing comma before the closing `]`".into());
                    self.expect = Expect::Separator;
                    return Ok(Some(item));
                }
                (true, Expect::Separator, b',') => {
                    self.next_byte()?;
                    self.expect = Expect::Element;
                    self.comma_reported = false;
                }
                (true, Expect::First | Expect::Element, b',') => {
                    let item = self.broken(format!(
                        "malformed JSON: expected a record, found `,` (an empty element{})",
                        if self.expect == Expect::First { " at the start of the array" } else { ": two commas" }
                    ));
                    self.next_byte()?;
                    self.expect = Expect::Element;
                    self.comma_reported = true;
                    return Ok(Some(item));
                }
                (false, _, b',' | b']') => {
                    let item = self.broken(format!(
                        "malformed JSON: unexpected {} between records (a stream of objects has only whitespace between them)",
                        shown(b)
                    ));
                    self.next_byte()?;
                    return Ok(Some(item));
                }
                (true, Expect::Separator, _) => {
                    // the element starts here; say what is missing, then read it
                    let item = self.broken(format!(
                        "malformed JSON: expected `,` or `]` after array element {}, found {}",
                        self.index.saturating_sub(1),
                        shown(b)
                    ));
                    self.expect = Expect::Element;
                    return Ok(Some(item));
                }
                _ => break,
            }
        }
        let (line, column, index) = (self.line, self.column, self.index);
        self.index += 1;
        self.expect = Expect::Separator;
        self.buf.clear();
        let (mut depth, mut in_str, mut esc) = (0i64, false, false);
        while let Some(b) = self.peek_byte()? {
            // a `,` or `]` ends an element outside strings and brackets (never its first byte)
            if !in_str && depth == 0 && !self.buf.is_empty() && (b == b',' || b == b']') {
                break;
            }
            self.next_byte()?;
            self.buf.push(b);
            if in_str {
                if esc {
                    esc = false;
                } else if b == b'\\' {
                    esc = true;
                } else if b == b'"' {
                    in_str = false;
                }
                continue;
            }
            match b {
                b'"' => in_str = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth <= 0 {
                        // the element is complete (or a stray closing bracket ended it)
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = self.buf.iter().rposition(|&c| !is_json_ws(c)).map_or(0, |i| i + 1);
        self.buf.truncate(end);
        let bytes = std::mem::take(&mut self.buf);
        Ok(Some(Self::record(line, column, Some(index), bytes)))
    }

    /// The next record, or `None` at the end of the stream.
    pub fn next_item(&mut self) -> io::Result<Option<Item>> {
        if self.done {
            return Ok(None);
        }
        let mode = match self.mode {
            Some(m) => m,
            None => match self.detect()? {
                Ok(m) => {
                    self.mode = Some(m);
                    m
                }
                Err(item) => {
                    self.done = true;
                    return Ok(Some(item));
                }
            },
        };
        match mode {
            Mode::Array => self.next_element(true),
            Mode::Objects => self.next_element(false),
            Mode::Ndjson => self.next_ndjson(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &[u8]) -> Vec<(u64, Option<u64>, String)> {
        let mut s = Splitter::new(input);
        let mut out = Vec::new();
        while let Ok(Some(item)) = s.next_item() {
            match item {
                Item::Record(r) => out.push((r.line, r.index, r.text)),
                Item::Broken { line, column, reason, .. } => {
                    out.push((line, None, format!("BROKEN {line}:{column} {reason}")));
                }
            }
        }
        out
    }

    fn broken(input: &[u8]) -> Vec<String> {
        texts(input).into_iter().filter(|t| t.2.starts_with("BROKEN")).map(|t| t.2).collect()
    }

    #[test]
    fn ndjson_lines_keep_their_numbers() {
        let got = texts(b"{\"a\":1}\n\n{\"b\":2}\n");
        assert_eq!(got, vec![(1, None, "{\"a\":1}".into()), (3, None, "{\"b\":2}".into())]);
    }

    #[test]
    fn array_elements_with_strings_and_nesting() {
        let got = texts(b"[\n {\"a\":\"x]}\\\"\",\"b\":[1,{}]},\n {\"c\":2}\n]\n");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, 2);
        assert_eq!(got[0].2, "{\"a\":\"x]}\\\"\",\"b\":[1,{}]}");
        assert_eq!(got[1], (3, Some(1), "{\"c\":2}".into()));
    }

    #[test]
    fn pretty_printed_objects_are_records() {
        let got = texts(b"{\n  \"a\": 1\n}\n{\n  \"b\": [2]\n}\n");
        assert_eq!(got, vec![(1, Some(0), "{\n  \"a\": 1\n}".into()), (4, Some(1), "{\n  \"b\": [2]\n}".into())]);
    }

    #[test]
    fn truncated_array_is_reported() {
        let got = texts(b"[{\"a\":1}, {\"b\":");
        assert_eq!(got[0].2, "{\"a\":1}");
        assert_eq!(got[1].1, Some(1));
    }

    #[test]
    fn empty_and_whitespace_only_inputs_have_no_records() {
        for input in [&b""[..], b" ", b"\n\r\n\t ", b"[]", b" [ ] \n"] {
            assert!(texts(input).is_empty(), "{input:?}");
        }
    }

    #[test]
    fn commas_must_separate_elements() {
        assert_eq!(
            broken(b"[,]"),
            vec![
                "BROKEN 1:2 malformed JSON: expected a record, found `,` (an empty element at the start of the array)"
            ]
        );
        assert_eq!(broken(b"[{},]"), vec!["BROKEN 1:5 malformed JSON: a trailing comma before the closing `]`"]);
        assert_eq!(broken(b"[{},,{}]").len(), 1);
        assert_eq!(
            broken(b"[{} {}]"),
            vec!["BROKEN 1:5 malformed JSON: expected `,` or `]` after array element 0, found `{`"]
        );
        assert_eq!(
            broken(b"[{}]x"),
            vec!["BROKEN 1:5 malformed JSON: unexpected `x` after the closing `]` of the array"]
        );
        // the neighbours of a framing error still come through
        let got = texts(b"[{\"a\":1},,{\"b\":2}]");
        assert_eq!(got.iter().filter(|t| !t.2.starts_with("BROKEN")).count(), 2);
    }

    #[test]
    fn only_json_whitespace_separates() {
        // form feed is whitespace to Rust, not to JSON
        let got = texts(b"[\x0c]");
        assert_eq!(got, vec![(1, Some(0), "\x0c".into())]);
        let got = texts(b"\x0c\n");
        assert_eq!(got, vec![(1, None, "\x0c".into())]);
        assert_eq!(broken(b"{\n\"a\":1\n},\n{\n}\n").len(), 1);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_where_they_are() {
        assert_eq!(
            broken(b"{\"a\":\"\xe9\"}\n"),
            vec!["BROKEN 1:7 malformed JSON: byte 0xE9 is not valid UTF-8 (JSON text must be UTF-8)"]
        );
        assert_eq!(broken(b"[\n  1,\n  \"\xff\"]").len(), 1);
        assert!(broken(b"[\"\xff\"]")[0].starts_with("BROKEN 1:3 "));
        assert_eq!(
            broken(b"\xef\xbb\xbf"),
            vec!["BROKEN 1:1 the file is a byte order mark and nothing else: it is not JSON"]
        );
        assert!(broken(b"\xef\xbb\xbf[]").is_empty());
    }

    #[test]
    fn columns_count_characters() {
        let mut s = Splitter::new("[\"巡查\", {}]".as_bytes());
        let mut cols = Vec::new();
        while let Ok(Some(Item::Record(r))) = s.next_item() {
            cols.push((r.line, r.column));
        }
        assert_eq!(cols, vec![(1, 2), (1, 8)]);
        assert_eq!(position_in("a巡\nbc".as_bytes(), 6, 1, 1), (2, 2));
    }
}
