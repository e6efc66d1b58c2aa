import fastifyMultipart from '@fastify/multipart';
import { openDownload, resolveActor, sessionCookieName, uploadFile, type Actor } from '@jobkit/api';
import type { Database } from '@jobkit/db';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';

/** `attachment` with an ASCII fallback name and the real one in RFC 5987 form. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

async function sendError(reply: FastifyReply, error: TRPCError): Promise<void> {
  await reply.code(getHTTPStatusCodeFromError(error)).send({ error: { message: error.message, code: error.code } });
}

/**
 * Uploads and downloads as plain HTTP: the bytes stream between the socket and the database in
 * 1 MiB chunks, so a 200 MB file never sits in memory. Same credentials as the API (session cookie
 * or `Authorization: Bearer`), same error shape, same owner scoping.
 */
export async function registerFileRoutes(app: FastifyInstance, db: Database, maxUploadBytes: number): Promise<void> {
  // One file per request. The byte limit is enforced while storing (so nothing is kept); the
  // parser's own limit sits one byte above it as a backstop.
  await app.register(fastifyMultipart, { limits: { files: 1, fileSize: maxUploadBytes + 1, fields: 0, parts: 1 } });

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

  app.post('/files', (request, reply) =>
    answering(reply, async () => {
      const actor = await actorOf(request);
      if (!request.isMultipart()) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'Send the file as multipart/form-data, in a field named "file".' });
      }
      const part = await request.file();
      if (!part) throw new TRPCError({ code: 'BAD_REQUEST', message: 'The request has no file: send it in a field named "file".' });
      const stored = await uploadFile(db, actor, { fileName: part.filename, content: part.file }, maxUploadBytes);
      await reply.code(201).send(stored);
    }),
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
