CREATE TABLE "tree_nodes" (
	"level" smallint NOT NULL,
	"node_index" bigint NOT NULL,
	"hash" "bytea" NOT NULL,
	CONSTRAINT "tree_nodes_level_node_index_pk" PRIMARY KEY("level","node_index"),
	CONSTRAINT "tree_nodes_level_range" CHECK ("tree_nodes"."level" BETWEEN 0 AND 63),
	CONSTRAINT "tree_nodes_hash_length" CHECK (octet_length("tree_nodes"."hash") = 32)
);
