import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/** Each turn's sentiment in order: where the call turned sour or warm. */
export default function SentimentChart({ timeline }: { timeline: { turn: number; speaker: string; sentiment: number }[] }) {
  return (
    <figure className="chart" aria-label="Sentiment per turn">
      <ResponsiveContainer width="100%" height={160}>
        <LineChart data={timeline} margin={{ top: 8, right: 16, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="turn" tick={{ fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} />
          <Tooltip formatter={(value) => [String(value), 'Sentiment']} />
          <Line dataKey="sentiment" stroke="var(--accent)" dot={{ r: 2 }} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
