// Entry of the embedded PostgreSQL supervisor process. It registers tsx's loader from this
// package (so it works whatever the parent's working directory or loader) and runs the
// TypeScript supervisor.
import { register } from 'tsx/esm/api';

register();
await import('./supervisor.ts');
