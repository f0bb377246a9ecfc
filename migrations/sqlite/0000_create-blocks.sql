CREATE TABLE `blocks` (
	`block_index` integer PRIMARY KEY NOT NULL,
	`timestamp` text NOT NULL,
	`proof` integer NOT NULL,
	`previous_hash` text NOT NULL,
	`hash` text NOT NULL,
	`data` text,
	`difficulty` integer NOT NULL,
	CONSTRAINT "blocks_index_non_negative" CHECK("blocks"."block_index" >= 0),
	CONSTRAINT "blocks_genesis_links_to_zero" CHECK("blocks"."block_index" <> 0 OR "blocks"."previous_hash" = '0'),
	CONSTRAINT "blocks_proof_is_integer" CHECK(typeof("blocks"."proof") = 'integer'),
	CONSTRAINT "blocks_hash_is_sha256_hex" CHECK(length("blocks"."hash") = 64 AND "blocks"."hash" NOT GLOB '*[^0-9a-f]*'),
	CONSTRAINT "blocks_difficulty_range" CHECK("blocks"."difficulty" BETWEEN 1 AND 64)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `blocks_previous_hash_unique` ON `blocks` (`previous_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `blocks_hash_unique` ON `blocks` (`hash`);