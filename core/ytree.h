/* A YAML document read into a small tree that remembers where each node
 * stood, with limits that keep hostile files from costing much. */
#ifndef DOORSTEP_YTREE_H
#define DOORSTEP_YTREE_H

#include <stdbool.h>
#include <stddef.h>

enum ynode_kind { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

struct ynode {
	enum ynode_kind kind;
	int line;		/* 1-based */
	int col;		/* 1-based, in characters */
	char *str;		/* scalar text */
	size_t len;		/* scalar bytes (may hold NUL) */
	bool quoted;		/* the scalar was written in quotes or as a block */
	bool one_line_quoted;	/* written as '...' or "..." */
	bool flow;		/* a list or mapping written inside [ ] or { } */
	struct ynode **items;	/* seq: items; map: key, value, key, value ... */
	size_t n;		/* number of entries in items */
	struct yblock *blocks;	/* the root's: the memory the whole tree is in */
};

#define YTREE_MAX_DEPTH 32
#define YTREE_MAX_SCALAR (16 * 1024)
#define YTREE_MAX_NODES 1000000

/* Parses one YAML document (a second one is an error; a UTF-8 byte-order
 * mark is skipped). Returns NULL for an empty document (with
 * *cause NULL) or on error (with *cause set and *line, *col where it
 * happened). The caller owns the tree. */
struct ynode *ytree_parse(const char *text, size_t len, int *line, int *col,
    char **cause);
/* Frees a tree that ytree_parse returned (its nodes are not freed one by
 * one: they live in the root's blocks). */
void ytree_free(struct ynode *root);

/* For a mapping: the value for key, or NULL. */
struct ynode *ytree_get(const struct ynode *map, const char *key);

/* A human name for a node's kind: "a text", "a list", "a mapping". */
const char *ytree_kind_name(const struct ynode *node);

#endif
