CREATE TABLE `idempotency_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`block_index` integer NOT NULL,
	FOREIGN KEY (`block_index`) REFERENCES `blocks`(`block_index`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idempotency_keys_block_index_unique` ON `idempotency_keys` (`block_index`);