import { defineConfig } from 'prisma/config';

// The Prisma CLI runs from this package; the schema and migrations live at the repository root.
// `prisma migrate deploy` works with this file wherever Prisma's engines can be downloaded; this
// project applies the same migrations itself (src/migrations) so it never needs them.
export default defineConfig({
  schema: '../../prisma/schema.prisma',
  migrations: { path: '../../prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
