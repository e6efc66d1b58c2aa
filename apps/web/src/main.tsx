import type { AppRouter } from '@jobkit/api';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { httpBatchLink, httpSubscriptionLink, isTRPCClientError, splitLink } from '@trpc/client';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { trpc } from '@jobkit/react';
import './styles.css';

function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    // A session that ended (expired, signed out elsewhere) sends the app back to sign-in.
    queryCache: new QueryCache({
      onError: (error) => {
        if (isTRPCClientError<AppRouter>(error) && error.data?.code === 'UNAUTHORIZED') void client.invalidateQueries();
      },
    }),
  });
  return client;
}

function Root() {
  const [queryClient] = useState(createQueryClient);
  // Subscriptions (a job's live updates) over SSE; everything else batched as before.
  const [trpcClient] = useState(() =>
    trpc.createClient({
      links: [splitLink({ condition: (op) => op.type === 'subscription', true: httpSubscriptionLink({ url: '/trpc' }), false: httpBatchLink({ url: '/trpc' }) })],
    }),
  );
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </trpc.Provider>
  );
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
