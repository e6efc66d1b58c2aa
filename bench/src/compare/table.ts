import type { Metric } from './metrics.ts';
import type { BenchResults, ResultRow } from './results.ts';
import type { SystemId } from './systems/types.ts';

/** Variants that share another system's enqueue path: their enqueue cells point at it. */
const variantOf: Partial<Record<SystemId, SystemId>> = { 'graphile-batched': 'graphile', 'jobkit-threads': 'jobkit' };

function number(value: number, unit: Metric['unit']): string {
  if (unit === 'ms') return value < 10 ? value.toFixed(2) : value.toFixed(1);
  if (unit === '%' || unit === '% of a core') return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

function cell(row: ResultRow | undefined): string {
  if (!row) return '';
  const median = number(row.median, row.unit);
  return row.runs.length > 1 ? `${median} (${number(row.min, row.unit)}–${number(row.max, row.unit)})` : median;
}

/** The header lines and the one table, as Markdown. */
export function renderTable(results: BenchResults, metrics: readonly Metric[]): string {
  const { machine, config, systems } = results;
  const systemIds = config.systems;
  const lines = [
    `Comparative benchmark, ${results.generatedAt}${results.smoke ? ' (SMOKE: tiny sizes, numbers meaningless)' : ''}; code: ${results.code}`,
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Linux ${machine.kernel}; ` +
      `1-min load average ${machine.loadAverage.start.toFixed(1)} at start, ${machine.loadAverage.end.toFixed(1)} at end`,
    `PostgreSQL ${results.postgres.version}: ${results.postgres.description}; every measurement in a fresh database`,
    `Node: benchmark ${results.benchNode}; worker processes: ` +
      systemIds.map((id) => `${systems[id].label} ${systems[id].node}`).join(', ') +
      `; server and autocannon ${results.httpNode}`,
    `Each cell: median of ${config.runs} run(s)${config.runs > 1 ? ' (min–max)' : ''}. Per worker process for every system: ` +
      `${config.concurrency} jobs at once, a pool of ${config.poolSize} connections. ` +
      `Queue statistics ${config.analyzeAfterFill ? 'refreshed (ANALYZE) right after each fill' : 'as left by the fill (no ANALYZE: autovacuum may run one mid-drain)'}.`,
    ...systemIds.map((id) => `  ${systems[id].label}: ${systems[id].settings}`),
    '',
    `| measure | unit | ${systemIds.map((id) => systems[id].label).join(' | ')} |`,
    `|---|---|${systemIds.map(() => '---:').join('|')}|`,
  ];
  for (const metric of metrics) {
    const rows = results.rows.filter((row) => row.metric === metric.id);
    const cells = systemIds.map((id) => {
      if (metric.columns.includes('machine')) return id === 'jobkit' ? `${cell(rows[0])} (machine)` : '';
      const main = variantOf[id];
      if (main && metric.workload === 'enqueue' && metric.columns.includes(main) && !metric.columns.includes(id)) return `as ${systems[main].label}`;
      return metric.columns.includes(id) ? cell(rows.find((row) => row.column === id)) : '–';
    });
    lines.push(`| ${metric.label} | ${metric.unit} | ${cells.join(' | ')} |`);
  }
  if (results.problems.length > 0) lines.push('', 'Problems:', ...results.problems.map((problem) => `  ${problem}`));
  return lines.join('\n');
}
