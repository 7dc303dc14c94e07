//! OPML subscription lists: import (bounded depth, http(s) only) and export (OPML 2.0).
