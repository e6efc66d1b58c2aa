#!/usr/bin/env -S node --conditions=@jobkit/dist
// The built command line: `npx jobkit` once the workspace is built (`pnpm build`). The condition
// makes the workspace packages it imports resolve to their compiled dist/, as in production.
await import('../dist/main.js');
