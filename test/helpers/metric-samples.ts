import type { createMetrics } from '../../src/observability/metrics.js';
import { type MetricsSources } from '../../src/observability/metrics.js';

/** Gauge sources with fixed readings, `overrides` aside. */
export function sources(overrides: Partial<MetricsSources> = {}): MetricsSources {
  return {
    miningQueueLength: () => 2,
    subscribers: () => ({ blocks: 5, miningProgress: 1 }),
    databasePool: () => null,
    chainLength: () => Promise.resolve(42),
    ...overrides,
  };
}

/** A metric's samples, as prom-client reports them, without the default instance_id label (prom-client adds it only when rendering). */
export async function samples(metrics: ReturnType<typeof createMetrics>, name: string) {
  // A histogram's samples (_bucket, _sum, _count) belong to its family.
  const metric = metrics.registry.getSingleMetric(name) ?? metrics.registry.getSingleMetric(name.replace(/_(bucket|sum|count)$/, ''));
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values.map((sample) => ({
    name: (sample as { metricName?: string }).metricName ?? name,
    labels: sample.labels,
    value: sample.value,
  }));
}

export async function value(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string | number> = {}) {
  const found = (await samples(metrics, name)).filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted),
  );
  return found.reduce((sum, sample) => sum + sample.value, 0);
}
