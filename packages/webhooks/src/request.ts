import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookTarget } from './target.ts';

/**
 * Resolves the host to the address that was checked, and only that one: the connection cannot be
 * sent elsewhere by a second DNS answer (rebinding). Node asks for a list when it may try several
 * families (`autoSelectFamily`), a single address otherwise.
 */
function pinnedLookup(target: WebhookTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all === true) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/**
 * POSTs `body` to the checked target and answers the HTTP status. Redirects are not followed (a
 * 3xx is just a status), the response body is never read (the socket closes once the status is
 * in), and no socket is kept or shared (`agent: false`), so every delivery connects afresh to the
 * address its own check approved.
 */
export function postToTarget(target: WebhookTarget, headers: OutgoingHttpHeaders, body: string, signal: AbortSignal): Promise<number> {
  const { url } = target;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send({
      method: 'POST',
      host: target.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      lookup: pinnedLookup(target),
      agent: false,
      signal,
    });
    request.once('response', (response: IncomingMessage) => {
      // The status is all a delivery needs: a receiver that streams a body forever is cut off here.
      response.destroy();
      resolve(response.statusCode ?? 0);
    });
    // Not once: an error after the answer (the socket cut off above) must find a listener too.
    request.on('error', reject);
    request.end(body);
  });
}
