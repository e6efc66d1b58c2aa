import { startableContracts, startProcedureName } from '@jobkit/jobs';
import type { AnyProcedure } from '@trpc/server';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { routerProcedures } from '../router-procedures.ts';
import * as outputs from './outputs.ts';

/** Raised when a public procedure changes incompatibly (a field removed, a meaning changed). */
const apiVersion = '1.0.0';

/** A procedure of the document: what it does, in a sentence, and the schema of its answer. */
interface PublicProcedure {
  summary: string;
  output: z.ZodType;
}

/**
 * The procedures programs in any language call: starts, following a job, and tracked jobs. The
 * rest (sign-in, the admin viewer, tokens, uploads' metadata, SSE streams) serve the web app.
 */
export const publicProcedures: Record<string, PublicProcedure> = {
  ...Object.fromEntries(
    Object.values(startableContracts).map((contract) => [
      `analysis.${startProcedureName(contract.kind)}`,
      { summary: `Starts a ${contract.title.toLowerCase()}; answers at once with the job's id.`, output: outputs.startedJobOutput },
    ]),
  ),
  'analysis.startMany': { summary: 'Starts up to 1,000 jobs of any kinds in one statement; all are checked before any is stored.', output: outputs.startManyOutput },
  'jobs.getJob': { summary: 'One job with its typed progress and result.', output: outputs.jobSnapshotOutput },
  'jobs.pollJob': { summary: 'The job, unless the version you have is still its latest: then only that.', output: outputs.jobPollOutput },
  'jobs.listJobs': { summary: "The caller's jobs, newest first, a page at a time.", output: outputs.jobListOutput },
  'jobs.cancelJob': { summary: 'Cancels a queued job, or asks a running one to stop.', output: outputs.cancelOutput },
  'jobs.retryJob': { summary: 'Queues a failed or cancelled job again.', output: outputs.retryOutput },
  'jobs.createTracked': { summary: 'Creates a job that another system runs and reports on.', output: outputs.trackedCreatedOutput },
  'jobs.reportProgress': { summary: "A tracked job's progress; also renews its reporting deadline.", output: outputs.trackedProgressOutput },
  'jobs.complete': { summary: 'A tracked job completed, with its result.', output: outputs.trackedCompletedOutput },
  'jobs.fail': { summary: 'A tracked job failed.', output: outputs.trackedFailedOutput },
};

const errorResponse = { description: "Refused or failed: `error.data.code` is tRPC's code (BAD_REQUEST, UNAUTHORIZED, NOT_FOUND, CONFLICT, TOO_MANY_REQUESTS...).", content: { 'application/json': { schema: outputs.errorOutput } } };

/** The procedure's own input schema, as the router checks it (every public procedure has one). */
function inputSchemaOf(path: string, procedure: AnyProcedure): z.ZodType {
  const [input, ...more] = procedure._def.inputs;
  if (!(input instanceof z.ZodType) || more.length > 0) throw new Error(`${path} does not take one zod input; the document cannot describe it`);
  return input;
}

function operation(path: string, procedure: AnyProcedure, documented: PublicProcedure): ZodOpenApiOperationObject {
  const namespace = path.split('.')[0] ?? path;
  return {
    operationId: path.replace('.', '_'),
    summary: documented.summary,
    description: procedure._def.type === 'query' ? `A query: also \`GET /trpc/${path}?input=<the JSON, URL-encoded>\`.` : undefined,
    tags: [namespace],
    requestBody: { required: true, content: { 'application/json': { schema: inputSchemaOf(path, procedure) } } },
    responses: {
      200: { description: "The answer, in tRPC's envelope: `result.data`.", content: { 'application/json': { schema: z.object({ result: z.object({ data: documented.output }) }) } } },
      default: errorResponse,
    },
  };
}

/**
 * The OpenAPI 3.1 document of the public procedures, built from the router's own input schemas
 * and the answer schemas beside it: a Python or Go team generates a typed client from it. Every
 * procedure is a POST of its input as JSON to `/trpc/<path>` (queries too: the server allows
 * tRPC's method override, since generated clients send JSON bodies, not JSON in a query string).
 */
export function openApiDocument() {
  const procedures = routerProcedures();
  const paths: ZodOpenApiPathsObject = {};
  for (const [path, documented] of Object.entries(publicProcedures)) {
    const procedure = procedures.get(path);
    if (!procedure) throw new Error(`The document lists ${path}, which the router does not have`);
    paths[`/${path}`] = { post: operation(path, procedure, documented) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Jobkit API',
      version: apiVersion,
      description: 'Typed, durable background jobs. Start a job, follow it by id, read its typed result. Authenticate with an API token: `Authorization: Bearer jk_...`.',
    },
    servers: [{ url: '/trpc', description: 'The tRPC endpoint of this server' }],
    security: [{ apiToken: [] }],
    components: { securitySchemes: { apiToken: { type: 'http', scheme: 'bearer', description: "An API token (tokens.create, or the web app's API tokens page)." } } },
    paths,
  });
}
