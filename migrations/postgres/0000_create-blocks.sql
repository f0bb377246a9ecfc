CREATE TABLE "blocks" (
	"block_index" bigint PRIMARY KEY NOT NULL,
	"timestamp" text NOT NULL,
	"proof" bigint NOT NULL,
	"previous_hash" text NOT NULL,
	"hash" text NOT NULL,
	"data" text,
	"difficulty" integer NOT NULL,
	CONSTRAINT "blocks_previous_hash_unique" UNIQUE("previous_hash"),
	CONSTRAINT "blocks_hash_unique" UNIQUE("hash"),
	CONSTRAINT "blocks_index_non_negative" CHECK ("blocks"."block_index" >= 0),
	CONSTRAINT "blocks_genesis_links_to_zero" CHECK ("blocks"."block_index" <> 0 OR "blocks"."previous_hash" = '0'),
	CONSTRAINT "blocks_proof_non_negative" CHECK ("blocks"."proof" >= 0),
	CONSTRAINT "blocks_hash_is_sha256_hex" CHECK ("blocks"."hash" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "blocks_difficulty_range" CHECK ("blocks"."difficulty" BETWEEN 1 AND 64)
);
--> statement-breakpoint
CREATE TABLE "chain_state" (
	"id" smallint PRIMARY KEY NOT NULL,
	"changes" bigint DEFAULT 0 NOT NULL,
	"difficulty" integer,
	CONSTRAINT "chain_state_single_row" CHECK ("chain_state"."id" = 1),
	CONSTRAINT "chain_state_difficulty_range" CHECK ("chain_state"."difficulty" BETWEEN 1 AND 64)
);
