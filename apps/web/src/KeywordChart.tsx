import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/** The keywords' TF-IDF scores as bars: easier to compare than a column of numbers. */
export default function KeywordChart({ keywords }: { keywords: { term: string; score: number }[] }) {
  return (
    <figure className="chart" aria-label="Keyword scores">
      <ResponsiveContainer width="100%" height={Math.max(120, keywords.length * 26)}>
        <BarChart data={keywords} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 16 }}>
          <XAxis type="number" tick={{ fontSize: 11 }} />
          <YAxis type="category" dataKey="term" width={110} tick={{ fontSize: 12 }} />
          <Tooltip />
          <Bar dataKey="score" name="TF-IDF" fill="var(--accent)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
