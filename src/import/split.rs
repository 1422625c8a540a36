//! Splits an input stream into raw records without holding the file in memory.
//!
//! NDJSON is one record per line. A JSON array is cut into its top-level elements by a
//! small scanner that follows strings and bracket depth, so one malformed element is
//! isolated (and reported with its line and index) while its neighbours still import; a
//! streaming serde parse would stop at the first bad byte and lose the rest of the file.

use std::io::{self, BufRead};

/// One raw record and where it came from.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// 1-based line of the record's first byte.
    pub line: u64,
    /// 0-based index within a JSON array; `None` for NDJSON.
    pub index: Option<u64>,
    pub text: String,
}

/// What a file turned out to be, or a problem with its framing.
#[derive(Debug)]
pub enum Item {
    Record(RawRecord),
    /// Text that is not a record (e.g. an unterminated array); reported, not imported.
    Broken {
        line: u64,
        index: Option<u64>,
        text: String,
        reason: String,
    },
}

/// Iterates the records of a JSON array or NDJSON stream.
pub struct Splitter<R> {
    reader: R,
    mode: Option<bool>, // Some(true) = array
    /// a stream of pretty-printed objects (the first line is only `{`): cut by depth like
    /// array elements, with whitespace between them
    multiline: bool,
    line: u64,
    index: u64,
    done: bool,
    buf: Vec<u8>,
}

impl<R: BufRead> Splitter<R> {
    pub fn new(reader: R) -> Self {
        Splitter { reader, mode: None, multiline: false, line: 1, index: 0, done: false, buf: Vec::new() }
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
            }
        }
        Ok(b)
    }

    fn skip_ws(&mut self) -> io::Result<()> {
        while let Some(b) = self.peek_byte()? {
            if b.is_ascii_whitespace() {
                self.next_byte()?;
            } else {
                break;
            }
        }
        Ok(())
    }

    fn detect(&mut self) -> io::Result<bool> {
        // a UTF-8 byte order mark is skipped
        if self.reader.fill_buf()?.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.reader.consume(3);
        }
        self.skip_ws()?;
        if self.peek_byte()? == Some(b'[') {
            self.next_byte()?;
            Ok(true)
        } else {
            let head = self.reader.fill_buf()?;
            let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
            self.multiline = first_line.len() < head.len() && first_line.trim_ascii() == b"{";
            Ok(self.multiline)
        }
    }

    fn next_ndjson(&mut self) -> io::Result<Option<Item>> {
        loop {
            self.buf.clear();
            let line = self.line;
            let n = self.reader.read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            let text = String::from_utf8_lossy(&self.buf).trim().to_owned();
            if text.is_empty() {
                continue;
            }
            return Ok(Some(Item::Record(RawRecord { line, index: None, text })));
        }
    }

    fn next_element(&mut self) -> io::Result<Option<Item>> {
        loop {
            self.skip_ws()?;
            match self.peek_byte()? {
                None if self.multiline => {
                    self.done = true;
                    return Ok(None);
                }
                None => {
                    self.done = true;
                    return Ok(Some(Item::Broken {
                        line: self.line,
                        index: None,
                        text: String::new(),
                        reason: "the JSON array is not closed with `]` (truncated file?)".into(),
                    }));
                }
                Some(b']') => {
                    self.next_byte()?;
                    self.done = true;
                    self.skip_ws()?;
                    if self.peek_byte()?.is_some() {
                        return Ok(Some(Item::Broken {
                            line: self.line,
                            index: None,
                            text: String::new(),
                            reason: "unexpected text after the closing `]` of the array".into(),
                        }));
                    }
                    return Ok(None);
                }
                Some(b',') => {
                    self.next_byte()?;
                }
                Some(_) => break,
            }
        }
        let line = self.line;
        let index = self.index;
        self.index += 1;
        self.buf.clear();
        let (mut depth, mut in_str, mut esc) = (0i64, false, false);
        loop {
            let Some(b) = self.peek_byte()? else {
                self.done = true;
                let text = String::from_utf8_lossy(&self.buf).into_owned();
                return Ok(Some(Item::Record(RawRecord { line, index: Some(index), text })));
            };
            if !in_str && depth == 0 && (b == b',' || b == b']') {
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
                    if depth == 0 {
                        // the element is complete; what follows must be `,` or `]`
                        break;
                    }
                }
                _ => {}
            }
        }
        let text = String::from_utf8_lossy(&self.buf).trim().to_owned();
        Ok(Some(Item::Record(RawRecord { line, index: Some(index), text })))
    }

    /// The next record, or `None` at the end of the stream.
    pub fn next_item(&mut self) -> io::Result<Option<Item>> {
        if self.done {
            return Ok(None);
        }
        let array = match self.mode {
            Some(a) => a,
            None => {
                let a = self.detect()?;
                self.mode = Some(a);
                a
            }
        };
        if array {
            self.next_element()
        } else {
            self.next_ndjson()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<(u64, Option<u64>, String)> {
        let mut s = Splitter::new(input.as_bytes());
        let mut out = Vec::new();
        while let Ok(Some(item)) = s.next_item() {
            match item {
                Item::Record(r) => out.push((r.line, r.index, r.text)),
                Item::Broken { line, reason, .. } => out.push((line, None, format!("BROKEN {reason}"))),
            }
        }
        out
    }

    #[test]
    fn ndjson_lines_keep_their_numbers() {
        let got = texts("{\"a\":1}\n\n{\"b\":2}\n");
        assert_eq!(got, vec![(1, None, "{\"a\":1}".into()), (3, None, "{\"b\":2}".into())]);
    }

    #[test]
    fn array_elements_with_strings_and_nesting() {
        let got = texts("[\n {\"a\":\"x]}\\\"\",\"b\":[1,{}]},\n {\"c\":2}\n]\n");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, 2);
        assert_eq!(got[0].2, "{\"a\":\"x]}\\\"\",\"b\":[1,{}]}");
        assert_eq!(got[1], (3, Some(1), "{\"c\":2}".into()));
    }

    #[test]
    fn pretty_printed_objects_are_records() {
        let got = texts("{\n  \"a\": 1\n}\n{\n  \"b\": [2]\n}\n");
        assert_eq!(got, vec![(1, Some(0), "{\n  \"a\": 1\n}".into()), (4, Some(1), "{\n  \"b\": [2]\n}".into())]);
    }

    #[test]
    fn truncated_array_is_reported() {
        let got = texts("[{\"a\":1}, {\"b\":");
        assert_eq!(got[0].2, "{\"a\":1}");
        assert_eq!(got[1].1, Some(1));
    }
}
