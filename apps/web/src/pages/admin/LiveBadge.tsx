/** Says whether the viewer is pushed its changes (live) or asks for them every few seconds. */
export function LiveBadge({ live }: { live: boolean }) {
  return (
    <span className={live ? 'live-badge live' : 'live-badge'} title={live ? 'Changes are pushed as they happen' : 'The live stream is not available: refreshing every 5 s'}>
      {live ? 'Live' : 'Refreshing every 5 s'}
    </span>
  );
}
