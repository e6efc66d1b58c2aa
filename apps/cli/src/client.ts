import type { AppRouter } from '@jobkit/api';
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
import { EventSource } from 'eventsource';

/** Where the server is and who is asking: `JOBKIT_URL` and `JOBKIT_TOKEN`, or the flags. */
export interface Connection {
  url: string;
  token: string;
}

export type JobkitClient = TRPCClient<AppRouter>;

/**
 * The typed API over HTTP: queries and mutations one request each (a CLI sends one at a time, so
 * batching would only lengthen URLs), subscriptions over SSE. Node 20 has no EventSource, and the
 * browser's cannot send headers: the `eventsource` package can, through its `fetch` option.
 */
export function createJobkitClient({ url, token }: Connection): JobkitClient {
  const authorization = `Bearer ${token}`;
  const trpcUrl = new URL('trpc', url.endsWith('/') ? url : `${url}/`).toString();
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: trpcUrl,
          EventSource,
          eventSourceOptions: {
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, authorization } }),
          },
        }),
        false: httpLink({ url: trpcUrl, headers: { authorization } }),
      }),
    ],
  });
}
