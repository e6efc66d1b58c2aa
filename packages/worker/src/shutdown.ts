/**
 * Runs `shutdown` once on the first SIGINT or SIGTERM, then exits. A second signal exits at once,
 * for the impatient Ctrl+C.
 */
export function onShutdownSignal(shutdown: () => Promise<void>): void {
  let shuttingDown = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (shuttingDown) process.exit(130);
    shuttingDown = true;
    console.log(`\n${signal}: shutting down...`);
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}
