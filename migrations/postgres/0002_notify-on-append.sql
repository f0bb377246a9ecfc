-- Wakes the other instances when blocks are committed: NOTIFY is delivered only
-- on commit, in commit order, and identical ones in a transaction are sent once
-- (an import of a million blocks sends one). It carries no data: a listener
-- reads what is new from the table, which stays the only truth.
CREATE OR REPLACE FUNCTION "blocks_count_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE "chain_state" SET "changes" = "changes" + 1 WHERE "id" = 1;
	PERFORM pg_notify('ledger_blocks', '');
	RETURN NULL;
END $$;
