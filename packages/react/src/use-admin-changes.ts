import { useDocumentHidden } from './document-hidden.ts';
import { useStreamDelivering } from './stream-delivering.ts';
import { trpc } from './trpc.ts';

/** How often the viewer polls when the change stream is not delivering (refused, blocked, reconnecting). */
const fallbackPollMs = 5_000;

/**
 * Keeps the admin viewer's queries current: while the tab is visible it follows
 * `admin.watchChanges` (a tick at most every 2 s after any job changes) and refetches every admin
 * query on each tick; `pollMs` is what the viewer's queries pass as `refetchInterval`: false while
 * the stream delivers, a fallback interval otherwise. A hidden tab neither streams nor polls
 * (React Query does not poll in the background), and catches up on the first tick when shown.
 */
export function useAdminChanges(): { live: boolean; pollMs: number | false } {
  const utils = trpc.useUtils();
  const hidden = useDocumentHidden();
  const subscription = trpc.admin.watchChanges.useSubscription(undefined, {
    enabled: !hidden,
    onData: () => {
      stream.delivered();
      void utils.admin.invalidate();
    },
  });
  const stream = useStreamDelivering(subscription.status);
  return { live: stream.delivering, pollMs: stream.delivering ? false : fallbackPollMs };
}
