// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the package ships no types, and the programs of the packages importing this file must see the declaration too
/// <reference path="./parse-prometheus-text-format.d.ts" />
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { Registry } from 'prom-client';
import { z } from 'zod';

const labels = z.record(z.string(), z.string()).optional();
// The parser's output, as prom2json writes it: values are strings.
const families = z.array(
  z.object({
    name: z.string(),
    type: z.string(),
    metrics: z.array(
      z.object({
        labels,
        value: z.string().optional(),
      }),
    ),
  }),
);

export type MetricFamilies = z.infer<typeof families>;

/** Parses a /metrics answer with a parser of Prometheus' text format (it throws on anything else). */
export function parseMetrics(text: string): MetricFamilies {
  return families.parse(parsePrometheusTextFormat(text));
}

/**
 * The value of one counter or gauge series whose labels include `match`; 0 when there is none (a
 * counter not yet incremented has no series). Not for histograms: this parser keeps the labels of
 * histogram series only when they have none, so those are read with `observationsOf`.
 */
export function sampleOf(parsed: MetricFamilies, name: string, match: Record<string, string> = {}): number {
  const family = parsed.find((candidate) => candidate.name === name);
  const series = family?.metrics.find((metric) => Object.entries(match).every(([key, value]) => metric.labels?.[key] === value));
  return Number(series?.value ?? 0);
}

/** How many observations a histogram of `registry` holds in the series whose labels include `match` (prom-client's own reading). */
export async function observationsOf(registry: Registry, name: string, match: Record<string, string>): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  const series = values.find(
    (value) => 'metricName' in value && value.metricName === `${name}_count` && Object.entries(match).every(([key, wanted]) => String(value.labels[key]) === wanted),
  );
  return series?.value ?? 0;
}
