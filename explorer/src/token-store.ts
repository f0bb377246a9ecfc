/** The mining token, kept in sessionStorage: this tab only, gone when it closes. */
export interface TokenStore {
  get(): string | null;
  set(token: string): void;
}

export const TOKEN_KEY = 'pow-ledger.mining-token';

export function createTokenStore(storage: Storage | null): TokenStore {
  // Storage may be missing or refuse (privacy modes): the token then lives as long as the page.
  let fallback: string | null = null;
  return {
    get() {
      try {
        return storage?.getItem(TOKEN_KEY) ?? fallback;
      } catch {
        return fallback;
      }
    },
    set(token) {
      fallback = token === '' ? null : token;
      try {
        if (token === '') storage?.removeItem(TOKEN_KEY);
        else storage?.setItem(TOKEN_KEY, token);
      } catch {
        // kept in `fallback`
      }
    },
  };
}

/** window.sessionStorage, or null where reading it throws (storage disabled). */
export function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
