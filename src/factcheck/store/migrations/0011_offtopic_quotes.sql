-- 0011: a record that neither bears on its claim nor is on the claim's topic is stored without
-- its closest sentence (it never counts and no report shows it; those quotes were about a
-- third of a database's growth per article). Rows written before are cleared the same way.

UPDATE evidence SET quote = NULL, quote_section = NULL
WHERE coalesce(stance, 'neutral') = 'neutral' AND NOT on_topic AND quote IS NOT NULL;
