-- String search ignores accents and case: `search_fold` is the text it compares, the same as the
-- facade's Rust `clinic_db::search_fold` (registered on SQLite connections): canonical
-- decomposition, combining diacritical marks U+0300-U+036F dropped, lower case. Built-in
-- functions only (no extension to install); Thai text, with no such marks, is left as written.
-- normalize() needs a UTF8 database: refused here, clearly, rather than failing every later
-- write of a patient's name.
DO $$
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' THEN
        RAISE EXCEPTION 'clinic-fhir needs a UTF8 database for its string search (this one is %)',
            current_setting('server_encoding');
    END IF;
END
$$;

CREATE FUNCTION search_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(regexp_replace(normalize($1, NFD), '[\u0300-\u036f]', '', 'g'));

-- Patient name searches (`name`, `family`, `given`) stay index-backed: a prefix LIKE over
-- search_fold(column).
CREATE INDEX patients_last_name_th_search_idx ON patients (search_fold(last_name_th) text_pattern_ops);
CREATE INDEX patients_last_name_en_search_idx ON patients (search_fold(last_name_en) text_pattern_ops);
CREATE INDEX patients_first_name_th_search_idx ON patients (search_fold(first_name_th) text_pattern_ops);
CREATE INDEX patients_first_name_en_search_idx ON patients (search_fold(first_name_en) text_pattern_ops);
CREATE INDEX patients_title_th_search_idx ON patients (search_fold(title_th) text_pattern_ops);
