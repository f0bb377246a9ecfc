CREATE TABLE `chain_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`difficulty` integer,
	CONSTRAINT "chain_state_single_row" CHECK("chain_state"."id" = 1),
	CONSTRAINT "chain_state_difficulty_range" CHECK("chain_state"."difficulty" BETWEEN 1 AND 64)
);
