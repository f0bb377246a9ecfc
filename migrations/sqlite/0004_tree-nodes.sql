CREATE TABLE `tree_nodes` (
	`level` integer NOT NULL,
	`node_index` integer NOT NULL,
	`hash` blob NOT NULL,
	PRIMARY KEY(`level`, `node_index`),
	CONSTRAINT "tree_nodes_level_range" CHECK("tree_nodes"."level" BETWEEN 0 AND 63),
	CONSTRAINT "tree_nodes_hash_length" CHECK(length("tree_nodes"."hash") = 32)
) WITHOUT ROWID;
