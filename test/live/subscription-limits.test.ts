import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src/http/request-error.js';
import { createSubscriptionLimits, SUBSCRIPTION_LIMITS } from '../../src/live/subscription-limits.js';

const codeOf = (action: () => unknown): unknown => {
  try {
    action();
    return null;
  } catch (error) {
    return error instanceof RequestError ? error.code : error;
  }
};

describe('subscription slots', () => {
  it('default to 20 per client and 1000 in all', () => {
    expect(SUBSCRIPTION_LIMITS).toEqual({ total: 1000, perClient: 20 });
  });

  it('are counted per client and in all, and given back once each', () => {
    const limits = createSubscriptionLimits({ total: 3, perClient: 2 });
    const a1 = limits.acquire('a');
    limits.acquire('a');
    expect(codeOf(() => limits.acquire('a'))).toBe('SUBSCRIPTION_LIMIT');
    const b1 = limits.acquire('b');
    expect(codeOf(() => limits.acquire('c'))).toBe('SUBSCRIPTION_LIMIT');
    expect(limits.count()).toBe(3);
    a1();
    a1();
    expect(limits.count()).toBe(2);
    expect(codeOf(() => limits.acquire('a'))).toBeNull();
    b1();
    expect(codeOf(() => limits.acquire('c'))).toBeNull();
    expect(limits.count()).toBe(3);
  });
});
