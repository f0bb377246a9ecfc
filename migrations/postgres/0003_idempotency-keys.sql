CREATE TABLE "idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"block_index" bigint NOT NULL,
	CONSTRAINT "idempotency_keys_block_index_unique" UNIQUE("block_index")
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_block_index_blocks_block_index_fk" FOREIGN KEY ("block_index") REFERENCES "blocks"("block_index") ON DELETE no action ON UPDATE no action;