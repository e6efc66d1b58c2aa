import type { Database } from '@jobkit/db';

/** What a delivery needs of the endpoint it names: where, and the secrets that sign now. */
export interface DeliveryEndpoint {
  url: string;
  /** The current secret, then the previous one while its rotation overlap lasts. */
  secrets: string[];
}

/** The webhook endpoints of a job's owner, as its handler may read them. */
export interface HandlerWebhooks {
  /** The endpoint, if it exists and belongs to the job's owner; null otherwise (deleted...). */
  endpoint(endpointId: string): Promise<DeliveryEndpoint | null>;
}

// Joined through the job, so a delivery can only ever read its own owner's endpoints, and read at
// delivery time, so a retry after a rotation signs with the secrets in force then.
const endpointForJobSql = `
SELECT e.url, e.secret,
       CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret
FROM webhook_endpoint e JOIN job j ON j.owner_id = e.owner_id
WHERE j.id = $1 AND e.id = $2`;

export function jobWebhooks(pool: Database['pool'], jobId: string): HandlerWebhooks {
  return {
    async endpoint(endpointId) {
      const { rows } = await pool.query<{ url: string; secret: string; previous_secret: string | null }>(endpointForJobSql, [jobId, endpointId]);
      const [row] = rows;
      if (!row) return null;
      return { url: row.url, secrets: row.previous_secret === null ? [row.secret] : [row.secret, row.previous_secret] };
    },
  };
}
