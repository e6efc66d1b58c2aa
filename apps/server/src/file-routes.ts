import fastifyMultipart, { type Multipart } from '@fastify/multipart';
import {
  openDownload,
  resolveActor,
  sessionCookieName,
  uploadFile,
  UploadSlots,
  UploadWatch,
  type Actor,
  type ApiSettings,
} from '@jobkit/api';
import { openPool, type Database } from '@jobkit/db';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';

/** `attachment` with an ASCII fallback name and the real one in RFC 5987 form. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

async function sendError(reply: FastifyReply, error: TRPCError): Promise<void> {
  await reply.code(getHTTPStatusCodeFromError(error)).send({ error: { message: error.message, code: error.code } });
}

const notMultipart = 'Send the file as multipart/form-data, in a field named "file".';

/** Between two reads of what a refused upload still sends, the longest wait before it is cut. */
const lingerMs = 5_000;

/**
 * Reads and discards what a client still sends after its upload was refused, as nginx's lingering
 * close does: a browser still uploading then sees the answer rather than a reset connection. A
 * client that stalls, or sends more than an upload may be, is cut.
 */
function discardRest(request: FastifyRequest, maxBytes: number): void {
  const raw = request.raw;
  if (raw.readableEnded || raw.destroyed) return;
  raw.unpipe();
  let discarded = 0;
  const timer = setTimeout(() => raw.destroy(), lingerMs);
  raw.on('data', (piece: Buffer) => {
    discarded += piece.length;
    if (discarded > maxBytes) raw.destroy();
    else timer.refresh();
  });
  raw.once('close', () => {
    clearTimeout(timer);
  });
  raw.once('end', () => {
    clearTimeout(timer);
  });
  raw.resume();
}

/**
 * An upload refused before its body was read whole. A client that stalled or sent a broken body
 * is disconnected once the answer is out (it would otherwise hold the socket); any other has the
 * rest of its body discarded, so it can read the answer.
 */
async function refuseUpload(request: FastifyRequest, reply: FastifyReply, error: TRPCError, maxBytes: number): Promise<void> {
  if (error.code === 'TIMEOUT' || error.code === 'BAD_REQUEST') {
    reply.raw.once('finish', () => request.raw.destroy());
    reply.header('connection', 'close');
  } else {
    reply.raw.once('finish', () => {
      discardRest(request, maxBytes);
    });
  }
  await sendError(reply, error);
}

/**
 * Uploads and downloads as plain HTTP: the bytes stream between the socket and the database in
 * 1 MiB chunks, so a 200 MB file never sits in memory. Same credentials as the API (session cookie
 * or `Authorization: Bearer`), same error shape, same owner scoping. Uploads write through a small
 * pool of their own and hold a connection only while a chunk is written, so any number of slow or
 * stalled uploads leaves the API's connections to the API.
 */
export async function registerFileRoutes(app: FastifyInstance, db: Database, settings: ApiSettings): Promise<void> {
  // One file per request. The byte limit is enforced while storing (so nothing is kept); the
  // parser's own limit sits one byte above it as a backstop.
  await app.register(fastifyMultipart, { limits: { files: 1, fileSize: settings.maxUploadBytes + 1, fields: 0, parts: 1 } });
  const uploadPool = openPool(db.url, settings.uploadConnections);
  app.addHook('onClose', () => uploadPool.end());
  const slots = new UploadSlots(settings.maxConcurrentUploadsPerUser);
  const limits = { maxBytes: settings.maxUploadBytes, quotaBytes: settings.maxStorageBytesPerUser };
  const pace = { idleTimeoutMs: settings.uploadIdleTimeoutMs, minBytesPerSecond: settings.uploadMinBytesPerSecond };

  async function actorOf(request: FastifyRequest): Promise<Actor> {
    const actor = await resolveActor(db, {
      authorization: request.headers.authorization,
      sessionToken: request.cookies[sessionCookieName],
    });
    if (!actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in, or send an API token as `Authorization: Bearer <token>`.' });
    return actor;
  }

  async function answering(reply: FastifyReply, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof TRPCError) return sendError(reply, error);
      throw error;
    }
  }

  /** The file part, then a check that nothing follows it; every wait for the client is timed. */
  async function* fileContent(watch: UploadWatch, part: Multipart & { type: 'file' }, rest: AsyncIterator<Multipart>) {
    yield* watch.stream(part.file);
    const next = await watch.wait(rest.next());
    if (next.done !== true) throw new TRPCError({ code: 'BAD_REQUEST', message: `Send one file per request. ${notMultipart}` });
  }

  app.post(
    '/files',
    {
      // Fastify's own refusals for this route (a content type it has no parser for) and anything
      // unexpected, in the API's shape; the unexpected is logged and answered without its details.
      errorHandler: (error: FastifyError, request, reply) => {
        const status = error.statusCode ?? 500;
        if (status >= 500) request.log.error({ err: error }, 'upload failed');
        const refusal =
          status === 415
            ? new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: notMultipart })
            : status < 500
              ? new TRPCError({ code: 'BAD_REQUEST', message: notMultipart })
              : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Something went wrong on our side. The error was logged; please try again.' });
        void refuseUpload(request, reply, refusal, settings.maxUploadBytes);
      },
    },
    async (request, reply) => {
      try {
        const actor = await actorOf(request);
        if (!request.isMultipart()) throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: notMultipart });
        const release = slots.take(actor.userId);
        try {
          const watch = new UploadWatch(pace);
          const parts = request.parts()[Symbol.asyncIterator]();
          const first = await watch.wait(parts.next());
          if (first.done === true || first.value.type !== 'file' || first.value.fieldname !== 'file') {
            throw new TRPCError({ code: 'BAD_REQUEST', message: `The request has no file. ${notMultipart}` });
          }
          const content = fileContent(watch, first.value, parts);
          const stored = await uploadFile(uploadPool, actor, { fileName: first.value.filename, content }, limits);
          await reply.code(201).send(stored);
        } finally {
          release();
        }
      } catch (error) {
        if (error instanceof TRPCError) return refuseUpload(request, reply, error, settings.maxUploadBytes);
        throw error;
      }
    },
  );

  app.get<{ Params: { fileId: string } }>('/files/:fileId', (request, reply) =>
    answering(reply, async () => {
      const actor = await actorOf(request);
      const { file, content } = await openDownload(db, actor, request.params.fileId);
      await reply
        .header('content-type', file.contentType)
        .header('content-length', file.size)
        .header('content-disposition', contentDisposition(file.name))
        // The type was decided from the content at upload; browsers must not second-guess it.
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(Readable.from(content));
    }),
  );
}
