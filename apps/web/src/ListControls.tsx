import { jobContracts, jobStatuses, type JobStatus } from '@jobkit/jobs';

const kinds = Object.values(jobContracts).map((contract) => ({ kind: contract.kind, title: contract.title }));

/** The status and kind filters both job lists share. */
export function StatusKindFilters(props: {
  status: JobStatus | '';
  kind: string;
  onStatus: (status: JobStatus | '') => void;
  onKind: (kind: string) => void;
}) {
  return (
    <>
      <label>
        Status{' '}
        <select value={props.status} onChange={(e) => { props.onStatus(jobStatuses.find((s) => s === e.target.value) ?? ''); }}>
          <option value="">Any</option>
          {jobStatuses.map((s) => (
            <option key={s} value={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Kind{' '}
        <select value={props.kind} onChange={(e) => { props.onKind(e.target.value); }}>
          <option value="">Any</option>
          {kinds.map((k) => (
            <option key={k.kind} value={k.kind}>{k.title}</option>
          ))}
        </select>
      </label>
    </>
  );
}

/** "Show older jobs": the next keyset page of an infinite query. */
export function LoadOlder({ list }: { list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> } }) {
  if (!list.hasNextPage) return null;
  return (
    <button type="button" className="secondary" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
      {list.isFetchingNextPage ? 'Loading…' : 'Show older jobs'}
    </button>
  );
}
