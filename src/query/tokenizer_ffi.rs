//! The one place that speaks FTS5's C API (all of this crate's `unsafe` for the index): the
//! Rust [`super::tokenizer`] registered on a connection under the name `unicode61`, so that
//! every FTS5 table declared `tokenize = 'unicode61 remove_diacritics 2'` (`items_fts`) cuts
//! its words with it. The words, their positions and byte ranges are the built-in's (tests
//! below compare both on every code point, random text and bytes, and the shared corpus), so
//! an index written by either answers every query the same: nothing to rebuild, and a
//! connection without it (the `sqlite3` shell, an older build) still reads and writes the
//! index correctly. Tables declared with other `unicode61` arguments get the built-in one.
//! No panic crosses into SQLite: each callback runs under `catch_unwind`.

use rusqlite::Connection;
use rusqlite::ffi;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

/// The name replaced (FTS5 looks tokenizers up newest first, per connection).
const NAME: &CStr = c"unicode61";

/// The arguments [`super::tokenizer`] implements.
const OUR_ARGUMENTS: [&[u8]; 2] = [b"remove_diacritics", b"2"];

/// The built-in `unicode61` found before ours was registered (for other arguments).
struct Builtin {
    user_data: *mut c_void,
    tokenizer: ffi::fts5_tokenizer,
}

/// One tokenizer made by `xCreate` for one table.
enum Instance {
    Ours,
    Builtin {
        tokenizer: ffi::fts5_tokenizer,
        inner: *mut ffi::Fts5Tokenizer,
    },
}

/// The connection's `fts5_api` (FTS5 hands it out through `SELECT fts5(?1)` with a pointer
/// bound to the parameter).
fn fts5_api(conn: &Connection) -> rusqlite::Result<*mut ffi::fts5_api> {
    let mut api: *mut ffi::fts5_api = ptr::null_mut();
    // SAFETY: `handle` is the open connection `conn` borrows; the statement is prepared,
    // stepped and finalized here on it, and `api` outlives the statement that writes it
    // (FTS5 writes the pointer during the step, as sqlite3_bind_pointer documents).
    let rc = unsafe {
        let db = conn.handle();
        let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
        let mut rc = ffi::sqlite3_prepare_v2(
            db,
            c"SELECT fts5(?1)".as_ptr(),
            -1,
            &mut stmt,
            ptr::null_mut(),
        );
        if rc == ffi::SQLITE_OK {
            rc = ffi::sqlite3_bind_pointer(
                stmt,
                1,
                (&raw mut api).cast::<c_void>(),
                c"fts5_api_ptr".as_ptr(),
                None,
            );
            if rc == ffi::SQLITE_OK {
                rc = ffi::sqlite3_step(stmt);
            }
            ffi::sqlite3_finalize(stmt);
        }
        rc
    };
    if api.is_null() {
        return Err(rusqlite::Error::SqliteFailure(
            ffi::Error::new(if rc == ffi::SQLITE_ROW {
                ffi::SQLITE_ERROR
            } else {
                rc
            }),
            Some("FTS5 gave no fts5_api".into()),
        ));
    }
    Ok(api)
}

/// The tokenizer registered as `name` on `api`, with its user data.
///
/// # Safety
/// `api` is a live `fts5_api` of an open connection.
unsafe fn find(api: *mut ffi::fts5_api, name: &CStr) -> Option<Builtin> {
    let mut found = Builtin {
        user_data: ptr::null_mut(),
        tokenizer: ffi::fts5_tokenizer {
            xCreate: None,
            xDelete: None,
            xTokenize: None,
        },
    };
    // SAFETY: the caller gives a live api; xFindTokenizer fills the two out-parameters.
    let rc = unsafe {
        let find = (*api).xFindTokenizer?;
        find(
            api,
            name.as_ptr(),
            &mut found.user_data,
            &mut found.tokenizer,
        )
    };
    (rc == ffi::SQLITE_OK && found.tokenizer.xTokenize.is_some()).then_some(found)
}

/// Register [`super::tokenizer`] as `unicode61` on `conn` (see the module's comment).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let api = fts5_api(conn)?;
    // SAFETY: `api` was just handed out by this open connection.
    let Some(builtin) = (unsafe { find(api, NAME) }) else {
        return Err(rusqlite::Error::SqliteFailure(
            ffi::Error::new(ffi::SQLITE_ERROR),
            Some("FTS5 has no unicode61 tokenizer".into()),
        ));
    };
    let mut methods = ffi::fts5_tokenizer {
        xCreate: Some(create),
        xDelete: Some(delete),
        xTokenize: Some(tokenize),
    };
    let user_data = Box::into_raw(Box::new(builtin));
    // SAFETY: FTS5 copies `methods` and keeps `user_data` until the connection closes, when
    // it calls `destroy_builtin` on it (which frees the box made here); on failure it keeps
    // nothing and the box is freed here.
    let rc = unsafe {
        match (*api).xCreateTokenizer {
            Some(create_tokenizer) => create_tokenizer(
                api,
                NAME.as_ptr(),
                user_data.cast::<c_void>(),
                &mut methods,
                Some(destroy_builtin),
            ),
            None => ffi::SQLITE_ERROR,
        }
    };
    if rc != ffi::SQLITE_OK {
        // SAFETY: not handed over (see above): the box is still ours.
        drop(unsafe { Box::from_raw(user_data) });
        return Err(rusqlite::Error::SqliteFailure(
            ffi::Error::new(rc),
            Some("registering the index's tokenizer".into()),
        ));
    }
    Ok(())
}

/// `xDestroy` of the registration: frees its [`Builtin`].
unsafe extern "C" fn destroy_builtin(user_data: *mut c_void) {
    // SAFETY: `user_data` is the box `register` leaked, given back once by FTS5.
    let _ = catch_unwind(|| drop(unsafe { Box::from_raw(user_data.cast::<Builtin>()) }));
}

/// Whether `xCreate`'s arguments are [`OUR_ARGUMENTS`] (option names case-insensitive).
///
/// # Safety
/// `args` holds `count` NUL-terminated strings (FTS5's `azArg`), or `count` is 0.
unsafe fn are_ours(args: *mut *const c_char, count: c_int) -> bool {
    if count != 2 || args.is_null() {
        return false;
    }
    // SAFETY: two valid C strings, as the caller promises.
    let (name, value) = unsafe { (CStr::from_ptr(*args), CStr::from_ptr(*args.add(1))) };
    name.to_bytes().eq_ignore_ascii_case(OUR_ARGUMENTS[0]) && value.to_bytes() == OUR_ARGUMENTS[1]
}

/// `xCreate`: ours for [`OUR_ARGUMENTS`], the built-in one otherwise.
unsafe extern "C" fn create(
    user_data: *mut c_void,
    args: *mut *const c_char,
    count: c_int,
    out: *mut *mut ffi::Fts5Tokenizer,
) -> c_int {
    let made = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: FTS5 passes the registration's user data (a live `Builtin`), its argument
        // array and an out-pointer; the built-in's xCreate gets the same arguments.
        unsafe {
            let instance = if are_ours(args, count) {
                Instance::Ours
            } else {
                let builtin = &*user_data.cast::<Builtin>();
                let Some(create_builtin) = builtin.tokenizer.xCreate else {
                    return ffi::SQLITE_ERROR;
                };
                let mut inner = ptr::null_mut();
                let rc = create_builtin(builtin.user_data, args, count, &mut inner);
                if rc != ffi::SQLITE_OK {
                    return rc;
                }
                Instance::Builtin {
                    tokenizer: builtin.tokenizer,
                    inner,
                }
            };
            *out = Box::into_raw(Box::new(instance)).cast::<ffi::Fts5Tokenizer>();
            ffi::SQLITE_OK
        }
    }));
    made.unwrap_or(ffi::SQLITE_ERROR)
}

/// `xDelete`: frees what `create` made.
unsafe extern "C" fn delete(tokenizer: *mut ffi::Fts5Tokenizer) {
    let _ = catch_unwind(|| {
        if tokenizer.is_null() {
            return;
        }
        // SAFETY: `tokenizer` is a box `create` leaked, given back once.
        let instance = unsafe { Box::from_raw(tokenizer.cast::<Instance>()) };
        if let Instance::Builtin { tokenizer, inner } = *instance
            && let Some(delete_builtin) = tokenizer.xDelete
        {
            // SAFETY: `inner` was made by this built-in's xCreate and is deleted once.
            unsafe { delete_builtin(inner) };
        }
    });
}

/// FTS5's per-word callback.
type TokenCallback = unsafe extern "C" fn(
    context: *mut c_void,
    flags: c_int,
    token: *const c_char,
    token_len: c_int,
    start: c_int,
    end: c_int,
) -> c_int;

/// `xTokenize`: the words of `text` handed to `word` one by one (its first non-OK answer
/// stops the walk and is returned, `SQLITE_DONE` as OK, as the built-in does).
unsafe extern "C" fn tokenize(
    tokenizer: *mut ffi::Fts5Tokenizer,
    context: *mut c_void,
    flags: c_int,
    text: *const c_char,
    text_len: c_int,
    word: Option<TokenCallback>,
) -> c_int {
    let walked = catch_unwind(AssertUnwindSafe(|| {
        let Some(word) = word else {
            return ffi::SQLITE_ERROR;
        };
        // SAFETY: `tokenizer` is a live instance from `create`; `text` holds `text_len`
        // bytes for the duration of the call (FTS5's contract); `word` and `context` are
        // FTS5's callback and its argument, called with slices that live across each call.
        unsafe {
            match &*tokenizer.cast::<Instance>() {
                Instance::Builtin { tokenizer, inner } => match tokenizer.xTokenize {
                    Some(builtin) => builtin(*inner, context, flags, text, text_len, Some(word)),
                    None => ffi::SQLITE_ERROR,
                },
                Instance::Ours => {
                    let bytes = if text.is_null() || text_len <= 0 {
                        &[][..]
                    } else {
                        std::slice::from_raw_parts(text.cast::<u8>(), text_len as usize)
                    };
                    let mut folded = Vec::with_capacity(64);
                    let walked = super::tokenizer::tokenize(bytes, &mut folded, |w, start, end| {
                        // Words and offsets fit: the text's length is a c_int.
                        let rc = word(
                            context,
                            0,
                            w.as_ptr().cast::<c_char>(),
                            w.len() as c_int,
                            start as c_int,
                            end as c_int,
                        );
                        if rc == ffi::SQLITE_OK {
                            Ok(())
                        } else {
                            Err(rc)
                        }
                    });
                    match walked {
                        Ok(()) | Err(ffi::SQLITE_DONE) => ffi::SQLITE_OK,
                        Err(rc) => rc,
                    }
                }
            }
        }
    }));
    walked.unwrap_or(ffi::SQLITE_ERROR)
}

/// Test support: the words the built-in `unicode61 remove_diacritics 2` gives for `text`
/// (read through `conn`'s FTS5, which must not have ours registered).
#[cfg(test)]
pub(crate) fn builtin_words(conn: &Connection, text: &[u8]) -> Vec<(Vec<u8>, usize, usize)> {
    unsafe extern "C" fn collect(
        context: *mut c_void,
        _flags: c_int,
        token: *const c_char,
        token_len: c_int,
        start: c_int,
        end: c_int,
    ) -> c_int {
        // SAFETY: `context` is the Vec below; `token` holds `token_len` bytes for the call.
        unsafe {
            let found = &mut *context.cast::<Vec<(Vec<u8>, usize, usize)>>();
            let bytes = if token_len > 0 {
                std::slice::from_raw_parts(token.cast::<u8>(), token_len as usize).to_vec()
            } else {
                Vec::new()
            };
            found.push((bytes, start as usize, end as usize));
        }
        ffi::SQLITE_OK
    }
    let api = fts5_api(conn).expect("fts5_api");
    // SAFETY: a live api; the built-in's create/tokenize/delete called as FTS5 would, with
    // two valid argument strings and a text of `text.len()` bytes.
    unsafe {
        let builtin = find(api, NAME).expect("the built-in unicode61");
        let args = [c"remove_diacritics".as_ptr(), c"2".as_ptr()];
        let mut inner = ptr::null_mut();
        let rc = (builtin.tokenizer.xCreate.unwrap())(
            builtin.user_data,
            args.as_ptr().cast_mut(),
            2,
            &mut inner,
        );
        assert_eq!(rc, ffi::SQLITE_OK);
        let mut found: Vec<(Vec<u8>, usize, usize)> = Vec::new();
        let rc = (builtin.tokenizer.xTokenize.unwrap())(
            inner,
            (&raw mut found).cast::<c_void>(),
            ffi::FTS5_TOKENIZE_DOCUMENT,
            text.as_ptr().cast::<c_char>(),
            c_int::try_from(text.len()).expect("a text under 2 GiB"),
            Some(collect),
        );
        assert_eq!(rc, ffi::SQLITE_OK);
        (builtin.tokenizer.xDelete.unwrap())(inner);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::builtin_words;
    use crate::query::tokenizer::words;
    use proptest::prelude::*;
    use rusqlite::Connection;

    fn plain() -> Connection {
        Connection::open_in_memory().unwrap()
    }

    /// Ours and the built-in on `text`, the first difference named.
    fn same_words(conn: &Connection, text: &[u8]) -> Result<(), String> {
        let (ours, builtin) = (words(text), builtin_words(conn, text));
        if ours == builtin {
            return Ok(());
        }
        let at = ours
            .iter()
            .zip(&builtin)
            .position(|(a, b)| a != b)
            .unwrap_or(ours.len().min(builtin.len()));
        Err(format!(
            "word {at}: ours {:?}, built-in {:?} ({} vs {} words)",
            ours.get(at),
            builtin.get(at),
            ours.len(),
            builtin.len()
        ))
    }

    #[test]
    fn every_code_point_is_cut_and_folded_as_the_builtin_does() {
        let conn = plain();
        let mut text = String::new();
        let mut first = 0u32;
        for code in 0..=0x10FFFFu32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            // Inside a word, starting one, alone, and twice in a row.
            text.push('x');
            text.push(c);
            text.push_str("y ");
            text.push(c);
            text.push_str("z ");
            text.push(c);
            text.push(' ');
            text.push(c);
            text.push(c);
            text.push(' ');
            if text.len() > 1 << 16 || code == 0x10FFFF {
                if let Err(e) = same_words(&conn, text.as_bytes()) {
                    panic!("code points {first:#x}..={code:#x}: {e}");
                }
                text.clear();
                first = code + 1;
            }
        }
    }

    #[test]
    fn bad_utf8_is_read_as_the_builtin_reads_it() {
        let conn = plain();
        for text in [
            &b"a\xAAb \xAA \x80x"[..],
            b"a\xC0\x80b \xC1\xBF",
            b"\xF4\x90\x80\x80x \xF8\x88\x80\x80\x80y",
            b"\xFF\xFE a\xFFb",
            b"\xE2\x82",
            b"x\xED\xA0\x80y \xEF\xBF\xBEz",
            b"\xFC\x80\x80\x80\x80\x80\x80\x80\x80q",
            b"a\x00b",
        ] {
            if let Err(e) = same_words(&conn, text) {
                panic!("{text:?}: {e}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn random_text_gives_the_builtins_words(text in "\\PC{0,80}") {
            let conn = plain();
            prop_assert_eq!(same_words(&conn, text.as_bytes()), Ok(()));
        }

        #[test]
        fn random_latin_text_gives_the_builtins_words(
            text in "[a-zA-Z0-9 .,'’\u{300}-\u{36f}\u{c0}-\u{24f}\u{1e00}-\u{1eff}-]{0,80}"
        ) {
            let conn = plain();
            prop_assert_eq!(same_words(&conn, text.as_bytes()), Ok(()));
        }

        #[test]
        fn random_bytes_give_the_builtins_words(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let conn = plain();
            prop_assert_eq!(same_words(&conn, &bytes), Ok(()));
        }
    }

    #[test]
    fn the_shared_corpus_gives_the_builtins_words() {
        let Some(corpus) = crate::shared_corpus::shared_corpus("corpus") else {
            return;
        };
        let files = crate::shared_corpus::files_under(&corpus);
        let conn = plain();
        let mut read = 0;
        for path in &files {
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            // The raw bytes (HTML, XML, JSON, any encoding) and the text the index gets.
            if let Err(e) = same_words(&conn, &bytes) {
                panic!("{}: {e}", path.display());
            }
            let text = crate::query::search_index::html_text(&String::from_utf8_lossy(&bytes));
            if let Err(e) = same_words(&conn, text.as_bytes()) {
                panic!("{} as text: {e}", path.display());
            }
            read += 1;
        }
        assert!(read > 1_000, "only {read} corpus files read");
    }

    /// Every (word, column, position) of `table`'s index, in order.
    fn vocabulary(conn: &Connection, table: &str) -> Vec<(String, i64, String, i64)> {
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE temp.v_{table} USING fts5vocab(main, {table}, instance)"
        ))
        .unwrap();
        conn.prepare(&format!(
            "SELECT term, doc, col, offset FROM temp.v_{table} ORDER BY doc, col, offset"
        ))
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    #[test]
    fn an_index_and_its_queries_are_the_same_with_ours_registered() {
        let docs = [
            "Émulation x86-64 \u{301}accent Ærø",
            "l’hôpital AUJOURD’HUI façade ǅemal ǖ ß ﬁ",
            "東京タワー 𐐀𐐁 Ⅻ ½ ①",
        ];
        let mut vocabularies = Vec::new();
        for registered in [true, false] {
            let conn = plain();
            if registered {
                super::register(&conn).unwrap();
            }
            conn.execute_batch(
                "CREATE VIRTUAL TABLE ours USING fts5(a, b, tokenize = 'unicode61 remove_diacritics 2');
                 CREATE VIRTUAL TABLE other USING fts5(a, tokenize = 'unicode61 remove_diacritics 1');",
            )
            .unwrap();
            for (n, doc) in docs.iter().enumerate() {
                conn.execute(
                    "INSERT INTO ours (rowid, a, b) VALUES (?1, ?2, ?2)",
                    rusqlite::params![n as i64 + 1, doc],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO other (rowid, a) VALUES (?1, ?2)",
                    rusqlite::params![n as i64 + 1, doc],
                )
                .unwrap();
            }
            let matches = |table: &str, query: &str| -> Vec<i64> {
                conn.prepare(&format!("SELECT rowid FROM {table} WHERE {table} MATCH ?1"))
                    .unwrap()
                    .query_map([query], |r| r.get(0))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            };
            let answers: Vec<Vec<i64>> = ["EMULATION", "hopital", "aujourd*", "\"x86 64\"", "u"]
                .iter()
                .map(|q| matches("ours", q))
                .chain(["u", "ǖ"].iter().map(|q| matches("other", q)))
                .collect();
            vocabularies.push((
                vocabulary(&conn, "ours"),
                vocabulary(&conn, "other"),
                answers,
            ));
        }
        assert!(!vocabularies[0].0.is_empty());
        assert_eq!(vocabularies[0], vocabularies[1]);
    }
}
