import type { Ledger } from '../ledger/ledger.js';

/** What every resolver gets: the ledger, and nothing that knows about SQL. */
export interface GraphQLContext {
  readonly ledger: Ledger;
}
