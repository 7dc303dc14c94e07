//! Tables and code blocks of the reading pane, laid out here rather than by html2text:
//! a table as aligned columns when it fits the pane, else as a clean list of
//! "header: value" lines per row; a code block verbatim (leading spaces and blank lines
//! kept, tabs expanded, long lines cut to the width and continued, never reflowed).
//! Pure: the renderer collects the blocks from the prepared document and splices the lines
//! made here where each block stood.

use super::render::{SpanStyle, StyledLine, StyledSpan};
use crate::text::{display_width, wrap};
use dom_query::NodeRef;
use unicode_width::UnicodeWidthChar;

/// Between two columns of an aligned table.
const COLUMN_GAP: &str = " │ ";
/// Under the header row of an aligned table.
const RULE: char = '─';
const RULE_CROSS: &str = "─┼─";
/// Tab stops in code blocks.
const TAB_WIDTH: usize = 4;
/// Rows and columns kept from one table; past them a line says how many were left out.
const MAX_ROWS: usize = 2_000;
const MAX_COLUMNS: usize = 64;
/// Longest cell text kept (a layout table can hold a whole article in one cell).
const MAX_CELL_CHARS: usize = 4_000;

/// A block the pane lays out itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    Table(Table),
    /// The text of a `<pre>`, as written.
    Code(String),
    /// A thematic break (`<hr>`), and the rule above footnotes.
    Rule,
}

/// A rule's length: short, as a typeset section break.
const RULE_WIDTH: usize = 20;

/// A short horizontal rule in `width` columns.
pub(crate) fn rule_line(width: usize) -> Vec<StyledLine> {
    vec![span(
        RULE.to_string().repeat(width.min(RULE_WIDTH)),
        SpanStyle::default(),
    )]
}

/// A data table: cell texts (whitespace folded, links' `[N]` markers included).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Table {
    pub caption: Option<String>,
    /// The header row, when the first row is one (`<th>` cells or `<thead>`).
    pub header: Option<Vec<String>>,
    pub rows: Vec<Vec<String>>,
    /// Rows left out past [`MAX_ROWS`].
    pub rows_left_out: usize,
}

fn element_name(node: &NodeRef<'_>) -> String {
    node.node_name()
        .map(|n| n.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Text of a cell on one line: whitespace folded, capped.
fn cell_text(node: &NodeRef<'_>) -> String {
    let text = node.text();
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() > MAX_CELL_CHARS {
            out.push_str(" …");
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether a table nests another table (a layout table: its content is flowed as text).
pub(crate) fn has_nested_table(table: &NodeRef<'_>) -> bool {
    table
        .descendants_it()
        .any(|d| d.is_element() && element_name(&d) == "table")
}

/// The rows of a table that nests no other table.
pub(crate) fn read_table(table: &NodeRef<'_>) -> Table {
    let mut out = Table::default();
    let mut first = true;
    for row in table
        .descendants_it()
        .filter(|d| d.is_element() && element_name(d) == "tr")
    {
        let mut cells: Vec<String> = Vec::new();
        let mut all_headers = true;
        let mut child = row.first_child();
        while let Some(c) = child {
            child = c.next_sibling();
            if !c.is_element() {
                continue;
            }
            let name = element_name(&c);
            if name != "td" && name != "th" {
                continue;
            }
            all_headers &= name == "th";
            if cells.len() < MAX_COLUMNS {
                cells.push(cell_text(&c));
            }
        }
        if cells.is_empty() || cells.iter().all(String::is_empty) {
            continue;
        }
        let in_head = row
            .parent()
            .is_some_and(|p| p.is_element() && element_name(&p) == "thead");
        if first && (all_headers || in_head) {
            out.header = Some(cells);
        } else if out.rows.len() < MAX_ROWS {
            out.rows.push(cells);
        } else {
            out.rows_left_out += 1;
        }
        first = false;
    }
    out.caption = table
        .children()
        .into_iter()
        .find(|c| c.is_element() && element_name(c) == "caption")
        .map(|c| cell_text(&c))
        .filter(|c| !c.is_empty());
    out
}

fn span(text: impl Into<String>, style: SpanStyle) -> StyledLine {
    vec![StyledSpan {
        text: text.into(),
        style,
    }]
}

/// A column of numbers (prices, counts, percentages) reads best aligned right.
fn is_numeric(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || " .,%+-−–$€£¥₩kKMGx×/\u{a0}\u{202f}".contains(c))
}

fn pad(text: &str, width: usize, right: bool) -> String {
    let gap = " ".repeat(width.saturating_sub(display_width(text)));
    if right {
        format!("{gap}{text}")
    } else {
        format!("{text}{gap}")
    }
}

/// Narrowest a column is squeezed to before the table is shown as a list instead.
const MIN_COLUMN: usize = 10;

/// Column widths that fit `width` with the gaps: the natural ones when they fit, else the
/// widest columns narrowed (their cells wrap) to a common cap, none below its `minimum`.
/// `None` when even that does not fit.
fn fit_columns(natural: &[usize], minimum: &[usize], width: usize) -> Option<Vec<usize>> {
    let gaps = COLUMN_GAP.chars().count() * natural.len().saturating_sub(1);
    let room = width.checked_sub(gaps)?;
    if natural.iter().sum::<usize>() <= room {
        return Some(natural.to_vec());
    }
    let capped = |cap: usize| -> Vec<usize> {
        natural
            .iter()
            .zip(minimum)
            .map(|(&w, &least)| w.min(cap.max(least)))
            .collect()
    };
    if capped(0).iter().sum::<usize>() > room {
        return None;
    }
    // The largest cap that fits: binary search over 0..=widest.
    let (mut low, mut high) = (0, natural.iter().copied().max().unwrap_or(0));
    while low < high {
        let mid = (low + high).div_ceil(2);
        if capped(mid).iter().sum::<usize>() <= room {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    Some(capped(low))
}

/// Lay a table out in `width` columns.
pub(crate) fn table_lines(table: &Table, width: usize) -> Vec<StyledLine> {
    let columns = table
        .rows
        .iter()
        .chain(table.header.iter())
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    let mut out: Vec<StyledLine> = Vec::new();
    if let Some(caption) = &table.caption {
        let style = SpanStyle {
            italic: true,
            ..SpanStyle::default()
        };
        for line in wrap(caption, width) {
            out.push(span(line, style));
        }
    }
    if columns == 0 {
        return out;
    }
    let cell = |row: &[String], c: usize| row.get(c).map(String::as_str).unwrap_or("").to_string();
    let mut widths = vec![0usize; columns];
    // A column is not squeezed below its longest word (nor below MIN_COLUMN): words are
    // not cut in a grid; a table that needs that is shown as a list.
    let mut minimum = vec![MIN_COLUMN; columns];
    for row in table.rows.iter().chain(table.header.iter()) {
        for c in 0..columns {
            let text = cell(row, c);
            widths[c] = widths[c].max(display_width(&text));
            let longest = text
                .split_whitespace()
                .map(display_width)
                .max()
                .unwrap_or(0);
            minimum[c] = minimum[c].max(longest);
        }
    }
    for (least, natural) in minimum.iter_mut().zip(&widths) {
        *least = (*least).min(*natural);
    }
    let fitted = (columns > 1)
        .then(|| fit_columns(&widths, &minimum, width))
        .flatten();
    if let Some(fitted) = fitted {
        let wraps = fitted != widths;
        let widths = fitted;
        let numeric: Vec<bool> = (0..columns)
            .map(|c| {
                let mut cells = table
                    .rows
                    .iter()
                    .map(|r| cell(r, c))
                    .filter(|t| !t.is_empty());
                let mut any = false;
                let all = cells.all(|t| {
                    any = true;
                    is_numeric(&t)
                });
                any && all
            })
            .collect();
        // One row as display lines: each cell wrapped in its column, the row as tall as its
        // tallest cell.
        let row_lines = |row: &[String]| -> Vec<String> {
            let cells: Vec<Vec<String>> = (0..columns)
                .map(|c| wrap(&cell(row, c), widths[c]))
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1);
            (0..height)
                .map(|i| {
                    (0..columns)
                        .map(|c| {
                            let text = cells[c].get(i).map(String::as_str).unwrap_or("");
                            pad(text, widths[c], numeric[c])
                        })
                        .collect::<Vec<_>>()
                        .join(COLUMN_GAP)
                        .trim_end()
                        .to_string()
                })
                .collect()
        };
        let rule = widths
            .iter()
            .map(|w| RULE.to_string().repeat(*w))
            .collect::<Vec<_>>()
            .join(RULE_CROSS);
        if let Some(header) = &table.header {
            let bold = SpanStyle {
                bold: true,
                ..SpanStyle::default()
            };
            for line in row_lines(header) {
                out.push(span(line, bold));
            }
            out.push(span(rule.clone(), SpanStyle::default()));
        }
        for (i, row) in table.rows.iter().enumerate() {
            // Wrapped rows need a line between them to be told apart.
            if wraps && i > 0 {
                out.push(span(rule.clone(), SpanStyle::default()));
            }
            for line in row_lines(row) {
                out.push(span(line, SpanStyle::default()));
            }
        }
    } else {
        // Too wide for the pane: each row as lines of "header: value" (or its cells joined
        // with " · " when the table has no header), rows apart.
        let label_style = SpanStyle {
            bold: true,
            ..SpanStyle::default()
        };
        for (i, row) in table.rows.iter().enumerate() {
            if i > 0 || table.caption.is_some() {
                out.push(Vec::new());
            }
            match &table.header {
                Some(header) => {
                    for (c, value) in row.iter().enumerate() {
                        if value.is_empty() {
                            continue;
                        }
                        let label = cell(header, c);
                        let text = if label.is_empty() {
                            value.clone()
                        } else {
                            format!("{label}: {value}")
                        };
                        for (j, line) in wrap(&text, width.saturating_sub(2).max(1))
                            .into_iter()
                            .enumerate()
                        {
                            if j == 0 && !label.is_empty() && line.starts_with(&format!("{label}:"))
                            {
                                let rest = line[label.len() + 1..].to_string();
                                let mut styled = span(format!("{label}:"), label_style);
                                styled.push(StyledSpan {
                                    text: rest,
                                    style: SpanStyle::default(),
                                });
                                out.push(styled);
                            } else if j == 0 {
                                out.push(span(line, SpanStyle::default()));
                            } else {
                                out.push(span(format!("  {line}"), SpanStyle::default()));
                            }
                        }
                    }
                }
                None => {
                    let cells: Vec<&str> = row
                        .iter()
                        .map(String::as_str)
                        .filter(|c| !c.is_empty())
                        .collect();
                    for line in wrap(&cells.join(" · "), width) {
                        out.push(span(line, SpanStyle::default()));
                    }
                }
            }
        }
    }
    if table.rows_left_out > 0 {
        out.push(span(
            format!("({} more rows not shown)", table.rows_left_out),
            SpanStyle {
                italic: true,
                ..SpanStyle::default()
            },
        ));
    }
    out
}

/// A code block verbatim in `width` columns: one display line per source line (a longer one
/// is cut at the width and continued on the next line, marked `↪`), tabs to the next stop,
/// leading spaces and inner blank lines kept, blank lines at either end dropped.
pub(crate) fn code_lines(code: &str, width: usize) -> Vec<StyledLine> {
    let style = SpanStyle {
        code: true,
        ..SpanStyle::default()
    };
    let width = width.max(2);
    let source: Vec<&str> = code.lines().collect();
    let first = source.iter().position(|l| !l.trim().is_empty());
    let last = source.iter().rposition(|l| !l.trim().is_empty());
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for line in &source[first..=last] {
        let mut expanded = String::with_capacity(line.len());
        let mut column = 0;
        for c in line.trim_end().chars() {
            if c == '\t' {
                let spaces = TAB_WIDTH - column % TAB_WIDTH;
                expanded.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            } else if !(c.is_control() || crate::text::is_invisible_format(c)) {
                expanded.push(c);
                column += c.width().unwrap_or(0);
            }
        }
        if expanded.is_empty() {
            // A blank line of the block: one space, so it is not folded away as a gap.
            out.push(span(" ", style));
            continue;
        }
        let mut rest = expanded.as_str();
        let mut continued = false;
        while !rest.is_empty() {
            let room = if continued { width - 1 } else { width };
            let mut taken = 0;
            let mut cut = rest.len();
            for (i, c) in rest.char_indices() {
                let w = c.width().unwrap_or(0);
                if taken + w > room {
                    cut = i;
                    break;
                }
                taken += w;
            }
            if cut == 0 {
                // A character wider than the room: take it alone (the fitting pass cuts it).
                cut = rest.chars().next().map_or(rest.len(), char::len_utf8);
            }
            let (head, tail) = rest.split_at(cut);
            let mut line = Vec::new();
            if continued {
                line.push(StyledSpan {
                    text: "↪".into(),
                    style: SpanStyle::default(),
                });
            }
            line.push(StyledSpan {
                text: head.to_string(),
                style,
            });
            out.push(line);
            rest = tail;
            continued = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[StyledLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect()
    }

    fn table() -> Table {
        Table {
            caption: None,
            header: Some(vec!["Modèle".into(), "Prix".into()]),
            rows: vec![
                vec!["Ultraportable ARM".into(), "1 400 €".into()],
                vec!["Pliant".into(), "699 €".into()],
            ],
            rows_left_out: 0,
        }
    }

    #[test]
    fn a_table_that_fits_is_aligned_with_numbers_right() {
        assert_eq!(
            texts(&table_lines(&table(), 60)),
            [
                "Modèle            │    Prix",
                "──────────────────┼────────",
                "Ultraportable ARM │ 1 400 €",
                "Pliant            │   699 €",
            ]
        );
    }

    #[test]
    fn a_table_too_wide_becomes_header_value_rows() {
        assert_eq!(
            texts(&table_lines(&table(), 20)),
            [
                "Modèle:",
                "  Ultraportable ARM",
                "Prix: 1 400 €",
                "",
                "Modèle: Pliant",
                "Prix: 699 €",
            ]
        );
    }

    #[test]
    fn code_is_kept_verbatim_and_cut_not_reflowed() {
        let code = "\nfn main() {\n\tlet x = 1;\n\n    println!(\"{x} and a long tail\");\n}\n";
        assert_eq!(
            texts(&code_lines(code, 20)),
            [
                "fn main() {",
                "    let x = 1;",
                " ",
                "    println!(\"{x} an",
                "↪d a long tail\");",
                "}",
            ]
        );
    }

    #[test]
    fn a_table_slightly_too_wide_wraps_its_widest_column() {
        let table = Table {
            caption: None,
            header: Some(vec!["Minutage".into(), "Sujet".into()]),
            rows: vec![
                vec![
                    "00:00".into(),
                    "Trois semaines avec l'ultraportable ARM".into(),
                ],
                vec![
                    "24:15".into(),
                    "Acheter maintenant ou attendre la puce ?".into(),
                ],
            ],
            rows_left_out: 0,
        };
        assert_eq!(
            texts(&table_lines(&table, 36)),
            [
                "Minutage │ Sujet",
                "─────────┼──────────────────────────",
                "00:00    │ Trois semaines avec",
                "         │ l'ultraportable ARM",
                "─────────┼──────────────────────────",
                "24:15    │ Acheter maintenant ou",
                "         │ attendre la puce ?",
            ]
        );
        assert_eq!(
            fit_columns(&[40, 40, 40], &[10, 10, 10], 30),
            None,
            "three columns of 10 and their gaps do not fit in 30"
        );
        assert_eq!(fit_columns(&[5, 50], &[5, 10], 40), Some(vec![5, 32]));
    }
}
