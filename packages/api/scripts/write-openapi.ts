/**
 * `pnpm openapi`: writes docs/openapi.json, the document the server serves at /openapi.json, for
 * teams that generate a client without running the server. A test fails while it is stale.
 */
import { writeFile } from 'node:fs/promises';
import { openApiDocument } from '../src/index.ts';

const target = new URL('../../../docs/openapi.json', import.meta.url);
await writeFile(target, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`Wrote ${target.pathname}`);
