import type { AppRouter } from '@jobkit/api';
import { createTRPCReact } from '@trpc/react-query';

/** The typed API: every procedure, its input and its output come from the server's router. */
export const trpc = createTRPCReact<AppRouter>();
