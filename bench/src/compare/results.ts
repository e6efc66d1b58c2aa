import type { BenchConfig } from './config.ts';
import type { MachineInfo } from './machine.ts';
import type { Column, Metric } from './metrics.ts';
import { summarize, type Summary } from './stats.ts';
import type { SystemId } from './systems/types.ts';

export interface ResultRow extends Summary {
  metric: string;
  label: string;
  unit: Metric['unit'];
  column: Column;
}

/** The JSON file's shape (bench/results/latest.json). */
export interface BenchResults {
  generatedAt: string;
  smoke: boolean;
  /** The commit (and whether it had local changes) or BENCH_LABEL. */
  code: string;
  machine: MachineInfo;
  postgres: { version: string; description: string };
  /** The benchmark's own Node (it enqueues and times); children report theirs. */
  benchNode: string;
  /** Node of the server and of the load generator. */
  httpNode: string;
  config: Omit<BenchConfig, 'out'>;
  systems: Record<SystemId, { label: string; settings: string; node: string }>;
  rows: ResultRow[];
  /** Failed measurements and failed HTTP requests, per run. */
  problems: string[];
}

/** Collects every run's value per metric and column. */
export class Collector {
  private readonly values = new Map<string, number[]>();

  record(metric: string, column: Column, value: number): void {
    if (!Number.isFinite(value)) throw new Error(`${metric} / ${column}: not a number (${value})`);
    const key = `${metric}|${column}`;
    const list = this.values.get(key) ?? [];
    list.push(value);
    this.values.set(key, list);
  }

  rows(metrics: readonly Metric[]): ResultRow[] {
    const rows: ResultRow[] = [];
    for (const metric of metrics) {
      for (const column of metric.columns) {
        const runs = this.values.get(`${metric.id}|${column}`);
        if (!runs) continue;
        rows.push({ metric: metric.id, label: metric.label, unit: metric.unit, column, ...summarize(runs) });
      }
    }
    return rows;
  }
}
