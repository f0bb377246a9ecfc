import type { MineBlockMutation, MiningProgressSubscription } from '../../client/index.js';
import { byId } from './dom.js';
import { formatCompact, formatCount, formatDuration, formatHashRate } from './format.js';

export type Progress = MiningProgressSubscription['miningProgress'];
export type Mined = MineBlockMutation['mineBlock'];

export interface ProgressView {
  /** A mine was asked for; no update yet. */
  waiting(): void;
  update(progress: Progress): void;
  /** The mine's answer, which has the last word. */
  mined(result: Mined): void;
  failed(message: string): void;
}

const minedText = (index: number, attempts: number, ms: number): string =>
  `Mined block #${index}: ${formatCount(attempts)} attempts in ${formatDuration(ms)}.`;

/**
 * The progress panel. Only state changes go to the live region (`#progress-state`):
 * four updates a second would drown a screen reader.
 */
export function createProgressView(): ProgressView {
  const root = byId('progress', HTMLDivElement);
  const state = byId('progress-state', HTMLParagraphElement);
  const bar = byId('progress-bar', HTMLProgressElement);
  const attempts = byId('progress-attempts', HTMLElement);
  const expected = byId('progress-expected', HTMLElement);
  const rate = byId('progress-rate', HTMLElement);
  const elapsed = byId('progress-elapsed', HTMLElement);

  function show(name: string, text: string): void {
    root.hidden = false;
    root.dataset['state'] = name;
    if (state.textContent !== text) state.textContent = text;
  }

  function numbers(values: { attempts: number; expectedAttempts: number | null; hashRate: number | null; elapsedMs: number }): void {
    attempts.textContent = formatCount(values.attempts);
    if (values.expectedAttempts !== null) {
      const share = values.attempts / values.expectedAttempts;
      expected.textContent = `${formatCompact(values.expectedAttempts)} (${Math.round(share * 100)}%)`;
      // Expected is an average: a mine may need more, so the bar stops at full.
      bar.value = Math.min(share, 1);
    }
    rate.textContent = values.hashRate === null ? '–' : formatHashRate(values.hashRate);
    elapsed.textContent = formatDuration(values.elapsedMs);
  }

  return {
    waiting() {
      show('waiting', 'Waiting for the miner…');
      bar.removeAttribute('value'); // indeterminate
      for (const cell of [attempts, expected, rate, elapsed]) cell.textContent = '–';
    },
    update(progress) {
      if (progress.state === 'MINING') show('MINING', `Mining block #${progress.index} at difficulty ${progress.difficulty}…`);
      else if (progress.state === 'MINED') show('MINED', minedText(progress.index, progress.attempts, progress.elapsedMs));
      else show('ABANDONED', `The mine of block #${progress.index} was abandoned.`);
      numbers(progress);
      if (progress.state === 'MINED') bar.value = 1;
    },
    mined(result) {
      const hashRate = result.durationMs > 0 ? (result.attempts * 1000) / result.durationMs : null;
      const expectedAttempts = 16 ** result.block.difficulty;
      show('MINED', minedText(result.block.index, result.attempts, result.durationMs));
      numbers({ attempts: result.attempts, expectedAttempts, hashRate, elapsedMs: result.durationMs });
      bar.value = 1;
    },
    failed(message) {
      show('failed', `Not mined: ${message}`);
      bar.value = 0;
    },
  };
}
