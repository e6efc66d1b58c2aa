import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

const compact = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3, notation: 'compact' });

/** A column's histogram: bins [from, to) as bars, labelled by their lower bound. */
export default function HistogramChart({ name, bins }: { name: string; bins: { from: number; to: number; count: number }[] }) {
  const data = bins.map((bin) => ({ count: bin.count, range: `${compact.format(bin.from)} – ${compact.format(bin.to)}` }));
  return (
    <figure className="chart" aria-label={`Histogram of ${name}`}>
      <ResponsiveContainer width="100%" height={140}>
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }} barCategoryGap={1}>
          <XAxis
            dataKey="range"
            tick={{ fontSize: 10 }}
            interval="preserveStartEnd"
            tickFormatter={(range: string) => range.split(' – ')[0] ?? range}
          />
          <YAxis tick={{ fontSize: 10 }} width={40} allowDecimals={false} />
          <Tooltip formatter={(count) => [String(count), 'rows']} />
          <Bar dataKey="count" fill="var(--accent)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
