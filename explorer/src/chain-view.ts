import type { BlockFieldsFragment } from '../../client/index.js';
import { h } from './dom.js';
import { formatTimestamp, isoTimestamp, shortHash } from './format.js';
import { REASON_LABELS, type Verdicts } from './validity.js';

export type Block = BlockFieldsFragment;

function hashCode(hash: string): HTMLElement {
  return h('code', { class: 'hash', title: hash }, shortHash(hash));
}

function field(name: string, value: Node | string, className = ''): HTMLElement {
  return h('div', className === '' ? {} : { class: className }, h('dt', {}, name), h('dd', {}, value));
}

function badge(block: Block, verdicts: Verdicts): HTMLElement {
  const verdict = verdicts.block(block.index);
  if (verdict.state === 'invalid') {
    const labels = [...new Set(verdict.problems.map((problem) => REASON_LABELS[problem.reason]))];
    return h('span', { class: 'badge badge-invalid' }, h('span', { 'aria-hidden': 'true' }, '✗ '), `Invalid: ${labels.join(', ')}`);
  }
  if (verdict.state === 'valid') return h('span', { class: 'badge badge-valid' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'Valid');
  return h('span', { class: 'badge badge-unchecked' }, 'Not validated yet');
}

/** The connector under block `index`, to the block before it. */
function linkRow(block: Block, verdicts: Verdicts): HTMLElement {
  const previous = block.index - 1;
  const verdict = verdicts.link(block.index);
  const attributes = { class: `link link-${verdict.state}`, 'data-link': `${block.index}-${previous}` };
  if (verdict.state === 'broken') {
    return h(
      'div',
      attributes,
      h('span', { class: 'link-icon', 'aria-hidden': 'true' }, '✂'),
      h('span', {}, h('strong', {}, `Link to #${previous} broken: `), `${verdict.reasons.join('; ')}.`),
    );
  }
  const text =
    verdict.state === 'intact'
      ? `Linked to #${previous}: its hash matches this block's previous hash.`
      : `Links to #${previous} (not validated yet).`;
  return h('div', attributes, h('span', { class: 'link-icon', 'aria-hidden': 'true' }, '↓'), h('span', {}, text));
}

function card(block: Block, verdicts: Verdicts, fresh: boolean): HTMLLIElement {
  const verdict = verdicts.block(block.index);
  const titleId = `block-${block.index}-title`;
  const data = block.data === null ? h('span', { class: 'none' }, 'none') : h('span', { class: 'data' }, block.data);
  const article = h(
    'article',
    { class: 'card', 'aria-labelledby': titleId },
    h('header', { class: 'card-head' }, h('h3', { id: titleId }, `Block #${block.index}`), badge(block, verdicts)),
    h(
      'dl',
      { class: 'fields' },
      field('Hash', hashCode(block.hash)),
      field('Previous hash', block.index === 0 ? h('span', {}, hashCode(block.previousHash), ' (genesis)') : hashCode(block.previousHash)),
      field('Proof', String(block.proof)),
      field('Time', h('time', { datetime: isoTimestamp(block.timestamp) }, formatTimestamp(block.timestamp))),
      field('Difficulty', String(block.difficulty)),
      field('Data', data, 'wide'),
    ),
    verdict.problems.length > 0 &&
      h(
        'ul',
        { class: 'problems' },
        ...verdict.problems.map((problem) => h('li', {}, h('strong', {}, `${REASON_LABELS[problem.reason]}: `), problem.message)),
      ),
  );
  return h(
    'li',
    {
      class: `block block-${verdict.state}${fresh ? ' fresh' : ''}`,
      id: `block-${block.index}`,
      'data-index': String(block.index),
      'data-state': verdict.state,
    },
    article,
    block.index > 0 && linkRow(block, verdicts),
  );
}

/** Replaces the list with `blocks` (given oldest first, shown newest first). */
export function renderBlocks(list: HTMLOListElement, blocks: readonly Block[], verdicts: Verdicts, fresh: ReadonlySet<number>): void {
  list.replaceChildren(...[...blocks].reverse().map((block) => card(block, verdicts, fresh.has(block.index))));
}
