-- The chain is append-only, and only at its tip. These triggers hold that even
-- for writers that bypass the application (another process, the sqlite3 shell).
CREATE TRIGGER `blocks_append_at_tip` BEFORE INSERT ON `blocks`
WHEN NEW.`block_index` IS NOT (SELECT COALESCE(MAX(`block_index`) + 1, 0) FROM `blocks`)
BEGIN
	SELECT RAISE(ABORT, 'blocks: a block must be appended at the tip (index = length of the chain)');
END;
--> statement-breakpoint
CREATE TRIGGER `blocks_link_to_predecessor` BEFORE INSERT ON `blocks`
WHEN NEW.`block_index` > 0
	AND NEW.`previous_hash` IS NOT (SELECT `hash` FROM `blocks` WHERE `block_index` = NEW.`block_index` - 1)
BEGIN
	SELECT RAISE(ABORT, 'blocks: previous_hash must be the hash of the block before');
END;
--> statement-breakpoint
CREATE TRIGGER `blocks_no_update` BEFORE UPDATE ON `blocks`
BEGIN
	SELECT RAISE(ABORT, 'blocks: blocks are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `blocks_no_delete` BEFORE DELETE ON `blocks`
BEGIN
	SELECT RAISE(ABORT, 'blocks: blocks cannot be deleted');
END;
