/**
 * The block explorer served at `/`: the chain newest first, paged; each
 * block's validity; mining with live progress; new blocks as they are mined.
 * Everything goes through the typed client (client/index.ts) and the
 * documents generated from client/operations.
 */
import {
  BlockMinedDocument,
  ChainPageDocument,
  LedgerClientError,
  MineBlockDocument,
  MiningProgressDocument,
  ServerInfoDocument,
  ValidateDocument,
  createLedgerClient,
  newIdempotencyKey,
  type Unsubscribe,
} from '../../client/index.js';
import { renderBlocks, type Block } from './chain-view.js';
import { byId, h, showMessage } from './dom.js';
import { formatCount, shortHash, utf8Length } from './format.js';
import { createProgressView } from './progress-view.js';
import { createTokenStore, sessionStorageOrNull } from './token-store.js';
import { readVerdicts, type Validation } from './validity.js';

const GRAPHQL_ENDPOINT = '/graphql';
const PAGE_SIZE = 10;
/** How long a block that just arrived stays highlighted. */
const FRESH_MS = 4000;
/** Mining starts once the progress subscription is open, or after this long without it. */
const PROGRESS_WAIT_MS = 1000;
const LIVE_RETRY_MAX_MS = 30_000;

interface Entry {
  readonly block: Block;
  /** The block's cursor in `chain`; null for a block that arrived live. */
  readonly cursor: string | null;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describeError(error: unknown, { tokenSent = false } = {}): string {
  if (!(error instanceof LedgerClientError)) return error instanceof Error ? error.message : String(error);
  const wait = error.retryAfterSeconds === null ? '' : ` Try again in ${error.retryAfterSeconds} s.`;
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return tokenSent ? 'The server refused the mining token.' : 'This server needs a mining token: enter it under "Mining token".';
    case 'RATE_LIMITED':
      return `Too many mines from this address.${wait}`;
    case 'MINING_BUSY':
      return `The miner is busy.${wait}`;
    case 'CHAIN_INVALID':
      return 'The stored chain does not validate, so nothing is mined onto it. Validate to see where it breaks.';
    default:
      return `${error.message}${wait}`;
  }
}

function start(): void {
  const tokens = createTokenStore(sessionStorageOrNull());
  const client = createLedgerClient({ url: GRAPHQL_ENDPOINT, token: () => tokens.get() });
  const progress = createProgressView();
  const ui = {
    length: byId('stat-length', HTMLElement),
    difficulty: byId('stat-difficulty', HTMLElement),
    tip: byId('stat-tip', HTMLElement),
    live: byId('stat-live', HTMLElement),
    verdict: byId('verdict', HTMLParagraphElement),
    validate: byId('validate', HTMLButtonElement),
    mineForm: byId('mine-form', HTMLFormElement),
    mineData: byId('mine-data', HTMLInputElement),
    mineLimit: byId('mine-data-limit', HTMLParagraphElement),
    mine: byId('mine', HTMLButtonElement),
    mineError: byId('mine-error', HTMLParagraphElement),
    tokenBox: byId('token-box', HTMLDetailsElement),
    tokenState: byId('token-state', HTMLElement),
    token: byId('token', HTMLInputElement),
    tokenForm: byId('token-form', HTMLFormElement),
    tokenForget: byId('token-forget', HTMLButtonElement),
    blocksTitle: byId('blocks-title', HTMLHeadingElement),
    pageRange: byId('page-range', HTMLElement),
    newest: byId('page-newest', HTMLButtonElement),
    newer: byId('page-newer', HTMLButtonElement),
    older: byId('page-older', HTMLButtonElement),
    unseen: byId('unseen', HTMLParagraphElement),
    unseenText: byId('unseen-text', HTMLElement),
    unseenShow: byId('unseen-show', HTMLButtonElement),
    pageError: byId('page-error', HTMLParagraphElement),
    blocks: byId('blocks', HTMLOListElement),
    announcer: byId('announcer', HTMLDivElement),
  };

  const state = {
    /** The page, oldest first (as `chain` returns it). */
    entries: [] as Entry[],
    /** The `before` cursor that defines this page; null for the newest page. */
    before: null as string | null,
    /** `before` of each newer page, for "Newer". */
    history: [] as Array<string | null>,
    hasOlder: false,
    totalCount: 0,
    tip: null as Block | null,
    difficulty: null as number | null,
    dataMaxBytes: null as number | null,
    validation: null as Validation | null,
    validatedAt: null as Date | null,
    validationError: null as string | null,
    /** Blocks mined while an older page is shown. */
    unseen: 0,
    fresh: new Set<number>(),
    mining: false,
  };

  const onNewestPage = (): boolean => state.before === null;

  function announce(message: string): void {
    ui.announcer.append(h('p', {}, message));
    while (ui.announcer.childElementCount > 5) ui.announcer.firstElementChild?.remove();
  }

  function renderVerdict(): void {
    const { validation } = state;
    if (state.validationError !== null) {
      ui.verdict.dataset['verdict'] = 'error';
      ui.verdict.textContent = `Could not validate: ${state.validationError}`;
    } else if (validation === null) {
      ui.verdict.dataset['verdict'] = 'pending';
      ui.verdict.textContent = 'Not validated yet.';
    } else if (validation.valid) {
      ui.verdict.dataset['verdict'] = 'valid';
      ui.verdict.textContent = `✓ Chain is valid: ${formatCount(validation.length)} blocks checked${state.validatedAt === null ? '' : ` at ${state.validatedAt.toLocaleTimeString('en-GB')}`}.`;
    } else {
      const indexes = [...new Set(validation.errors.map((problem) => problem.index))];
      const listed = indexes
        .slice(0, 8)
        .map((index) => `#${index}`)
        .join(', ');
      const more = indexes.length > 8 || validation.errorCount > validation.errors.length ? ' and more' : '';
      ui.verdict.dataset['verdict'] = 'invalid';
      ui.verdict.textContent = `✗ Chain is not valid: ${formatCount(validation.errorCount)} problem${validation.errorCount === 1 ? '' : 's'}, in block${indexes.length === 1 ? '' : 's'} ${listed}${more}.`;
    }
  }

  function render(): void {
    ui.length.textContent = formatCount(state.totalCount);
    ui.difficulty.textContent = state.difficulty === null ? '…' : String(state.difficulty);
    ui.tip.replaceChildren(
      state.tip === null ? '…' : h('span', { title: state.tip.hash }, `#${state.tip.index} `, h('code', {}, shortHash(state.tip.hash))),
    );
    renderVerdict();
    const newest = state.entries.at(-1)?.block.index;
    const oldest = state.entries[0]?.block.index;
    ui.pageRange.textContent =
      newest === undefined || oldest === undefined ? '' : `#${newest}–#${oldest} of ${formatCount(state.totalCount)}`;
    ui.newest.disabled = onNewestPage();
    ui.newer.disabled = onNewestPage();
    ui.older.disabled = !state.hasOlder;
    ui.unseen.hidden = state.unseen === 0 || onNewestPage();
    ui.unseenText.textContent = `${formatCount(state.unseen)} new block${state.unseen === 1 ? '' : 's'} since this page was loaded.`;
    renderBlocks(
      ui.blocks,
      state.entries.map((entry) => entry.block),
      readVerdicts(state.validation),
      state.fresh,
    );
  }

  function markFresh(index: number): void {
    state.fresh.add(index);
    setTimeout(() => {
      state.fresh.delete(index);
      document.getElementById(`block-${index}`)?.classList.remove('fresh');
    }, FRESH_MS);
  }

  /** A block from the live feed or a mine's answer; either may come first, each block counts once. */
  function addBlock(block: Block): void {
    const isNew = block.index >= state.totalCount;
    if (isNew) state.totalCount = block.index + 1;
    if (state.tip === null || block.index > state.tip.index) state.tip = block;
    if (onNewestPage()) {
      const present = state.entries.some((entry) => entry.block.index === block.index);
      const oldest = state.entries[0]?.block.index ?? -1;
      if (!present && block.index > oldest) {
        state.entries = [...state.entries, { block, cursor: null }].sort((a, b) => a.block.index - b.block.index);
        if (state.entries.length > PAGE_SIZE) {
          state.entries = state.entries.slice(-PAGE_SIZE);
          state.hasOlder = true;
        }
        markFresh(block.index);
      }
    } else if (isNew) {
      state.unseen += 1;
    }
    if (isNew) {
      announce(`New block #${block.index}${block.data === null ? '' : `: ${block.data.slice(0, 80)}`}.`);
      scheduleValidation();
    }
    render();
  }

  let pageTicket = 0;
  async function loadPage(before: string | null, history: Array<string | null>): Promise<void> {
    const ticket = ++pageTicket;
    try {
      const { chain } = await client.request(ChainPageDocument, { last: PAGE_SIZE, before });
      if (ticket !== pageTicket) return;
      state.entries = chain.edges.map((edge) => ({ block: edge.node, cursor: edge.cursor }));
      state.before = before;
      state.history = history;
      state.hasOlder = chain.pageInfo.hasPreviousPage;
      state.totalCount = Math.max(state.totalCount, chain.totalCount);
      const newest = state.entries.at(-1)?.block;
      if (before === null) {
        state.unseen = 0;
        if (newest !== undefined && (state.tip === null || newest.index >= state.tip.index)) state.tip = newest;
      }
      showMessage(ui.pageError, null);
    } catch (error) {
      if (ticket === pageTicket) showMessage(ui.pageError, `Could not load blocks: ${describeError(error)}`);
    }
    render();
  }

  async function loadServerInfo(): Promise<void> {
    try {
      const { difficulty, limits } = await client.request(ServerInfoDocument);
      state.difficulty = difficulty;
      state.dataMaxBytes = limits.dataMaxBytes;
      ui.mineLimit.textContent = `Up to ${formatCount(limits.dataMaxBytes)} bytes of UTF-8.`;
      render();
    } catch {
      // The page works without it: the server checks the data's size anyway.
    }
  }

  let validationTicket = 0;
  async function validate({ announceResult }: { announceResult: boolean }): Promise<void> {
    const ticket = ++validationTicket;
    const wasValid = state.validation?.valid;
    ui.validate.disabled = true;
    ui.validate.textContent = 'Validating…';
    try {
      const { validate: result } = await client.request(ValidateDocument);
      if (ticket !== validationTicket) return;
      state.validation = result;
      state.validatedAt = new Date();
      state.validationError = null;
    } catch (error) {
      if (ticket !== validationTicket) return;
      state.validationError = describeError(error);
    } finally {
      if (ticket === validationTicket) {
        ui.validate.disabled = false;
        ui.validate.textContent = 'Validate';
      }
    }
    render();
    if (announceResult || (wasValid !== undefined && wasValid !== state.validation?.valid)) announce(ui.verdict.textContent ?? '');
  }

  let validationTimer: ReturnType<typeof setTimeout> | undefined;
  /** New blocks get their verdict shortly after they arrive (the server's answer is cached, so this is cheap). */
  function scheduleValidation(): void {
    clearTimeout(validationTimer);
    validationTimer = setTimeout(() => void validate({ announceResult: false }), 400);
  }

  let liveRetryMs = 1000;
  let liveLost = false;
  function setLive(mode: 'connecting' | 'on' | 'off', text: string, detail = ''): void {
    ui.live.dataset['live'] = mode;
    ui.live.textContent = text;
    ui.live.title = detail;
  }
  /** blockMined, for as long as the page is open; reconnects with backoff and then catches up. */
  function startLive(): void {
    setLive('connecting', 'connecting…');
    client.subscribe(BlockMinedDocument, {
      open() {
        liveRetryMs = 1000;
        setLive('on', 'on');
        if (liveLost) {
          liveLost = false;
          void loadPage(state.before, state.history);
        }
      },
      next: ({ blockMined }) => addBlock(blockMined),
      error: (error) => lost(describeError(error)),
      complete: () => lost('the server ended the stream'),
    });
    function lost(why: string): void {
      liveLost = true;
      setLive('off', `off, retrying in ${Math.round(liveRetryMs / 1000)} s`, why);
      setTimeout(startLive, liveRetryMs);
      liveRetryMs = Math.min(liveRetryMs * 2, LIVE_RETRY_MAX_MS);
    }
  }

  /** The last mine that failed: mining the same data again retries it with its key. */
  let unsettled: { readonly data: string | null; readonly key: string } | null = null;

  async function mine(data: string): Promise<void> {
    if (state.mining) return;
    if (state.dataMaxBytes !== null && utf8Length(data) > state.dataMaxBytes) {
      showMessage(
        ui.mineError,
        `The data is ${formatCount(utf8Length(data))} bytes; this server takes up to ${formatCount(state.dataMaxBytes)}.`,
      );
      ui.mineData.focus();
      return;
    }
    // A retry of a mine that failed, with the same data, keeps its key: if the block was stored after all,
    // the server returns it instead of mining a second one.
    const sent = data === '' ? null : data;
    const key = unsettled?.data === sent ? unsettled.key : newIdempotencyKey();
    unsettled = { data: sent, key };
    state.mining = true;
    ui.mine.disabled = true;
    ui.mine.textContent = 'Mining…';
    showMessage(ui.mineError, null);
    progress.waiting();
    let stopProgress: Unsubscribe = () => undefined;
    const opened = new Promise<void>((resolve) => {
      stopProgress = client.subscribe(MiningProgressDocument, {
        open: resolve,
        next: ({ miningProgress }) => {
          progress.update(miningProgress);
          if (miningProgress.block !== null) addBlock(miningProgress.block);
        },
        // Progress is a nicety: the mine goes ahead without it.
        error: () => resolve(),
        complete: () => resolve(),
      });
    });
    // Nothing is replayed, so the server should be listening before the mine starts.
    await Promise.race([opened, delay(PROGRESS_WAIT_MS)]);
    const tokenSent = tokens.get() !== null;
    try {
      const { mineBlock } = await client.request(MineBlockDocument, { data: sent, idempotencyKey: key });
      unsettled = null;
      progress.mined(mineBlock);
      addBlock(mineBlock.block);
      ui.mineData.value = '';
    } catch (error) {
      const message = describeError(error, { tokenSent });
      progress.failed(message);
      showMessage(ui.mineError, message);
      if (error instanceof LedgerClientError && error.code === 'UNAUTHENTICATED') {
        ui.tokenBox.open = true;
        ui.token.focus();
      }
    } finally {
      state.mining = false;
      ui.mine.disabled = false;
      ui.mine.textContent = 'Mine';
      // The subscription ends by itself after the last update; this only guards against one that lingers.
      setTimeout(() => stopProgress(), 2000);
    }
  }

  function renderTokenState(): void {
    ui.tokenState.textContent = tokens.get() === null ? '' : '(set)';
  }

  /** Keeps the keyboard focus on the page when a paging button turns disabled. */
  function keepFocus(button: HTMLButtonElement): void {
    if (button.disabled && document.activeElement === button) ui.blocksTitle.focus();
  }

  // Also re-reads the page: a block altered in storage shows its content as it is now.
  ui.validate.addEventListener(
    'click',
    () => void Promise.all([validate({ announceResult: true }), loadPage(state.before, state.history)]),
  );
  ui.mineForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void mine(ui.mineData.value);
  });
  // The token is kept as it is typed; Enter has nothing to submit.
  ui.tokenForm.addEventListener('submit', (event) => event.preventDefault());
  ui.token.value = tokens.get() ?? '';
  ui.token.addEventListener('input', () => {
    tokens.set(ui.token.value.trim());
    renderTokenState();
  });
  ui.tokenForget.addEventListener('click', () => {
    ui.token.value = '';
    tokens.set('');
    renderTokenState();
    ui.token.focus();
  });
  const showNewest = async (button: HTMLButtonElement): Promise<void> => {
    await loadPage(null, []);
    keepFocus(button);
  };
  ui.newest.addEventListener('click', () => void showNewest(ui.newest));
  ui.unseenShow.addEventListener('click', () => void showNewest(ui.newest));
  ui.newer.addEventListener('click', () => {
    const history = [...state.history];
    const before = history.pop() ?? null;
    void loadPage(before, history).then(() => keepFocus(ui.newer));
  });
  ui.older.addEventListener('click', () => {
    void (async () => {
      // Blocks that arrived live have no cursor: when the whole page is such blocks, reload it first.
      if (state.entries[0]?.cursor == null) await loadPage(null, []);
      const cursor = state.entries[0]?.cursor;
      if (cursor == null) return;
      await loadPage(cursor, [...state.history, state.before]);
      keepFocus(ui.older);
    })();
  });

  renderTokenState();
  render();
  // Subscribe first, then read: nothing mined in between is missed.
  startLive();
  void loadServerInfo();
  void loadPage(null, []).then(() => validate({ announceResult: false }));
}

start();
