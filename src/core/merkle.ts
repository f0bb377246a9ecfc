import { sha256 } from '@noble/hashes/sha2.js';

/**
 * The Merkle tree of RFC 9162 §2.1 over a log of leaves, as transparency logs
 * (Certificate Transparency, Go's checksum database, Trillian) build it:
 * leaf hash SHA-256(0x00 ‖ leaf), node hash SHA-256(0x01 ‖ left ‖ right), and
 * a tree of n leaves split at the largest power of two smaller than n.
 *
 * Only complete subtrees are ever stored: node (level L, index k) covers
 * leaves [k·2^L, (k+1)·2^L), and once its last leaf is appended its hash never
 * changes, so it serves every later tree size. A root or a proof at any size
 * is a fold of O(log n) such nodes, read at once (`nodesFor`), then combined
 * (`rangeHashes`). Pure: no Node API, so browsers and the typed client use it
 * too (SHA-256 from @noble/hashes, which also runs where `crypto.subtle` does
 * not: a page served over plain http).
 *
 * Sizes and indices are JavaScript numbers, exact up to 2^53: the arithmetic
 * below uses division, not 32-bit bit operators.
 */

/** A stored node: level 0 holds leaf hashes. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A run of leaves [start, end) whose hash a proof or root needs. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

export function leafHash(leaf: Uint8Array): Uint8Array {
  const message = new Uint8Array(1 + leaf.length);
  message[0] = LEAF_PREFIX;
  message.set(leaf, 1);
  return sha256(message);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const message = new Uint8Array(1 + left.length + right.length);
  message[0] = NODE_PREFIX;
  message.set(left, 1);
  message.set(right, 1 + left.length);
  return sha256(message);
}

/** The hash of the empty tree: SHA-256 of nothing. */
export const EMPTY_TREE_HASH: Uint8Array = sha256(new Uint8Array(0));

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** The largest power of two smaller than `n` (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The nodes appending leaf `n` completes, bottom-up: the leaf itself, then
 * each subtree that leaf closes (leaf 3 closes (1,1) and (2,0)). Storing them
 * as each leaf is appended keeps every complete subtree stored.
 */
export function nodesCompletedBy(n: number): NodeId[] {
  const nodes: NodeId[] = [{ level: 0, index: n }];
  for (let level = 1, index = n; isOdd(index); level++) {
    index = half(index);
    nodes.push({ level, index });
  }
  return nodes;
}

/** The left siblings whose hashes, with leaf `n`'s, give the nodes it completes (read them before `completedHashes`). */
export function siblingsForAppend(n: number): NodeId[] {
  return nodesCompletedBy(n)
    .slice(1)
    .map(({ level, index }) => ({ level: level - 1, index: 2 * index }));
}

/**
 * The hashes of the nodes leaf `n` completes (same order as
 * `nodesCompletedBy`), from its leaf hash and its left siblings' hashes (in
 * the order of `siblingsForAppend`).
 */
export function completedHashes(leaf: Uint8Array, siblings: readonly Uint8Array[]): Uint8Array[] {
  const hashes = [leaf];
  let current = leaf;
  for (const sibling of siblings) {
    current = nodeHash(sibling, current);
    hashes.push(current);
  }
  return hashes;
}

/**
 * The maximal complete subtrees covering leaves [start, end), left to right.
 * For the ranges RFC 9162's recursion produces (`start` a multiple of a power
 * of two at least `end - start`), folding their hashes from the right gives
 * the range's hash.
 */
export function subtreesOf({ start, end }: LeafRange): NodeId[] {
  const nodes: NodeId[] = [];
  let at = start;
  while (at < end) {
    let size = 1;
    // Grow while the subtree stays aligned and within the range.
    while (at % (size * 2) === 0 && at + size * 2 <= end) size *= 2;
    nodes.push({ level: Math.log2(size), index: at / size });
    at += size;
  }
  return nodes;
}

/** The ranges whose hashes make the inclusion proof of leaf `index` in the tree of `size` leaves, in RFC 9162 §2.1.3.1 order. */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  const path = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      path(m, start, start + k);
      ranges.push({ start: start + k, end });
    } else {
      path(m - k, start + k, end);
      ranges.push({ start, end: start + k });
    }
  };
  path(index, 0, size);
  return ranges;
}

/** The ranges whose hashes make the consistency proof from `from` leaves to `to`, in RFC 9162 §2.1.4.1 order (none when equal). */
export function consistencyRanges(from: number, to: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  const subproof = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!whole) ranges.push({ start, end });
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      subproof(m, start, start + k, whole);
      ranges.push({ start: start + k, end });
    } else {
      subproof(m - k, start + k, end, false);
      ranges.push({ start, end: start + k });
    }
  };
  if (from < to) subproof(from, 0, to, true);
  return ranges;
}

const nodeKey = ({ level, index }: NodeId): string => `${level}/${index}`;

/** Every stored node `ranges` need, each once: what to read (one query) before `rangeHashes`. */
export function nodesFor(ranges: readonly LeafRange[]): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const range of ranges) for (const node of subtreesOf(range)) seen.set(nodeKey(node), node);
  return [...seen.values()];
}

/** Looks up a stored node's hash; throws when it is missing (a tree that does not cover the range). */
export type NodeLookup = (node: NodeId) => Uint8Array;

/** Indexes nodes read from storage for `rangeHashes`. */
export function nodeLookup(stored: Iterable<{ readonly node: NodeId; readonly hash: Uint8Array }>): NodeLookup {
  const byKey = new Map<string, Uint8Array>();
  for (const { node, hash } of stored) byKey.set(nodeKey(node), hash);
  return (node) => {
    const hash = byKey.get(nodeKey(node));
    if (hash === undefined) throw new Error(`the tree has no stored node at level ${node.level}, index ${node.index}`);
    return hash;
  };
}

/** Each range's hash: its complete subtrees folded from the right. */
export function rangeHashes(ranges: readonly LeafRange[], lookup: NodeLookup): Uint8Array[] {
  return ranges.map((range) => {
    const hashes = subtreesOf(range).map(lookup);
    let hash = hashes.pop()!;
    while (hashes.length > 0) hash = nodeHash(hashes.pop()!, hash);
    return hash;
  });
}

/** The root of the tree of `size` leaves (the empty tree's hash for 0). */
export function rootHash(size: number, lookup: NodeLookup): Uint8Array {
  return size === 0 ? EMPTY_TREE_HASH : rangeHashes([{ start: 0, end: size }], lookup)[0]!;
}

/** The root of the tree over `leafHashes` (every leaf in memory): for tests and small trees. */
export function rootOfLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return EMPTY_TREE_HASH;
  if (leafHashes.length === 1) return leafHashes[0]!;
  const k = splitPoint(leafHashes.length);
  return nodeHash(rootOfLeafHashes(leafHashes.slice(0, k)), rootOfLeafHashes(leafHashes.slice(k)));
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

/**
 * RFC 9162 §2.1.3.2: whether `path` proves that `leaf` (a leaf hash) is leaf
 * `index` of the tree of `size` leaves whose root is `root`.
 */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `path` proves that the tree of `to` leaves
 * (root `toRoot`) extends the tree of `from` leaves (root `fromRoot`). Equal
 * sizes need an empty path and equal roots.
 */
export function verifyConsistency(
  from: number,
  to: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  path: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || from > to) return false;
  if (from === to) return path.length === 0 && equalBytes(fromRoot, toRoot);
  if (path.length === 0) return false;
  const proof = Number.isInteger(Math.log2(from)) ? [fromRoot, ...path] : [...path];
  let fn = from - 1;
  let sn = to - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = proof[0]!;
  let sr = proof[0]!;
  for (const c of proof.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, fromRoot) && equalBytes(sr, toRoot);
}
