import { hexToBytes } from '@noble/hashes/utils.js';
import { completedHashes, leafHash, nodesCompletedBy, type NodeId } from '../core/merkle.js';

/**
 * The Merkle tree over the chain as both engines store it (src/core/merkle.ts):
 * leaf i is block i's hash as 32 raw bytes, and every complete subtree is
 * stored once its last leaf is appended, in the transaction that appends it.
 */
export interface TreeNode extends NodeId {
  readonly hash: Uint8Array;
}

/** The nodes appending block `index` (hash `hash`) completes, from its left siblings' hashes (`siblingsForAppend` order). */
export function nodesForAppend(index: number, hash: string, siblings: readonly Uint8Array[]): TreeNode[] {
  // Leaf i is block i's hash as 32 raw bytes, not its 64 hex digits.
  const hashes = completedHashes(leafHash(hexToBytes(hash)), siblings);
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
    // The subtrees it closes are the newest on the edge, smallest last: its left siblings, bottom-up.
    const merges = nodesCompletedBy(index).length - 1;
    const siblings = this.edge.splice(this.edge.length - merges, merges).reverse();
    const completed = nodesForAppend(
      index,
      hash,
      siblings.map((node) => node.hash),
    );
    this.edge.push(completed.at(-1)!);
    return completed;
  }
}
