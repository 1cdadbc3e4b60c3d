-- 0011: a record off its claim's topic is no longer read (verdict-rules-8), so it has no
-- quoted sentence; this clears the closest sentence that rows written before stored for such
-- records (it never counted; the editors' report did not show it; on 20 WCXB pages those
-- quotes were 464 KB of the 1.57 MB of text the pages added). Their probabilities stay until
-- the claim is judged again, which the new rules version makes the next run do.

UPDATE evidence SET quote = NULL, quote_section = NULL
WHERE coalesce(stance, 'neutral') = 'neutral' AND NOT on_topic AND quote IS NOT NULL;
