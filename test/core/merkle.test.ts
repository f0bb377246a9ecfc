import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_TREE_HASH,
  completedHashes,
  consistencyRanges,
  inclusionRanges,
  leafHash,
  nodeLookup,
  nodesCompletedBy,
  nodesFor,
  rangeHashes,
  rootHash,
  rootOfLeafHashes,
  siblingsForAppend,
  splitPoint,
  subtreesOf,
  verifyConsistency,
  verifyInclusion,
  type NodeId,
} from '../../src/core/merkle.js';
import { requirePython, runPython } from '../helpers/python.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const unhex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

/** A tree kept as a storage engine keeps it: only complete subtrees, each stored as its last leaf is appended. */
function storedTree(leafHashes: readonly Uint8Array[]) {
  const nodes = new Map<string, { node: NodeId; hash: Uint8Array }>();
  const key = ({ level, index }: NodeId) => `${level}/${index}`;
  leafHashes.forEach((leaf, n) => {
    const siblings = siblingsForAppend(n).map((node) => nodes.get(key(node))!.hash);
    const hashes = completedHashes(leaf, siblings);
    nodesCompletedBy(n).forEach((node, i) => nodes.set(key(node), { node, hash: hashes[i]! }));
  });
  /** Reads only what the proof asks for, as the one query does. */
  const read = (wanted: readonly NodeId[]) => nodeLookup(wanted.map((node) => nodes.get(key(node))!));
  return {
    count: nodes.size,
    root: (size: number) => rootHash(size, read(nodesFor([{ start: 0, end: size }]))),
    inclusion: (index: number, size: number) => {
      const ranges = inclusionRanges(index, size);
      return rangeHashes(ranges, read(nodesFor(ranges)));
    },
    consistency: (from: number, to: number) => {
      const ranges = consistencyRanges(from, to);
      return rangeHashes(ranges, read(nodesFor(ranges)));
    },
  };
}

// The RFC 6962 reference tree used across Certificate Transparency implementations
// (transparency-dev/merkle testonly): leaves, and the root at each size 0..8.
const REFERENCE_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const REFERENCE_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const REFERENCE_INCLUSION = [
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const REFERENCE_CONSISTENCY = [
  {
    from: 2,
    to: 8,
    path: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    path: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    path: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

/** Leaf i of the generated trees: SHA-256 of its decimal digits (as the Python reference makes them). */
const syntheticLeaf = (i: number): Uint8Array => new Uint8Array(createHash('sha256').update(String(i)).digest());
const syntheticLeafHashes = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => leafHash(syntheticLeaf(i)));

/** Every way a proof can be damaged: each must fail. */
function damaged(path: readonly Uint8Array[]): Uint8Array[][] {
  const variants: Uint8Array[][] = [];
  path.forEach((hash, i) => {
    const flipped = hash.slice();
    flipped[i % 32]! ^= 0x01;
    variants.push(path.map((h, j) => (j === i ? flipped : h)));
  });
  if (path.length > 0) variants.push(path.slice(0, -1), path.slice(1));
  variants.push([...path, path[0] ?? EMPTY_TREE_HASH], [EMPTY_TREE_HASH, ...path]);
  return variants;
}

describe('the RFC 9162 Merkle tree', () => {
  const referenceLeafHashes = REFERENCE_LEAVES.map(leafHash);
  const reference = storedTree(referenceLeafHashes);

  it('gives the reference roots at every size, from memory and from stored complete subtrees', () => {
    for (let size = 0; size <= 8; size++) {
      expect(hex(rootOfLeafHashes(referenceLeafHashes.slice(0, size))), `size ${size}`).toBe(REFERENCE_ROOTS[size]);
      expect(hex(reference.root(size)), `size ${size}`).toBe(REFERENCE_ROOTS[size]);
    }
    // 8 leaves: 8 + 4 + 2 + 1 complete subtrees.
    expect(reference.count).toBe(15);
  });

  it('splits at the largest power of two smaller than n, not the midpoint', () => {
    const expected: Array<[number, number]> = [
      [2, 1],
      [3, 2],
      [5, 4],
      [7, 4],
      [8, 4],
      [9, 8],
      [1000, 512],
      [2 ** 40 + 1, 2 ** 40],
    ];
    for (const [n, k] of expected) expect(splitPoint(n)).toBe(k);
  });

  it('covers a run of leaves with aligned complete subtrees only', () => {
    expect(subtreesOf({ start: 3, end: 8 })).toEqual([
      { level: 0, index: 3 },
      { level: 2, index: 1 },
    ]);
    expect(subtreesOf({ start: 8, end: 13 })).toEqual([
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
  });

  it('makes and verifies the reference inclusion and consistency proofs', () => {
    for (const { index, size, path } of REFERENCE_INCLUSION) {
      expect(reference.inclusion(index, size).map(hex)).toEqual(path);
      expect(verifyInclusion(referenceLeafHashes[index]!, index, size, path.map(unhex), unhex(REFERENCE_ROOTS[size]!))).toBe(true);
    }
    for (const { from, to, path } of REFERENCE_CONSISTENCY) {
      expect(reference.consistency(from, to).map(hex)).toEqual(path);
      expect(verifyConsistency(from, to, unhex(REFERENCE_ROOTS[from]!), unhex(REFERENCE_ROOTS[to]!), path.map(unhex))).toBe(true);
    }
  });

  it('refuses the named failure cases: wrong leaf, index ± 1, flipped bit, truncated or padded proof, size 0, equal sizes', () => {
    const root8 = unhex(REFERENCE_ROOTS[8]!);
    const { index, size, path } = REFERENCE_INCLUSION[1]!;
    const proof = path.map(unhex);
    const leaf = referenceLeafHashes[index]!;
    expect(verifyInclusion(referenceLeafHashes[index + 1]!, index, size, proof, root8)).toBe(false);
    expect(verifyInclusion(leaf, index - 1, size, proof, root8)).toBe(false);
    expect(verifyInclusion(leaf, index + 1, size, proof, root8)).toBe(false);
    expect(verifyInclusion(leaf, index ^ 2, size, proof, root8)).toBe(false);
    // (Size 7 takes the same path as size 8 for this leaf: only its root tells them apart.)
    for (const wrongSize of [size + 1, size * 2, size / 2]) expect(verifyInclusion(leaf, index, wrongSize, proof, root8)).toBe(false);
    expect(verifyInclusion(leaf, 0, 0, [], EMPTY_TREE_HASH)).toBe(false);
    expect(verifyInclusion(leaf, index, size, proof, unhex(REFERENCE_ROOTS[7]!))).toBe(false);
    for (const bad of damaged(proof)) expect(verifyInclusion(leaf, index, size, bad, root8)).toBe(false);

    const { from, to, path: consistency } = REFERENCE_CONSISTENCY[1]!;
    const fromRoot = unhex(REFERENCE_ROOTS[from]!);
    const toRoot = unhex(REFERENCE_ROOTS[to]!);
    for (const bad of damaged(consistency.map(unhex))) expect(verifyConsistency(from, to, fromRoot, toRoot, bad)).toBe(false);
    expect(verifyConsistency(from, to, toRoot, fromRoot, consistency.map(unhex))).toBe(false);
    expect(verifyConsistency(from - 1, to, fromRoot, toRoot, consistency.map(unhex))).toBe(false);
    expect(verifyConsistency(0, to, EMPTY_TREE_HASH, toRoot, [])).toBe(false);
    // Equal sizes: an empty proof, and only for equal roots.
    expect(reference.consistency(to, to)).toEqual([]);
    expect(verifyConsistency(to, to, toRoot, toRoot, [])).toBe(true);
    expect(verifyConsistency(to, to, toRoot, fromRoot, [])).toBe(false);
    expect(verifyConsistency(to, to, toRoot, toRoot, [toRoot])).toBe(false);
  });

  it('proves every leaf of every tree up to 40 leaves, and every pair of sizes, and nothing damaged', () => {
    const leaves = syntheticLeafHashes(40);
    const tree = storedTree(leaves);
    for (let size = 1; size <= leaves.length; size++) {
      const root = tree.root(size);
      expect(root).toEqual(rootOfLeafHashes(leaves.slice(0, size)));
      for (let index = 0; index < size; index++) {
        const path = tree.inclusion(index, size);
        expect(verifyInclusion(leaves[index]!, index, size, path, root)).toBe(true);
        if (index % 7 === 0) for (const bad of damaged(path)) expect(verifyInclusion(leaves[index]!, index, size, bad, root)).toBe(false);
      }
      for (let from = 1; from <= size; from++) {
        const path = tree.consistency(from, size);
        const fromRoot = tree.root(from);
        expect(verifyConsistency(from, size, fromRoot, root, path)).toBe(true);
        if (from < size && from % 5 === 0)
          for (const bad of damaged(path)) expect(verifyConsistency(from, size, fromRoot, root, bad)).toBe(false);
      }
    }
  });

  it('fails any proof with one bit changed (property)', () => {
    const leaves = syntheticLeafHashes(300);
    const tree = storedTree(leaves);
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.nat(), fc.nat(), fc.nat(255), (size, at, which, bit) => {
        const index = at % size;
        const path = tree.inclusion(index, size);
        const bad = path.map((hash) => hash.slice());
        const target = bad[which % bad.length]!;
        target[bit % 32]! ^= 1 << (bit % 8);
        expect(verifyInclusion(leaves[index]!, index, size, bad, tree.root(size))).toBe(false);
        const from = (at % (size - 1)) + 1;
        const consistency = tree.consistency(from, size).map((hash) => hash.slice());
        const changed = consistency[which % consistency.length]!;
        changed[bit % 32]! ^= 1 << (bit % 8);
        expect(verifyConsistency(from, size, tree.root(from), tree.root(size), consistency)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with a reference written in Python from the RFC text, at every size to 300 and random sizes to 5,000', (context) => {
    requirePython(context);
    const random = fc.sample(fc.integer({ min: 301, max: 5000 }), { numRuns: 12, seed: 9162 });
    const sizes = [...Array.from({ length: 300 }, (_, i) => i + 1), ...random];
    const inclusion: Array<[number, number]> = [];
    const consistency: Array<[number, number]> = [];
    for (const size of sizes) {
      for (const index of new Set([0, size - 1, Math.floor(size / 2), (size * 7919) % size])) inclusion.push([index, size]);
      for (const from of new Set([
        1,
        size,
        Math.max(1, size - 1),
        Math.max(1, Math.floor(size / 3)),
        Math.max(1, (size * 104729) % size),
      ])) {
        consistency.push([from, size]);
      }
    }
    const script = readFileSync(resolve(import.meta.dirname, '../fixtures/rfc9162_reference.py'), 'utf8');
    const expected = JSON.parse(
      runPython(script, JSON.stringify({ leaves: Math.max(...sizes), roots: sizes, inclusion, consistency })),
    ) as { roots: string[]; inclusion: string[][]; consistency: string[][] };
    const tree = storedTree(syntheticLeafHashes(Math.max(...sizes)));
    expect(sizes.map((size) => hex(tree.root(size)))).toEqual(expected.roots);
    expect(inclusion.map(([index, size]) => tree.inclusion(index, size).map(hex))).toEqual(expected.inclusion);
    expect(consistency.map(([from, to]) => tree.consistency(from, to).map(hex))).toEqual(expected.consistency);
  });
});
