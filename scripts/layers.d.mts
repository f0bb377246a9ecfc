/** Types of scripts/layers.mjs, which runs as plain JavaScript (eslint.config.js imports it). */
export type PackageGroup = 'drivers' | 'graphql';

export interface UnitRule {
  /** The units of ours it may import, or '*': every other unit of its own row and of the rows below. */
  readonly imports: readonly string[] | '*';
  readonly packages?: readonly PackageGroup[];
}

export interface Layer {
  readonly label: string;
  readonly says: string;
  readonly units: Readonly<Record<string, UnitRule>>;
}

export const PACKAGE_GROUPS: Readonly<Record<PackageGroup, readonly string[]>>;
export const BELOW: '*';
export const LAYERS: readonly Layer[];
export const UNITS: ReadonlyArray<UnitRule & { readonly name: string; readonly row: number }>;
export function allowedImports(name: string): readonly string[];
export function renderLayerDiagram(): string;
export const LAYER_DOCUMENTS: readonly string[];
export const LAYER_MARKER: string;
export function documentedDiagram(text: string): string | null;
