import { completedHashes, leafHash, nodeHash, nodesCompletedBy, type NodeId } from '../core/merkle.js';

/**
 * The Merkle tree over the chain as both engines store it (src/core/merkle.ts):
 * leaf i is block i's hash as 32 raw bytes, and every complete subtree is
 * stored once its last leaf is appended, in the transaction that appends it.
 */
export interface TreeNode extends NodeId {
  readonly hash: Uint8Array;
}

/** Block `hash` (64 hex digits) as the 32 bytes its leaf hashes. */
export function hashBytes(hash: string): Uint8Array {
  const bytes = new Uint8Array(hash.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hash.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** The nodes appending block `index` (hash `hash`) completes, from its left siblings' hashes (`siblingsForAppend` order). */
export function nodesForAppend(index: number, hash: string, siblings: readonly Uint8Array[]): TreeNode[] {
  const hashes = completedHashes(leafHash(hashBytes(hash)), siblings);
  return nodesCompletedBy(index).map((node, i) => ({ ...node, hash: hashes[i]! }));
}

/**
 * The tree's right edge while many blocks are appended at once (an import, a
 * build of the tree for an existing chain): the complete subtrees of the
 * leaves so far, largest first. Each append returns the nodes it completes.
 */
export class TreeFrontier {
  private readonly edge: TreeNode[];

  /** From the stored subtrees covering the first leaves (`subtreesOf({ start: 0, end: size })`, in that order). */
  constructor(edge: readonly TreeNode[] = []) {
    this.edge = [...edge];
  }

  /** The next leaf, block `index` with hash `hash`: the nodes it completes, bottom-up. */
  append(index: number, hash: string): TreeNode[] {
    const leaf: TreeNode = { level: 0, index, hash: leafHash(hashBytes(hash)) };
    this.edge.push(leaf);
    const completed = [leaf];
    for (;;) {
      const right = this.edge.at(-1)!;
      const left = this.edge.at(-2);
      if (left === undefined || left.level !== right.level) break;
      this.edge.splice(-2, 2);
      const parent: TreeNode = { level: left.level + 1, index: left.index / 2, hash: nodeHash(left.hash, right.hash) };
      this.edge.push(parent);
      completed.push(parent);
    }
    return completed;
  }
}
