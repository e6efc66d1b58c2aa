export interface TestDatabaseServer {
  /** A URL with rights to create databases. */
  adminUrl: string;
  /** The migrated database each test database is copied from. */
  template: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseServer: TestDatabaseServer;
  }
}
