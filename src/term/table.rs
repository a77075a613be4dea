//! Tables of a command's result (`status`, `config`): columns as wide as
//! their widest cell, a bold header, styles applied after the padding so
//! they never shift a column.

/// The lines of a table: `header`, then `rows`; `paint(row, column, text)`
/// styles a cell. Trailing blanks are trimmed.
pub fn lines(
    header: &[&str],
    rows: &[Vec<String>],
    paint: impl Fn(usize, usize, &str) -> String,
) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let mut out = vec![line(&head, &widths, |_, h| super::bold(h))];
    for (r, row) in rows.iter().enumerate() {
        out.push(line(row, &widths, |c, cell| paint(r, c, cell)));
    }
    out
}

/// One line: each cell padded to its column's width, then painted (the
/// padding stays outside the style).
fn line(cells: &[String], widths: &[usize], paint: impl Fn(usize, &str) -> String) -> String {
    let cols: Vec<String> = cells
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (cell, w))| {
            let pad = w.saturating_sub(cell.chars().count());
            format!("{}{}", paint(i, cell), " ".repeat(pad))
        })
        .collect();
    cols.join("  ").trim_end().to_string()
}

/// A cell's text cut to `max` characters, with `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_to_the_widest_cell_and_trims() {
        console::set_colors_enabled(false);
        let rows = vec![
            vec!["web".to_string(), "101".to_string(), "-".to_string()],
            vec!["database".to_string(), "7".to_string(), String::new()],
        ];
        let got = lines(&["NAME", "CTID", "IP"], &rows, |_, _, c| c.to_string());
        assert_eq!(
            got,
            ["NAME      CTID  IP", "web       101   -", "database  7"]
        );
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
