-- The chain is append-only, and only at its tip. These triggers hold that even
-- for writers that bypass the application (another process, psql).
INSERT INTO "chain_state" ("id", "changes") VALUES (1, 0);
--> statement-breakpoint
CREATE FUNCTION "blocks_append_at_tip"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW."block_index" IS DISTINCT FROM (SELECT COALESCE(MAX("block_index") + 1, 0) FROM "blocks") THEN
		RAISE EXCEPTION 'blocks: a block must be appended at the tip (index = length of the chain)' USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	IF NEW."block_index" > 0
		AND NEW."previous_hash" IS DISTINCT FROM (SELECT "hash" FROM "blocks" WHERE "block_index" = NEW."block_index" - 1) THEN
		RAISE EXCEPTION 'blocks: previous_hash must be the hash of the block before' USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "blocks_append_at_tip" BEFORE INSERT ON "blocks" FOR EACH ROW EXECUTE FUNCTION "blocks_append_at_tip"();
--> statement-breakpoint
CREATE FUNCTION "blocks_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'blocks: blocks are immutable and cannot be deleted (%)', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END $$;
--> statement-breakpoint
CREATE TRIGGER "blocks_no_update_or_delete" BEFORE UPDATE OR DELETE ON "blocks" FOR EACH ROW EXECUTE FUNCTION "blocks_immutable"();
--> statement-breakpoint
CREATE TRIGGER "blocks_no_truncate" BEFORE TRUNCATE ON "blocks" FOR EACH STATEMENT EXECUTE FUNCTION "blocks_immutable"();
--> statement-breakpoint
-- Every write statement on blocks counts, in the writer's own transaction: how
-- a process learns that another one wrote (SQLite's PRAGMA data_version).
CREATE FUNCTION "blocks_count_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE "chain_state" SET "changes" = "changes" + 1 WHERE "id" = 1;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "blocks_count_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "blocks" FOR EACH STATEMENT EXECUTE FUNCTION "blocks_count_change"();
