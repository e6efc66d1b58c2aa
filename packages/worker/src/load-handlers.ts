import { isHandlerRegistry, type HandlerRegistry } from './handler.ts';

/** Imports a handlers module and checks its `handlers` export. */
export async function loadHandlers(url: string): Promise<HandlerRegistry> {
  const loaded: unknown = await import(url);
  if (typeof loaded === 'object' && loaded !== null && 'handlers' in loaded && isHandlerRegistry(loaded.handlers)) {
    return loaded.handlers;
  }
  throw new Error(`${url} does not export "handlers" made by registerHandlers()`);
}
