import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Security headers for every answer (helmet). The web app is one origin's own scripts and styles,
 * so the policy allows nothing else: no inline or foreign script can run even if some text were
 * ever rendered unescaped, no other site may frame the app (clickjacking on its Cancel and Delete
 * buttons), and no URL of a job or file leaks to other sites in a Referer.
 */
export function securityHeaders(servedOverHttps: boolean): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // React and recharts set style properties from scripts, which style-src does not govern;
        // the built CSS is a file of our own.
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Only over HTTPS: on plain http://127.0.0.1 it would send the app's own requests to https.
        ...(servedOverHttps ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    // HSTS makes sense only for a server that users reach over HTTPS (the setting that marks the
    // session cookie Secure says so); on localhost over HTTP it would be wrong.
    strictTransportSecurity: servedOverHttps ? { maxAge: 180 * 24 * 60 * 60, includeSubDomains: false } : false,
  };
}
