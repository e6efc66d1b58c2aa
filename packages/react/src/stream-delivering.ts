import { useCallback, useState } from 'react';

/** What `useSubscription` reports of its connection. */
export type SubscriptionStatus = 'idle' | 'connecting' | 'pending' | 'error';

/**
 * Whether a list's stream can stand in for polling now: connected, and it delivered since it last
 * (re)connected. A stream that opens but delivers nothing (a proxy that buffers) never counts, so
 * the list is polled. The streams of lists send the list at once on connect, so an open stream that
 * works delivers at once. Call `delivered` from the subscription's `onData`.
 */
export function useStreamDelivering(status: SubscriptionStatus): { delivering: boolean; delivered: () => void } {
  const [deliveredSinceConnect, setDelivered] = useState(false);
  // Reset while rendering, not in an effect: a dropped stream stops counting in the same render.
  // (useSubscription sets 'pending' with each delivery, so a delivery is never undone here.)
  if (status !== 'pending' && deliveredSinceConnect) setDelivered(false);
  const delivered = useCallback(() => {
    setDelivered(true);
  }, []);
  return { delivering: deliveredSinceConnect && status === 'pending', delivered };
}
