DROP INDEX patients_title_th_search_idx;
DROP INDEX patients_first_name_en_search_idx;
DROP INDEX patients_first_name_th_search_idx;
DROP INDEX patients_last_name_en_search_idx;
DROP INDEX patients_last_name_th_search_idx;
DROP FUNCTION search_fold(text);
