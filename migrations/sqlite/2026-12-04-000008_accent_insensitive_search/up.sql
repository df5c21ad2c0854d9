-- String search ignores accents and case through `search_fold`, which the facade registers on
-- each of its SQLite connections (clinic_db::search_fold). It is not indexed here: an index on
-- it would make every other program opening this file (the clinic application, the sqlite3
-- shell) fail to write patients, as they do not have the function.
SELECT 1;
